// `npm run bench`: runs every workspace's benchmarks (files named `<pkg>/bench/*.bench.ts`) one
// after another, so they do not compete for the 2 cores, after printing the machine and versions.
// Usage: npm run bench [-- [--json] <substring filter>]
// With --json the tables go to stderr and stdout gets one JSON document: the machine, then each
// bench's figures (a bench that writes `$BENCH_JSON_DIR/<name>.json`), every figure beside its baseline.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const json = process.argv.includes('--json');
const filter = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? '';
const jsonDir = json ? mkdtempSync(path.join(os.tmpdir(), 'sfr-bench-json-')) : undefined;
// With --json, stdout is the JSON document only: the human report goes to stderr.
const say = json ? (line) => process.stderr.write(`${line}\n`) : (line) => console.log(line);
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
say(`# SFR benchmarks — ${new Date().toISOString()}`);
say(
  `# node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
);
let failed = 0;
for (const file of files) {
  say(`\n## ${path.relative(root, file)}`);
  const r = spawnSync(path.join(root, 'node_modules/.bin/tsx'), [file], {
    stdio: json ? ['inherit', 2, 'inherit'] : 'inherit',
    cwd: root,
    env: jsonDir === undefined ? process.env : { ...process.env, BENCH_JSON_DIR: jsonDir },
  });
  if (r.status !== 0) failed++;
}
if (files.length === 0) say('no benchmarks found');
if (jsonDir !== undefined) {
  const benches = {};
  for (const f of readdirSync(jsonDir).sort()) {
    benches[f.replace(/\.json$/, '')] = JSON.parse(readFileSync(path.join(jsonDir, f), 'utf8'));
  }
  rmSync(jsonDir, { recursive: true, force: true });
  const machine = { node: process.version, cpus: os.cpus().length, cpu, loadavg: os.loadavg() };
  console.log(JSON.stringify({ date: new Date().toISOString(), machine, failed, benches }, null, 2));
}
process.exit(failed ? 1 : 0);
