import type { Artifacts } from '../adapter/playScenario.js';
import { runAdapterCase } from '../adapter/runAdapterCase.js';
import { resolveAnvil } from '../adapter/startAnvil.js';
import { HarnessCode } from '../errors.js';
import { HarnessProcess } from '../harness/harnessProcess.js';
import { getLevelDefinition, type Level, levels } from '../levels.js';
import { type NodeTimings, nodeTimings, runNodeCase } from '../node/runNodeCase.js';
import type { LoadVectorsReturnType, VectorCase, VectorFile } from '../vectors/loadVectors.js';
import { packageInfo } from '../version.js';
import { compareResult } from './compareResult.js';
import type { ScenarioCaseOutcome } from './scenarioCaseOutcome.js';

export type CaseOutcome = 'passed' | 'failed' | 'unsupported';

export type CaseResult = {
  level: Level;
  /** `<runner>/<handler>/<suite>.json`, relative to the spec-version folder. */
  file: string;
  handler: string;
  description: string;
  section: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
  outcome: CaseOutcome;
  /** HARNESS_* code saying why a case failed or is unsupported. */
  code?: string;
  reason?: string;
  /** What the implementation answered: its `result`, or `{error}`; absent when it gave no answer. */
  actual?: unknown;
  durationMs: number;
};

export type LevelStatus = 'passed' | 'failed' | 'incomplete' | 'not-available' | 'not-requested' | 'not-run';

export type LevelSummary = {
  level: Level;
  status: LevelStatus;
  requested: boolean;
  files: number;
  cases: number;
  passed: number;
  failed: number;
  unsupported: number;
  note?: string;
};

export type ConformanceReport = {
  tool: { name: string; version: string };
  implementation: string;
  vectorsRoot: string;
  specVersion: string;
  timeoutMs: number;
  filter?: string;
  startedAt: string;
  durationMs: number;
  environment: { node: string; platform: string };
  levels: LevelSummary[];
  cases: CaseResult[];
  /** Protocol violations not tied to one case, and aborts. */
  warnings: string[];
  spawns: number;
};

export type RunConformanceParameters = {
  /** The implementation's harness command, as argv. */
  argv: readonly string[];
  vectors: LoadVectorsReturnType;
  /** Levels to run; by default every level that has vectors. */
  levels?: readonly Level[];
  /** Only cases whose `<runner>/<handler>/<suite>: <description>` contains this substring. */
  filter?: string;
  /** Per-request timeout (default 5000 ms). */
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Bounded waits of the node level (default `nodeTimings`); raise them for a slow implementation. */
  nodeTimings?: Partial<NodeTimings>;
  /** The anvil binary of the adapter level; default `$SFR_ANVIL`, else the npm package (linux x64). */
  anvil?: string;
  /** Called after each case (progress output). */
  onCase?: (result: CaseResult) => void;
};

/** Default per-request timeout: generous for a cold start of a compiled or JIT implementation. */
export const defaultTimeoutMs = 30_000;
/** After this many consecutive failures before any answer, the implementation is deemed unable to start. */
export const startFailureLimit = 5;

/**
 * Runs the requested levels' vectors against an implementation's harness command
 * (spec/v1/conformance.md#runner-algorithm steps 5–8) and returns the report data. The vectors
 * must have loaded without problems; the caller refuses to run otherwise.
 */
