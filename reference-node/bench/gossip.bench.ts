/**
 * Gossip benchmark of the SFR node, each figure beside a baseline measured in the same run:
 * 1. validation pipeline alone, msgs/s on one core (target ≥ 8 000) — baseline: JSON.parse of the same bytes;
 * 2. single-node ingest of validated (and fsync-stored) messages/s — baseline: raw gossipsub, same path;
 * 3. dissemination latency p50/p99 (per delivery and to ALL nodes) and receptions per node per message,
 *    for N in-process nodes — baseline: raw gossipsub without application validation, same topology;
 *    (2 and 3 time a node's steady state: each receiver or network first carries as many other messages,
 *    unmeasured, so that neither side is timed while V8 compiles its message path);
 * 4. RSS per node: separate processes (modules only; 1 node; 10 nodes), settled after GC.
 * Quick mode (default): N = 10, 30, 60, 20 messages each. BENCH_FULL=1 adds N = 100 and more messages.
 * Every section prints its ratio to its same-run baseline and records its figures: `npm run bench -- --json
 * gossip` prints them as one JSON document. The picture (latency CDF per N and ingest rate over time, SFR
 * solid beside raw gossipsub dashed) is written to `BENCH_SVG` (default `.cache/bench/gossip.svg`).
 * `BENCH_ONLY=pipeline,ingest` and `BENCH_SIZES=10,30` pick sections and network sizes (`BENCH_ONLY=stages`:
 * only the pipeline's per-stage CPU table, which the pipeline section also prints). The dissemination
 * section runs all nodes in this process and, with `BENCH_PROCESSES=k` (default in full mode: a process per
 * node, as free memory allows), in k worker processes pinned to cores with `taskset`; `BENCH_IN_PROCESS=0`
 * skips the in-process layout. `BENCH_CPU_PROFILE=<dir>` writes a CPU profile of each ingest run (the
 * timed part only) there.
 * Run: npm run bench -- gossip   (or npx tsx reference-node/bench/gossip.bench.ts)
 */
import '../src/polyfill.js';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type Address,
  checkDecodedEnvelope,
  checkEnvelopeSchema,
  checkIssuedAt,
  checkSignatureEncoding,
  createMemorySigningJournal,
  createRecoverPool,
  decodeEnvelope,
  deriveTestKey,
  digestOf,
  type Envelope,
  getCryptoBackend,
  getSecpBackend,
  hexToBytes,
  type MemberKey,
  messageIdOf,
  type RecoverSignerFn,
  signEnvelope,
  tryCanonicalize,
  type UnsignedEnvelope,
} from '../src/envelope/index.js';
import { addressOfPublicKey } from '../src/envelope/recoverSigner.js';
import { createLibp2pNode, type SfrLibp2p } from '../src/network/createLibp2pNode.js';
import { PeerDenylist } from '../src/network/denylist.js';
import { createGossipsubRouter } from '../src/network/gossip/gossipsubRouter.js';
import { fixedTopicStrings, stringifyTopic } from '../src/network/topics.js';
import { createNode, type SfrNode } from '../src/node/index.js';
import { createIssuerRateLimiter } from '../src/validation/issuerRateLimiter.js';
import { Membership } from '../src/validation/membership.js';
import { createValidationPipeline } from '../src/validation/pipeline.js';
import { createMemoryReplayState } from '../src/validation/replayState.js';
import { createTypeRules } from '../src/validation/typeRules.js';
import { type Chart, cdfOf, rateOf, renderSvgReport } from './svgReport.js';

const FULL = process.env['BENCH_FULL'] === '1';
/** `BENCH_ONLY=pipeline,ingest,dissemination,rss` runs a subset of the sections (default: all). */
const ONLY = new Set((process.env['BENCH_ONLY'] ?? 'pipeline,ingest,dissemination,rss').split(','));
const loadavg = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
/** `BENCH_SIZES=10,30` picks the network sizes (default: 10, 30, 60; full mode adds 100). */
const SIZES = process.env['BENCH_SIZES']?.split(',').map(Number) ?? (FULL ? [10, 30, 60, 100] : [10, 30, 60]);
const MESSAGES = FULL ? 50 : 20;
/**
 * Messages each dissemination network carries before the measured ones, unmeasured: the latencies asked
 * of a node are its steady ones. Without them the first two messages were the slowest of both SFR runs
 * looked at (N = 10 in-process beside stress-ng, to all nodes: 331 and 189 ms, then 33–259 ms; 401 and
 * 218 ms, then 35–112 ms; raw 27 and 38, then 11–37), and with 20 messages they were the p99. The likely
 * cause, V8 compiling the message path (as the ingest run's profile showed), was not profiled here.
 */
const WARM_MESSAGES = MESSAGES;
const DEGREE = 4;
const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });

/** Every figure of the run by section, each beside its same-run baseline (`--json` prints it). */
const results: Record<string, unknown> = {};
function record(section: string, figures: unknown): void {
  results[section] = figures;
}

/** Raw series for the picture: per-delivery latencies per N, arrival times of the ingest runs. */
const pictures: {
  latency: Array<{ n: number; layout?: string; sfr: number[]; raw: number[] }>;
  ingest?: { sfr: number[]; raw: number[] };
} = { latency: [] };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * CPU time of this thread (the event loop, when called from it), µs, from Linux's per-thread
 * `/proc/thread-self/schedstat` (ns on CPU); undefined elsewhere. Unlike `process.cpuUsage()` it leaves
 * out the worker threads (the recover pool) and libuv's (the store's fsync), so it is what one
 * message costs the event loop, which sets the ingest rate.
 */
function threadCpuMicros(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1000;
  } catch {
    return undefined;
  }
}

/**
 * `BENCH_CPU_PROFILE=<dir>`: a V8 CPU profile of `fn` alone (not the start-up around it) written to
 * `<dir>/<name>.cpuprofile` (open it in Chrome DevTools, or speedscope). Without it, just `fn()`.
 */
async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env['BENCH_CPU_PROFILE'];
  if (dir === undefined) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
    console.error(`[bench] CPU profile of ${name} written to ${path.join(dir, `${name}.cpuprofile`)}`);
  }
}
const startedAt = Date.now();
const elapsed = () => ((Date.now() - startedAt) / 1000).toFixed(0);
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
/**
 * A same-run ratio SFR / baseline for display. A to-all percentile is ∞ when some message never reached
 * every node: ∞ / ∞ has no meaning (it printed "NaN×"), so that case says so; the delivered share beside
 * it tells how far each run got.
 */
const ratioText = (sfr: number, baseline: number, d = 2): string => {
  if (Number.isNaN(sfr) || Number.isNaN(baseline)) return 'n/a (no delivery)';
  if (!Number.isFinite(sfr) && !Number.isFinite(baseline)) return 'n/a (both ∞)';
  return `${fmt(sfr / baseline, d)}×`;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

function alertPayload(now: number, n: number): UnsignedEnvelope['payload'] {
  return {
    subject: {
      kind: 'asset',
      chain: 'eip155:1',
      address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
      name: 'USDC',
    },
    indicator: 'depeg',
    severity: 'high',
    confidence: n % 10_000,
    observedAt: now - 1000,
    expiresAt: now + 3_600_000,
    recommendedActions: [{ action: 'monitor' }],
  };
}

async function presign(keys: MemberKey[], count: number, now: number): Promise<Uint8Array[]> {
  const journal = createMemorySigningJournal();
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const key = keys[i % keys.length]!;
    const unsigned: UnsignedEnvelope = {
      sfr: '1.0',
      type: 'ContagionAlert',
      issuer: key.address,
      seq: Math.floor(i / keys.length),
      issuedAt: now,
      payload: alertPayload(now, i),
    };
    out.push((await signEnvelope({ privateKey: key.privateKey, unsigned, guard: journal })).wire);
  }
  return out;
}

/** Deterministic pseudo-random topology: node i dials DEGREE distinct earlier nodes. */
function topology(n: number): number[][] {
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  return Array.from({ length: n }, (_, i) => {
    const set = new Set<number>();
    while (set.size < Math.min(DEGREE, i)) set.add(Math.floor(rnd() * i));
    return [...set];
  });
}

// ------------------------------------------------------------------ 1. pipeline alone

