import type { ClaimAttestation } from '@sfr/schemas/types';
import { addrKey, BPS, cmpBig, minBig, uint } from './amounts.js';
import { CLAIM_CODES, type ClaimCode, type PoolRefusal } from './codes.js';
import { byTimeThenId } from './readPoolMessage.js';
import type { AdmittedClaim, CountedVote, PoolMessage, TallyView } from './types.js';
import { cappedWeights, meetsQuorum } from './weights.js';

/** The members who may attest on a claim and their capped weights (pools.md#eligibility). */
export function eligibleWeights(claim: AdmittedClaim): Map<string, bigint> {
  const charter = claim.snapshot.charter;
  const members = charter.members.filter(
    (m) =>
      addrKey(m.member) !== addrKey(claim.claimant) &&
      (m.leavingAt === undefined || m.leavingAt > claim.filedAt),
  );
  return cappedWeights(members, charter.maxMemberWeightBps);
}

export type RoundResult = {
  closesAt: number;
  standing: 'approved' | 'rejected' | null;
  /** approved / rejected when a standing outcome held at the close, else expired. */
  outcome: 'approved' | 'rejected' | 'expired';
  votes: CountedVote[];
  tally: TallyView;
  refused: PoolRefusal[];
};

type Sums = { approve: bigint; reject: bigint; abstain: bigint; nA: number; nR: number; nX: number };

function standingOf(claim: AdmittedClaim, s: Sums, total: bigint): 'approved' | 'rejected' | null {
  const charter = claim.snapshot.charter;
  if (meetsQuorum(charter, s.approve, s.nA, total) && s.approve > s.reject) return 'approved';
  if (meetsQuorum(charter, s.reject, s.nR, total) && s.reject >= s.approve) return 'rejected';
  return null;
}

/** Neither side can reach quorum even if every member yet to vote sided with it (pools.md#timing). */
function quorumImpossible(claim: AdmittedClaim, s: Sums, total: bigint, eligible: number): boolean {
  const charter = claim.snapshot.charter;
  const leftW = total - s.approve - s.reject - s.abstain;
  const leftN = eligible - s.nA - s.nR - s.nX;
  return (
    !meetsQuorum(charter, s.approve + leftW, s.nA + leftN, total) &&
    !meetsQuorum(charter, s.reject + leftW, s.nR + leftN, total)
  );
}

function refusal(m: PoolMessage, code: ClaimCode): PoolRefusal {
  return { messageId: m.messageId, outcome: CLAIM_CODES[code] as 'ignore' | 'reject', code };
}

/**
 * Tally round 0 of a claim (pools.md#tally, #timing) from the attestations that name it.
 * `excluded` holds the lower-case addresses of attesters that equivocated in this round.
 * Pure: the result depends on the set of attestations, not their order.
 */
export function tallyRound(
  claim: AdmittedClaim,
  attestations: PoolMessage[],
  excluded: ReadonlySet<string>,
): RoundResult {
  const charter = claim.snapshot.charter;
  const weights = eligibleWeights(claim);
  let total = 0n;
  for (const w of weights.values()) total += w;
  const refused: PoolRefusal[] = [];
  const candidates: PoolMessage[] = [];
  const claimant = addrKey(claim.claimant);
  for (const m of attestations) {
    const a = m.envelope.payload as unknown as ClaimAttestation;
    const who = addrKey(m.envelope.issuer);
    if (a.round !== 0) refused.push(refusal(m, 'CLAIM_ROUND_NOT_OPEN'));
    else if (who === claimant) refused.push(refusal(m, 'CLAIM_ATTESTER_IS_CLAIMANT'));
    else if (!weights.has(who)) refused.push(refusal(m, 'CLAIM_ATTESTER_NOT_MEMBER'));
    else if (m.envelope.scope?.epoch !== claim.snapshot.epoch) refused.push(refusal(m, 'CLAIM_WRONG_EPOCH'));
    else if (m.envelope.issuedAt < claim.filedAt) refused.push(refusal(m, 'CLAIM_VOTE_BEFORE_FILING'));
    else if (excluded.has(who)) refused.push(refusal(m, 'CLAIM_ATTESTER_EQUIVOCATED'));
    else candidates.push(m);
  }
  // One vote per member: the first in canonical order; later identical copies are duplicates.
  candidates.sort(byTimeThenId);
  const seen = new Set<string>();
  const ordered: PoolMessage[] = [];
  for (const m of candidates) {
    const who = addrKey(m.envelope.issuer);
    if (seen.has(who)) refused.push(refusal(m, 'CLAIM_DUPLICATE_VOTE'));
    else {
      seen.add(who);
      ordered.push(m);
    }
  }

  const deadline = claim.filedAt + charter.windows.votingMs;
  const challenge = charter.windows.challengeMs;
  const s: Sums = { approve: 0n, reject: 0n, abstain: 0n, nA: 0, nR: 0, nX: 0 };
  let standing: 'approved' | 'rejected' | null = null;
  let since = claim.filedAt;
  const closeOf = () => (standing === null ? Math.max(deadline, since) : since + challenge);
  let closesAt = closeOf();
  const votes: CountedVote[] = [];
  let i = 0;
  for (; i < ordered.length; i++) {
    const m = ordered[i] as PoolMessage;
    if (m.envelope.issuedAt > closesAt) break;
    const a = m.envelope.payload as unknown as ClaimAttestation;
    const weight = weights.get(addrKey(m.envelope.issuer)) as bigint;
    let amount: bigint | null = null;
    if (a.verdict === 'approve') {
      amount = minBig(uint(a.approvedAmount ?? '0'), claim.requestedAmount);
      s.approve += weight;
      s.nA++;
    } else if (a.verdict === 'reject') {
      s.reject += weight;
      s.nR++;
    } else {
      s.abstain += weight;
      s.nX++;
    }
    votes.push({
      member: m.envelope.issuer,
      weight,
      verdict: a.verdict,
      amount,
      issuedAt: m.envelope.issuedAt,
      message: m,
    });
    const now = standingOf(claim, s, total);
    if (now !== standing) {
      standing = now;
      since = m.envelope.issuedAt;
    }
    closesAt = closeOf();
    if (standing === null && quorumImpossible(claim, s, total, weights.size)) {
      closesAt = m.envelope.issuedAt;
      i++;
      break;
    }
  }
  for (; i < ordered.length; i++) refused.push(refusal(ordered[i] as PoolMessage, 'CLAIM_VOTE_LATE'));
  return {
    closesAt,
    standing,
    outcome: standing ?? 'expired',
    votes,
    tally: {
      approveWeight: Number(s.approve),
      rejectWeight: Number(s.reject),
      abstainWeight: Number(s.abstain),
      totalWeight: Number(total),
      approveCount: s.nA,
      rejectCount: s.nR,
      abstainCount: s.nX,
      eligibleCount: weights.size,
    },
    refused,
  };
}

/**
 * The lower weighted median of the approvals' amounts (pools.md#approved-amount): the smallest
 * amount a such that approvals of at most a carry at least half the approving weight. Ties in
 * amount are irrelevant to the result. 0 when there is no approval.
 */
export function weightedMedian(approvals: { amount: bigint; weight: bigint }[]): bigint {
  const sorted = [...approvals].sort((a, b) => cmpBig(a.amount, b.amount));
  let total = 0n;
  for (const a of sorted) total += a.weight;
  let acc = 0n;
  for (const a of sorted) {
    acc += a.weight;
    if (acc * 2n >= total) return a.amount;
  }
  return 0n;
}

export { BPS };
