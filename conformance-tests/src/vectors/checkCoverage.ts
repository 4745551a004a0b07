import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { HarnessCode } from '../errors.js';
import { isRecord, type VectorFile, type VectorProblem } from './loadVectors.js';

export type RegisteredCode = {
  domain: string;
  code: string;
  outcome: string;
  section?: string;
};

export type LoadRegistryReturnType = { codes: RegisteredCode[]; problems: string[] };

/** The reason-code registry shipped by `@sfr/schemas` (`v1/registry/reason-codes/`). */
export function resolveRegistryDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@sfr/schemas/package.json')), 'v1/registry/reason-codes');
}

/** Reads every `<DOMAIN>.json` registry file (format: spec/proposals/0001 §1). Never throws. */
export function loadRegistry(dir: string): LoadRegistryReturnType {
  const codes: RegisteredCode[] = [];
  const problems: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch (cause) {
    return { codes, problems: [`cannot read the registry folder ${dir}: ${(cause as Error).message}`] };
  }
  for (const name of names) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
    } catch (cause) {
      problems.push(`${name}: not JSON: ${(cause as Error).message}`);
      continue;
    }
    if (!isRecord(data) || typeof data['domain'] !== 'string' || !Array.isArray(data['codes'])) {
      problems.push(`${name}: expected {domain, codes: [...]}`);
      continue;
    }
    for (const entry of data['codes']) {
      if (!isRecord(entry) || typeof entry['code'] !== 'string' || typeof entry['outcome'] !== 'string') {
        problems.push(`${name}: a code entry lacks a string code or outcome`);
        continue;
      }
      codes.push({
        domain: data['domain'],
        code: entry['code'],
        outcome: entry['outcome'],
        ...(typeof entry['section'] === 'string' ? { section: entry['section'] } : {}),
      });
    }
  }
  return { codes, problems };
}

/**
 * Every reason code a vector expects, with the cases that expect it: the string value of any `code`
 * property anywhere inside a case's `expected` (e.g. `{valid: false, code}`, `{outcome, code}`,
 * `{results: [{outcome, code}]}`).
 */
export function collectExpectedCodes(files: readonly VectorFile[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (value: unknown, description: string) => {
    if (Array.isArray(value)) for (const v of value) walk(v, description);
    else if (isRecord(value)) {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'code' && typeof v === 'string') found.set(v, [...(found.get(v) ?? []), description]);
        else walk(v, description);
      }
    }
  };
  for (const file of files) for (const c of file.cases) walk(c.expected, `${file.path}: ${c.description}`);
  return found;
}

export type CheckCoverageParameters = {
  registry: readonly RegisteredCode[];
  files: readonly VectorFile[];
  /** Domains whose codes must all be covered, e.g. `['SCHEMA', 'ENVELOPE']`. */
  domains: readonly string[];
  /** Outcomes that need a vector (gossip verdicts; `error` codes are API errors). */
  outcomes?: readonly string[];
  /** Codes no JSON vector can express (code → reason), from `vectors/coverage-exemptions.json`. */
  exemptions?: ReadonlyMap<string, string>;
};

/**
 * The sanity rules of spec/v1/conformance.md#sanity-checks on reason codes: every registered
 * code of the given domains whose outcome is reject or ignore is expected by at least one vector,
 * and every code a vector expects is registered. Returns the problems (empty when clean).
 */
export function checkCoverage({
  registry,
  files,
  domains,
  outcomes = ['reject', 'ignore'],
  exemptions = new Map(),
}: CheckCoverageParameters): VectorProblem[] {
  const problems: VectorProblem[] = [];
  const expected = collectExpectedCodes(files);
  for (const entry of registry) {
    if (!domains.includes(entry.domain) || !outcomes.includes(entry.outcome) || exemptions.has(entry.code))
      continue;
    if (!expected.has(entry.code)) {
      problems.push({
        code: HarnessCode.uncoveredCode,
        file: `registry/${entry.domain}.json`,
        message: `${entry.code} (${entry.outcome}) is registered but no vector expects it`,
      });
    }
  }
  const registered = new Set(registry.map((e) => e.code));
  for (const [code, where] of expected) {
    if (!registered.has(code)) {
      problems.push({
        code: HarnessCode.unregisteredCode,
        file: where[0]?.split(':')[0] ?? '',
        message: `${code} is expected by ${where.length} case(s) but is not in the reason-code registry`,
      });
    }
  }
  return problems;
}

/** The packaged list of codes exempt from the coverage rule (code → reason). */
export const coverageExemptionsUrl = new URL('../../vectors/coverage-exemptions.json', import.meta.url);

/** Reads an exemptions file `{exemptions: [{code, reason}]}`; a malformed file yields no exemption. */
export function loadCoverageExemptions(url: URL | string = coverageExemptionsUrl): Map<string, string> {
  const out = new Map<string, string>();
  try {
    const data: unknown = JSON.parse(readFileSync(url, 'utf8'));
    const list = isRecord(data) && Array.isArray(data['exemptions']) ? data['exemptions'] : [];
    for (const e of list) {
      if (isRecord(e) && typeof e['code'] === 'string' && typeof e['reason'] === 'string')
        out.set(e['code'], e['reason']);
    }
  } catch {
    // No file or not JSON: nothing is exempt, so the check stays strict.
  }
  return out;
}