async function benchPipeline(): Promise<void> {
  const keys = Array.from({ length: 8 }, (_, i) => deriveTestKey(`sfr-bench-${i}`));
  const now = Date.now();
  const wires = await presign(keys, 2000, now);
  const pipeline = createValidationPipeline({
    membership: new Membership(keys.map((k) => k.address)),
    checkSchema: checkEnvelopeSchema,
    typeRules: createTypeRules(),
    limits: { maxMessageBytes: 65_536, skewMs: 10_000, maxAgeMs: 300_000 },
  });
  const ctx = { source: 'gossip' as const, topic: ALERTS, from: 'bench' };
  const run = (fn: (w: Uint8Array) => void): number => {
    for (let i = 0; i < 200; i++) fn(wires[i % wires.length]!);
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < (FULL ? 3000 : 1500)) {
      for (let i = 0; i < 100; i++) fn(wires[n++ % wires.length]!);
    }
    return n / ((performance.now() - t0) / 1000);
  };
  let bad = 0;
  // The stateless rules (no store): await each, as the node does.
  for (let i = 0; i < 200; i++) await pipeline.check(wires[i % wires.length]!, ctx);
  let checked = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < (FULL ? 3000 : 1500)) {
    for (let i = 0; i < 100; i++) {
      if ((await pipeline.check(wires[checked++ % wires.length]!, ctx)).outcome !== 'accept') bad++;
    }
  }
  const rate = checked / ((performance.now() - t0) / 1000);
  const dec = new TextDecoder();
  const baseline = run((w) => JSON.parse(dec.decode(w)));
  // Ceiling: the one step no implementation can skip, the secp256k1 public-key recovery itself.
  const secp = getSecpBackend();
  const sigs = wires.map((w) => {
    const e = JSON.parse(dec.decode(w)) as { signature: string };
    const sig = hexToBytes(e.signature)!;
    return { digest: digestOf(e as unknown as Envelope, w), rs: sig.subarray(0, 64), recid: sig[64]! - 27 };
  });
  let k = 0;
  const recoverOnly = run(() => {
    const x = sigs[k++ % sigs.length]!;
    secp.recover(x.digest, x.rs, x.recid);
  });
  console.log(
    `\n### validation pipeline alone (one core; ${getCryptoBackend().secp}/${getCryptoBackend().keccak} crypto)`,
  );
  console.log(`| path | msgs/s | vs baseline |\n| --- | ---: | ---: |`);
  console.log(
    `| SFR pipeline (size→…→signature→schema, no store) | ${fmt(rate)} | ${fmt(rate / baseline, 3)}× |`,
  );
  console.log(`| baseline: UTF-8 decode + JSON.parse only | ${fmt(baseline)} | 1× |`);
  console.log(
    `| ceiling: ${secp.name} secp256k1 recover alone | ${fmt(recoverOnly)} | ${fmt(recoverOnly / baseline, 3)}× |`,
  );
  console.log(
    `pipeline / recover-alone = ${fmt(rate / recoverOnly, 2)} (the signature's share of the pipeline's time); load average ${loadavg()}`,
  );
  console.log(
    `target ≥ 8 000 msgs/s/core: ${rate >= 8000 ? 'met' : 'NOT met'}${bad ? ` (unexpected refusals: ${bad})` : ''}`,
  );
  record('pipeline', {
    sfr: rate,
    baseline: { name: 'UTF-8 decode + JSON.parse', rate: baseline },
    ratio: rate / baseline,
    recoverAlone: recoverOnly,
    vsRecoverAlone: rate / recoverOnly,
    loadavg: os.loadavg(),
  });
  await benchPipelinePool(wires, recoverOnly);
  await benchPipelineStages(await presign(keys, 10_000, Date.now()));
  await benchSpentIssuer(keys, now);
}

/**
 * Where one message's CPU goes in `pipeline.check` (issue 12: the pipeline must cost ≤ 1.25 bare ecrecover
 * per message for the pool to reach 0.8× ecrecover per core). Each stage of the stateless rules runs alone
 * over the same pre-signed alerts beside a bare native ecrecover of the same signatures and the whole
 * `pipeline.check`, in CPU µs per message (process.cpuUsage, honest on a busy machine). The stages are
 * interleaved, a pass of every message each, over `rounds` rounds in rotating order, so that a change of
 * load meets every stage alike; each figure is also given per bare ecrecover of the same run.
 */
async function benchPipelineStages(wires: Uint8Array[], rounds = FULL ? 8 : 4): Promise<void> {
  const n = wires.length;
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const texts = wires.map((w) => strict.decode(w));
  const values = texts.map((t) => JSON.parse(t) as Envelope);
  const digests = values.map((e, i) => digestOf(e, wires[i]));
  const sigs = values.map((e) => hexToBytes(e.signature)!);
  const secp = getSecpBackend();
  const pubs = sigs.map((s, i) => secp.recover(digests[i]!, s.subarray(0, 64), s[64]! - 27)!);
  const members = [...new Set(values.map((e) => e.issuer))];
  const membership = new Membership(members);
  const pipeline = createValidationPipeline({
    membership,
    checkSchema: checkEnvelopeSchema,
    typeRules: createTypeRules(),
    limits: { maxMessageBytes: 65_536, skewMs: 10_000, maxAgeMs: 300_000 },
  });
  // The same pipeline with rule 24's recovery answered from a table (the signer of each signature): the
  // non-ecrecover work measured whole, and what running it beside ecrecover adds to ecrecover (caches).
  const signerOf = new Map<string, string>();
  for (let i = 0; i < values.length; i++) {
    signerOf.set(Buffer.from(sigs[i]!).toString('latin1'), values[i]!.issuer.toLowerCase());
  }
  const stubbed = createValidationPipeline({
    membership,
    checkSchema: checkEnvelopeSchema,
    typeRules: createTypeRules(),
    limits: { maxMessageBytes: 65_536, skewMs: 10_000, maxAgeMs: 300_000 },
    recoverSigner: (_digest, sig) =>
      (signerOf.get(Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength).toString('latin1')) ??
        null) as Address | null,
  });
  const typeRules = createTypeRules();
  const ctx = { source: 'gossip' as const, topic: ALERTS, from: 'bench' };
  const now = Date.now();
  let sink = 0;
  type Stage = {
    name: string;
    part: boolean;
    sync?: (i: number) => unknown;
    async?: (i: number) => Promise<unknown>;
  };
  const stages: Stage[] = [
    {
      name: 'bare native ecrecover',
      part: false,
      sync: (i) => secp.recover(digests[i]!, sigs[i]!.subarray(0, 64), sigs[i]![64]! - 27),
    },
    {
      name: 'whole pipeline.check (awaited one at a time)',
      part: false,
      async: (i) => pipeline.check(wires[i]!, ctx),
    },
    {
      name: 'whole pipeline.check, recovery answered from a table (all but ecrecover)',
      part: false,
      async: (i) => stubbed.check(wires[i]!, ctx),
    },
    {
      name: 'rules 2-3: decodeEnvelope (strict UTF-8, JSON.parse, canonical form)',
      part: true,
      sync: (i) => decodeEnvelope(wires[i]!),
    },
    { name: '(of which JSON.parse)', part: false, sync: (i) => JSON.parse(texts[i]!) },
    {
      name: '(not in the pipeline: re-canonicalizing, the old rule 3)',
      part: false,
      sync: (i) => tryCanonicalize(values[i]),
    },
    { name: 'message id (keccak of the wire, hex)', part: true, sync: (i) => messageIdOf(wires[i]!) },
    { name: 'rules 4-10 (shape, EIP-55)', part: true, sync: (i) => checkDecodedEnvelope(values[i]) },
    {
      name: 'rules 15-19 (time, member)',
      part: true,
      sync: (i) =>
        checkIssuedAt(values[i]!.issuedAt, now, 10_000, { maxAgeMs: 300_000 }) ??
        membership.isMember(values[i]!.issuer),
    },
    {
      name: 'rule 22: signature encoding (hex, range)',
      part: true,
      sync: (i) => checkSignatureEncoding(values[i]!, false),
    },
    {
      name: 'EIP-712 digest (payload keccak from the wire, struct, digest)',
      part: true,
      sync: (i) => digestOf(values[i]!, wires[i]),
    },
    {
      name: 'rule 24: bare native ecrecover (in the pipeline)',
      part: true,
      sync: (i) => secp.recover(digests[i]!, sigs[i]!.subarray(0, 64), sigs[i]![64]! - 27),
    },
    {
      name: 'rule 24: address of the recovered key (keccak, hex)',
      part: true,
      sync: (i) => addressOfPublicKey(pubs[i]!),
    },
    {
      name: 'rule 25: schema (checkJsonValue, ajv)',
      part: true,
      sync: (i) => checkEnvelopeSchema(values[i]!),
    },
    { name: 'rules 32-33: type rules (no held state)', part: true, sync: (i) => typeRules(values[i]!, 'x') },
  ];
  const micros = new Map<string, number>(stages.map((s) => [s.name, 0]));
  const pass = async (s: Stage): Promise<number> => {
    const c0 = process.cpuUsage();
    if (s.sync !== undefined) for (let i = 0; i < n; i++) sink ^= s.sync(i) === null ? 1 : 0;
    else for (let i = 0; i < n; i++) await s.async!(i);
    const c = process.cpuUsage(c0);
    return c.user + c.system;
  };
  for (const s of stages) await pass(s); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < stages.length; k++) {
      const s = stages[(k + r) % stages.length]!;
      micros.set(s.name, micros.get(s.name)! + (await pass(s)));
    }
  }
  const per = (name: string) => micros.get(name)! / (rounds * n);
  const ecrecover = per('bare native ecrecover');
  const whole = per('whole pipeline.check (awaited one at a time)');
  const parts = stages.filter((s) => s.part).reduce((sum, s) => sum + per(s.name), 0);
  const figures: Record<string, number> = {};
  console.log(
    `\n### where a message's CPU goes in pipeline.check (${n} alerts of ${wires[0]!.length} bytes, ${rounds} interleaved rounds)`,
  );
  console.log('| stage | CPU µs/msg | × bare ecrecover |\n| --- | ---: | ---: |');
  for (const s of stages) {
    figures[s.name] = per(s.name);
    const bold = !s.part && !s.name.startsWith('(');
    console.log(
      `| ${bold ? '**' : ''}${s.name}${bold ? '**' : ''} | ${fmt(per(s.name), 2)} | ${fmt(per(s.name) / ecrecover, 3)} |`,
    );
  }
  const rest = whole - parts;
  const withoutRecover = per('whole pipeline.check, recovery answered from a table (all but ecrecover)');
  const beside = whole - withoutRecover - ecrecover;
  console.log(
    `| the rest: whole less the stages (glue, and what the stages cost together more than alone) | ${fmt(rest, 2)} | ${fmt(rest / ecrecover, 3)} |`,
  );
  console.log(
    `| of which: ecrecover beside the other work, more than alone (whole - table - bare) | ${fmt(beside, 2)} | ${fmt(beside / ecrecover, 3)} |`,
  );
  console.log(
    `non-ecrecover CPU per message: ${fmt(whole - ecrecover, 2)} µs = ${fmt((whole - ecrecover) / ecrecover, 3)} ecrecover (target ≤ 0.25 for 0.8× ecrecover per core); load average ${loadavg()}${sink === -1 ? '' : ''}`,
  );
  record('pipelineStages', {
    cpuMicrosPerMessage: figures,
    rest,
    ecrecover,
    whole,
    nonRecoverPerRecover: (whole - ecrecover) / ecrecover,
    withoutRecover,
    recoverBesideOtherWork: beside,
    rounds,
    messages: n,
    loadavg: os.loadavg(),
  });
}

