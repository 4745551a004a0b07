#!/usr/bin/env node
// Runs the Biome binary from @biomejs/cli-linux-x64 (a root optionalDependency). The usual
// @biomejs/biome wrapper declares a package per platform, some of which the registry does not
// serve, and `npm ci` then refuses the lockfile; see TOOLCHAIN.md for the same trap with anvil.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let bin;
try {
  bin = require.resolve('@biomejs/cli-linux-x64/biome');
} catch {
  console.error('biome: @biomejs/cli-linux-x64 is not installed (it ships for Linux x64 with glibc only).');
  process.exit(1);
}
const result = spawnSync(bin, process.argv.slice(2), { stdio: 'inherit' });
if (result.error) {
  console.error(`biome: cannot run ${bin}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
