// `npm run attacks -- [--only 5a,5c,5b,3,4a] [--scale F]`: the attacks of issue 13 that broke the node
// "from outside as an attacker would, on loopback", run again against real `sfr node start` processes
// (reference-node/dist, generated configs on 127.0.0.1), each printing one line
//
//   [attack <id>] {"before": <the figures>, "after": <measured now>, "node": {"crashed": …}}
//
// It reports, it does not judge: it exits 0 once every attack chosen has run, whatever the figures.
// Except a crash: a node process that exited during an attack is reported (`"node": {"crashed": true,
// …}`, with its exit code and last log lines) and makes the exit status 1; so does an attack that could
// not be run (a node that did not start, an attacker that could not connect: `{"error": …}`).
//
//   --only IDS   a comma-separated subset, run in the order given (default: all, in the order below)
//   --scale F    multiplies the observation windows (the watch after a flood, the hold of slow
//                connections, the settle after a burst); default 1, e.g. 0.2 while developing
//
// One attack at a time, each on a network of its own that it stops before the next starts.
import '../reference-node/src/polyfill.js';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { type AttackOptions, type Figures, running } from './attacks/common.js';
import { issuerFlood } from './attacks/issuerFlood.js';
import { requestFlood } from './attacks/requestFlood.js';
import { slowConnections } from './attacks/slowConnections.js';
import { streamSlots } from './attacks/streamSlots.js';
import { unknownTopic } from './attacks/unknownTopic.js';

/** Issue 13's findings, in the order they are run: the API lock-outs first, then the network floods. */
const ATTACKS = new Map<string, (opts: AttackOptions) => Promise<Figures>>([
  ['5a', requestFlood],
  ['5c', streamSlots],
  ['5b', slowConnections],
  ['3', unknownTopic],
  ['4a', issuerFlood],
]);

const { values } = parseArgs({
  options: { only: { type: 'string' }, scale: { type: 'string', default: '1' } },
});
const ids = values.only === undefined ? [...ATTACKS.keys()] : values.only.split(',').map((s) => s.trim());
for (const id of ids)
  if (!ATTACKS.has(id)) {
    console.error(`attacks: unknown attack ${id} (known: ${[...ATTACKS.keys()].join(', ')})`);
    process.exit(2);
  }
const scale = Number(values.scale);
if (!(scale > 0)) {
  console.error('attacks: --scale must be a positive number');
  process.exit(2);
}

process.once('SIGINT', () => {
  void Promise.allSettled([...running].map((net) => net.stop())).then(() => process.exit(130));
});

let failed = 0;
let crashes = 0;
for (const id of ids) {
  const t0 = Date.now();
  const load = os.loadavg()[0]!;
  let figures: Figures;
  try {
    figures = await ATTACKS.get(id)!({ scale });
  } catch (e) {
    failed++;
    figures = { error: String((e as Error)?.stack ?? e) };
  }
  if (JSON.stringify(figures['node'] ?? {}).includes('"crashed":true')) crashes++;
  const run = { ms: Date.now() - t0, load: Math.round(load * 10) / 10, cores: os.cpus().length, scale };
  console.log(`[attack ${id}] ${JSON.stringify({ ...figures, run })}`);
}
if (crashes > 0) console.log(`[attacks] a node crashed in ${crashes} attack(s)`);
process.exit(failed === 0 && crashes === 0 ? 0 : 1);
