// `npm run replay:all -- --times 3`: plays every shipped crisis replay (reference-node/scenarios/,
// spec/v1/node.md#crisis-replays) N times in a row, one at a time, through the one route that plays
// them (`playScenario`), and prints per run and scenario "k/k expectations hold" and whether every
// node ended holding the same RecoveryEvents and ContagionAlerts (by message id). Issue 11's "done
// when": the four scenarios replay with identical outcomes at every node, three times in a row.
// Heavy (one anvil and up to five node processes at a time): not part of `npm test`; run it alone.
//
// Usage: npm run replay:all -- [--times N] [--scenario NAME]… [--timeout-ms MS] [--data DIR]
// Exit 0 only when every run of every scenario held.

import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIOS_DIR } from '../reference-node/src/cli/replay.js';
import { formatOutcome, loadScenario, playScenario } from '../reference-node/src/replay/index.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const COUNTED = new Set(['RecoveryEvent', 'ContagionAlert']);

const { values: args } = parseArgs({
  options: {
    times: { type: 'string', default: '1' },
    scenario: { type: 'string', multiple: true },
    'timeout-ms': { type: 'string', default: '180000' },
    data: { type: 'string' },
  },
});
const times = Number(args.times);
const timeoutMs = Number(args['timeout-ms']);
if (!Number.isSafeInteger(times) || times < 1) throw new Error('--times must be an integer ≥ 1');
if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1_000)
  throw new Error('--timeout-ms must be an integer ≥ 1000');
const names =
  args.scenario ??
  readdirSync(SCENARIOS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();

const base = args.data ?? (await mkdtemp(path.join(tmpdir(), 'sfr-replay-all-')));
const summary: string[] = [];
let failed = 0;
for (let run = 1; run <= times; run++) {
  for (const name of names) {
    const scenario = await loadScenario(path.join(SCENARIOS_DIR, `${name}.json`));
    const dataDir = path.join(base, `run${run}-${name}`);
    const t0 = Date.now();
    const result = await playScenario(scenario, {
      root: ROOT,
      dataDir,
      cacheDir: path.join(ROOT, '.cache/solc'),
      timeoutMs,
      keepRunning: true,
    });
    // The same counted messages at every node, by id (not only the same counts).
    const held = result.network!.nodes.map((n) =>
      [...n.held.values()]
        .filter((m) => COUNTED.has(m.envelope.type))
        .map((m) => m.messageId)
        .sort()
        .join(','),
    );
    await result.stop();
    const identical = held.every((h) => h === held[0]);
    const holding = result.cases.filter((c) => c.ok).length;
    const ok = result.ok && identical;
    if (!ok) {
      failed++;
      process.stdout.write(formatOutcome(scenario.name, result.cases));
    }
    const line = `run ${run}/${times} ${name.padEnd(20)} ${holding}/${result.cases.length} expectations hold; ${
      identical ? 'identical' : 'DIFFERENT'
    } messages at all ${held.length} nodes (${held[0]!.split(',').filter(Boolean).length} each); ${(
      (Date.now() - t0) / 1000
    ).toFixed(1)} s${ok ? '' : '  ✗'}`;
    summary.push(line);
    process.stdout.write(`${line}\n`);
    if (ok && args.data === undefined) await rm(dataDir, { recursive: true, force: true });
  }
}
process.stdout.write(
  `\n${summary.length - failed}/${summary.length} replays held (${names.length} scenarios × ${times})\n`,
);
if (args.data === undefined && failed === 0) await rm(base, { recursive: true, force: true });
process.exitCode = failed === 0 ? 0 : 1;
