/**
 * One process of the link proxy (linkProxy.ts), run with `node --import tsx linkProxyWorker.ts` and an IPC
 * channel. The harness accepts each connection at a host's public address and hands the socket here,
 * to the process that carries the dialling host's links; this process connects to the destination, from
 * the dialling host's source alias, and carries both directions with the link's latency and losses. The
 * netns harness gives the sybil hosts' links a process of their own, so an honest frame never waits
 * behind a flood frame in one process.
 *
 * Messages from the harness: `init`, `conn` (with the inbound socket), `partition`, `stats?`, `close`.
 * To the harness: `ready`, `stats` (after each change, at most every 200 ms, and when asked), `closed`.
 */
import { type Socket, connect as tcpConnect } from 'node:net';
import type { LinkStats, WorkerInit, WorkerMessage, WorkerReport } from './linkProxy.js';
import { seededRandom, zeroStats } from './linkProxy.js';

/** Linux's minimum retransmission timeout (TCP_RTO_MIN, 200 ms). */
const RTO_MIN_MS = 200;
/** Pause reading a side when this much is queued for the other (a slow or stalled reader). */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** Stats go to the harness at most this often. */
const STATS_EVERY_MS = 200;
/** A chunk delivered this long after its due time counts as late (`LinkStats.lateChunks`). */
const LATE_MS = 100;

let init: WorkerInit | undefined;
let random: () => number = Math.random;
const stats: LinkStats = zeroStats();
const open = new Set<{ a: number; b: number; sockets: [Socket, Socket] }>();
let groupOf: Map<number, number> | undefined;
const reachable = (a: number, b: number): boolean =>
  groupOf === undefined || groupOf.get(a) === groupOf.get(b);

function report(msg: WorkerReport, then?: () => void): void {
  if (process.connected) process.send!(msg, undefined, {}, () => then?.());
  else then?.();
}

let statsTimer: ReturnType<typeof setTimeout> | undefined;
function statsChanged(): void {
  statsTimer ??= setTimeout(() => {
    statsTimer = undefined;
    report({ type: 'stats', stats });
  }, STATS_EVERY_MS);
}

/**
 * Copies `from` to `to` with the link's delay and losses, in order (one FIFO and one timer per
 * direction: timers of different durations due in the same millisecond may fire in either order);
 * ends and resets follow the data.
 */
function forward(from: Socket, to: Socket, delayMs: number, lossRate: number): void {
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
        const late = now - item.due;
        if (late >= LATE_MS) {
          stats.lateChunks++;
          if (late > stats.lateMaxMs) stats.lateMaxMs = late;
        }
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
    statsChanged();
  });
  from.on('end', () => push(Date.now() + delayMs, { end: 'end' }));
  from.on('error', () => {});
  from.on('close', (hadError) => {
    if (hadError) push(Date.now() + delayMs, { end: 'destroy' });
  });
}

function carry(inbound: Socket, src: number, dst: number, port: number, delay: number): void {
  const cfg = init!;
  inbound.pause();
  if (!reachable(src, dst)) {
    // The partition began while the socket was on its way here.
    stats.refused++;
    statsChanged();
    inbound.resetAndDestroy();
    return;
  }
  const outbound = tcpConnect({
    host: cfg.hosts[dst]!.addr,
    port,
    localAddress: cfg.hosts[src]!.sourceAddr,
  });
  inbound.setNoDelay(true);
  outbound.setNoDelay(true);
  const link = { a: src, b: dst, sockets: [inbound, outbound] as [Socket, Socket] };
  open.add(link);
  stats.connections++;
  statsChanged();
  forward(inbound, outbound, delay, cfg.lossRate);
  forward(outbound, inbound, delay, cfg.lossRate);
  outbound.once('connect', () => inbound.resume());
  const done = (): void => {
    open.delete(link);
  };
  inbound.once('close', done);
  outbound.once('close', done);
}

process.on('message', (msg: WorkerMessage, handle?: unknown) => {
  switch (msg.type) {
    case 'init':
      init = msg;
      random = seededRandom(msg.seed);
      report({ type: 'ready' });
      return;
    case 'conn':
      // The socket may have closed between the harness's accept and its arrival here.
      if (handle === undefined || init === undefined) return;
      carry(handle as Socket, msg.src, msg.dst, msg.port, msg.delayMs);
      return;
    case 'partition':
      groupOf = msg.groups === null ? undefined : new Map(msg.groups.flatMap((g, i) => g.map((h) => [h, i])));
      for (const link of [...open]) {
        if (reachable(link.a, link.b)) continue;
        stats.reset++;
        for (const s of link.sockets) s.resetAndDestroy();
        open.delete(link);
      }
      report({ type: 'partitioned', id: msg.id, stats });
      return;
    case 'stats?':
      report({ type: 'stats', stats, id: msg.id });
      return;
    case 'close':
      for (const link of open) for (const s of link.sockets) s.destroy();
      open.clear();
      if (statsTimer !== undefined) clearTimeout(statsTimer);
      report({ type: 'closed', stats }, () => process.exit(0));
      return;
  }
});
// The harness is gone (killed): nothing left to carry.
process.on('disconnect', () => process.exit(0));
