/**
 * Gossip benchmark of the SFR node, each figure beside a baseline measured in the same run:
 * 1. validation pipeline alone, msgs/s on one core (target ≥ 8 000) — baseline: JSON.parse of the same bytes;
 * 2. single-node ingest of validated (and fsync-stored) messages/s — baseline: raw gossipsub, same path;
 * 3. dissemination latency p50/p99 (per delivery and to ALL nodes) and receptions per node per message,
 *    for N in-process nodes — baseline: raw gossipsub without application validation, same topology;
 * 4. RSS per node: separate processes (modules only; 1 node; 10 nodes), settled after GC.
 * Quick mode (default): N = 10, 30, 60, 20 messages each. BENCH_FULL=1 adds N = 100 and more messages.
 * Every section prints its ratio to its same-run baseline and records its figures: `npm run bench -- --json
 * gossip` prints them as one JSON document. The picture (latency CDF per N and ingest rate over time, SFR
 * solid beside raw gossipsub dashed) is written to `BENCH_SVG` (default `.cache/bench/gossip.svg`).
 * `BENCH_ONLY=pipeline,ingest` and `BENCH_SIZES=10,30` pick sections and network sizes.
 * Run: npm run bench -- gossip   (or npx tsx reference-node/bench/gossip.bench.ts)
 */
import '../src/polyfill.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  checkEnvelopeSchema,
  createMemorySigningJournal,
  createRecoverPool,
  deriveTestKey,
  digestOf,
  type Envelope,
  getCryptoBackend,
  getSecpBackend,
  hexToBytes,
  type MemberKey,
  type RecoverSignerFn,
  signEnvelope,
  type UnsignedEnvelope,
} from '../src/envelope/index.js';
import { createLibp2pNode, type SfrLibp2p } from '../src/network/createLibp2pNode.js';
import { PeerDenylist } from '../src/network/denylist.js';
import { createGossipsubRouter } from '../src/network/gossip/gossipsubRouter.js';
import { fixedTopicStrings, stringifyTopic } from '../src/network/topics.js';
import { createNode, type SfrNode } from '../src/node/index.js';
import { Membership } from '../src/validation/membership.js';
import { createValidationPipeline } from '../src/validation/pipeline.js';
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
const DEGREE = 4;
const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });

/** Every figure of the run by section, each beside its same-run baseline (`--json` prints it). */
const results: Record<string, unknown> = {};
function record(section: string, figures: unknown): void {
  results[section] = figures;
}

/** Raw series for the picture: per-delivery latencies per N, arrival times of the ingest runs. */
const pictures: {
  latency: Array<{ n: number; sfr: number[]; raw: number[] }>;
  ingest?: { sfr: number[]; raw: number[] };
} = { latency: [] };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const startedAt = Date.now();
const elapsed = () => ((Date.now() - startedAt) / 1000).toFixed(0);
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
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
  const ms = FULL ? 3000 : 1500;
  const oneCore = await drive(inline, ms);
  const withPool = await drive(pooled, ms);
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
    cpuMicrosPerMessage: { inline: cpuInline, pooled: cpuPooled },
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
    `pooled ${stats.pooled} in ${stats.batches} batches, ${stats.inline} inline${bad ? `; unexpected refusals: ${bad}` : ''}; load average ${loadavg()}`,
  );
}

// ------------------------------------------------------------------ helpers for networks

