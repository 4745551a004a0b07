import type { ClaimAttestation } from '@sfr/schemas/types';
import { buildEquivocationEvidence, type Hex } from '../envelope/index.js';
import { addrKey, BPS, cmpBig, minBig, uint } from './amounts.js';
import { domainMatches } from './charters.js';
import { CLAIM_CODES, type ClaimCode, type PoolRefusal } from './codes.js';
import { byTimeThenId } from './readPoolMessage.js';
import type { AdmittedClaim, CountedVote, EquivocationView, PoolMessage, TallyView } from './types.js';
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
  /** The round's equivocations, one per offender, ascending lower-case offender address. */
  equivocations: EquivocationView[];
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

function refusal(m: PoolMessage, code: ClaimCode | 'ENVELOPE_DOMAIN_MISMATCH'): PoolRefusal {
  const outcome = code === 'ENVELOPE_DOMAIN_MISMATCH' ? 'reject' : (CLAIM_CODES[code] as 'ignore' | 'reject');
  return { messageId: m.messageId, outcome, code };
}

/** The checks an attestation naming an admitted claim passes before its round's events (pools.md#attesting, 2–7). */
function attestationRefusal(
  claim: AdmittedClaim,
  weights: ReadonlyMap<string, bigint>,
  m: PoolMessage,
): ClaimCode | 'ENVELOPE_DOMAIN_MISMATCH' | null {
  const a = m.envelope.payload as unknown as ClaimAttestation;
  const who = addrKey(m.envelope.issuer);
  if (!domainMatches(m, claim.snapshot.charter)) return 'ENVELOPE_DOMAIN_MISMATCH';
  if (a.round !== 0) return 'CLAIM_ROUND_NOT_OPEN';
  if (who === addrKey(claim.claimant)) return 'CLAIM_ATTESTER_IS_CLAIMANT';
  if (!weights.has(who)) return 'CLAIM_ATTESTER_NOT_MEMBER';
  if (m.envelope.scope?.epoch !== claim.snapshot.epoch) return 'CLAIM_WRONG_EPOCH';
  if (m.envelope.issuedAt < claim.filedAt) return 'CLAIM_VOTE_BEFORE_FILING';
  return null;
}

/**
 * Tally round 0 of a claim (pools.md#attesting, #equivocation, #tally, #timing) from the
 * attestations that name it. `sameSeq` gives, for an attestation, the other pool messages with its
 * (issuer, seq). The attestations that pass checks 2–7 are the round's candidates; a member with
 * two conflicting candidates (or a candidate and another message with its seq) equivocates from
 * the time the conflict is provable: from then on, if the round is still open, its vote is taken
 * out and it counts no more. Every event dated at or before the close is applied, including the
 * events of the instant an early expiry closes the round. Pure: the result depends on the set of
 * attestations, not their order.
 */
export function tallyRound(
  claim: AdmittedClaim,
  attestations: PoolMessage[],
  sameSeq: (m: PoolMessage) => readonly PoolMessage[] = () => [],
): RoundResult {
  const charter = claim.snapshot.charter;
  const weights = eligibleWeights(claim);
  let total = 0n;
  for (const w of weights.values()) total += w;
  const refused: PoolRefusal[] = [];
  const candidates: PoolMessage[] = [];
  for (const m of attestations) {
    const code = attestationRefusal(claim, weights, m);
    if (code) refused.push(refusal(m, code));
    else candidates.push(m);
  }
  const equivocations = findEquivocations(claim.claimId, candidates, sameSeq);
  // Events in canonical order: by time; at one time exclusions before votes; votes by message id.
  type Event = { at: number; kind: 0; who: string } | { at: number; kind: 1; m: PoolMessage };
  const events: Event[] = [
    ...equivocations.map((e) => ({ at: e.provableAt, kind: 0 as const, who: addrKey(e.offender) })),
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
  /** Set by an early expiry: the close no longer moves, and only later events are late. */
  let expiredEarly = false;
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
  /** The refusal of each candidate refused in the round's events; an exclusion overwrites its member's. */
  const verdicts = new Map<PoolMessage, ClaimCode>();
  for (const e of events) {
    if (e.at > closesAt) {
      if (e.kind === 1) verdicts.set(e.m, 'CLAIM_VOTE_LATE');
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
      for (const m of seen.get(e.who) ?? []) verdicts.set(m, 'CLAIM_ATTESTER_EQUIVOCATED');
    } else {
      const m = e.m;
      const who = addrKey(m.envelope.issuer);
      if (excluded.has(who)) {
        verdicts.set(m, 'CLAIM_ATTESTER_EQUIVOCATED');
        continue;
      }
      seen.set(who, [...(seen.get(who) ?? []), m]);
      if (counted.has(who)) {
        // Same payload again (a conflicting one brings its exclusion event first).
        verdicts.set(m, 'CLAIM_DUPLICATE_VOTE');
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
    if (expiredEarly) continue; // once quorum is impossible no event of the closing instant can make it possible
    const next = standingOf(claim, s, total);
    if (next !== standing) {
      standing = next;
      since = e.at;
    }
    closesAt = closeOf();
    if (standing === null && quorumImpossible(claim, s, total, gone, weights.size)) {
      closesAt = e.at;
      expiredEarly = true;
    }
  }
  for (const [m, code] of verdicts) refused.push(refusal(m, code));
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
    equivocations,
  };
}

/**
 * The equivocations of one round (pools.md#equivocation): for each member, every pair of its
 * conflicting messages of which one is a candidate attestation of the round — two candidates with
 * different payloads, or a candidate and another pool message with the same (issuer, seq). The
 * pair reported is the one provable earliest (the later of its two `issuedAt`), ties to the lower
 * (first, second) message ids. Depends on the set only.
 */
function findEquivocations(
  claimId: Hex,
  candidates: readonly PoolMessage[],
  sameSeq: (m: PoolMessage) => readonly PoolMessage[],
): EquivocationView[] {
  const best = new Map<string, EquivocationView>();
  const byMember = new Map<string, PoolMessage[]>();
  for (const m of candidates) {
    const k = addrKey(m.envelope.issuer);
    byMember.set(k, [...(byMember.get(k) ?? []), m]);
  }
  for (const [who, mine] of byMember) {
    for (const a of mine) {
      for (const b of [...mine, ...sameSeq(a)]) {
        if (b.messageId === a.messageId) continue;
        const evidence = buildEquivocationEvidence(a, b);
        if (!evidence) continue;
        const [first, second] = a.messageId < b.messageId ? [a, b] : [b, a];
        const provableAt = Math.max(a.envelope.issuedAt, b.envelope.issuedAt);
        const prev = best.get(who);
        if (
          !prev ||
          provableAt < prev.provableAt ||
          (provableAt === prev.provableAt &&
            (first.messageId < prev.first.messageId ||
              (first.messageId === prev.first.messageId && second.messageId < prev.second.messageId)))
        ) {
          best.set(who, {
            offender: a.envelope.issuer,
            claimId,
            round: 0,
            offense: evidence.offense,
            first,
            second,
            provableAt,
          });
        }
      }
    }
  }
  return [...best.values()].sort((x, y) => (addrKey(x.offender) < addrKey(y.offender) ? -1 : 1));
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
