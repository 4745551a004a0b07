/**
 * node.md#clock: a node whose clock is off has its messages refused everywhere (envelope.md#time)
 * while it sees nothing wrong itself. It can see it in what gossip brings: each peer's freshest
 * message arrives `latency + offset` after its `issuedAt`. The estimator keeps, per issuer other than
 * the node, the smallest (arrival − issuedAt) of its messages received BY GOSSIP within a window
 * (messages fetched by sync may be old and say nothing about clocks), and the check takes the median
 * over issuers: when at least `CLOCK_MIN_ISSUERS` issuers are heard and the median is more than half
 * the skew tolerance, the local clock looks ahead (or behind) and the check is degraded.
 */
import type { HealthResponse } from '@sfr/schemas';

/** [sfr] Issuers needed before the check says anything: two peers against one node. */
export const CLOCK_MIN_ISSUERS = 2;
/** [sfr] Observations older than this are forgotten. */
export const CLOCK_WINDOW_MS = 10 * 60_000;
/** [sfr] Issuers tracked at most (the most recently heard are kept). */
const MAX_ISSUERS = 1024;

export interface ClockEstimator {
  /** A message of `issuer` issued at `issuedAt` arrived by gossip at `receivedAt` (local clock). */
  observe(issuer: string, issuedAt: number, receivedAt: number): void;
  check(): HealthResponse['checks'][number];
}

export function createClockEstimator(parameters: {
  readonly member: string;
  readonly skewMs: number;
  readonly now?: () => number;
}): ClockEstimator {
  const now = parameters.now ?? Date.now;
  const member = parameters.member.toLowerCase();
  /** issuer → its freshest delay in the window, and when that was observed. */
  const freshest = new Map<string, { delay: number; at: number }>();
  return {
    observe(issuer, issuedAt, receivedAt) {
      const key = issuer.toLowerCase();
      if (key === member) return;
      const t = receivedAt;
      const delay = receivedAt - issuedAt;
      const prev = freshest.get(key);
      if (prev === undefined || delay <= prev.delay || t - prev.at > CLOCK_WINDOW_MS) {
        freshest.delete(key);
        freshest.set(key, { delay, at: t });
        if (freshest.size > MAX_ISSUERS) freshest.delete(freshest.keys().next().value!);
      }
    },
    check() {
      const t = now();
      const delays: number[] = [];
      for (const [issuer, o] of freshest) {
        if (t - o.at > CLOCK_WINDOW_MS) freshest.delete(issuer);
        else delays.push(o.delay);
      }
      if (delays.length < CLOCK_MIN_ISSUERS) return { name: 'clock', status: 'ok' };
      delays.sort((a, b) => a - b);
      const mid = delays.length >> 1;
      const median = delays.length % 2 === 1 ? delays[mid]! : (delays[mid - 1]! + delays[mid]!) / 2;
      if (Math.abs(median) <= parameters.skewMs / 2) return { name: 'clock', status: 'ok' };
      const seconds = (Math.abs(median) / 1000).toFixed(1);
      return {
        name: 'clock',
        status: 'degraded',
        detail: `the local clock looks ${seconds} s ${median > 0 ? 'ahead of' : 'behind'} ${delays.length} peers' (tolerance ${parameters.skewMs / 1000} s): peers refuse messages outside it`,
      };
    },
  };
}