/**
 * A member flooding beyond its issuer budget (p2p.md#issuer-budgets): CPU per message of its flood once
 * the budget is spent, refused at rule 21.1 before the signature, against the same messages through the
 * rules a spent issuer's message ran before rule 21.1 existed (every stateless rule up to 27, `check`,
 * then rule 34 at the end) — the same-run baseline.
 */
async function benchSpentIssuer(keys: MemberKey[], now: number): Promise<void> {
  const spam = await presign([keys[0]!], 2000, now);
  const flood = spam.slice(1); // spam[0] spends the budget below
  const pipeline = createValidationPipeline({
    state: createMemoryReplayState({ ttlMs: 320_000 }),
    membership: new Membership(keys.map((k) => k.address)),
    checkSchema: checkEnvelopeSchema,
    typeRules: createTypeRules(),
    issuerLimit: createIssuerRateLimiter({ burst: 1, perSecond: 0 }),
    limits: { maxMessageBytes: 65_536, skewMs: 10_000, maxAgeMs: 300_000 },
  });
  const ctx = { source: 'gossip' as const, topic: ALERTS, from: 'bench' };
  const cpuPer = async (fn: (w: Uint8Array) => Promise<unknown>): Promise<number> => {
    for (let i = 0; i < 200; i++) await fn(flood[i % flood.length]!);
    let n = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    while (performance.now() - t0 < (FULL ? 3000 : 1500)) {
      for (let i = 0; i < 100; i++) await fn(flood[n++ % flood.length]!);
    }
    const cpu = process.cpuUsage(cpu0);
    return (cpu.user + cpu.system) / n;
  };
  await pipeline.admit(spam[0]!, ctx); // takes the one token: the issuer's budget is spent
  let other = 0;
  const spent = await cpuPer(async (w) => {
    const r = await pipeline.admit(w, ctx);
    if (r.outcome === 'accept' || r.code !== 'GOSSIP_ISSUER_RATE_LIMITED') other++;
  });
  const verified = await cpuPer((w) => pipeline.check(w, ctx));
  record('spentIssuer', { cpuMicrosPerMessage: { spent, baseline: verified }, loadavg: os.loadavg() });
  console.log(`\n### a member flooding beyond its issuer budget (one core, CPU per message)`);
  console.log('| path | CPU µs/msg | vs baseline |\n| --- | ---: | ---: |');
  console.log(
    `| SFR: refused at rule 21.1, before the signature | ${fmt(spent, 1)} | ${fmt(spent / verified, 3)}× |`,
  );
  console.log(
    `| baseline: rules 1–27 (signature, schema) as before rule 21.1, then rule 34 | ${fmt(verified, 1)} | 1× |`,
  );
  console.log(`${other ? `unexpected verdicts: ${other}; ` : ''}load average ${loadavg()}`);
}

/**
 * The pipeline with rule 24 on the worker pool (issue 12 item 2), driven as the node's topic queues drive
 * it (many messages in flight), against the same pipeline inline under the same drive (its one-core
 * figure) and against bare recoveries on every core (the ceiling: `recoverOnly` per core × cores).
 */
async function benchPipelinePool(wires: Uint8Array[], recoverPerCore: number): Promise<void> {
  const keys = Array.from({ length: 8 }, (_, i) => deriveTestKey(`sfr-bench-${i}`));
  const cores = os.availableParallelism();
  const pool = createRecoverPool();
  const make = (recoverSigner?: RecoverSignerFn) =>
    createValidationPipeline({
      membership: new Membership(keys.map((k) => k.address)),
      checkSchema: checkEnvelopeSchema,
      typeRules: createTypeRules(),
      limits: { maxMessageBytes: 65_536, skewMs: 10_000, maxAgeMs: 300_000 },
      ...(recoverSigner === undefined ? {} : { recoverSigner }),
    });
  const ctx = { source: 'gossip' as const, topic: ALERTS, from: 'bench' };
  let bad = 0;
  /** msgs/s of wall time, and CPU µs per message (every thread of the process: load-independent). */
  const cpuPerMsg: number[] = [];
  const drive = async (pipeline: ReturnType<typeof make>, ms: number): Promise<number> => {
    let n = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const lane = async () => {
      while (performance.now() - t0 < ms) {
        if ((await pipeline.check(wires[n++ % wires.length]!, ctx)).outcome !== 'accept') bad++;
      }
    };
    await Promise.all(Array.from({ length: 64 }, lane));
    const cpu = process.cpuUsage(cpu0);
    cpuPerMsg.push((cpu.user + cpu.system) / n);
    return n / ((performance.now() - t0) / 1000);
  };
  const inline = make();
  const pooled = make(pool.recover);
  await drive(inline, 300);
  await drive(pooled, 300); // starts the workers
  // A bare ecrecover's CPU, before and after the drives: the per-core row in CPU terms, which a busy
  // machine does not bend as it bends msgs/s (2 cores at 0.8× ecrecover each need ≤ 1.25 ecrecover of
  // CPU per message in all threads).
  const secp = getSecpBackend();
  const strict = new TextDecoder();
  const sigs = wires.slice(0, 2000).map((w) => {
    const e = JSON.parse(strict.decode(w)) as Envelope;
    const sig = hexToBytes(e.signature)!;
    return { digest: digestOf(e, w), rs: sig.subarray(0, 64), recid: sig[64]! - 27 };
  });
  const recoverCpu = (): number => {
    const c0 = process.cpuUsage();
    for (const x of sigs) secp.recover(x.digest, x.rs, x.recid);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / sigs.length;
  };
  const ms = FULL ? 3000 : 1500;
  const recoverBefore = recoverCpu();
  const oneCore = await drive(inline, ms);
  const withPool = await drive(pooled, ms);
  const cpuRecover = (recoverBefore + recoverCpu()) / 2;
  const [cpuInline, cpuPooled] = cpuPerMsg.slice(-2) as [number, number];
  const stats = pool.stats();
  await pool.close();
  const ceiling = recoverPerCore * cores;
  record('pipelinePool', {
    withPool,
    oneCore,
    ratio: withPool / oneCore,
    recoverPerCore,
    cores,
    perCoreVsRecover: withPool / cores / recoverPerCore,
    cpuMicrosPerMessage: { inline: cpuInline, pooled: cpuPooled, bareEcrecover: cpuRecover },
    pooledCpuPerRecover: cpuPooled / cpuRecover,
    loadavg: os.loadavg(),
  });
  console.log(
    `\n### validation pipeline with rule 24 on the worker pool (${stats.threads} threads, ${cores} cores, 64 in flight)`,
  );
  console.log('| path | msgs/s | vs baseline |\n| --- | ---: | ---: |');
  console.log(
    `| SFR pipeline, recovery on the worker pool | ${fmt(withPool)} | ${fmt(withPool / oneCore, 2)}× (target ≥ 1.7×) |`,
  );
  console.log(`| baseline: the same pipeline, recovery inline (one core) | ${fmt(oneCore)} | 1× |`);
  console.log(
    `| ceiling: bare ${getCryptoBackend().secp} ecrecover, ${fmt(recoverPerCore)}/s per core × ${cores} | ${fmt(ceiling)} | pool / ceiling ${fmt(withPool / ceiling, 2)}×; per core ${fmt(withPool / cores / recoverPerCore, 2)}× (target ≥ 0.8×) |`,
  );
  console.log(
    `CPU per message (all threads): pooled ${fmt(cpuPooled)} µs against ${fmt(cpuInline)} µs inline (${fmt(cpuPooled / cpuInline, 2)}×: the pool's overhead)`,
  );
  console.log(
    `CPU per message per bare ecrecover (${fmt(cpuRecover, 1)} µs): pooled ${fmt(cpuPooled / cpuRecover, 2)}, inline ${fmt(cpuInline / cpuRecover, 2)} (≤ 1.25 is what 0.8× ecrecover per core asks of ${cores} idle cores: ${cpuPooled / cpuRecover <= 1.25 ? 'met' : 'not met'})`,
  );
  console.log(
    `pooled ${stats.pooled} in ${stats.batches} batches, ${stats.inline} inline${bad ? `; unexpected refusals: ${bad}` : ''}; load average ${loadavg()}`,
  );
}

