import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
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
 * `{results: [{outcome, code}]}`), and of an `error` property holding a code (the node level's
 * sync result `{error: "SYNC_BAD_REQUEST"}`, conformance.md#node-level).
 */
export function collectExpectedCodes(files: readonly VectorFile[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (value: unknown, description: string) => {
    if (Array.isArray(value)) for (const v of value) walk(v, description);
    else if (isRecord(value)) {
      for (const [key, v] of Object.entries(value)) {
        if ((key === 'code' || key === 'error') && typeof v === 'string')
          found.set(v, [...(found.get(v) ?? []), description]);
        else walk(v, description);
      }
    }
  };
  for (const file of files) for (const c of file.cases) walk(c.expected, `${file.path}: ${c.description}`);
  return found;
}

/** One entry of `vectors/coverage-exemptions.json` (its schema: `coverage-exemptions.schema.json`). */
export type CoverageExemption = {
  code: string;
  /** Why no vector can pin the code (not observable through the harness, an operator-side error, …). */
  reason: string;
  /** Repository paths of the reference implementation's tests that exercise the code, if any. */
  coveredBy: readonly string[];
};

export type CheckCoverageParameters = {
  registry: readonly RegisteredCode[];
  files: readonly VectorFile[];
  /** Domains whose codes must all be covered; default: every domain of the registry. */
  domains?: readonly string[];
  /** Codes exempt from the rule, each with its reason (`loadCoverageExemptions`). */
  exemptions?: ReadonlyMap<string, CoverageExemption>;
};

/**
 * The sanity rules of spec/v1/conformance.md#sanity-checks on reason codes: every registered code
 * of the given domains, whatever its outcome, is expected by at least one vector or exempt
 * (`HARNESS_UNCOVERED_CODE`); every code a vector expects is registered
 * (`HARNESS_UNREGISTERED_CODE`); and every exemption names a registered code that no vector expects
 * (`HARNESS_STALE_EXEMPTION`). Returns the problems (empty when clean).
 */
export function checkCoverage({
  registry,
  files,
  domains,
  exemptions = new Map(),
}: CheckCoverageParameters): VectorProblem[] {
  const problems: VectorProblem[] = [];
  const expected = collectExpectedCodes(files);
  const checked = new Set(domains ?? registry.map((e) => e.domain));
  for (const entry of registry) {
    if (!checked.has(entry.domain) || expected.has(entry.code) || exemptions.has(entry.code)) continue;
    problems.push({
      code: HarnessCode.uncoveredCode,
      file: `registry/${entry.domain}.json`,
      message: `${entry.code} (${entry.outcome}) is registered but no vector expects it and it is not exempt`,
    });
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
  for (const code of exemptions.keys()) {
    const where = expected.get(code);
    if (where !== undefined) {
      problems.push({
        code: HarnessCode.staleExemption,
        file: exemptionsFileName,
        message: `${code} is exempt but ${where[0]} expects it: remove the exemption`,
      });
    } else if (!registered.has(code)) {
      problems.push({
        code: HarnessCode.staleExemption,
        file: exemptionsFileName,
        message: `${code} is exempt but is not in the reason-code registry`,
      });
    }
  }
  return problems;
}

const exemptionsFileName = 'coverage-exemptions.json';

/** The packaged list of codes exempt from the coverage rule, and its schema. */
export const coverageExemptionsUrl = new URL(`../../vectors/${exemptionsFileName}`, import.meta.url);
export const coverageExemptionsSchemaUrl = new URL(
  '../../vectors/coverage-exemptions.schema.json',
  import.meta.url,
);

export type LoadCoverageExemptionsReturnType = {
  exemptions: Map<string, CoverageExemption>;
  problems: VectorProblem[];
};

let compiledExemptionsSchema: ValidateFunction | undefined;

/**
 * Reads an exemptions file `{exemptions: [{code, reason, coveredBy?}]}` and checks it against
 * `coverage-exemptions.schema.json`. A file that cannot be read or does not match yields no
 * exemption and a `HARNESS_INVALID_VECTOR_FILE` problem, so the check stays strict. Never throws.
 */
export function loadCoverageExemptions(
  url: URL | string = coverageExemptionsUrl,
): LoadCoverageExemptionsReturnType {
  const exemptions = new Map<string, CoverageExemption>();
  const fail = (message: string): LoadCoverageExemptionsReturnType => ({
    exemptions,
    problems: [{ code: HarnessCode.invalidVectorFile, file: String(url), message }],
  });
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(url, 'utf8'));
  } catch (cause) {
    return fail(`cannot read the exemptions: ${(cause as Error).message}`);
  }
  compiledExemptionsSchema ??= new Ajv2020({ allErrors: true, strict: true }).compile(
    JSON.parse(readFileSync(coverageExemptionsSchemaUrl, 'utf8')) as object,
  );
  if (!compiledExemptionsSchema(data)) {
    const first = compiledExemptionsSchema.errors?.[0];
    return fail(
      `does not match coverage-exemptions.schema.json: ${first?.instancePath || '/'} ${first?.message}`,
    );
  }
  const problems: VectorProblem[] = [];
  for (const e of (data as { exemptions: { code: string; reason: string; coveredBy?: string[] }[] })
    .exemptions) {
    if (exemptions.has(e.code))
      problems.push({
        code: HarnessCode.invalidVectorFile,
        file: String(url),
        message: `${e.code} is listed twice`,
      });
    exemptions.set(e.code, { code: e.code, reason: e.reason, coveredBy: e.coveredBy ?? [] });
  }
  return { exemptions, problems };
}
