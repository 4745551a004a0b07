/**
 * Pool decisions per second (spec/v1/pools.md) for claims in pools of 5, 20 and 100 members,
 * beside a baseline measured in the same run: verifying the same envelopes' signatures alone
 * (the cost every node pays to accept the messages at all).
 * Run: npm run bench -- pools   (or npx tsx reference-node/bench/pools.bench.ts)
 */
import os from 'node:os';
import { checkEnvelopeSchema, getCryptoBackend, verifyEnvelope } from '../src/envelope/index.js';
import {
  applyPoolMessage,
  computePayout,
  createPoolState,
  derivePoolState,
  EMPTY_LEDGER,
  readPoolMessage,
  viewPool,
} from '../src/pools/index.js';
import { charterPayload, HOUR, members, PoolSigner, T0, wires } from '../test/pools/fixtures.js';

const U = 1_000_000n;
const enc = new TextEncoder();

function measure(label: string, fn: () => void, minMs = 1500): number {
  for (let i = 0; i < 3; i++) fn(); // warm up
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < minMs) {
    fn();
    n++;
    now = performance.now();
  }
  const perSec = (n * 1000) / (now - start);
  console.log(
    `  ${label.padEnd(58)} ${perSec.toFixed(1).padStart(10)} /s  (${((now - start) / n).toFixed(3)} ms each, n=${n})`,
  );
  return perSec;
}

console.log(
  `# node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, crypto ${JSON.stringify(getCryptoBackend())}`,
);
const rows: string[] = [];
for (const n of [5, 20, 100]) {
  const ms = members(
    Array.from({ length: n }, (_, i) => ({ weight: 1 + (i % 7), commit: BigInt(1000 + i) * U })),
  );
  const s = new PoolSigner();
  const charter = charterPayload(ms, { quorum: { weightBps: 6667, minMembers: Math.min(3, n - 1) } });
  const charters = await s.charter(
    charter,
    ms.map((m) => m.key),
  );
  const claim = await s.claim((ms[0] as (typeof ms)[number]).key, T0 + 3 * HOUR);
  const votes = [];
  for (let i = 1; i < n; i++) {
    const m = ms[i] as (typeof ms)[number];
    votes.push(
      await s.attest(
        m.key,
        claim.id,
        T0 + 4 * HOUR + i,
        i % 5 === 0 ? 'reject' : 'approve',
        BigInt(500 + i) * U,
      ),
    );
  }
  const now = T0 + 1000 * HOUR;
  const all = [claim, ...votes];
  const view = derivePoolState(wires(charters), wires(all), now);
  const decided = view.claims[0]?.decision;
  if (decided?.outcome !== 'approved')
    throw new Error(`bench setup: claim not approved (${decided?.outcome})`);
  console.log(
    `\n## ${n} members: ${n} charter signatures, 1 claim, ${n - 1} attestations → approved ${decided.approvedAmount} split ${decided.contributions.length} ways`,
  );
  const wiresAll = [...wires(charters), ...wires(all)].map((w) => enc.encode(w));
  const base = measure(`baseline: verify ${wiresAll.length} envelopes (signature + schema)`, () => {
    for (const w of wiresAll)
      verifyEnvelope(w, { now: 0, skipTimeChecks: true, checkSchema: checkEnvelopeSchema });
  });
  const full = measure('derivePoolState from wire bytes (verify + decide)', () => {
    derivePoolState(wires(charters), wires(all), now);
  });
  const read = all.map((x) => {
    const r = readPoolMessage(x.wire);
    if (!r.ok) throw new Error('bench setup');
    return r.message;
  });
  let state = createPoolState(wires(charters));
  for (const m of read) state = applyPoolMessage(state, m);
  const pure = measure('viewPool on verified messages (pool rules only)', () => {
    viewPool(state, now);
  });
  const claimant = (ms[0] as (typeof ms)[number]).key.address;
  const approvals = (view.claims[0]?.votes ?? [])
    .filter((v) => v.amount !== null)
    .map((v) => ({ amount: v.amount as bigint, weight: v.weight }));
  const payout = measure('computePayout alone', () => {
    computePayout(
      charter,
      { claimant, requestedAmount: 1000n * U, filedAt: T0, decidedAt: T0 + HOUR },
      approvals,
      EMPTY_LEDGER,
    );
  });
  rows.push(`| ${n} | ${base.toFixed(1)} | ${full.toFixed(1)} | ${pure.toFixed(1)} | ${payout.toFixed(0)} |`);
}
console.log(
  '\n| members | baseline: verify all envelopes /s | full derive decisions/s | pool rules only decisions/s | computePayout /s |',
);
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