// ------------------------------------------------------------------ helpers for networks

/** Wall-clock ms with sub-ms resolution, comparable between the processes of one machine. */
const clock = () => performance.timeOrigin + performance.now();

/**
 * Some of a network's nodes, all in this process (all of them in the in-process mode, a share in each
 * worker process of the multi-process mode). Node `i` of the network is `indices[…] = i`.
 */
interface Group {
  /** A dialable address of node i (with its peer id). */
  addrOf(i: number): string;
  dial(i: number, addr: string): Promise<void>;
  /** Every application delivery at node i (SFR: accepted from the network; raw: a gossipsub message). */
  onReceive(i: number, cb: (id: string, at: number) => void): void;
  publish(i: number, wire: Uint8Array): Promise<void>;
  /** Message copies the routers processed (duplicates too). */
  receptions(): number;
  /** Nodes of the group with no mesh peer on the topic yet. */
  meshless(): number;
  /** Nodes of the group with no open connection (a dial lost, or a connection closed since). */
  isolated(): number;
  stop(): Promise<void>;
}

/** A whole network as the dissemination run drives it (in-process, or spread over worker processes). */
interface Net {
  readonly label: string;
  onArrival(cb: (id: string, at: number) => void): void;
  /** Publishes from node i; resolves to the clock just before the publisher took the message. */
  publish(i: number, wire: Uint8Array): Promise<number>;
  receptions(): Promise<number>;
  /** Nodes with no mesh peer on the topic. */
  meshless(): Promise<number>;
  isolated(): Promise<number>;
  stop(): Promise<void>;
}

function countReceptions(libp2p: SfrLibp2p, counter: { n: number }): void {
  // Benchmark-only instrumentation: count every message copy the router processes (duplicates too).
  const ps = libp2p.services.pubsub as unknown as {
    handleReceivedMessage: (...a: unknown[]) => Promise<void>;
  };
  const orig = ps.handleReceivedMessage.bind(ps);
  ps.handleReceivedMessage = (...a: unknown[]) => {
    counter.n++;
    return orig(...a);
  };
}

/**
 * Waits until every node has a mesh peer on the topic (bounded), then a few heartbeats more so that
 * meshes fill towards D. Publishing before that would leave early messages to sync (30 s later).
 */
async function waitMesh(net: Net, n: number, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  let meshless = await net.meshless();
  while (Date.now() < end && meshless > 0) {
    await sleep(200);
    meshless = await net.meshless();
  }
  if (meshless > 0) {
    console.error(
      `[bench] ${net.label}: ${meshless}/${n} nodes still without a mesh peer after ${timeoutMs / 1000} s (${await net.isolated()} without any connection)`,
    );
  }
  await sleep(1500);
  return meshless;
}

/** Runs `fn` over `items`, at most `width` at a time (node start-up and dials: bounded, but not serial). */
async function inBatches<T>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<void>) {
  for (let i = 0; i < items.length; i += width) {
    await Promise.all(items.slice(i, i + width).map((item, j) => fn(item, i + j)));
  }
}

/**
 * Dials every edge of the topology, 10 at a time, each bounded to 10 s. libp2p resets inbound connections
 * above its per-host rate limit (all nodes share 127.0.0.1), so failed edges are retried one by one;
 * the edges still failing are counted and printed, not fatal.
 */
async function dialTopology(
  n: number,
  dial: (from: number, to: number) => Promise<unknown>,
): Promise<number> {
  const edges = topology(n).flatMap((targets, i) => targets.map((j) => [i, j] as const));
  const retry: Array<readonly [number, number]> = [];
  await inBatches(edges, 10, async (edge) => {
    await dial(edge[0], edge[1]).catch(() => {
      retry.push(edge);
    });
  });
  let failed = 0;
  for (const [i, j] of retry) {
    await sleep(400); // under the 5 inbound connections/s per host libp2p allows by default
    await dial(i, j).catch((err: unknown) => {
      if (failed++ === 0) console.error(`[bench] first dial failure: ${String(err).slice(0, 200)}`);
    });
  }
  return failed;
}

const envelopeHash = await import('../src/envelope/index.js');
const { multiaddr } = await import('@multiformats/multiaddr');

async function rawGroup(indices: readonly number[]): Promise<Group> {
  const counter = { n: 0 };
  const nodes = new Map<number, SfrLibp2p>();
  await inBatches(indices, 10, async (i) => {
    const node = await createLibp2pNode({
      denylist: new PeerDenylist(),
      gossip: { topics: fixedTopicStrings(), asyncValidation: false, score: { ipColocationWeight: 0 } },
    });
    await node.start();
    node.services.pubsub.subscribe(ALERTS);
    countReceptions(node, counter);
    nodes.set(i, node);
  });
  const routers = [...nodes.values()].map((x) => createGossipsubRouter(x.services.pubsub));
  return {
    addrOf: (i) => nodes.get(i)!.getMultiaddrs()[0]!.toString(),
    dial: async (i, addr) => {
      await nodes.get(i)!.dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000) });
    },
    onReceive: (i, cb) => {
      nodes.get(i)!.services.pubsub.addEventListener('message', (e) => {
        const at = clock();
        cb(envelopeHash.messageIdOf(e.detail.data), at);
      });
    },
    publish: async (i, wire) => {
      await nodes.get(i)!.services.pubsub.publish(ALERTS, wire);
    },
    receptions: () => counter.n,
    meshless: () => routers.filter((r) => r.getMeshPeers(ALERTS).length === 0).length,
    isolated: () => [...nodes.values()].filter((x) => x.getConnections().length === 0).length,
    stop: async () => {
      await Promise.allSettled([...nodes.values()].map((x) => x.stop()));
    },
  };
}

async function sfrGroup(indices: readonly number[], keys: MemberKey[], dirs: string[]): Promise<Group> {
  const counter = { n: 0 };
  const nodes = new Map<number, SfrNode>();
  await inBatches(indices, 10, async (i) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), `sfr-bench-n${i}-`));
    dirs.push(dir);
    const node = await createNode({
      dataDir: dir,
      memberKey: keys[i]!.privateKey,
      members: keys.map((k) => k.address),
      gossip: { score: { ipColocationWeight: 0 } },
      sync: { intervalMs: 0, connectDelayMs: 60_000 },
      redialIntervalMs: 60_000,
    });
    await node.start();
    countReceptions(node.libp2p, counter);
    nodes.set(i, node);
  });
  await warmSchemas();
  return {
    addrOf: (i) => nodes.get(i)!.libp2p.getMultiaddrs()[0]!.toString(),
    dial: async (i, addr) => {
      await nodes.get(i)!.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000) });
    },
    onReceive: (i, cb) => {
      // The publisher's own acceptance (source 'local') is not a delivery.
      nodes.get(i)!.onAccepted((m) => {
        if (m.source !== 'local') cb(m.id, clock());
      });
    },
    publish: async (i, wire) => {
      // The publisher ingests (validates + stores) its own message before relaying, as publish() does.
      const r = await nodes.get(i)!.pipeline.ingest(wire, { source: 'local', from: 'local' });
      if (r.outcome !== 'accept') throw new Error(`publisher refused its message: ${r.code}`);
      await nodes.get(i)!.router.publish(ALERTS, wire);
    },
    receptions: () => counter.n,
    meshless: () => [...nodes.values()].filter((x) => x.router.getMeshPeers(ALERTS).length === 0).length,
    isolated: () => [...nodes.values()].filter((x) => x.libp2p.getConnections().length === 0).length,
    stop: async () => {
      await Promise.allSettled([...nodes.values()].map((x) => x.stop()));
    },
  };
}

const memberKeys = (n: number) => Array.from({ length: n }, (_, i) => deriveTestKey(`sfr-bench-member-${i}`));

/**
 * Warm-up, before anything is timed: a node compiles each message type's schema the first time it
 * validates one (schemas/src/validator.ts), seconds under load, once per process. Left in, that start-up
 * cost was the p99 of every short dissemination run (N = 4: p50 190-270 ms, p99 6.7-7.7 s at load 22) and
 * a second of the 1 000-message ingest run (ajv's compile was 23 % of its CPU profile).
 */
