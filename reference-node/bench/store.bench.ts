// Store benchmark: durable (fsync'd) appends per second, sequential and group-committed, beside
// the same appends without fsync (baseline, same run, same data), then reads per second.
// Run: npm run bench -- store   (or: npx tsx reference-node/bench/store.bench.ts)
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import canonicalize from 'canonicalize';
import { computeMessageId, openStore, type Store } from '../src/store/index.js';

/** Each timed phase runs for this long (or until its message budget is used). */
const PHASE_MS = Number(process.env['SFR_BENCH_PHASE_MS'] ?? 3000);
const BUDGET = 200_000;
const te = new TextEncoder();
const ISSUERS = Array.from({ length: 16 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}`);

/** A ~600-byte envelope-shaped wire message (the size of a typical RecoveryEvent with one evidence ref). */
function wireOf(i: number, run: string): Uint8Array {
  const issuer = ISSUERS[i % ISSUERS.length]!;
  return te.encode(
    canonicalize({
      sfr: '1.0',
      type: i % 3 === 0 ? 'ContagionAlert' : 'RecoveryEvent',
      issuer,
      seq: Math.floor(i / ISSUERS.length),
      issuedAt: 1_767_225_600_000 + i,
      payload: {
        kind: 'emergency_pause',
        protocol: 'aave-v3',
        severity: 'high',
        summary: `${run} benchmark message ${i}`,
        expiresAt: 1_767_225_600_000 + 3_600_000,
        evidence: [
          {
            type: 'log',
            chain: 'eip155:1',
            blockNumber: 21_000_000 + i,
            txHash: `0x${'ab'.repeat(32)}`,
            logIndex: 3,
          },
        ],
      },
      signature: `0x${'cd'.repeat(64)}1b`,
    })!,
  );
}

async function appendPhase(
  store: Store,
  run: string,
  inFlight: number,
): Promise<{ n: number; perSec: number; p50: number; p99: number }> {
  let next = 0;
  const lat: number[] = [];
  const start = performance.now();
  const deadline = start + PHASE_MS;
  const worker = async () => {
    while (performance.now() < deadline && next < BUDGET) {
      const i = next++;
      const t = performance.now();
      const r = await store.append({ wire: wireOf(i, run) });
      if (r.status !== 'appended') throw new Error(`append ${i}: ${r.status}`);
      lat.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const secs = (performance.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  return {
    n: lat.length,
    perSec: lat.length / secs,
    p50: lat[Math.floor(lat.length * 0.5)] ?? 0,
    p99: lat[Math.floor(lat.length * 0.99)] ?? 0,
  };
}

async function timed(label: string, fn: (i: number) => Promise<unknown>): Promise<string> {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < PHASE_MS && n < BUDGET) await fn(n++);
  const perSec = n / ((performance.now() - start) / 1000);
  return `${label.padEnd(44)} ${Math.round(perSec).toLocaleString('en-US').padStart(10)} /s  (${n} ops)`;
}

const f = (x: number) => Math.round(x).toLocaleString('en-US').padStart(10);
const ms = (x: number) => x.toFixed(2).padStart(7);

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'sfr-store-bench-'));
  console.log(
    `store bench: node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, tmpdir ${os.tmpdir()}, ${PHASE_MS} ms per phase`,
  );
  console.log(`${'appends'.padEnd(44)} ${'per s'.padStart(10)}      p50 ms  p99 ms      n`);
  const rows: Array<[string, boolean, number]> = [
    ['baseline: no fsync, 1 in flight', false, 1],
    ['durable: fsync, 1 in flight', true, 1],
    ['baseline: no fsync, 64 in flight', false, 64],
    ['durable: fsync, 64 in flight (group commit)', true, 64],
  ];
  let readStore: Store | undefined;
  try {
    for (const [label, sync, inFlight] of rows) {
      const store = await openStore(path.join(base, label.replace(/\W+/g, '-')), { sync });
      const r = await appendPhase(store, label, inFlight);
      console.log(`${label.padEnd(44)} ${f(r.perSec)}  ${ms(r.p50)} ${ms(r.p99)} ${String(r.n).padStart(7)}`);
      if (readStore === undefined && sync && inFlight > 1) readStore = store;
      else await store.close();
    }
    const store = readStore!;
    const count = store.lastCursor;
    const ids: string[] = [];
    for (let i = 0; i < Math.min(count, 5000); i++)
      ids.push(computeMessageId(wireOf(Math.floor((i * 7919) % count), rows[3]![0])));
    console.log(`\nreads over ${count} stored messages`);
    console.log(await timed('getMessage(id) (random ids)', (i) => store.getMessage(ids[i % ids.length]!)));
    console.log(await timed('getByCursor (random)', (i) => store.getByCursor(1 + ((i * 7919) % count))));
    console.log(
      await timed('rangeBySeq(issuer, 50 seqs) pages', (i) =>
        store.rangeBySeq(ISSUERS[i % 16]!, (i * 13) % 100, ((i * 13) % 100) + 49),
      ),
    );
    console.log(
      await timed('queryMessages({type, limit: 100}) pages', (i) =>
        store.queryMessages({ type: 'ContagionAlert', after: (i * 97) % count, limit: 100 }),
      ),
    );
    console.log(
      await timed('readFrom(cursor, 100) pages (SSE replay)', (i) => store.readFrom((i * 97) % count, 100)),
    );
    const stats = await store.stats();
    console.log(
      `store on disk ≈ ${(stats.approximateBytes / 2 ** 20).toFixed(1)} MiB for ${stats.messages} messages`,
    );
    await store.close();
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
