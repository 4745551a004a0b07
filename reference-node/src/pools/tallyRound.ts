import type { ClaimAttestation } from '@sfr/schemas/types';
import { addrKey, BPS, cmpBig, minBig, uint } from './amounts.js';
import { CLAIM_CODES, type ClaimCode, type PoolRefusal } from './codes.js';
import { byTimeThenId } from './readPoolMessage.js';
import type { AdmittedClaim, CountedVote, PoolMessage, TallyView } from './types.js';
import { cappedWeights, meetsQuorum } from './weights.js';

/** The members who may attest on a claim and their capped weights (pools.md#attesting). */
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
function quorumImpossible(
  claim: AdmittedClaim,
  s: Sums,
  total: bigint,
  gone: { weight: bigint; count: number },
  eligible: number,
): boolean {
  const charter = claim.snapshot.charter;
  const leftW = total - s.approve - s.reject - s.abstain - gone.weight;
  const leftN = eligible - s.nA - s.nR - s.nX - gone.count;
  return (
    !meetsQuorum(charter, s.approve + leftW, s.nA + leftN, total) &&
    !meetsQuorum(charter, s.reject + leftW, s.nR + leftN, total)
  );
}

function refusal(m: PoolMessage, code: ClaimCode): PoolRefusal {
  return { messageId: m.messageId, outcome: CLAIM_CODES[code] as 'ignore' | 'reject', code };
}

/**
 * Tally round 0 of a claim (pools.md#tally, #timing, #equivocation) from the attestations that
 * name it. `exclusions` maps a lower-case attester address to the time its equivocation became
 * provable (the later of its two conflicting envelopes): from then on, if the round is still open,
 * its vote is taken out and it counts no more; an equivocation after the close changes nothing.
 * Pure: the result depends on the set of attestations, not their order.
 */
export function tallyRound(
  claim: AdmittedClaim,
  attestations: PoolMessage[],
  exclusions: ReadonlyMap<string, number> = new Map(),
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
    else candidates.push(m);
  }
  // Events in canonical order: by time; at one time exclusions before votes; votes by message id.
  type Event = { at: number; kind: 0; who: string } | { at: number; kind: 1; m: PoolMessage };
  const events: Event[] = [
    ...[...exclusions]
      .filter(([who]) => weights.has(who))
      .map(([who, at]) => ({ at, kind: 0 as const, who })),
    ...candidates.map((m) => ({ at: m.envelope.issuedAt, kind: 1 as const, m })),
  ].sort((x, y) =>
    x.at !== y.at
      ? x.at - y.at
      : x.kind !== y.kind
        ? x.kind - y.kind
        : x.kind === 0
          ? x.who < (y as { who: string }).who
            ? -1
            : 1
          : byTimeThenId(x.m, (y as { m: PoolMessage }).m),
  );

  const deadline = claim.filedAt + charter.windows.votingMs;
  const challenge = charter.windows.challengeMs;
  const s: Sums = { approve: 0n, reject: 0n, abstain: 0n, nA: 0, nR: 0, nX: 0 };
  let standing: 'approved' | 'rejected' | null = null;
  let since = claim.filedAt;
  const closeOf = () => (standing === null ? Math.max(deadline, since) : since + challenge);
  let closesAt = closeOf();
  let closed = false;
  const counted = new Map<string, CountedVote>();
  const excluded = new Set<string>();
  const gone = { weight: 0n, count: 0 };
  const seen = new Map<string, PoolMessage[]>();
  const bump = (v: CountedVote, sign: 1n | -1n) => {
    const n = Number(sign);
    if (v.verdict === 'approve') {
      s.approve += sign * v.weight;
      s.nA += n;
    } else if (v.verdict === 'reject') {
      s.reject += sign * v.weight;
      s.nR += n;
    } else {
      s.abstain += sign * v.weight;
      s.nX += n;
    }
  };
  for (const e of events) {
    if (closed || e.at > closesAt) {
      closed = true;
      if (e.kind === 1) refused.push(refusal(e.m, 'CLAIM_VOTE_LATE'));
      continue;
    }
    if (e.kind === 0) {
      if (excluded.has(e.who)) continue;
      excluded.add(e.who);
      gone.weight += weights.get(e.who) as bigint;
      gone.count++;
      const v = counted.get(e.who);
      if (v) {
        bump(v, -1n);
        counted.delete(e.who);
      }
      for (const m of seen.get(e.who) ?? []) refused.push(refusal(m, 'CLAIM_ATTESTER_EQUIVOCATED'));
    } else {
      const m = e.m;
      const who = addrKey(m.envelope.issuer);
      if (excluded.has(who)) {
        refused.push(refusal(m, 'CLAIM_ATTESTER_EQUIVOCATED'));
        continue;
      }
      seen.set(who, [...(seen.get(who) ?? []), m]);
      if (counted.has(who)) {
        // Same payload again (a conflicting one brings its exclusion event first).
        refused.push(refusal(m, 'CLAIM_DUPLICATE_VOTE'));
        continue;
      }
      const a = m.envelope.payload as unknown as ClaimAttestation;
      const v: CountedVote = {
        member: m.envelope.issuer,
        weight: weights.get(who) as bigint,
        verdict: a.verdict,
        amount: a.verdict === 'approve' ? minBig(uint(a.approvedAmount ?? '0'), claim.requestedAmount) : null,
        issuedAt: m.envelope.issuedAt,
        message: m,
      };
      counted.set(who, v);
      bump(v, 1n);
    }
    const next = standingOf(claim, s, total);
    if (next !== standing) {
      standing = next;
      since = e.at;
    }
    closesAt = closeOf();
    if (standing === null && quorumImpossible(claim, s, total, gone, weights.size)) {
      closesAt = e.at;
      closed = true;
    }
  }
  const votes = [...counted.values()].sort((x, y) => byTimeThenId(x.message, y.message));
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