async function warmSchemas(): Promise<void> {
  const [sample] = await presign(memberKeys(1), 1, Date.now());
  checkEnvelopeSchema(JSON.parse(Buffer.from(sample!).toString('utf8')) as Envelope);
}
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The in-process mode: every node in this process, sharing its one event loop. */
async function inProcessNet(kind: 'raw' | 'sfr', n: number, dirs: string[]): Promise<Net> {
  const all = range(n);
  const group = kind === 'raw' ? await rawGroup(all) : await sfrGroup(all, memberKeys(n), dirs);
  const failed = await dialTopology(n, (i, j) => group.dial(i, group.addrOf(j)));
  if (failed > 0) console.error(`[bench] ${kind} N=${n}: ${failed} dials failed`);
  return {
    label: `${kind} N=${n} in-process`,
    onArrival: (cb) => {
      for (const i of all) group.onReceive(i, cb);
    },
    publish: async (i, wire) => {
      const at = clock();
      await group.publish(i, wire);
      return at;
    },
    receptions: async () => group.receptions(),
    meshless: async () => group.meshless(),
    isolated: async () => group.isolated(),
    stop: () => group.stop(),
  };
}

// ---- the multi-process mode: k worker processes (this file re-executed), each pinned to a core

type ToWorker =
  | { op: 'dial'; i: number; addr: string }
  | { op: 'publish'; i: number; wire: string }
  | { op: 'receptions' | 'meshless' | 'isolated' | 'stop' };
type FromWorker =
  | { op: 'started'; addrs: Record<number, string> }
  | { op: 'arrival'; id: string; at: number }
  | { op: 'reply'; re: number; value?: number; error?: string };

/** `taskset` when it runs here (checked once), else null: the workers then float over every core. */
async function pinner(): Promise<string | null> {
  const r = spawnSync('taskset', ['-c', '0', 'true']);
  return r.status === 0 ? 'taskset' : null;
}

/**
 * Worker mode (`SFR_BENCH_DISSEM_CHILD=<kind>:<n>:<i,j,…>`): runs the nodes `i, j, …` of an N-node
 * network and answers the parent's requests over IPC, reporting every delivery with its clock.
 */
async function dissemChild(spec: string): Promise<void> {
  const [kind, nText, list] = spec.split(':') as [string, string, string];
  const n = Number(nText);
  const indices = list.split(',').map(Number);
  const dirs: string[] = [];
  const group = kind === 'raw' ? await rawGroup(indices) : await sfrGroup(indices, memberKeys(n), dirs);
  const send = (m: FromWorker) => process.send?.(m);
  // The parent went away (killed, timed out): no orphaned nodes left running.
  process.on('disconnect', () => process.exit(1));
  for (const i of indices) group.onReceive(i, (id, at) => send({ op: 'arrival', id, at }));
  send({ op: 'started', addrs: Object.fromEntries(indices.map((i) => [i, group.addrOf(i)])) });
  process.on('message', (m: ToWorker & { re: number }) => {
    const reply = (p: Promise<number | undefined>) =>
      p.then(
        (value) => send({ op: 'reply', re: m.re, ...(value === undefined ? {} : { value }) }),
        (err: unknown) => send({ op: 'reply', re: m.re, error: String(err).slice(0, 300) }),
      );
    if (m.op === 'dial') void reply(group.dial(m.i, m.addr).then(() => undefined));
    else if (m.op === 'publish') {
      const at = clock();
      void reply(group.publish(m.i, Buffer.from(m.wire, 'base64')).then(() => at));
    } else if (m.op === 'receptions') void reply(Promise.resolve(group.receptions()));
    else if (m.op === 'meshless') void reply(Promise.resolve(group.meshless()));
    else if (m.op === 'isolated') void reply(Promise.resolve(group.isolated()));
    else if (m.op === 'stop') {
      void reply(
        Promise.race([group.stop(), sleep(20_000)]).then(async () => {
          for (const d of dirs) await rm(d, { recursive: true, force: true });
          return undefined;
        }),
      ).then(() => process.exit(0));
    }
  });
}

/** The multi-process mode: the nodes spread round-robin over k worker processes, worker c pinned to core c mod cores. */
async function multiProcessNet(kind: 'raw' | 'sfr', n: number, k: number, pin: string | null): Promise<Net> {
  const cores = os.availableParallelism();
  const shares = Array.from({ length: k }, (_, c) => range(n).filter((i) => i % k === c));
  const arrivalListeners: Array<(id: string, at: number) => void> = [];
  const addrs = new Map<number, string>();
  let seq = 0;
  const pending = new Map<number, { resolve: (v: number | undefined) => void; reject: (e: Error) => void }>();
  const workers: ChildProcess[] = new Array(k);
  // Started a few at a time: each worker compiles and loads every module, which on 2 cores takes seconds.
  await inBatches(shares, 2 * cores, async (share, c) => {
    workers[c] = await (async () => {
      const args = [...process.execArgv, ...process.argv.slice(1)];
      const [cmd, argv] =
        pin === null ? [process.execPath, args] : [pin, ['-c', String(c % cores), process.execPath, ...args]];
      const child = spawn(cmd, argv, {
        env: { ...process.env, SFR_BENCH_DISSEM_CHILD: `${kind}:${n}:${share.join(',')}` },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`worker ${c} exited (${code}) before it started`)));
        setTimeout(() => reject(new Error(`worker ${c} did not start within 180 s`)), 180_000).unref();
        child.on('message', (m: FromWorker) => {
          if (m.op === 'started') {
            for (const [i, a] of Object.entries(m.addrs)) addrs.set(Number(i), a);
            resolve();
          } else if (m.op === 'arrival') for (const l of arrivalListeners) l(m.id, m.at);
          else if (m.op === 'reply') {
            const p = pending.get(m.re);
            pending.delete(m.re);
            if (m.error !== undefined) p?.reject(new Error(m.error));
            else p?.resolve(m.value);
          }
        });
      });
      child.removeAllListeners('exit');
      return child;
    })();
  });
  /** A request to the worker holding node i (or worker i, for whole-worker requests), bounded to 60 s. */
  const call = (i: number, m: ToWorker): Promise<number | undefined> =>
    new Promise((resolve, reject) => {
      const re = seq++;
      const timer = setTimeout(() => {
        pending.delete(re);
        reject(new Error(`worker ${i % k}: no answer to ${m.op} within 60 s`));
      }, 60_000);
      pending.set(re, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      workers[i % k]!.send({ ...m, re });
    });
  const sum = async (op: 'receptions' | 'meshless' | 'isolated') =>
    (await Promise.all(range(k).map((c) => call(c, { op })))).reduce((a: number, b) => a + (b ?? 0), 0);
  const failed = await dialTopology(n, (i, j) => call(i, { op: 'dial', i, addr: addrs.get(j)! }));
  if (failed > 0) console.error(`[bench] ${kind} N=${n} ×${k} processes: ${failed} dials failed`);
  return {
    label: `${kind} N=${n} in ${k} processes`,
    onArrival: (cb) => {
      arrivalListeners.push(cb);
    },
    publish: async (i, wire) =>
      (await call(i, { op: 'publish', i, wire: Buffer.from(wire).toString('base64') }))!,
    receptions: () => sum('receptions'),
    meshless: () => sum('meshless'),
    isolated: () => sum('isolated'),
    stop: async () => {
      await Promise.all(
        workers.map(async (w, c) => {
          const exited = new Promise((r) => w.once('exit', r));
          await Promise.race([call(c, { op: 'stop' }).catch(() => undefined), sleep(30_000)]);
          await Promise.race([exited, sleep(5_000)]);
          w.kill('SIGKILL');
        }),
      );
    },
  };
}

async function disseminate(net: Net, n: number, wires: Uint8Array[], publisherOf: (k: number) => number) {
  const ids = wires.map((w) => envelopeHash.messageIdOf(w));
  const wanted = new Set<string>(ids);
  const arrivals = new Map<string, number[]>();
  net.onArrival((id, at) => {
    if (!wanted.has(id)) return;
    const list = arrivals.get(id) ?? [];
    list.push(at);
    arrivals.set(id, list);
  });
  const sentAt = new Map<string, number>();
  const before = await net.receptions();
  for (let k = 0; k < wires.length; k++) {
    const id = ids[k]!;
    sentAt.set(id, clock());
    const published = net.publish(publisherOf(k), wires[k]!).catch((err: unknown) => {
      // Not fatal: the message counts as undelivered, and the run goes on.
      console.error(`[bench] ${net.label}: publishing message ${k} failed: ${String(err).slice(0, 200)}`);
    });
    const at = await Promise.race([published, sleep(5_000)]);
    if (typeof at === 'number') sentAt.set(id, at);
    await sleep(100);
  }
  const end = Date.now() + 20_000;
  while (Date.now() < end && ids.some((id) => (arrivals.get(id)?.length ?? 0) < n - 1)) await sleep(50);
  const per: number[] = [];
  const toAll = ids.map((id) => {
    const a = (arrivals.get(id) ?? []).map((t) => t - sentAt.get(id)!);
    per.push(...a);
    return a.length >= n - 1 ? Math.max(...a) : Number.POSITIVE_INFINITY;
  });
  const delivered = per.length / (wires.length * (n - 1));
  const receptions = ((await net.receptions()) - before) / (wires.length * (n - 1));
  return {
    per,
    p50: pct(per, 50),
    p99: pct(per, 99),
    all50: pct(toAll, 50),
    all99: pct(toAll, 99),
    delivered,
    receptions,
  };
}

