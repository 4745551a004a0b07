import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HarnessCode } from '../errors.js';
import { parseCommandLine } from '../harness/parseCommandLine.js';
import { isLevel, type Level, levels } from '../levels.js';
import { renderJson, renderMarkdown } from '../report/renderReport.js';
import { type ConformanceReport, defaultTimeoutMs, runConformance } from '../runner/runConformance.js';
import {
  checkCoverage,
  coverageExemptionsUrl,
  loadCoverageExemptions,
  loadRegistry,
  resolveRegistryDir,
} from '../vectors/checkCoverage.js';
import { loadVectors, type VectorProblem } from '../vectors/loadVectors.js';
import { defaultVectorsRoot, packageInfo } from '../version.js';

/** Exit codes (STYLE.md, CLI): 0 all passed, 1 failures, 2 usage or refused vectors. */
export const ExitCode = { ok: 0, failure: 1, usage: 2 } as const;

export type CliIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
};

const usage = `Usage:
  sfr-conformance run --impl "<command line>" [options]
  sfr-conformance check [--vectors <dir>] [--registry <dir>] [--exemptions <file>] [--domains <list>]
  sfr-conformance --help | --version

run: start the implementation's harness command and check it against the vectors
  --impl <command line>   the harness command (split like a shell would; no shell is run)
  --level <list>          comma-separated levels among ${levels.join(', ')}
                          (default: every level that has vectors)
  --vectors <dir>         vectors root holding <specVersion>/ (default: the packaged vectors)
  --spec-version <v>      spec-version folder (default: v1)
  --format md|json        report format (default: md)
  --out <file>            write the report to <file>; a one-line summary goes to stderr
  --timeout-ms <n>        per-request timeout (default: ${defaultTimeoutMs})
  --filter <substring>    only cases whose "<runner>/<handler>/<suite>: <description>" contains it
  --allow-unsupported     exit 0 even if some ops answered HARNESS_UNSUPPORTED_OP
  --anvil <path>          anvil binary for the adapter level (default: $SFR_ANVIL, else the
                          @foundry-rs/anvil-linux-amd64 package)

check: validate the vector files (meta-schema, layout, unique descriptions, known runners and
  handlers) and that every registered reason code has a vector or a listed exemption
  --registry <dir>        reason-code registry folder (default: the one of @sfr/schemas)
  --exemptions <file>     coverage exemptions (default: the packaged coverage-exemptions.json)
  --domains <list>        only these comma-separated registry domains (default: every domain)

Exit codes: 0 all passed, 1 failures (or a requested level without vectors), 2 usage error or
refused vector files. Spec: spec/v1/conformance.md
`;

/** Runs the CLI with `args` (without `node` and the script) and returns the exit code. Never throws. */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  const usageError = (message: string) => {
    io.stderr(`${HarnessCode.usage}: ${message}\nRun sfr-conformance --help for usage.\n`);
    return ExitCode.usage;
  };
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(args);
  } catch (cause) {
    return usageError((cause as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(usage);
    return ExitCode.ok;
  }
  if (values.version === true) {
    io.stdout(`${packageInfo.name} ${packageInfo.version}\n`);
    return ExitCode.ok;
  }
  const [command, ...rest] = positionals;
  if (command === undefined) return usageError('missing command (run or check)');
  if (rest.length > 0) return usageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  const vectorsRoot =
    values.vectors === undefined ? defaultVectorsRoot : path.resolve(io.cwd, values.vectors);
  const specVersion = values['spec-version'] ?? 'v1';
  if (command === 'check') return check(values, vectorsRoot, specVersion, io);
  if (command !== 'run')
    return usageError(`unknown command ${JSON.stringify(command)} (expected run or check)`);

  if (values.impl === undefined) return usageError('run needs --impl "<command line>"');
  const command_ = parseCommandLine(values.impl);
  if (!command_.ok) return usageError(`--impl: ${command_.message}`);
  let requestedLevels: Level[] | undefined;
  if (values.level !== undefined) {
    requestedLevels = [];
    for (const name of values.level.split(',').map((s) => s.trim())) {
      if (!isLevel(name))
        return usageError(`unknown level ${JSON.stringify(name)} (levels: ${levels.join(', ')})`);
      if (!requestedLevels.includes(name)) requestedLevels.push(name);
    }
  }
  const format = values.format ?? 'md';
  if (format !== 'md' && format !== 'json')
    return usageError(`--format must be md or json, not ${JSON.stringify(format)}`);
  let timeoutMs = defaultTimeoutMs;
  if (values['timeout-ms'] !== undefined) {
    timeoutMs = Number(values['timeout-ms']);
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 3_600_000) {
      return usageError('--timeout-ms must be an integer from 1 to 3600000');
    }
  }
  const vectors = loadVectors({ root: vectorsRoot, specVersion });
  if (vectors.problems.length > 0) {
    io.stderr(renderProblems('the vector files were refused; nothing was run', vectors.problems));
    return ExitCode.usage;
  }
  const report = await runConformance({
    argv: command_.argv,
    vectors,
    ...(requestedLevels === undefined ? {} : { levels: requestedLevels }),
    ...(values.filter === undefined ? {} : { filter: values.filter }),
    ...(values.anvil === undefined ? {} : { anvil: path.resolve(io.cwd, values.anvil) }),
    timeoutMs,
    cwd: io.cwd,
  });
  const text = format === 'json' ? renderJson(report) : renderMarkdown(report);
  if (values.out === undefined) io.stdout(text);
  else {
    try {
      writeFileSync(path.resolve(io.cwd, values.out), text);
    } catch (cause) {
      io.stderr(`cannot write --out file: ${(cause as Error).message}\n`);
      return ExitCode.failure;
    }
    io.stderr(`${summarize(report)}; report written to ${values.out}\n`);
  }
  return exitCodeOf(report, values['allow-unsupported'] === true);
}

