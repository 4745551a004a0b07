/**
 * Link emulation in user space (the kernel here has no netem): TCP proxies in the root namespace
 * forward every connection between hosts of a `HostNetwork`. A host's processes announce its public
 * address (10.S.1.j); the harness listens there, learns the dialling host from the source address, and
 * hands the accepted socket to the proxy PROCESS that carries the dialling host's links
 * (linkProxyWorker.ts; `processOf`), which connects to the destination's real address FROM the dialling
 * host's source alias (10.S.2.j), so each peer host keeps one distinct address as its peers see it. The
 * links' bytes are never carried on the harness's event loop, and hosts in different processes do not
 * share one: a sybil host's flood does not delay an honest host's frames inside the proxy (with one
 * proxy, the 45-peer run's honest p99 under attack was 5.6 × its baseline). Few processes, not one per
 * host: 33 of them (one per host, 3edf0f3) doubled the machine's load and tripled the 30-node heal.
 *
 * On each link (an unordered pair of hosts) it applies:
 * - latency: every chunk is delivered `latencyMs(a, b)` after it was read, in order, in both directions;
 * - loss: TCP never loses bytes, it retransmits; a chunk "lost" (probability `lossRate`) is delivered
 *   one retransmission timeout later (max(200 ms, 3 × the one-way delay): Linux's minimum RTO, or about
 *   an RTT and a half), and, order being kept, so is everything behind it (head-of-line blocking);
 * - partitions: hosts in different groups cannot connect (new connections are reset at once) and
 *   their open connections are reset when the partition starts (`partition` resolves once they are).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { HostNetwork } from './hostNetwork.js';

export interface LinkProxyOptions {
  /** One-way delay of the link between hosts `a` and `b` (symmetric). */
  readonly latencyMs: (a: number, b: number) => number;
  /** Probability that a chunk is lost once (delayed by a retransmission timeout). */
  readonly lossRate?: number;
  /** Seed of the losses (each proxy process draws from `seed` and its process index). */
  readonly seed?: number;
  /** The proxy process that carries the links host `host` dials, in [0, processes); default 0. */
  readonly processOf?: (host: number) => number;
  /** Proxy processes; default 1. */
  readonly processes?: number;
  /** The proxy processes' nice value (`os.setPriority`; below 0 needs root); default: inherited. */
  readonly nice?: number;
}

export interface LinkStats {
  connections: number;
  refused: number;
  reset: number;
  bytes: number;
  chunks: number;
  lost: number;
  /**
   * The proxy's own lag: chunks it delivered 100 ms or more after their due time (its event loop busy
   * or starved of CPU), and the largest such lag, ms. A lag is on top of the link's delay.
   */
  lateChunks: number;
  lateMaxMs: number;
}

export interface LinkProxy {
  /** Forwards `publicAddr:port` of `host` to its `addr:port`. */
  expose(host: number, port: number): Promise<void>;
  /** Splits the hosts into groups that cannot reach each other; `undefined` heals. */
  partition(groups: readonly (readonly number[])[] | undefined): Promise<void>;
  /** The counters summed over the proxy processes (`lateMaxMs`: the largest), as they are now. */
  readStats(): Promise<LinkStats>;
  /** Each proxy process's counters, as they are now (index: `processOf`'s). */
  readStatsPerProcess(): Promise<LinkStats[]>;
  close(): Promise<void>;
}

/** What the harness tells a proxy process (linkProxyWorker.ts). */
export interface WorkerInit {
  readonly type: 'init';
  readonly hosts: readonly { readonly addr: string; readonly sourceAddr: string }[];
  readonly lossRate: number;
  readonly seed: number;
}
export type WorkerMessage =
  | WorkerInit
  | {
      readonly type: 'conn';
      readonly src: number;
      readonly dst: number;
      readonly port: number;
      readonly delayMs: number;
    }
  | {
      readonly type: 'partition';
      readonly id: number;
      readonly groups: readonly (readonly number[])[] | null;
    }
  | { readonly type: 'stats?'; readonly id: number }
  | { readonly type: 'close' };
/** What a proxy process tells the harness. */
export type WorkerReport =
  | { readonly type: 'ready' }
  | { readonly type: 'stats'; readonly stats: LinkStats; readonly id?: number }
  | { readonly type: 'partitioned'; readonly id: number; readonly stats: LinkStats }
  | { readonly type: 'closed'; readonly stats: LinkStats };

const WORKER = fileURLToPath(new URL('./linkProxyWorker.ts', import.meta.url));

/** Deterministic per-link delay in [min, max] from a seed (a small integer hash, no state). */
export function linkLatency(minMs: number, maxMs: number, seed = 1): (a: number, b: number) => number {
  return (a, b) => {
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    let x =
      (Math.imul(lo + 1, 0x9e3779b1) ^ Math.imul(hi + 1, 0x85ebca6b) ^ Math.imul(seed, 0xc2b2ae35)) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
    x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    return minMs + (x % (maxMs - minMs + 1));
  };
}

/** A tiny seeded generator (mulberry32) for repeatable loss patterns. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Counters at zero (each proxy process starts from these). */
export const zeroStats = (): LinkStats => ({
  connections: 0,
  refused: 0,
  reset: 0,
  bytes: 0,
  chunks: 0,
  lost: 0,
  lateChunks: 0,
  lateMaxMs: 0,
});

