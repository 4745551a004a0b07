import type { PoolCharter } from '@sfr/schemas/types';
import { addrKey, BPS } from './amounts.js';

/**
 * Weights as they count (pools.md#weights): each member's charter weight, capped at
 * floor(Σ weights × maxMemberWeightBps / 10 000) where Σ runs over the same `members`.
 * Returns a map from lower-case address to capped weight.
 */
export function cappedWeights(
  members: PoolCharter['members'],
  maxMemberWeightBps: number,
): Map<string, bigint> {
  let raw = 0n;
  for (const m of members) raw += BigInt(m.weight);
  const cap = (raw * BigInt(maxMemberWeightBps)) / BPS;
  const out = new Map<string, bigint>();
  for (const m of members) {
    const w = BigInt(m.weight);
    out.set(addrKey(m.member), w < cap ? w : cap);
  }
  return out;
}

/** Whether `weight` from `count` members meets the quorum of `charter` over `total` (pools.md#quorum). */
export function meetsQuorum(charter: PoolCharter, weight: bigint, count: number, total: bigint): boolean {
  return (
    total > 0n &&
    weight * BPS >= total * BigInt(charter.quorum.weightBps) &&
    count >= charter.quorum.minMembers
  );
}
