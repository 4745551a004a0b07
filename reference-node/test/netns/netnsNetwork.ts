/**
 * A multi-host SFR network on one machine: `n` node processes (`sfr node start`, started by
 * test/e2e/processNetwork.ts), each in its own network namespace with its own address, every link
 * through the user-space link proxy (latency, loss, partitions), and gossipsub's IP-colocation scoring
 * at its production default. Extra hosts can carry other processes (sybils, see `startSybils`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { deriveTestKey } from '../../src/envelope/index.js';
import { stringifyTopic } from '../../src/network/topics.js';
import { api, createProcNetwork, type ProcNetwork, type ProcNode } from '../e2e/processNetwork.js';
import { alertPayload } from '../node/fixtures.js';
import { createHostNetwork, type HostNetwork } from './hostNetwork.js';
import { createLinkProxy, type LinkProxy, linkLatency } from './linkProxy.js';
import type { SybilOptions } from './sybil.js';

/** The topic the scenarios' alerts travel on. */
const ALERT_TOPIC = stringifyTopic({ kind: 'contagion_alerts' });

export interface NetnsNetworkOptions {
  /** Honest nodes, one per host. */
  readonly n: number;
  /** Extra hosts (for sybils), after the nodes' hosts. */
  readonly extraHosts?: number;
  /** One-way link delay range (ms), drawn per link from `seed`. */
  readonly latencyMs: readonly [number, number];
  readonly lossRate?: number;
  readonly seed?: number;
  /** Members with no node here (e.g. a compromised member's key held by a sybil). */
  readonly extraMembers?: readonly string[];
  /** Node processes started at once (default 1: at load 24 two at a time missed the 60 s start bound). */
  readonly startConcurrency?: number;
}

export interface NetnsNetwork {
  readonly hosts: HostNetwork;
  readonly proxy: LinkProxy;
  readonly net: ProcNetwork;
  readonly nodes: readonly ProcNode[];
  stop(): Promise<void>;
}

/**
 * Each honest node bootstraps to the 8 before it in ring order (all others below 9 nodes): between
 * gossipsub's D (6) and D_hi (12), so meshes form from bootstrap links alone, each node reaches every
 * other within two hops, and after a partition heals the redial loop restores the cut links.
 */
const BOOTSTRAP_PEERS = 8;