interface Net {
  readonly receive: Array<(cb: (id: string) => void) => void>;
  readonly publish: (i: number, wire: Uint8Array) => Promise<void>;
  readonly receptions: () => number;
  readonly stop: () => Promise<void>;
  readonly ready: () => Promise<void>;
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

async function waitMesh(meshes: Array<() => number>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !meshes.every((m) => m() > 0)) await sleep(100);
  await sleep(1500); // a few more heartbeats so meshes fill towards D
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

async function rawNet(n: number): Promise<Net> {
  const counter = { n: 0 };
  const nodes: SfrLibp2p[] = new Array(n);
  await inBatches(Array.from({ length: n }), 10, async (_, i) => {
    const node = await createLibp2pNode({
      denylist: new PeerDenylist(),
      gossip: { topics: fixedTopicStrings(), asyncValidation: false, score: { ipColocationWeight: 0 } },
    });
    await node.start();
    node.services.pubsub.subscribe(ALERTS);
    countReceptions(node, counter);
    nodes[i] = node;
  });
  const failed = await dialTopology(n, (i, j) =>
    nodes[i]!.dial(nodes[j]!.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(10_000) }),
  );
  if (failed > 0) console.error(`[bench] raw N=${n}: ${failed} dials failed`);
  const routers = nodes.map((x) => createGossipsubRouter(x.services.pubsub));
  return {
    receive: nodes.map((x) => (cb) => {
      x.services.pubsub.addEventListener('message', (e) => {
        const { keccak256, bytesToHex } = envelopeHash;
        cb(bytesToHex(keccak256(e.detail.data)));
      });
    }),
    publish: async (i, wire) => {
      await nodes[i]!.services.pubsub.publish(ALERTS, wire);
    },
    receptions: () => counter.n,
    ready: () =>
      waitMesh(
        routers.map((r) => () => r.getMeshPeers(ALERTS).length),
        30_000,
      ),
    stop: async () => {
      await Promise.allSettled(nodes.map((x) => x.stop()));
    },
  };
}

const envelopeHash = await import('../src/envelope/index.js');

async function sfrNet(n: number, keys: MemberKey[], dirs: string[]): Promise<Net & { nodes: SfrNode[] }> {
  const counter = { n: 0 };
  const nodes: SfrNode[] = new Array(n);
  await inBatches(Array.from({ length: n }), 10, async (_, i) => {
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
    nodes[i] = node;
  });
  const failed = await dialTopology(n, (i, j) =>
    nodes[i]!.libp2p.dial(nodes[j]!.libp2p.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(10_000) }),
  );
  if (failed > 0) console.error(`[bench] sfr N=${n}: ${failed} dials failed`);
  return {
    nodes,
    receive: nodes.map((x) => (cb) => {
      // The publisher's own acceptance (source 'local') is not a delivery.
      x.onAccepted((m) => {
        if (m.source !== 'local') cb(m.id);
      });
    }),
    publish: async (i, wire) => {
      // The publisher ingests (validates + stores) its own message before relaying, as publish() does.
      const r = await nodes[i]!.pipeline.ingest(wire, { source: 'local', from: 'local' });
      if (r.outcome !== 'accept') throw new Error(`publisher refused its message: ${r.code}`);
      await nodes[i]!.router.publish(ALERTS, wire);
    },
    receptions: () => counter.n,
    ready: () =>
      waitMesh(
        nodes.map((x) => () => x.router.getMeshPeers(ALERTS).length),
        30_000,
      ),
    stop: async () => {
      await Promise.allSettled(nodes.map((x) => x.stop()));
    },
  };
}

