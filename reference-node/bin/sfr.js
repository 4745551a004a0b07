#!/usr/bin/env node
// The `sfr` bin. npm links a workspace bin at install time only if its target exists then, and
// dist/ is built after `npm ci`: this committed launcher is that target, and loads the build.
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
let cli;
try {
  cli = await import(entry.href);
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(fileURLToPath(entry))) {
    process.stderr.write(
      `error NODE_NOT_BUILT: ${fileURLToPath(entry)} is missing; run \`npm run build\` at the repository root first\n`,
    );
    process.exit(1);
  }
  throw error;
}
await cli.runMain(process.argv.slice(2));