export async function startNetnsNetwork(opts: NetnsNetworkOptions): Promise<NetnsNetwork> {
  const hosts = createHostNetwork(opts.n + (opts.extraHosts ?? 0));
  let proxy: LinkProxy | undefined;
  let net: ProcNetwork | undefined;
  const stop = async (): Promise<void> => {
    await net?.stop();
    await proxy?.close();
    hosts.destroy();
  };
  try {
    const [min, max] = opts.latencyMs;
    // The honest hosts' links in two proxy processes (one a core), the extra (sybil) hosts' in a third:
    // a flood never shares an event loop with honest frames, and the proxy adds three processes to the
    // machine, not one per host. They stand for the wires and switches, which on a real network have
    // their own hardware: at nice −10 they come before the nodes. At the default priority the sybils'
    // proxy process fell up to 4.2 s behind the links' delays while they flooded (3 068 chunks ≥ 100 ms
    // late, 45-peer run, 2026-12-08; the honest ones ≤ 0.23 s), which delayed every flood batch by as
    // much; at −10, none late in five runs.
    proxy = createLinkProxy(hosts, {
      latencyMs: linkLatency(min, max, opts.seed ?? 1),
      lossRate: opts.lossRate ?? 0,
      seed: opts.seed ?? 1,
      processes: (opts.extraHosts ?? 0) > 0 ? 3 : 2,
      processOf: (host) => (host < opts.n ? host % 2 : 2),
      nice: -10,
    });
    net = await createProcNetwork(opts.n, {
      extraMembers: [...(opts.extraMembers ?? [])],
      placement: (i) => ({
        host: hosts.hosts[i]!.addr,
        announceHost: hosts.hosts[i]!.publicAddr,
        exec: hosts.hosts[i]!.exec,
      }),
      // Production gossip settings: no `scoring` override, so IP-colocation scoring is on (weight −35,
      // threshold 3 peers per address). The 64 KiB message limit as processNetwork states it.
      configure: () => ({ gossip: { maxMessageBytes: 65_536 } }),
      bootstrapPeers: BOOTSTRAP_PEERS,
    });
    for (const node of net.nodes) await proxy.expose(node.index, node.p2pPort);
    const order = net.nodes.map((n) => n.index);
    const k = opts.startConcurrency ?? 1;
    for (let i = 0; i < order.length; i += k)
      await Promise.all(order.slice(i, i + k).map((j) => net!.start(j)));
    const minPeers = Math.min(2, opts.n - 1);
    // Each node's [connected peers, mesh peers on the alert topic] at the last look (null: no answer).
    let last: ([number, number] | null)[] = [];
    await waitFor(
      async () => {
        const s = await Promise.all(
          net!.nodes.map((n) => api(n, 'GET', '/v1/status').catch(() => undefined)),
        );
        last = s.map((x) =>
          x?.status === 200
            ? [
                x.json.peers.connected as number,
                (x.json.topics as { topic: string; meshPeers: number }[]).find((t) => t.topic === ALERT_TOPIC)
                  ?.meshPeers ?? 0,
              ]
            : null,
        );
        // Connected is not enough: an alert published before the contagion topic's mesh formed reaches
        // the peers outside it only through sync (every 30 s), which is what CI run 17 measured.
        return last.every((x) => x !== null && x[0] >= minPeers && x[1] >= minPeers);
      },
      TIMEOUTS.mesh,
      `every node connected to ${minPeers}+ peers and meshed with them on ${ALERT_TOPIC}`,
      250,
    ).catch((e: unknown) => {
      const behind = last.flatMap((x, i) =>
        x === null
          ? [`node ${i}: no status`]
          : x[0] < minPeers || x[1] < minPeers
            ? [`node ${i}: ${x[0]} connected, ${x[1]} meshed`]
            : [],
      );
      throw new Error(`${(e as Error).message}; ${behind.join('; ')}`);
    });
    return { hosts, proxy, net, nodes: net.nodes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A published alert: its id, the node that issued it, and when that node accepted it. */
export interface Published {
  readonly id: string;
  readonly origin: number;
  readonly at: number;
}

/** Publishes one alert at node `origin` through its HTTP API. */
export async function publishAlert(nw: NetnsNetwork, origin: number, k: number): Promise<Published> {
  const node = nw.nodes[origin]!;
  const r = await api(node, 'POST', '/v1/alerts', { payload: alertPayload(Date.now(), k) });
  if (r.status >= 300) throw new Error(`publish at node ${origin}: ${r.status} ${JSON.stringify(r.json)}`);
  const id = r.json.messageId as string;
  const got = await api(node, 'GET', `/v1/messages/${id}`);
  return { id, origin, at: got.json.receivedAt as number };
}

/** Every ContagionAlert a node holds: message id → when it accepted it. */
export async function alertsAt(node: ProcNode): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let cursor: string | undefined;
  for (;;) {
    const q = `/v1/messages?type=ContagionAlert&limit=1000${cursor === undefined ? '' : `&cursor=${cursor}`}`;
    const r = await api(node, 'GET', q);
    if (r.status !== 200) throw new Error(`list at node ${node.index}: ${r.status}`);
    for (const m of r.json.items as { messageId: string; receivedAt: number }[])
      out.set(m.messageId, m.receivedAt);
    cursor = r.json.nextCursor as string | undefined;
    if (cursor === undefined || (r.json.items as unknown[]).length === 0) return out;
  }
}

export interface Delivery {
  /** Delivered (message, node) pairs over expected ones, the origin excluded. */
  readonly delivered: number;
  readonly expected: number;
  /** Delay from the origin's acceptance to each other node's, in ms. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** The `q` quantile (nearest rank) of ascending `sorted`; NaN when it is empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Delivery of `published` at `nodes` (default all), read from the nodes' stores. */
export async function measureDelivery(
  nw: NetnsNetwork,
  published: readonly Published[],
  nodes: readonly number[] = nw.nodes.map((n) => n.index),
): Promise<Delivery> {
  const held = await Promise.all(nodes.map((i) => alertsAt(nw.nodes[i]!)));
  const delays: number[] = [];
  let expected = 0;
  for (const p of published) {
    nodes.forEach((i, k) => {
      if (i === p.origin) return;
      expected++;
      const t = held[k]!.get(p.id);
      if (t !== undefined) delays.push(Math.max(0, t - p.at));
    });
  }
  delays.sort((a, b) => a - b);
  return {
    delivered: delays.length,
    expected,
    p50: quantile(delays, 0.5),
    p99: quantile(delays, 0.99),
    max: delays.at(-1) ?? Number.NaN,
  };
}

/** Waits until every published message is held by every node in `nodes`; resolves to when that held. */
export async function waitDelivered(
  nw: NetnsNetwork,
  published: readonly Published[],
  timeoutMs: number,
  nodes: readonly number[] = nw.nodes.map((n) => n.index),
): Promise<number> {
  await waitFor(
    async () => {
      const d = await measureDelivery(nw, published, nodes).catch(() => undefined);
      return d !== undefined && d.delivered === d.expected;
    },
    timeoutMs,
    `${published.length} messages at ${nodes.length} nodes`,
    250,
  );
  return Date.now();
}

/** Publishes `count` alerts from the nodes `origins` in turn, `gapMs` apart. */
export async function publishSeries(
  nw: NetnsNetwork,
  origins: readonly number[],
  count: number,
  gapMs: number,
  kBase = 0,
): Promise<Published[]> {
  const out: Published[] = [];
  for (let k = 0; k < count; k++) {
    out.push(await publishAlert(nw, origins[k % origins.length]!, kBase + k));
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  }
  return out;
}

export interface SybilEvent {
  readonly event: string;
  readonly [k: string]: unknown;
}

export interface Sybil {
  readonly index: number;
  readonly proc: ChildProcess;
  readonly events: SybilEvent[];
  send(line: string): void;
}

const SYBIL = fileURLToPath(new URL('./sybil.ts', import.meta.url));

/** The member key sybil `i` signs its valid spam with: every sybil a compromised member of its own. */
export function spamMemberSeed(i: number): string {
  return `sfr-netns-compromised-member-${i}`;
}
/** The addresses of the first `count` sybils' member keys (to configure as members of the network). */
export function spamMembers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => deriveTestKey(spamMemberSeed(i)).address);
}

/**
 * Starts `count` sybil processes on the extra hosts (`perHost` on each, so they share an address as an
 * attacker's machines do), each dialling every honest node and holding the member key
 * `spamMemberSeed(i)` (the network must have `spamMembers(count)` among its members); resolves once
 * each has said `ready`.
 */
/**
 * The sybils' nice value. On a real network an attacker floods from its own machines; here 15 sybils
 * share 2 cores with the 30 nodes they attack. At the default priority the busy sybils took the nodes'
 * share of the cores (load 36-39 while they flooded), and a node read a sybil's first batch 1-3 s after
 * it left the sybil (45-peer run, 2026-12-08: `cutFromWireMs` p50 1.18 s, max 3.17 s). At nice 10 the
 * flood's own CPU comes after the nodes' (the next run: p50 0.20 s, max 1.19 s); a sybil's batches then
 * leave it later, which `cutMs` counts and `cutFromWireMs` does not.
 */
const SYBIL_NICE = 10;

export async function startSybils(
  nw: NetnsNetwork,
  count: number,
  opts: Omit<SybilOptions, 'index' | 'targets' | 'spamMemberSeed'> & { readonly perHost: number },
): Promise<Sybil[]> {
  const targets = nw.nodes.map((n) => n.multiaddr);
  const sybils: Sybil[] = [];
  for (let i = 0; i < count; i++) {
    const host = nw.hosts.hosts[nw.nodes.length + Math.floor(i / opts.perHost)];
    if (host === undefined) throw new Error(`sybil ${i}: no extra host (perHost ${opts.perHost})`);
    const options: SybilOptions = {
      index: i,
      targets,
      invalidPerTick: opts.invalidPerTick,
      replayPerTick: opts.replayPerTick,
      spamPerTick: opts.spamPerTick,
      spamMemberSeed: spamMemberSeed(i),
    };
    const [cmd, ...args] = [
      ...host.exec,
      process.execPath,
      '--import',
      'tsx',
      SYBIL,
      JSON.stringify(options),
    ];
    const proc = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    // `ip netns exec` execs the sybil in this pid. Below the honest nodes: see SYBIL_NICE.
    if (proc.pid !== undefined) os.setPriority(proc.pid, SYBIL_NICE);
    const events: SybilEvent[] = [];
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        events.push(JSON.parse(line) as SybilEvent);
      } catch {
        // not an event line
      }
    });
    const stderr: string[] = [];
    proc.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 50) stderr.push(chunk.toString());
    });
    proc.once('exit', (code, signal) => {
      if (!events.some((e) => e.event === 'done'))
        events.push({ event: 'exit', code, signal, stderr: stderr.join('').slice(-2000) });
    });
    sybils.push({ index: i, proc, events, send: (line) => proc.stdin!.write(`${line}\n`) });
  }
  await waitFor(
    () => sybils.every((s) => s.events.some((e) => ['ready', 'error', 'exit'].includes(e.event))),
    // Started together: under load they share the cores, so the bound is a scenario's, not one start's.
    TIMEOUTS.scenario,
    'sybils ready',
    100,
  );
  const failed = sybils.flatMap((s) => s.events.filter((e) => e.event === 'error' || e.event === 'exit'));
  if (failed.length > 0) throw new Error(`sybil failed: ${JSON.stringify(failed[0])}`);
  return sybils;
}

/** Stops sybils (a `stop` line, then SIGKILL if one lingers) and waits for their exit. */
export async function stopSybils(sybils: readonly Sybil[]): Promise<void> {
  await Promise.all(
    sybils.map(async (s) => {
      if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => s.proc.once('exit', () => r()));
      s.send('stop');
      const timer = setTimeout(() => s.proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}