// ------------------------------------------------------------------ 2. single-node ingest

async function benchIngest(): Promise<void> {
  const keys = Array.from({ length: 8 }, (_, i) => deriveTestKey(`sfr-bench-ingest-${i}`));
  const K = FULL ? 3000 : 1000;
  // Each receiver first takes WARM other alerts, unmeasured: the rate asked of a node is its steady one,
  // not V8's compiling of its code. Without it, about a third of the process's CPU (sender and receiver,
  // every thread) in the timed window was the optimizing compiler: perf, full mode beside stress-ng,
  // 2026-12-07: 31 % with the SFR receiver, 35 % with raw gossipsub's.
  const WARM = K;
  // The same issuers' earlier seqs warm up, their later ones are measured: the order a node meets them in.
  const signed = await presign(keys, WARM + K, Date.now());
  const warmWires = signed.slice(0, WARM);
  const wires = signed.slice(WARM);
  const dirs: string[] = [];
  const newSender = async () => {
    const x = await createLibp2pNode({
      denylist: new PeerDenylist(),
      gossip: { topics: fixedTopicStrings(), asyncValidation: false, score: { ipColocationWeight: 0 } },
    });
    await x.start();
    x.services.pubsub.subscribe(ALERTS);
    return x;
  };
  // A fresh sender per receiver: a sender's seen-cache would drop a second publish of the same bytes.
  let sender = await newSender();
  /** Publishes `list`, waits for it to arrive; `arrived()` counts this receiver's deliveries so far. */
  const blast = async (list: Uint8Array[], arrived: () => number) => {
    const before = arrived();
    const onDone = () => arrived() - before;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const loop0 = threadCpuMicros();
    for (let i = 0; i < list.length; i++) {
      await sender.services.pubsub.publish(ALERTS, list[i]!).catch(() => {});
      if (i % 50 === 49) await sleep(1);
    }
    // Wait until all arrived, or nothing more arrived for 3 s (queue drops never arrive); the rate counts
    // up to the last arrival, not the idle wait.
    const end = Date.now() + 60_000;
    let last = onDone();
    let lastAt = performance.now();
    let cpu = process.cpuUsage(cpu0);
    let loop = threadCpuMicros();
    while (Date.now() < end && onDone() < list.length && performance.now() - lastAt < 3_000) {
      await sleep(10);
      if (onDone() !== last) {
        last = onDone();
        lastAt = performance.now();
        cpu = process.cpuUsage(cpu0);
        loop = threadCpuMicros();
      }
    }
    const n = Math.max(1, onDone());
    // CPU of every thread of this process (sender and receiver) up to the last arrival, per message,
    // and of the event loop alone (both nodes' JavaScript: the part that sets the rate).
    const cpuPerMessage = (cpu.user + cpu.system) / n;
    const loopCpuPerMessage = loop === undefined || loop0 === undefined ? Number.NaN : (loop - loop0) / n;
    return { rate: onDone() / ((lastAt - t0) / 1000), got: onDone(), t0, cpuPerMessage, loopCpuPerMessage };
  };

  // Raw gossipsub receiver.
  const raw = await createLibp2pNode({
    denylist: new PeerDenylist(),
    gossip: { topics: fixedTopicStrings(), asyncValidation: false, score: { ipColocationWeight: 0 } },
  });
  await raw.start();
  raw.services.pubsub.subscribe(ALERTS);
  let rawGot = 0;
  const rawAt: number[] = [];
  raw.services.pubsub.addEventListener('message', () => {
    rawGot++;
    rawAt.push(performance.now());
  });
  await sender.dial(raw.getMultiaddrs()[0]!);
  await sleep(2500);
  const rawWarm = await blast(warmWires, () => rawGot);
  rawAt.length = 0;
  const rawResult = await profiled('ingest-raw', () => blast(wires, () => rawGot));
  await sender.stop();
  await raw.stop();
  sender = await newSender();

  // SFR receiver: validation + fsync'd store before accept.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-bench-ingest-'));
  dirs.push(dir);
  const node = await createNode({
    dataDir: dir,
    memberKey: deriveTestKey('sfr-bench-receiver').privateKey,
    members: keys.map((k) => k.address),
    // One author floods: lift its issuer budget (100, then 2/s), which would otherwise throttle the run.
    gossip: { score: { ipColocationWeight: 0 }, issuerBudget: { burst: 1e9, perSecond: 1e9 } },
    sync: { intervalMs: 0, connectDelayMs: 60_000 },
  });
  await node.start();
  await warmSchemas();
  let sfrGot = 0;
  const sfrAt: number[] = [];
  node.onAccepted(() => {
    sfrGot++;
    sfrAt.push(performance.now());
  });
  await sender.dial(node.libp2p.getMultiaddrs()[0]!);
  await sleep(2500);
  const queueDrops = () => Object.values(node.ingress.queueDrops()).reduce((a, b) => a + b, 0);
  const sfrWarm = await blast(warmWires, () => sfrGot);
  sfrAt.length = 0;
  const warmDrops = queueDrops();
  const sfrResult = await profiled('ingest-sfr', () => blast(wires, () => sfrGot));
  // The timed run's drops, not the warm-up's (a full-mode warm-up delivered 2 404 of its 3 000).
  const drops = queueDrops() - warmDrops;
  await node.stop();
  await sender.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });

  console.log(`\n### single-node ingest (one sender → one receiver, ${K} distinct alerts, TCP loopback)`);
  console.log(`| receiver | msgs/s | delivered | vs baseline |\n| --- | ---: | ---: | ---: |`);
  console.log(
    `| **SFR node** (pipeline, accept, then fsync'd store) | ${fmt(sfrResult.rate)} | ${sfrResult.got}/${K} | ${fmt(sfrResult.rate / rawResult.rate, 3)}× |`,
  );
  console.log(
    `| baseline: raw gossipsub, no validation, no store | ${fmt(rawResult.rate)} | ${rawResult.got}/${K} | 1× |`,
  );
  console.log(
    `CPU per message (this process: the sender and the receiver): SFR ${fmt(sfrResult.cpuPerMessage, 1)} µs, raw ${fmt(rawResult.cpuPerMessage, 1)} µs (${fmt(sfrResult.cpuPerMessage / rawResult.cpuPerMessage, 2)}×; the SFR receiver's extra: ${fmt(sfrResult.cpuPerMessage - rawResult.cpuPerMessage, 1)} µs)`,
  );
  console.log(
    `CPU per message on the event loop (both nodes' JavaScript, no worker or libuv thread): SFR ${fmt(sfrResult.loopCpuPerMessage, 1)} µs, raw ${fmt(rawResult.loopCpuPerMessage, 1)} µs (${fmt(sfrResult.loopCpuPerMessage / rawResult.loopCpuPerMessage, 2)}×; the SFR receiver's extra: ${fmt(sfrResult.loopCpuPerMessage - rawResult.loopCpuPerMessage, 1)} µs)`,
  );
  console.log(
    `before these, each receiver took ${WARM} other alerts to warm up (not in the ratio): SFR ${fmt(sfrWarm.rate)} msgs/s (${sfrWarm.got}/${WARM}), raw ${fmt(rawWarm.rate)} msgs/s (${rawWarm.got}/${WARM}), ${fmt(sfrWarm.rate / rawWarm.rate, 3)}×`,
  );
  console.log(`SFR queue drops (GOSSIP_QUEUE_FULL): ${drops}; load average ${loadavg()}`);
  record('ingest', {
    messages: K,
    warmUp: {
      messages: WARM,
      sfrRate: sfrWarm.rate,
      rawRate: rawWarm.rate,
      ratio: sfrWarm.rate / rawWarm.rate,
    },
    sfr: {
      rate: sfrResult.rate,
      delivered: sfrResult.got,
      queueDrops: drops,
      cpuMicrosPerMessage: sfrResult.cpuPerMessage,
      eventLoopCpuMicrosPerMessage: sfrResult.loopCpuPerMessage,
    },
    baseline: {
      name: 'raw gossipsub',
      rate: rawResult.rate,
      delivered: rawResult.got,
      cpuMicrosPerMessage: rawResult.cpuPerMessage,
      eventLoopCpuMicrosPerMessage: rawResult.loopCpuPerMessage,
    },
    ratio: sfrResult.rate / rawResult.rate,
    loadavg: os.loadavg(),
  });
  pictures.ingest = {
    sfr: sfrAt.map((t) => t - sfrResult.t0),
    raw: rawAt.map((t) => t - rawResult.t0),
  };
}

