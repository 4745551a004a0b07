// `npm run bench`: runs every workspace's benchmarks (files named `<pkg>/bench/*.bench.ts`) one
// after another, so they do not compete for the 2 cores, after printing the machine and versions.
// Usage: npm run bench [-- <substring filter>]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const filter = process.argv[2] ?? '';
const workspaces = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).workspaces;
const files = [];
// Expand the workspace globs we use (`adapters/*`) without a glob library.
const dirs = workspaces.flatMap((ws) =>
  ws.endsWith('/*')
    ? readdirSync(path.join(root, ws.slice(0, -2)), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => path.join(ws.slice(0, -2), e.name))
    : [ws],
);
for (const ws of [...new Set(dirs)]) {
  const dir = path.join(root, ws, 'bench');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) {
    if (f.endsWith('.bench.ts') && path.join(ws, f).includes(filter)) files.push(path.join(dir, f));
  }
}
const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
console.log(`# SFR benchmarks — ${new Date().toISOString()}`);
console.log(
  `# node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
);
let failed = 0;
for (const file of files) {
  console.log(`\n## ${path.relative(root, file)}`);
  const r = spawnSync(path.join(root, 'node_modules/.bin/tsx'), [file], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
if (files.length === 0) console.log('no benchmarks found');
process.exit(failed ? 1 : 0);