function parseOptions(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
      impl: { type: 'string' },
      level: { type: 'string' },
      vectors: { type: 'string' },
      'spec-version': { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      'timeout-ms': { type: 'string' },
      filter: { type: 'string' },
      anvil: { type: 'string' },
      'allow-unsupported': { type: 'boolean' },
      registry: { type: 'string' },
      domains: { type: 'string' },
      exemptions: { type: 'string' },
    },
  });
}

/**
 * 0 when every requested level passed (or is incomplete and unsupported ops are allowed) and at
 * least one case ran; 1 otherwise. A level requested explicitly but without vectors is a failure:
 * it cannot be claimed.
 */
export function exitCodeOf(report: ConformanceReport, allowUnsupported: boolean): number {
  if (report.cases.length === 0) return ExitCode.failure;
  for (const l of report.levels) {
    if (!l.requested) continue;
    // `not-run`: the filter selected none of its cases; a partial run says nothing about it.
    if (l.status === 'failed' || l.status === 'not-available') return ExitCode.failure;
    if (l.status === 'incomplete' && !allowUnsupported) return ExitCode.failure;
  }
  return ExitCode.ok;
}

function summarize(report: ConformanceReport): string {
  const count = (o: string) => report.cases.filter((c) => c.outcome === o).length;
  return `${count('passed')} passed, ${count('failed')} failed, ${count('unsupported')} unsupported`;
}

function check(
  values: ReturnType<typeof parseOptions>['values'],
  vectorsRoot: string,
  specVersion: string,
  io: CliIo,
): number {
  const vectors = loadVectors({ root: vectorsRoot, specVersion });
  const problems: VectorProblem[] = [...vectors.problems];
  const registryDir =
    values.registry === undefined ? resolveRegistryDir() : path.resolve(io.cwd, values.registry);
  const registry = loadRegistry(registryDir);
  for (const message of registry.problems) {
    problems.push({ code: HarnessCode.invalidVectorFile, file: registryDir, message });
  }
  const domains = values.domains?.split(',').map((d) => d.trim());
  const exemptions = loadCoverageExemptions(
    values.exemptions === undefined ? coverageExemptionsUrl : path.resolve(io.cwd, values.exemptions),
  );
  problems.push(...exemptions.problems);
  problems.push(
    ...checkCoverage({
      registry: registry.codes,
      files: vectors.files,
      ...(domains === undefined ? {} : { domains }),
      exemptions: exemptions.exemptions,
    }),
  );
  const cases = vectors.files.reduce((n, f) => n + f.cases.length, 0);
  if (problems.length > 0) {
    io.stderr(renderProblems(`${vectors.files.length} vector files, ${cases} cases`, problems));
    return ExitCode.failure;
  }
  io.stdout(
    `ok: ${vectors.files.length} vector files, ${cases} cases; every ${domains?.join('/') ?? 'registered'} reason code has a vector or a listed exemption (${exemptions.exemptions.size} exempt)\n`,
  );
  return ExitCode.ok;
}

function renderProblems(title: string, problems: readonly VectorProblem[]): string {
  return `${title}:\n${problems.map((p) => `  ${p.code} ${p.file}: ${p.message}\n`).join('')}`;
}