async function disseminate(net: Net, n: number, wires: Uint8Array[], publisherOf: (k: number) => number) {
  const sentAt = new Map<string, number>();
  const per: number[] = [];
  const arrivals = new Map<string, number[]>();
  net.receive.forEach((on) => {
    on((id) => {
      const t0 = sentAt.get(id);
      if (t0 === undefined) return;
      const dt = performance.now() - t0;
      per.push(dt);
      const list = arrivals.get(id) ?? [];
      list.push(dt);
      arrivals.set(id, list);
    });
  });
  const before = net.receptions();
  for (let k = 0; k < wires.length; k++) {
    const wire = wires[k]!;
    const id = envelopeHash.messageIdOf(wire);
    sentAt.set(id, performance.now());
    await Promise.race([net.publish(publisherOf(k), wire), sleep(5_000)]);
    await sleep(100);
  }
  const end = Date.now() + 20_000;
  while (Date.now() < end && [...sentAt.keys()].some((id) => (arrivals.get(id)?.length ?? 0) < n - 1))
    await sleep(50);
  const toAll = [...sentAt.keys()].map((id) => {
    const a = arrivals.get(id) ?? [];
    return a.length >= n - 1 ? Math.max(...a) : Number.POSITIVE_INFINITY;
  });
  const delivered = per.length / (wires.length * (n - 1));
  const receptions = (net.receptions() - before) / (wires.length * (n - 1));
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
  const wires = await presign(keys, K, Date.now());
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
  const blast = async (onDone: () => number) => {
    const t0 = performance.now();
    for (let i = 0; i < wires.length; i++) {
      await sender.services.pubsub.publish(ALERTS, wires[i]!).catch(() => {});
      if (i % 50 === 49) await sleep(1);
    }
    // Wait until all arrived, or nothing more arrived for 3 s (queue drops never arrive); the rate counts
    // up to the last arrival, not the idle wait.
    const end = Date.now() + 60_000;
    let last = onDone();
    let lastAt = performance.now();
    while (Date.now() < end && onDone() < wires.length && performance.now() - lastAt < 3_000) {
      await sleep(10);
      if (onDone() !== last) {
        last = onDone();
        lastAt = performance.now();
      }
    }
    return { rate: onDone() / ((lastAt - t0) / 1000), got: onDone(), t0 };
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
  const rawResult = await blast(() => rawGot);
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
  let sfrGot = 0;
  const sfrAt: number[] = [];
  node.onAccepted(() => {
    sfrGot++;
    sfrAt.push(performance.now());
  });
  await sender.dial(node.libp2p.getMultiaddrs()[0]!);
  await sleep(2500);
  const sfrResult = await blast(() => sfrGot);
  const drops = Object.values(node.ingress.queueDrops()).reduce((a, b) => a + b, 0);
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
  console.log(`SFR queue drops (GOSSIP_QUEUE_FULL): ${drops}; load average ${loadavg()}`);
  record('ingest', {
    messages: K,
    sfr: { rate: sfrResult.rate, delivered: sfrResult.got, queueDrops: drops },
    baseline: { name: 'raw gossipsub', rate: rawResult.rate, delivered: rawResult.got },
    ratio: sfrResult.rate / rawResult.rate,
    loadavg: os.loadavg(),
  });
  pictures.ingest = {
    sfr: sfrAt.map((t) => t - sfrResult.t0),
    raw: rawAt.map((t) => t - rawResult.t0),
  };
}

// ------------------------------------------------------------------ 3 + 4. dissemination and RSS

async function benchDissemination(): Promise<void> {
  console.log(
    `\n### dissemination (${MESSAGES} messages, one every 100 ms, random publishers, degree ${DEGREE})`,
  );
  console.log(
    '| N | router | p50 ms | p99 ms | to-all p50 ms | to-all p99 ms | delivered | receptions/node/msg | in-process ΔRSS/N MB |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  const rows: Record<string, unknown>[] = [];
  for (const n of SIZES) {
    const byKind: Partial<Record<'raw' | 'sfr', Awaited<ReturnType<typeof disseminate>>>> = {};
    const keys = Array.from({ length: n }, (_, i) => deriveTestKey(`sfr-bench-member-${i}`));
    const wires = await presign(keys, MESSAGES, Date.now());
    const publisherOf = (k: number) => k % n; // wire k was signed by keys[k % n]
    for (const kind of ['raw', 'sfr'] as const) {
      gc();
      const rss0 = process.memoryUsage().rss;
      const dirs: string[] = [];
      console.error(`[bench +${elapsed()} s] N=${n} ${kind}: starting nodes`);
      const net = kind === 'raw' ? await rawNet(n) : await sfrNet(n, keys, dirs);
      console.error(`[bench +${elapsed()} s] N=${n} ${kind}: waiting for meshes`);
      await net.ready();
      gc();
      const rss = (process.memoryUsage().rss - rss0) / n / 2 ** 20;
      console.error(`[bench +${elapsed()} s] N=${n} ${kind}: publishing`);
      const r = await disseminate(net, n, wires, publisherOf);
      console.error(`[bench +${elapsed()} s] N=${n} ${kind}: stopping`);
      await Promise.race([net.stop(), sleep(30_000)]);
      for (const d of dirs) await rm(d, { recursive: true, force: true });
      byKind[kind] = r;
      console.log(
        `| ${n} | ${kind === 'raw' ? 'baseline: raw gossipsub' : '**SFR node**'} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.all50, 1)} | ${fmt(r.all99, 1)} | ${fmt(r.delivered * 100, 1)} % | ${fmt(r.receptions, 2)} | ${fmt(rss, 1)} |`,
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
    rows.push({
      n,
      mode: 'in-process',
      sfr: figures(sfr),
      baseline: { name: 'raw gossipsub', ...figures(raw) },
      ratio: { p50: sfr.p50 / raw.p50, p99: sfr.p99 / raw.p99, toAllP99: sfr.all99 / raw.all99 },
      loadavg: os.loadavg(),
    });
    console.log(
      `| ${n} | ratio SFR / raw | ${fmt(sfr.p50 / raw.p50, 2)}× | ${fmt(sfr.p99 / raw.p99, 2)}× | ${fmt(sfr.all50 / raw.all50, 2)}× | ${fmt(sfr.all99 / raw.all99, 2)}× | | | |`,
    );
    pictures.latency.push({ n, sfr: sfr.per, raw: raw.per });
  }
  record('dissemination', { messages: MESSAGES, degree: DEGREE, rows });
  console.log(`load average ${loadavg()}`);
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// ------------------------------------------------------------------ 4. RSS per node, one process per measurement

/** Settled RSS of this process: two full GCs a second apart, then the resident set size. */
async function settledRss(): Promise<number> {
  gc();
  await sleep(1000);
  gc();
  return process.memoryUsage().rss;
}

/**
 * Child mode (`SFR_BENCH_RSS_CHILD=<k>`): this file re-executed with every module of the node loaded; it
 * starts k SFR nodes (k = 0: none, the baseline), lets them mesh, prints its settled RSS and exits.
 */
async function rssChild(k: number): Promise<never> {
  const keys = Array.from({ length: Math.max(k, 1) }, (_, i) => deriveTestKey(`sfr-bench-rss-${i}`));
  const dirs: string[] = [];
  let net: (Net & { nodes: SfrNode[] }) | undefined;
  if (k > 0) {
    net = await sfrNet(k, keys, dirs);
    if (k > 1) await net.ready();
  }
  const rss = await settledRss();
  process.stdout.write(`${JSON.stringify({ k, rss })}\n`);
  if (net !== undefined) await Promise.race([net.stop(), sleep(20_000)]);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  process.exit(0);
}

async function measureChild(k: number): Promise<number> {
  const { spawn } = await import('node:child_process');
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
  return (JSON.parse(line) as { rss: number }).rss;
}

async function benchRss(): Promise<void> {
  const MB = 2 ** 20;
  const base = await measureChild(0);
  const one = await measureChild(1);
  const K = 10;
  const many = await measureChild(K);
  console.log('\n### RSS per node (separate processes, each with all node modules loaded; settled after GC)');
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
    loadavg: os.loadavg(),
  });
  console.log(
    `one node / baseline ${fmt(one / base, 2)}× (target ≤ 1.2×); a protocol running one node pays the baseline plus the first node: ${fmt(one / MB, 1)} MB; each further in-process node adds about ${fmt((many - one) / (K - 1) / MB, 1)} MB. load average ${loadavg()}`,
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
      series: pictures.latency.flatMap(({ n, sfr, raw }) => [
        { label: `SFR node, N=${n}`, points: cdfOf(sfr), baseline: false },
        { label: `baseline: raw gossipsub, N=${n}`, points: cdfOf(raw), baseline: true },
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

const childK = process.env['SFR_BENCH_RSS_CHILD'];
if (childK !== undefined) await rssChild(Number(childK));
// Under heavy load a loopback socket may be reset mid-connect; count such errors instead of dying.
let socketErrors = 0;
process.on('uncaughtException', (err: NodeJS.ErrnoException) => {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
    socketErrors++;
    return;
  }
  throw err;
});
const t0 = Date.now();
console.log(
  `mode: ${FULL ? 'full' : 'quick'} (BENCH_FULL=1 for N=100 and more messages); load average ${loadavg()}`,
);
if (ONLY.has('pipeline')) await benchPipeline();
if (ONLY.has('ingest')) await benchIngest();
if (ONLY.has('dissemination')) await benchDissemination();
if (ONLY.has('rss')) await benchRss();
console.log(`\nuncaught socket errors (ECONNRESET/EPIPE) during the run: ${socketErrors}`);
await writeReport();
console.log(
  `\nbench time ${fmt((Date.now() - t0) / 1000, 1)} s; RSS now ${fmt(process.memoryUsage().rss / 2 ** 20)} MB`,
);
process.exit(0);
