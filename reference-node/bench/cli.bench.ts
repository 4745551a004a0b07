// CLI start-up benchmark (issue 11 item 5: `sfr --help` and `sfr --version` answer in under 0.5 s):
// each measured from process spawn to exit, through the committed launcher `reference-node/bin/sfr.js`
// that `npx sfr` runs, beside a same-run baseline: `node -e 0`, the start-up no Node.js CLI can beat.
// Runs are interleaved (baseline, --version, --help, baseline, …) so that load drifting during the run
// falls on all three alike. Run: npm run bench -- cli   (or: npx tsx reference-node/bench/cli.bench.ts)
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Spawns per command (SFR_BENCH_CLI_RUNS): 15 gives a stable median in about 20 s on a quiet machine. */
const RUNS = Number(process.env['SFR_BENCH_CLI_RUNS'] ?? 15);
/** Issue 11's "Done when": `sfr --help` and `--version` answer in under 0.5 s. */
const TARGET_S = 0.5;
const root = path.resolve(import.meta.dirname, '../..');
const launcher = path.join(root, 'reference-node/bin/sfr.js');

const COMMANDS = [
  { name: 'baseline: node -e 0', args: ['-e', '0'] },
  { name: 'sfr --version', args: [launcher, '--version'] },
  { name: 'sfr --help', args: [launcher, '--help'] },
] as const;

/** Seconds from spawn to exit of `node <args>`; throws on a non-zero exit. */
function timeOnce(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const s = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve(s);
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr.slice(0, 300)}`));
    });
  });
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function main(): Promise<void> {
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(`${RUNS} spawns per command, interleaved; load average ${load}`);
  // One warm-up each (file system cache), not counted.
  for (const c of COMMANDS) await timeOnce(c.args);
  const times = new Map<string, number[]>(COMMANDS.map((c) => [c.name, []]));
  for (let i = 0; i < RUNS; i++) for (const c of COMMANDS) times.get(c.name)!.push(await timeOnce(c.args));

  const base = quantile(times.get(COMMANDS[0].name)!, 0.5);
  console.log(`| command | median s | p90 s | min s | median − baseline s | target |`);
  console.log(`| --- | ---: | ---: | ---: | ---: | --- |`);
  const rows = COMMANDS.map((c) => {
    const xs = times.get(c.name)!;
    const median = quantile(xs, 0.5);
    const row = {
      command: c.name,
      median,
      p90: quantile(xs, 0.9),
      min: Math.min(...xs),
      overBaseline: median - base,
    };
    const target = c.name.startsWith('sfr') ? `< ${TARGET_S} s` : '';
    console.log(
      `| ${c.name} | ${median.toFixed(3)} | ${row.p90.toFixed(3)} | ${row.min.toFixed(3)} | ${c.name.startsWith('sfr') ? row.overBaseline.toFixed(3) : '—'} | ${target} |`,
    );
    return row;
  });

  const doneWhen = rows
    .filter((r) => r.command.startsWith('sfr'))
    .map((r) => ({
      criterion: `${r.command}, spawn to exit (median of ${RUNS})`,
      figure: `${r.median.toFixed(3)} s (baseline node -e 0: ${base.toFixed(3)} s)`,
      target: `< ${TARGET_S} s`,
      met: r.median < TARGET_S,
    }));
  console.log(`\n### Done when (issue 11), from this run (load average ${os.loadavg()[0]!.toFixed(2)})`);
  console.log('| criterion | this run | target | met |\n| --- | ---: | ---: | --- |');
  for (const r of doneWhen)
    console.log(`| ${r.criterion} | ${r.figure} | ${r.target} | ${r.met ? 'yes' : '**no**'} |`);

  const dir = process.env['BENCH_JSON_DIR'];
  if (dir !== undefined) {
    await writeFile(
      path.join(dir, 'cli.json'),
      JSON.stringify({ runs: RUNS, baseline: base, rows, doneWhen }, null, 2),
    );
  }
}

await main();
