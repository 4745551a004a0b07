import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { HarnessCode, type HarnessCodeValue } from '../errors.js';
import { findLevelByRunner, type Level } from '../levels.js';
import { validateVectorFile } from './validateVectorFile.js';

export type VectorCase = {
  description: string;
  section: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
};

export type VectorFile = {
  /** Path relative to the spec-version folder, with `/` separators: `<runner>/<handler>/<suite>.json`. */
  path: string;
  level: Level;
  runner: string;
  handler: string;
  suite: string;
  cases: VectorCase[];
  /** Adapter runner only: compiled contracts (`{abi, bytecode}` by name) the cases deploy. */
  artifacts?: Record<string, unknown>;
};

export type VectorProblem = {
  code: HarnessCodeValue;
  /** Path relative to the spec-version folder (or the folder itself when it is missing). */
  file: string;
  message: string;
};

export type LoadVectorsParameters = {
  /** The vectors root: the folder that holds one folder per spec version (`v1/`). */
  root: string;
  /** Spec version folder to load; `v1` for SFR 1.x. */
  specVersion?: string;
};

export type LoadVectorsReturnType = {
  root: string;
  specVersion: string;
  files: VectorFile[];
  /** Every file the runner refuses; a run MUST NOT start while this is non-empty. */
  problems: VectorProblem[];
};

/** Bound on one vector file, so a stray huge file is refused rather than read into memory. */
const maxVectorFileBytes = 64 * 1024 * 1024;

/**
 * Loads every vector file under `<root>/<specVersion>/`, in a stable (sorted) order, following the
 * runner algorithm of spec/v1/conformance.md#runner-algorithm steps 1–4. Never throws on bad
 * files: each is reported as a problem with a HARNESS_* code.
 */
export function loadVectors({ root, specVersion = 'v1' }: LoadVectorsParameters): LoadVectorsReturnType {
  const base = path.join(root, specVersion);
  const files: VectorFile[] = [];
  const problems: VectorProblem[] = [];
  let entries: string[];
  try {
    entries = listJsonFiles(base);
  } catch (cause) {
    problems.push({
      code: HarnessCode.noVectors,
      file: base,
      message: `cannot read the vectors folder: ${(cause as Error).message}`,
    });
    return { root, specVersion, files, problems };
  }
  const descriptions = new Map<string, string>();
  for (const relative of entries) {
    const loaded = loadVectorFile(base, relative);
    if ('problem' in loaded) {
      problems.push(loaded.problem);
      continue;
    }
    for (const c of loaded.file.cases) {
      const previous = descriptions.get(c.description);
      if (previous !== undefined) {
        problems.push({
          code: HarnessCode.duplicateDescription,
          file: relative,
          message: `case description ${JSON.stringify(c.description)} is already used in ${previous}`,
        });
      } else descriptions.set(c.description, relative);
    }
    files.push(loaded.file);
  }
  return { root, specVersion, files, problems };
}

function loadVectorFile(base: string, relative: string): { file: VectorFile } | { problem: VectorProblem } {
  const problem = (code: HarnessCodeValue, message: string) => ({
    problem: { code, file: relative, message },
  });
  const segments = relative.split('/');
  if (segments.length !== 3) {
    return problem(
      HarnessCode.invalidVectorFile,
      'a vector file must be at <specVersion>/<runner>/<handler>/<suite>.json',
    );
  }
  const [runnerDir, handlerDir, fileName] = segments as [string, string, string];
  const absolute = path.join(base, relative);
  if (statSync(absolute).size > maxVectorFileBytes) {
    return problem(HarnessCode.invalidVectorFile, `file is larger than ${maxVectorFileBytes} bytes`);
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(absolute, 'utf8'));
  } catch (cause) {
    return problem(HarnessCode.invalidVectorFile, `not JSON: ${(cause as Error).message}`);
  }
  const header = isRecord(data) ? data : {};
  const runner = typeof header['runner'] === 'string' ? header['runner'] : runnerDir;
  const handler = typeof header['handler'] === 'string' ? header['handler'] : handlerDir;
  // Unknown names are checked before the meta-schema so the message says what is wrong in words.
  const definition = findLevelByRunner(runner);
  if (definition === undefined) {
    return problem(HarnessCode.unknownRunner, `unknown runner ${JSON.stringify(runner)}`);
  }
  if (!definition.handlers.includes(handler)) {
    const known = definition.handlers.length === 0 ? 'none yet' : definition.handlers.join(', ');
    return problem(
      HarnessCode.unknownHandler,
      `unknown handler ${JSON.stringify(handler)} for runner ${runner} (known: ${known})`,
    );
  }
  const issues = validateVectorFile(data);
  if (issues.length > 0) {
    return problem(HarnessCode.invalidVectorFile, `does not match vectors.schema.json: ${issues.join('; ')}`);
  }
  const file = data as Omit<VectorFile, 'path' | 'level'>;
  const suiteFromName = fileName.slice(0, -'.json'.length);
  if (file.runner !== runnerDir || file.handler !== handlerDir || file.suite !== suiteFromName) {
    return problem(
      HarnessCode.invalidVectorFile,
      `runner/handler/suite (${file.runner}/${file.handler}/${file.suite}) must equal its path (${runnerDir}/${handlerDir}/${suiteFromName})`,
    );
  }
  const seen = new Set<string>();
  for (const c of file.cases) {
    if (seen.has(c.description)) {
      return problem(
        HarnessCode.duplicateDescription,
        `case description ${JSON.stringify(c.description)} appears twice in this file`,
      );
    }
    seen.add(c.description);
  }
  return {
    file: {
      path: relative,
      level: definition.level,
      runner: file.runner,
      handler: file.handler,
      suite: file.suite,
      cases: file.cases,
      ...(file.artifacts === undefined ? {} : { artifacts: file.artifacts }),
    },
  };
}

/** Relative paths (with `/`) of every `.json` file under `dir`, sorted by code unit order. */
function listJsonFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (relative: string) => {
    const entries = readdirSync(path.join(dir, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && entry.name.endsWith('.json')) out.push(child);
    }
  };
  walk('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
