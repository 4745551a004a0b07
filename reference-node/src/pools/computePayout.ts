import type { Address, PoolCharter } from '@sfr/schemas/types';
import { addrKey, BPS, minBig, uint, unitCommitment } from './amounts.js';
import { weightedMedian } from './tallyRound.js';
import type { Contribution, PayoutResult } from './types.js';

/** Money the pool has paid so far (pools.md#ledger). Never mutated: `recordPayout` returns a new one. */
export type PoolLedger = {
  /** Lower-case member address → total contributed to payouts. */
  contributed: ReadonlyMap<string, bigint>;
  payouts: readonly { claimId: string; claimant: string; amount: bigint; decidedAt: number }[];
};

export const EMPTY_LEDGER: PoolLedger = { contributed: new Map(), payouts: [] };

export type PayoutClaim = {
  /** The claimant's address. */
  claimant: string;
  requestedAmount: bigint;
  filedAt: number;
  decidedAt: number;
};

/** The members who pay a claim: the snapshot's members other than the claimant and those gone by filing. */
export function contributorsOf(charter: PoolCharter, claim: Pick<PayoutClaim, 'claimant' | 'filedAt'>) {
  return charter.members.filter(
    (m) =>
      addrKey(m.member) !== addrKey(claim.claimant) &&
      (m.leavingAt === undefined || m.leavingAt > claim.filedAt),
  );
}

/**
 * THE PAYOUT RULE (pools.md#payout). Integers only. Given the snapshot charter, the claim, the
 * approving votes (amount already capped at the request, weight after the per-member cap) and the
 * ledger of earlier decisions:
 *  1. acceptedLoss = lower weighted median of the approved amounts (≤ requestedAmount);
 *  2. covered = 0 if acceptedLoss ≤ fixed, else floor((acceptedLoss − fixed) × (10 000 − bps) / 10 000);
 *  3. due = min(covered, perClaim, perMemberPerPeriod − paid to the claimant in the period,
 *     perPeriod − paid by the pool in the period), the period being (decidedAt − periodMs, decidedAt];
 *  4. remaining_i = max(0, unit commitment_i − contributed_i) for each contributor (claimant excluded);
 *     approvedAmount = min(due, Σ remaining_i); shortfall = due − approvedAmount;
 *  5. share_i = floor(approvedAmount × remaining_i / Σ remaining); the r = approvedAmount − Σ share_i
 *     leftover wei go one each to the r contributors with the largest remainder
 *     (approvedAmount × remaining_i mod Σ remaining), ties to the lower address.
 */
export function computePayout(
  charter: PoolCharter,
  claim: PayoutClaim,
  approvals: readonly { amount: bigint; weight: bigint }[],
  ledger: PoolLedger,
): PayoutResult {
  const acceptedLoss = minBig(weightedMedian([...approvals]), claim.requestedAmount);
  const fixed = uint(charter.deductible.fixed);
  const covered =
    acceptedLoss <= fixed ? 0n : ((acceptedLoss - fixed) * (BPS - BigInt(charter.deductible.bps))) / BPS;
  const from = claim.decidedAt - charter.caps.periodMs;
  let poolInPeriod = 0n;
  let claimantInPeriod = 0n;
  for (const p of ledger.payouts) {
    if (p.decidedAt > from && p.decidedAt <= claim.decidedAt) {
      poolInPeriod += p.amount;
      if (addrKey(p.claimant) === addrKey(claim.claimant)) claimantInPeriod += p.amount;
    }
  }
  const room = (cap: string, used: bigint) => (uint(cap) > used ? uint(cap) - used : 0n);
  const limits: [PayoutResult['boundBy'], bigint][] = [
    ['perClaim', uint(charter.caps.perClaim)],
    ['perMemberPerPeriod', room(charter.caps.perMemberPerPeriod, claimantInPeriod)],
    ['perPeriod', room(charter.caps.perPeriod, poolInPeriod)],
  ];
  let due = covered;
  let boundBy: PayoutResult['boundBy'] = 'none';
  for (const [name, limit] of limits) {
    if (limit < due) {
      due = limit;
      boundBy = name;
    }
  }
  const contributors = contributorsOf(charter, claim)
    .map((m) => {
      const committed = unitCommitment(charter, m);
      const paid = ledger.contributed.get(addrKey(m.member)) ?? 0n;
      return { member: m.member, remaining: committed > paid ? committed - paid : 0n };
    })
    .filter((c) => c.remaining > 0n);
  let available = 0n;
  for (const c of contributors) available += c.remaining;
  const approvedAmount = minBig(due, available);
  const shortfall = due - approvedAmount;
  const contributions = splitProRata(approvedAmount, contributors);
  return {
    acceptedLoss,
    covered,
    due,
    approvedAmount,
    shortfall,
    haircutBps: due === 0n ? 0 : Number((shortfall * BPS) / due),
    contributions,
    boundBy,
  };
}

/**
 * Split `amount` (≤ Σ remaining) pro rata to `remaining`, flooring each share and giving the
 * leftover wei by largest remainder, ties to the lower address (pools.md#rounding). Returns the
 * non-zero shares in ascending lower-case address order; their sum is exactly `amount`.
 */
export function splitProRata(
  amount: bigint,
  parts: readonly { member: Address; remaining: bigint }[],
): Contribution[] {
  let total = 0n;
  for (const p of parts) total += p.remaining;
  if (amount === 0n || total === 0n) return [];
  const rows = parts.map((p) => ({
    member: p.member,
    key: addrKey(p.member),
    share: (amount * p.remaining) / total,
    rem: (amount * p.remaining) % total,
  }));
  let left = amount;
  for (const r of rows) left -= r.share;
  const byRemainder = [...rows].sort((a, b) =>
    a.rem > b.rem ? -1 : a.rem < b.rem ? 1 : a.key < b.key ? -1 : 1,
  );
  for (let i = 0; left > 0n; i++, left--) (byRemainder[i] as (typeof rows)[number]).share += 1n;
  return rows
    .filter((r) => r.share > 0n)
    .sort((a, b) => (a.key < b.key ? -1 : 1))
    .map((r) => ({ member: r.member, amount: r.share }));
}

/** The ledger after a payout; a claim already in it is not paid again (returns `ledger` unchanged). */
export function recordPayout(
  ledger: PoolLedger,
  payout: { claimId: string; claimant: string; decidedAt: number; contributions: readonly Contribution[] },
): PoolLedger {
  if (ledger.payouts.some((p) => p.claimId === payout.claimId)) return ledger;
  const contributed = new Map(ledger.contributed);
  let amount = 0n;
  for (const c of payout.contributions) {
    const k = addrKey(c.member);
    contributed.set(k, (contributed.get(k) ?? 0n) + c.amount);
    amount += c.amount;
  }
  return {
    contributed,
    payouts: [
      ...ledger.payouts,
      { claimId: payout.claimId, claimant: payout.claimant, amount, decidedAt: payout.decidedAt },
    ],
  };
}