export function createLinkProxy(net: HostNetwork, opts: LinkProxyOptions): LinkProxy {
  const lossRate = opts.lossRate ?? 0;
  const seed = opts.seed ?? 1;
  /** Connections the harness refused at accept (unknown source, partitioned). */
  let refused = 0;
  const servers: Server[] = [];
  let groupOf: Map<number, number> | undefined;
  const reachable = (a: number, b: number): boolean =>
    groupOf === undefined || groupOf.get(a) === groupOf.get(b);
  let nextId = 0;

  interface Proc {
    readonly child: ChildProcess;
    readonly ready: Promise<void>;
    /** Its latest counters. */
    stats: LinkStats;
    /** Answers awaited, by request id. */
    readonly waiting: Map<number, () => void>;
    readonly exited: Promise<void>;
  }
  const hosts = net.hosts.map((h) => ({ addr: h.addr, sourceAddr: h.sourceAddr }));
  const processOf = opts.processOf ?? (() => 0);
  const procs: Proc[] = Array.from({ length: opts.processes ?? 1 }, (_, index) => {
    const child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    if (opts.nice !== undefined && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, opts.nice);
      } catch {
        // Not permitted (raising priority needs root): the proxy runs at the default priority.
      }
    }
    const waiting = new Map<number, () => void>();
    let resolveReady!: () => void;
    let rejectReady!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    const proc: Proc = {
      child,
      ready,
      stats: zeroStats(),
      waiting,
      exited: new Promise((r) => child.once('exit', () => r())),
    };
    // A send to a process that has just exited fails; its 'exit' below settles what waited on it.
    child.on('error', () => {});
    child.on('message', (m: WorkerReport) => {
      if (m.type === 'ready') resolveReady();
      else {
        proc.stats = m.stats;
        const id = 'id' in m ? m.id : undefined;
        if (id !== undefined) {
          waiting.get(id)?.();
          waiting.delete(id);
        }
      }
    });
    child.once('exit', (code, signal) => {
      rejectReady(new Error(`link proxy process ${index} exited (${code ?? signal})`));
      for (const w of waiting.values()) w();
      waiting.clear();
    });
    child.send({ type: 'init', hosts, lossRate, seed: seed * 1_000 + index } satisfies WorkerMessage);
    return proc;
  });
  // Not awaited here: a process that fails to start fails `expose`.
  for (const p of procs) p.ready.catch(() => {});

  /** Sends `msg` to every live process and resolves when each has answered it. */
  const ask = (make: (id: number) => WorkerMessage): Promise<void> =>
    Promise.all(
      procs.map((p) => {
        if (!p.child.connected) return Promise.resolve();
        const id = nextId++;
        return new Promise<void>((r) => {
          p.waiting.set(id, r);
          p.child.send(make(id));
        });
      }),
    ).then(() => {});

  const sum = (): LinkStats => {
    const total = zeroStats();
    total.refused = refused;
    for (const p of procs)
      for (const k of Object.keys(total) as (keyof LinkStats)[])
        total[k] = k === 'lateMaxMs' ? Math.max(total[k], p.stats[k]) : total[k] + p.stats[k];
    return total;
  };

  async function expose(host: number, port: number): Promise<void> {
    await Promise.all(procs.map((p) => p.ready));
    const dst = net.hosts[host]!;
    const server = createServer({ pauseOnConnect: true }, (inbound) => {
      const src = net.hostOf(inbound.remoteAddress ?? '');
      const proc = src === undefined ? undefined : procs[processOf(src)];
      if (src === undefined || proc === undefined || !reachable(src, host) || !proc.child.connected) {
        refused++;
        inbound.resetAndDestroy();
        return;
      }
      // The socket moves to the source host's process (the harness's copy is closed once sent).
      proc.child.send(
        { type: 'conn', src, dst: host, port, delayMs: opts.latencyMs(src, host) } satisfies WorkerMessage,
        inbound,
        (err) => {
          if (err !== null) inbound.destroy();
        },
      );
    });
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, dst.publicAddr, () => resolve());
    });
  }

  return {
    expose,
    async partition(groups) {
      if (groups === undefined) groupOf = undefined;
      else {
        groupOf = new Map();
        groups.forEach((g, i) => {
          for (const h of g) groupOf!.set(h, i);
        });
      }
      const plain = groups === undefined ? null : groups.map((g) => [...g]);
      await ask((id) => ({ type: 'partition', id, groups: plain }));
    },
    async readStats() {
      await ask((id) => ({ type: 'stats?', id }));
      return sum();
    },
    async readStatsPerProcess() {
      await ask((id) => ({ type: 'stats?', id }));
      return procs.map((p) => ({ ...p.stats }));
    },
    async close() {
      // The processes first: they reset every open link and exit.
      for (const p of procs) {
        if (p.child.connected) p.child.send({ type: 'close' } satisfies WorkerMessage);
        else p.child.kill('SIGKILL');
      }
      const timer = setTimeout(() => {
        for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
      }, 5_000);
      await Promise.all(procs.map((p) => p.exited));
      clearTimeout(timer);
      // Stop listening. Not awaited: a server that handed its sockets to other processes emits 'close'
      // only once those processes report them closed, which exited processes never do (the listening
      // socket itself is closed at once).
      for (const s of servers) s.close();
    },
  };
}
