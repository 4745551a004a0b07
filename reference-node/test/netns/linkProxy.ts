/**
 * Link emulation in user space (the kernel here has no netem): one TCP proxy in the root namespace
 * forwards every connection between hosts of a `HostNetwork`. A host's processes announce its public
 * address (10.S.1.j); the proxy listens there, learns the dialling host from the source address, and
 * connects to the destination's real address FROM the dialling host's source alias (10.S.2.j), so each
 * peer host keeps one distinct address as its peers see it.
 *
 * On each link (an unordered pair of hosts) it applies:
 * - latency: every chunk is delivered `latencyMs(a, b)` after it was read, in order, in both directions;
 * - loss: TCP never loses bytes, it retransmits; a chunk "lost" (probability `lossRate`) is delivered
 *   one retransmission timeout later (max(200 ms, 3 × the one-way delay): Linux's minimum RTO, or about
 *   an RTT and a half), and, order being kept, so is everything behind it (head-of-line blocking);
 * - partitions: hosts in different groups cannot connect (new connections are reset at once) and
 *   their open connections are reset when the partition starts.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import type { HostNetwork } from './hostNetwork.js';

/** Linux's minimum retransmission timeout (TCP_RTO_MIN, 200 ms). */
const RTO_MIN_MS = 200;
/** Pause reading a side when this much is queued for the other (a slow or stalled reader). */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

export interface LinkProxyOptions {
  /** One-way delay of the link between hosts `a` and `b` (symmetric). */
  readonly latencyMs: (a: number, b: number) => number;
  /** Probability that a chunk is lost once (delayed by a retransmission timeout). */
  readonly lossRate?: number;
  /** Random source for losses (seeded by the caller for repeatable runs). */
  readonly random?: () => number;
}

export interface LinkStats {
  connections: number;
  refused: number;
  reset: number;
  bytes: number;
  chunks: number;
  lost: number;
}

export interface LinkProxy {
  /** Forwards `publicAddr:port` of `host` to its `addr:port`. */
  expose(host: number, port: number): Promise<void>;
  /** Splits the hosts into groups that cannot reach each other; `undefined` heals. */
  partition(groups: readonly (readonly number[])[] | undefined): void;
  readonly stats: LinkStats;
  close(): Promise<void>;
}

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

export function createLinkProxy(net: HostNetwork, opts: LinkProxyOptions): LinkProxy {
  const random = opts.random ?? Math.random;
  const lossRate = opts.lossRate ?? 0;
  const stats: LinkStats = { connections: 0, refused: 0, reset: 0, bytes: 0, chunks: 0, lost: 0 };
  const servers: Server[] = [];
  const open = new Set<{ a: number; b: number; sockets: [Socket, Socket] }>();
  let groupOf: Map<number, number> | undefined;
  const reachable = (a: number, b: number): boolean =>
    groupOf === undefined || groupOf.get(a) === groupOf.get(b);

  /**
   * Copies `from` to `to` with the link's delay and losses, in order (one FIFO and one timer per
   * direction: timers of different durations due in the same millisecond may fire in either order);
   * ends and resets follow the data.
   */
  function forward(from: Socket, to: Socket, delayMs: number): void {
    const queue: { due: number; chunk?: Buffer; end?: 'end' | 'destroy' }[] = [];
    let lastDue = 0;
    let queued = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = (): void => {
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && queue[0]!.due <= now) {
        const item = queue.shift()!;
        if (item.chunk !== undefined) {
          queued -= item.chunk.length;
          if (!to.destroyed) to.write(item.chunk);
        } else if (item.end === 'end') to.end();
        else to.destroy();
      }
      if (queued <= HIGH_WATER_BYTES && from.isPaused() && !from.destroyed) from.resume();
      if (queue.length > 0) timer = setTimeout(flush, queue[0]!.due - now);
    };
    const push = (due: number, item: { chunk?: Buffer; end?: 'end' | 'destroy' }): void => {
      lastDue = Math.max(due, lastDue);
      queue.push({ due: lastDue, ...item });
      if (timer === undefined) timer = setTimeout(flush, Math.max(0, queue[0]!.due - Date.now()));
    };
    from.on('data', (chunk: Buffer) => {
      stats.chunks++;
      stats.bytes += chunk.length;
      let due = Date.now() + delayMs;
      if (lossRate > 0 && random() < lossRate) {
        stats.lost++;
        due += Math.max(RTO_MIN_MS, 3 * delayMs);
      }
      queued += chunk.length;
      if (queued > HIGH_WATER_BYTES) from.pause();
      push(due, { chunk });
    });
    from.on('end', () => push(Date.now() + delayMs, { end: 'end' }));
    from.on('error', () => {});
    from.on('close', (hadError) => {
      if (hadError) push(Date.now() + delayMs, { end: 'destroy' });
    });
  }

  async function expose(host: number, port: number): Promise<void> {
    const dst = net.hosts[host]!;
    const server = createServer({ pauseOnConnect: true }, (inbound) => {
      const src = net.hostOf(inbound.remoteAddress ?? '');
      if (src === undefined || !reachable(src, host)) {
        stats.refused++;
        inbound.resetAndDestroy();
        return;
      }
      const outbound = tcpConnect({
        host: dst.addr,
        port,
        localAddress: net.hosts[src]!.sourceAddr,
      });
      inbound.setNoDelay(true);
      outbound.setNoDelay(true);
      const link = { a: src, b: host, sockets: [inbound, outbound] as [Socket, Socket] };
      open.add(link);
      stats.connections++;
      const delay = opts.latencyMs(src, host);
      forward(inbound, outbound, delay);
      forward(outbound, inbound, delay);
      outbound.once('connect', () => inbound.resume());
      const done = (): void => {
        open.delete(link);
      };
      inbound.once('close', done);
      outbound.once('close', done);
    });
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, dst.publicAddr, () => resolve());
    });
  }

  return {
    expose,
    partition(groups) {
      if (groups === undefined) {
        groupOf = undefined;
        return;
      }
      groupOf = new Map();
      groups.forEach((g, i) => {
        for (const h of g) groupOf!.set(h, i);
      });
      for (const link of [...open]) {
        if (reachable(link.a, link.b)) continue;
        stats.reset++;
        for (const s of link.sockets) s.resetAndDestroy();
        open.delete(link);
      }
    },
    stats,
    async close() {
      for (const link of open) for (const s of link.sockets) s.destroy();
      open.clear();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
