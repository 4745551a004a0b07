import type { PayoutRateLimit } from '@sfr/schemas/types';
import { uint } from './amounts.js';
import type { PayoutSchedule } from './types.js';

/** One claim's tranches: `first` at `firstAt`, then `max` at each later window start, the last `last`. */
type Scheduled = {
  firstAt: number;
  first: bigint;
  windowMs: bigint;
  max: bigint;
  lastAt: number;
  last: bigint;
};

/** The schedules so far, in decision order (pools.md#rate-limit); empty before the first payout. */
export type TrancheCursor = readonly Scheduled[];

/** Σ of one schedule's tranches due at or after `x`. */
function dueSince(s: Scheduled, x: number): bigint {
  if (s.lastAt < x) return 0n;
  if (s.firstAt === s.lastAt) return s.first;
  let sum = s.last + (s.firstAt >= x ? s.first : 0n);
  // Middle tranches at window starts k·w for firstWindow < k < lastWindow, each `max`.
  const lo = BigInt(s.firstAt) / s.windowMs + 1n;
  const hi = BigInt(s.lastAt) / s.windowMs - 1n;
  const from = (BigInt(x) + s.windowMs - 1n) / s.windowMs; // first window starting at or after x
  const start = from > lo ? from : lo;
  if (hi >= start) sum += (hi - start + 1n) * s.max;
  return sum;
}

/**
 * Rate-limited payouts (pools.md#rate-limit): the vault pays at most `maxAmount` per fixed window
 * [k × windowMs, (k+1) × windowMs) of unix time, under the claim's snapshot limit, serving approved
 * claims in decision order. A claim starts at s = max(decidedAt, the previous payout's last tranche);
 * its first tranche, due at s, takes what room the window holding s has left after the earlier
 * tranches due in it (else the next window, due at its start); each later tranche takes a whole
 * window, due at its start. A zero amount is settled at `decidedAt`; a zero `maxAmount` never pays
 * (schedule null); neither moves the queue.
 */
export function scheduleTranches(
  limit: PayoutRateLimit,
  decidedAt: number,
  amount: bigint,
  cursor: TrancheCursor | null,
): { schedule: PayoutSchedule; cursor: TrancheCursor | null } {
  if (amount === 0n) return { schedule: { firstAt: decidedAt, lastAt: decidedAt, tranches: 0 }, cursor };
  const max = uint(limit.maxAmount);
  if (max === 0n) return { schedule: null, cursor };
  const w = BigInt(limit.windowMs);
  const prior = cursor ?? [];
  const previousLast = prior.length > 0 ? (prior[prior.length - 1] as Scheduled).lastAt : decidedAt;
  const s = Math.max(decidedAt, previousLast);
  let window = BigInt(s) / w;
  let used = 0n;
  for (const p of prior) used += dueSince(p, Number(window * w));
  let firstAt = s;
  if (used >= max) {
    window += 1n;
    used = 0n;
    firstAt = Number(window * w);
  }
  const room = max - used;
  if (amount <= room) {
    const one: Scheduled = { firstAt, first: amount, windowMs: w, max, lastAt: firstAt, last: amount };
    return { schedule: { firstAt, lastAt: firstAt, tranches: 1 }, cursor: [...prior, one] };
  }
  const rest = amount - room;
  const full = rest / max;
  const tail = rest % max;
  const extra = full + (tail > 0n ? 1n : 0n);
  const lastWindow = window + extra;
  const lastAt = Number(lastWindow * w);
  const entry: Scheduled = { firstAt, first: room, windowMs: w, max, lastAt, last: tail > 0n ? tail : max };
  return {
    schedule: { firstAt, lastAt, tranches: Number(1n + extra) },
    cursor: [...prior, entry],
  };
}
