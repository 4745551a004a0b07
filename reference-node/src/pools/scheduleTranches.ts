import type { PayoutRateLimit } from '@sfr/schemas/types';
import { uint } from './amounts.js';
import type { PayoutSchedule } from './types.js';

export type TrancheCursor = { window: bigint; used: bigint };

/**
 * Rate-limited payouts (pools.md#rate-limit): the vault pays at most `maxAmount` per fixed window
 * [k × windowMs, (k+1) × windowMs) of unix time, serving approved claims in decision order, each
 * from the window holding its decision time or the first window with room left. Returns the
 * schedule (first and last tranche time, tranche count) and the cursor after it, in O(1).
 * A zero amount is settled at once; a zero `maxAmount` never pays (schedule null).
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
  const decidedWindow = BigInt(decidedAt) / w;
  let window = decidedWindow;
  let used = 0n;
  if (cursor && cursor.window >= window) {
    window = cursor.window;
    used = cursor.used;
    if (used >= max) {
      window += 1n;
      used = 0n;
    }
  }
  const startOf = (k: bigint) => (k === decidedWindow ? decidedAt : Number(k * w));
  const firstAt = startOf(window);
  const room = max - used;
  if (amount <= room) {
    return { schedule: { firstAt, lastAt: firstAt, tranches: 1 }, cursor: { window, used: used + amount } };
  }
  const rest = amount - room;
  const full = rest / max;
  const tail = rest % max;
  const extra = full + (tail > 0n ? 1n : 0n);
  const lastWindow = window + extra;
  return {
    schedule: { firstAt, lastAt: Number(lastWindow * w), tranches: Number(1n + extra) },
    cursor: { window: lastWindow, used: tail > 0n ? tail : max },
  };
}
