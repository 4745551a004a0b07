#!/usr/bin/env node
// The `sfr-conformance` bin: everything is in cli/main.ts, which tests call in-process.
import { ExitCode, main } from './cli/main.js';

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