export async function runConformance(parameters: RunConformanceParameters): Promise<ConformanceReport> {
  const { argv, vectors, filter, onCase } = parameters;
  const timeoutMs = parameters.timeoutMs ?? defaultTimeoutMs;
  const timings: NodeTimings = { ...nodeTimings, ...parameters.nodeTimings };
  const started = Date.now();
  const byLevel = new Map<Level, VectorFile[]>(levels.map((l) => [l, []]));
  for (const file of vectors.files) byLevel.get(file.level)?.push(file);
  const requested = new Set<Level>(
    parameters.levels ?? levels.filter((l) => (byLevel.get(l) ?? []).length > 0),
  );

  const harness = new HarnessProcess({
    argv,
    ...(parameters.cwd === undefined ? {} : { cwd: parameters.cwd }),
    ...(parameters.env === undefined ? {} : { env: parameters.env }),
  });
  const cases: CaseResult[] = [];
  const warnings: string[] = [];
  const summaries: LevelSummary[] = [];
  let startFailures = 0;
  let abortReason: string | undefined;

  try {
    for (const level of levels) {
      const definition = getLevelDefinition(level);
      const files = byLevel.get(level) ?? [];
      const summary: LevelSummary = {
        level,
        status: 'not-run',
        requested: requested.has(level),
        files: files.length,
        cases: 0,
        passed: 0,
        failed: 0,
        unsupported: 0,
      };
      summaries.push(summary);
      if (files.length === 0) {
        summary.status = 'not-available';
        summary.note =
          definition.note ?? `no vectors for this level in ${vectors.specVersion}/${definition.runner}/`;
        continue;
      }
      if (!summary.requested) {
        summary.status = 'not-requested';
        continue;
      }
      let anvilPath = '';
      if (level === 'adapter') {
        // The adapter level needs a local chain; without anvil the runner cannot drive it.
        const resolved = resolveAnvil(parameters.anvil, parameters.env ?? process.env);
        if (!resolved.ok) {
          summary.status = 'not-available';
          summary.note = resolved.reason;
          continue;
        }
        anvilPath = resolved.path;
      }
      for (const file of files) {
        for (const vectorCase of file.cases) {
          if (
            filter !== undefined &&
            !`${file.runner}/${file.handler}/${file.suite}: ${vectorCase.description}`.includes(filter)
          ) {
            continue;
          }
          let result: CaseResult;
          if (abortReason === undefined) {
            const ran =
              level === 'node'
                ? await runScenarioCase(file, vectorCase, () =>
                    runNodeCase(harness, file.handler, vectorCase, timeoutMs, timings),
                  )
                : level === 'adapter'
                  ? await runScenarioCase(file, vectorCase, () =>
                      runAdapterCase(
                        harness,
                        file.handler,
                        vectorCase,
                        (file.artifacts ?? {}) as Artifacts,
                        anvilPath,
                        timeoutMs,
                      ),
                    )
                  : await runCase(harness, file, vectorCase, timeoutMs);
            result = ran.result;
            startFailures = ran.startFailure ? startFailures + 1 : 0;
            if (result.code === HarnessCode.spawnFailed || startFailures >= startFailureLimit) {
              abortReason = `not run: the implementation could not be started or died before answering ${startFailures} time(s) in a row (last: ${result.reason})`;
            }
          } else result = failedWithoutRunning(file, vectorCase, abortReason);
          cases.push(result);
          summary.cases++;
          summary[result.outcome]++;
          onCase?.(result);
        }
      }
      if (summary.cases === 0) summary.note = 'no case matched the filter';
      else summary.status = summary.failed > 0 ? 'failed' : summary.unsupported > 0 ? 'incomplete' : 'passed';
    }
  } finally {
    await harness.close();
  }
  if (abortReason !== undefined) warnings.push(abortReason);
  warnings.push(...harness.warnings);
  return {
    tool: { name: packageInfo.name, version: packageInfo.version },
    implementation: argv.join(' '),
    vectorsRoot: vectors.root,
    specVersion: vectors.specVersion,
    timeoutMs,
    ...(filter === undefined ? {} : { filter }),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    environment: { node: process.version, platform: `${process.platform} ${process.arch}` },
    levels: summaries,
    cases,
    warnings,
    spawns: harness.spawns,
  };
}

async function runCase(
  harness: HarnessProcess,
  file: VectorFile,
  vectorCase: VectorCase,
  timeoutMs: number,
): Promise<{ result: CaseResult; startFailure: boolean }> {
  const started = performance.now();
  const response = await harness.request(file.handler, vectorCase.input, timeoutMs);
  const base = caseBase(file, vectorCase);
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  switch (response.kind) {
    case 'result': {
      const compared = compareResult(file.handler, vectorCase.expected, response.result);
      if (compared.ok) return ok({ ...base, outcome: 'passed', actual: response.result, durationMs });
      return ok({
        ...base,
        outcome: 'failed',
        code: HarnessCode.resultMismatch,
        reason: compared.reason,
        actual: response.result,
        durationMs,
      });
    }
    case 'error': {
      const actual = { error: { code: response.code, message: response.message } };
      if (response.code === HarnessCode.unsupportedOp) {
        return ok({
          ...base,
          outcome: 'unsupported',
          code: HarnessCode.unsupportedOp,
          reason: `the implementation does not support op ${file.handler}`,
          actual,
          durationMs,
        });
      }
      return ok({
        ...base,
        outcome: 'failed',
        code: HarnessCode.unexpectedError,
        reason: `the implementation answered an error instead of a result: ${response.code}${response.message === '' ? '' : ` (${response.message})`}`,
        actual,
        durationMs,
      });
    }
    case 'failure':
      return {
        result: { ...base, outcome: 'failed', code: response.code, reason: response.reason, durationMs },
        startFailure: response.beforeFirstAnswer,
      };
  }
}

/**
 * A `node` or `adapter` case: a scenario the runner plays itself around the harness's answers
 * (conformance.md#node-level, #adapter-level), timed and reported like any other case.
 */
async function runScenarioCase(
  file: VectorFile,
  vectorCase: VectorCase,
  run: () => Promise<ScenarioCaseOutcome>,
): Promise<{ result: CaseResult; startFailure: boolean }> {
  const started = performance.now();
  const ran = await run();
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  return {
    result: {
      ...caseBase(file, vectorCase),
      outcome: ran.outcome,
      ...(ran.code === undefined ? {} : { code: ran.code }),
      ...(ran.reason === undefined ? {} : { reason: ran.reason }),
      ...(ran.actual === undefined ? {} : { actual: ran.actual }),
      durationMs,
    },
    startFailure: ran.startFailure,
  };
}

/** A case that got an answer: the implementation is running. */
function ok(result: CaseResult): { result: CaseResult; startFailure: boolean } {
  return { result, startFailure: false };
}

function failedWithoutRunning(file: VectorFile, vectorCase: VectorCase, reason: string): CaseResult {
  return {
    ...caseBase(file, vectorCase),
    outcome: 'failed',
    code: HarnessCode.spawnFailed,
    reason,
    durationMs: 0,
  };
}

function caseBase(file: VectorFile, vectorCase: VectorCase) {
  return {
    level: file.level,
    file: file.path,
    handler: file.handler,
    description: vectorCase.description,
    section: vectorCase.section,
    input: vectorCase.input,
    expected: vectorCase.expected,
  };
}