// ------------------------------------------------------------------ 3 + 4. dissemination and RSS

/**
 * The layouts the dissemination section runs: in-process (all nodes on one event loop) unless
 * BENCH_IN_PROCESS=0, and in k worker processes when BENCH_PROCESSES=k, or by default in full mode with a
 * process per node (k = N, bounded by free memory at ~250 MB a process). Each layout runs raw gossipsub
 * and the SFR node alike, so each ratio compares like with like.
 */
function layoutsFor(n: number): Array<{ name: string; processes: number; inProcess: boolean }> {
  const out: Array<{ name: string; processes: number; inProcess: boolean }> = [];
  // `inProcess`, not `processes === 1`: BENCH_PROCESSES=1 asks for one worker process, not this one.
  if (process.env['BENCH_IN_PROCESS'] !== '0')
    out.push({ name: 'in-process', processes: 1, inProcess: true });
  const asked = process.env['BENCH_PROCESSES'];
  const byMemory = Math.max(2, Math.floor((os.freemem() * 0.6) / (250 * 2 ** 20)));
  const k = asked !== undefined ? Number(asked) : FULL ? Math.min(n, byMemory) : 0;
  if (k > 0) out.push({ name: `${Math.min(k, n)} processes`, processes: Math.min(k, n), inProcess: false });
  return out;
}

async function benchDissemination(): Promise<void> {
  const pin = await pinner();
  console.log(
    `\n### dissemination (${MESSAGES} messages, one every 100 ms, random publishers, degree ${DEGREE}; each network carried ${WARM_MESSAGES} others first, unmeasured)`,
  );
  console.log(
    `worker processes ${pin === null ? 'NOT pinned (taskset unavailable): they float over every core' : `pinned with taskset, worker c to core c mod ${os.availableParallelism()}`}; latencies from one wall clock shared by the processes`,
  );
  console.log(
    '| N | layout | router | p50 ms | p99 ms | to-all p50 ms | to-all p99 ms | delivered | receptions/node/msg |\n| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  const rows: Record<string, unknown>[] = [];
  for (const n of SIZES) {
    const publisherOf = (k: number) => k % n; // wire k was signed by member k % n
    for (const layout of layoutsFor(n)) {
      const byKind: Partial<Record<'raw' | 'sfr', Awaited<ReturnType<typeof disseminate>>>> = {};
      /** In-process: this process's CPU (every thread) while the measured messages spread, per message per node. */
      const cpuPerNodeMessage: Partial<Record<'raw' | 'sfr', number>> = {};
      for (const kind of ['raw', 'sfr'] as const) {
        const dirs: string[] = [];
        const step = (what: string) =>
          console.error(`[bench +${elapsed()} s] N=${n} ${layout.name} ${kind}: ${what}`);
        step('starting nodes');
        const net = layout.inProcess
          ? await inProcessNet(kind, n, dirs)
          : await multiProcessNet(kind, n, layout.processes, pin);
        step('waiting for meshes');
        await waitMesh(net, n, 60_000);
        // Signed now, not before the nodes started: at N = 60 under load, start-up and meshing took
        // longer than maxAgeMs, and the publishers refused their own messages as ENVELOPE_EXPIRED.
        const signed = await presign(memberKeys(n), WARM_MESSAGES + MESSAGES, Date.now());
        step('warming up');
        await disseminate(net, n, signed.slice(0, WARM_MESSAGES), publisherOf);
        step('publishing');
        const cpu0 = process.cpuUsage();
        const r = await disseminate(net, n, signed.slice(WARM_MESSAGES), (k) =>
          publisherOf(WARM_MESSAGES + k),
        );
        const cpu = process.cpuUsage(cpu0);
        // Only where the nodes run in this process: elsewhere it would be the coordinator's CPU.
        if (layout.inProcess) cpuPerNodeMessage[kind] = (cpu.user + cpu.system) / (MESSAGES * n);
        step('stopping');
        await Promise.race([net.stop(), sleep(30_000)]);
        for (const d of dirs) await rm(d, { recursive: true, force: true });
        byKind[kind] = r;
        console.log(
          `| ${n} | ${layout.name} | ${kind === 'raw' ? 'baseline: raw gossipsub' : '**SFR node**'} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.all50, 1)} | ${fmt(r.all99, 1)} | ${fmt(r.delivered * 100, 1)} % | ${fmt(r.receptions, 2)} |`,
        );
        await sleep(500);
      }
      const raw = byKind.raw!;
      const sfr = byKind.sfr!;
      const figures = (r: typeof sfr) => ({
        p50: r.p50,
        p99: r.p99,
        toAllP50: r.all50,
        toAllP99: r.all99,
        delivered: r.delivered,
        receptionsPerNodePerMessage: r.receptions,
      });
      const ratio = { p50: sfr.p50 / raw.p50, p99: sfr.p99 / raw.p99, toAllP99: sfr.all99 / raw.all99 };
      const met = ratio.p99 <= 1.5 && ratio.toAllP99 <= 1.5 && sfr.delivered === 1;
      rows.push({
        n,
        mode: layout.name,
        processes: layout.processes,
        pinned: !layout.inProcess && pin !== null,
        sfr: figures(sfr),
        baseline: { name: 'raw gossipsub', ...figures(raw) },
        ratio,
        target: { p99: 1.5, toAllP99: 1.5, delivered: 1, met },
        ...(layout.inProcess ? { cpuMicrosPerNodeMessage: cpuPerNodeMessage } : {}),
        loadavg: os.loadavg(),
      });
      console.log(
        `| ${n} | ${layout.name} | ratio SFR / raw | ${ratioText(sfr.p50, raw.p50)} | ${ratioText(sfr.p99, raw.p99)} | ${ratioText(sfr.all50, raw.all50)} | ${ratioText(sfr.all99, raw.all99)} | target: p99 and to-all p99 ≤ 1.5×, 100 % delivered: ${met ? 'met' : 'NOT met'} | |`,
      );
      // All N nodes share this process's cores: what a message costs all of them is CPU its latency waits on.
      if (layout.inProcess)
        console.log(
          `| ${n} | ${layout.name} | CPU per message per node: SFR ${fmt(cpuPerNodeMessage.sfr ?? Number.NaN, 0)} µs, raw ${fmt(cpuPerNodeMessage.raw ?? Number.NaN, 0)} µs, ${ratioText(cpuPerNodeMessage.sfr ?? Number.NaN, cpuPerNodeMessage.raw ?? Number.NaN)} (this process, every thread, heartbeats included) | | | | | | |`,
        );
      if (layout.inProcess) pictures.latency.push({ n, sfr: sfr.per, raw: raw.per });
      else pictures.latency.push({ n, layout: layout.name, sfr: sfr.per, raw: raw.per });
    }
  }
  record('dissemination', { messages: MESSAGES, warmUpMessages: WARM_MESSAGES, degree: DEGREE, rows });
  console.log(`load average ${loadavg()}`);
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// ------------------------------------------------------------------ 4. RSS per node, one process per measurement

/**
 * Steady-state RSS of this process: a full GC, then a reading, each second until two readings in a row
 * differ by under 1 MB (the nodes' start-up allocations settled; heartbeats keep running), at most 20.
 */
async function settledRss(): Promise<{ rss: number; readings: number; lastChange: number }> {
  let prev = Number.NaN;
  for (let readings = 1; ; readings++) {
    gc();
    const rss = process.memoryUsage().rss;
    const lastChange = Math.abs(rss - prev);
    if (lastChange < 2 ** 20 || readings >= 20) return { rss, readings, lastChange };
    prev = rss;
    await sleep(1000);
  }
}

/**
 * Child mode (`SFR_BENCH_RSS_CHILD=<k>`): this file re-executed with every module of the node loaded; it
 * starts k SFR nodes (k = 0: none, the baseline), lets them mesh, prints its settled RSS and exits.
 */
async function rssChild(k: number): Promise<never> {
  const dirs: string[] = [];
  let net: Net | undefined;
  if (k > 0) {
    net = await inProcessNet('sfr', k, dirs);
    if (k > 1) await waitMesh(net, k, 60_000);
  }
  const settled = await settledRss();
  process.stdout.write(`${JSON.stringify({ k, ...settled })}\n`);
  if (net !== undefined) await Promise.race([net.stop(), sleep(20_000)]);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  process.exit(0);
}

interface SettledChild {
  readonly rss: number;
  readonly readings: number;
  readonly lastChange: number;
}

async function measureChild(k: number): Promise<SettledChild> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: { ...process.env, SFR_BENCH_RSS_CHILD: String(k) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  await new Promise((r) => child.once('exit', r));
  clearTimeout(timer);
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`RSS child k=${k} printed nothing`);
  return JSON.parse(line) as SettledChild;
}

async function benchRss(): Promise<void> {
  const MB = 2 ** 20;
  const children = { base: await measureChild(0), one: await measureChild(1), many: await measureChild(10) };
  const [base, one, many] = [children.base.rss, children.one.rss, children.many.rss];
  const K = 10;
  const settled = Object.values(children)
    .map((c) => `${c.readings} readings, last change ${fmt(c.lastChange / MB, 2)} MB`)
    .join('; ');
  console.log(
    '\n### RSS per node (separate processes, each with all node modules loaded; steady state: read after a full GC each second until two readings differ by < 1 MB)',
  );
  console.log('| process | RSS MB | per node MB |\n| --- | ---: | ---: |');
  console.log(`| baseline: modules loaded, no node started | ${fmt(base / MB, 1)} | — |`);
  console.log(
    `| 1 SFR node (store, libp2p, gossipsub, sync) | ${fmt(one / MB, 1)} | ${fmt((one - base) / MB, 1)} |`,
  );
  console.log(
    `| ${K} SFR nodes meshed in one process | ${fmt(many / MB, 1)} | ${fmt((many - base) / K / MB, 1)} |`,
  );
  record('rss', {
    sfr: { oneNode: one, perFurtherNode: (many - one) / (K - 1) },
    baseline: { name: 'modules loaded, no node', rss: base },
    ratio: one / base,
    target: { ratio: 1.2, met: one / base <= 1.2 },
    settled: children,
    loadavg: os.loadavg(),
  });
  console.log(`settled (baseline; 1 node; ${K} nodes): ${settled}`);
  console.log(
    `one node / baseline ${fmt(one / base, 2)}× (target ≤ 1.2×: ${one / base <= 1.2 ? 'met' : 'NOT met'}); a protocol running one node pays the baseline plus the first node: ${fmt(one / MB, 1)} MB; each further in-process node adds about ${fmt((many - one) / (K - 1) / MB, 1)} MB. load average ${loadavg()}`,
  );
}

/**
 * Writes the picture (latency CDF per N, ingest rate over time; SFR solid, raw gossipsub dashed) to
 * `BENCH_SVG` (default `.cache/bench/gossip.svg`), and the figures as JSON into `BENCH_JSON_DIR` when
 * `npm run bench -- --json` asked for them.
 */
async function writeReport(): Promise<void> {
  const charts: Chart[] = [];
  if (pictures.latency.length > 0) {
    charts.push({
      title: 'Dissemination: latency per delivery (CDF)',
      xLabel: 'ms after publish (log)',
      yLabel: 'fraction delivered',
      logX: true,
      series: pictures.latency.flatMap(({ n, layout, sfr, raw }) => [
        { label: `SFR node, N=${n}${layout ? `, ${layout}` : ''}`, points: cdfOf(sfr), baseline: false },
        {
          label: `baseline: raw gossipsub, N=${n}${layout ? `, ${layout}` : ''}`,
          points: cdfOf(raw),
          baseline: true,
        },
      ]),
    });
  }
  if (pictures.ingest !== undefined) {
    charts.push({
      title: 'Single-node ingest rate over time',
      xLabel: 's since the first publish',
      yLabel: 'messages/s (100 ms bins)',
      series: [
        { label: 'SFR node', points: rateOf(pictures.ingest.sfr), baseline: false },
        { label: 'baseline: raw gossipsub', points: rateOf(pictures.ingest.raw), baseline: true },
      ],
    });
  }
  if (charts.length > 0) {
    const file = process.env['BENCH_SVG'] ?? path.join('.cache', 'bench', 'gossip.svg');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(
      file,
      renderSvgReport(
        charts,
        `SFR gossip bench, ${FULL ? 'full' : 'quick'} mode, ${new Date().toISOString()}, ${os.cpus().length} cores, load average ${loadavg()}`,
      ),
    );
    console.log(`picture written to ${file}`);
  }
  const dir = process.env['BENCH_JSON_DIR'];
  if (dir !== undefined) {
    await writeFile(
      path.join(dir, 'gossip.json'),
      JSON.stringify({ mode: FULL ? 'full' : 'quick', ...results }, null, 2),
    );
  }
}

/**
 * The issue's "Done when" rows from this run's figures, one line each with its target and whether it is
 * met (a row whose section did not run says so): `npm run bench` prints them last, `--json` records them.
 */
function printDoneWhen(): void {
  type Row = { criterion: string; figure: string; target: string; met: boolean | null };
  const rows: Row[] = [];
  const ingest = results['ingest'] as { ratio: number } | undefined;
  rows.push({
    criterion: 'single-node ingest, SFR / raw gossipsub',
    figure: ingest === undefined ? 'not run' : `${fmt(ingest.ratio, 2)}×`,
    target: '≥ 0.8×',
    met: ingest === undefined ? null : ingest.ratio >= 0.8,
  });
  type DRow = {
    n: number;
    mode: string;
    ratio: { p99: number; toAllP99: number };
    sfr: { delivered: number; p99: number; toAllP99: number };
    baseline: { delivered: number; p99: number; toAllP99: number };
    target: { met: boolean };
  };
  const dRows = (results['dissemination'] as { rows: DRow[] } | undefined)?.rows ?? [];
  for (const n of [60, 100]) {
    const at = dRows.filter((r) => r.n === n);
    if (at.length === 0) {
      rows.push({
        criterion: `dissemination N = ${n}`,
        figure: 'not run',
        target: 'p99, to-all p99 ≤ 1.5× raw; 100 % delivered',
        met: null,
      });
    }
    for (const r of at) {
      rows.push({
        criterion: `dissemination N = ${n}, ${r.mode}: p99 / to-all p99 / delivered`,
        figure: `${ratioText(r.sfr.p99, r.baseline.p99)} / ${ratioText(r.sfr.toAllP99, r.baseline.toAllP99)} / ${fmt(r.sfr.delivered * 100, 1)} % (raw ${fmt(r.baseline.delivered * 100, 1)} %)`,
        target: '≤ 1.5× / ≤ 1.5× / 100 %',
        met: r.target.met,
      });
    }
  }
  const pool = results['pipelinePool'] as { ratio: number; perCoreVsRecover: number } | undefined;
  rows.push({
    criterion: 'pipeline with the worker pool / its one-core figure',
    figure: pool === undefined ? 'not run' : `${fmt(pool.ratio, 2)}×`,
    target: '≥ 1.7×',
    met: pool === undefined ? null : pool.ratio >= 1.7,
  });
  rows.push({
    criterion: 'pipeline with the worker pool, per core / bare ecrecover',
    figure: pool === undefined ? 'not run' : `${fmt(pool.perCoreVsRecover, 2)}×`,
    target: '≥ 0.8×',
    met: pool === undefined ? null : pool.perCoreVsRecover >= 0.8,
  });
  const rss = results['rss'] as { ratio: number } | undefined;
  rows.push({
    criterion: "one node's RSS / modules-loaded baseline",
    figure: rss === undefined ? 'not run' : `${fmt(rss.ratio, 2)}×`,
    target: '≤ 1.2×',
    met: rss === undefined ? null : rss.ratio <= 1.2,
  });
  console.log(
    `\n### Done when (issue 12), from this run (${FULL ? 'full' : 'quick'} mode; load average ${loadavg()})`,
  );
  console.log('| criterion | this run | target | met |\n| --- | ---: | ---: | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.criterion} | ${r.figure} | ${r.target} | ${r.met === null ? '—' : r.met ? 'yes' : '**no**'} |`,
    );
  }
  record('doneWhen', rows);
}

