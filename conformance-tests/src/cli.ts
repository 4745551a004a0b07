#!/usr/bin/env node
// The `sfr-conformance` bin: everything is in cli/main.ts, which tests call in-process.
import { killAllAnvils } from './adapter/startAnvil.js';
import { ExitCode, main } from './cli/main.js';
import { killAllHarnessProcesses } from './harness/harnessProcess.js';

// The implementation runs in its own process group: stop it whenever this process stops.
process.on('exit', killAllHarnessProcesses);
// So does every anvil the adapter level started.
process.on('exit', killAllAnvils);
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = ExitCode.failure;
  },
);