// Under heavy load a loopback socket may be reset mid-connect; count such errors instead of dying.
let socketErrors = 0;
process.on('uncaughtException', (err: NodeJS.ErrnoException) => {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
    socketErrors++;
    return;
  }
  throw err;
});

async function main(): Promise<never> {
  const t0 = Date.now();
  console.log(
    `mode: ${FULL ? 'full' : 'quick'} (BENCH_FULL=1 for N=100, more messages and a process per node); load average ${loadavg()}`,
  );
  if (ONLY.has('pipeline')) await benchPipeline();
  else if (ONLY.has('stages')) {
    const keys = Array.from({ length: 8 }, (_, i) => deriveTestKey(`sfr-bench-${i}`));
    await benchPipelineStages(await presign(keys, 10_000, Date.now()));
  }
  if (ONLY.has('ingest')) await benchIngest();
  if (ONLY.has('dissemination')) await benchDissemination();
  if (ONLY.has('rss')) await benchRss();
  console.log(`\nuncaught socket errors (ECONNRESET/EPIPE) during the run: ${socketErrors}`);
  printDoneWhen();
  await writeReport();
  console.log(
    `\nbench time ${fmt((Date.now() - t0) / 1000, 1)} s; RSS now ${fmt(process.memoryUsage().rss / 2 ** 20)} MB`,
  );
  process.exit(0);
}

const childK = process.env['SFR_BENCH_RSS_CHILD'];
const dissemSpec = process.env['SFR_BENCH_DISSEM_CHILD'];
if (childK !== undefined) await rssChild(Number(childK));
else if (dissemSpec !== undefined) await dissemChild(dissemSpec);
else await main();
