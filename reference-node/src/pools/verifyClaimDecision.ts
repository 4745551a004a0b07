import type { ClaimAttestation, ClaimDecision, FundClaim, PoolCharter } from '@sfr/schemas/types';
import { canonicalize, type Hex, hashPayload, messageIdOf } from '../envelope/index.js';
import { addrKey, parseUint256, uint, unitCommitment, valueClaim } from './amounts.js';
import type { ClaimCode } from './codes.js';
import { computePayout, contributorsOf, EMPTY_LEDGER, type PoolLedger } from './computePayout.js';
import { readPoolMessage } from './readPoolMessage.js';
import { type RoundResult, tallyRound } from './tallyRound.js';
import type { AdmittedClaim, MessageInput, PoolMessage } from './types.js';

export type VerifyClaimDecisionParameters = {
  /** The charter the claim was filed under (its snapshot) and that charter's epoch. */
  charter: PoolCharter;
  /** The claim's `FundClaim` envelope (its message id is the claim id). */
  claim: MessageInput;
  /**
   * The pool messages the verifier holds, accepted by its envelope verification (a contract member's
   * signature judged by its contract): an embedded envelope, or the claim, that is one of them (same
   * message id) verifies without its signature checked again (pools.md#verifying-a-decision).
   */
  held?: ReadonlyMap<Hex, PoolMessage>;
  /**
   * The pool's ledger before this decision. With it the amounts are recomputed exactly; without
   * it they are checked against the bounds any ledger allows (pools.md#verifying-a-decision).
   */
  ledger?: PoolLedger;
};

export type VerifyClaimDecisionReturnType =
  | { outcome: 'accept'; exact: boolean }
  | { outcome: 'reject'; code: ClaimCode | string; reason: string };

function no(code: ClaimCode | string, reason: string): VerifyClaimDecisionReturnType {
  return { outcome: 'reject', code, reason };
}

/**
 * Check a `ClaimDecision` from the decision, the charter and the claim alone (pools.md#verifying-a-decision):
 * every embedded attestation is signed by an eligible member other than the claimant, names this
 * claim and round, is counted (not late) and appears once, in ascending message-id order; the
 * tally, outcome and decision time recompute from them; the amount and contributions follow the
 * payout rule. Never throws.
 */
export function verifyClaimDecision(
  decision: ClaimDecision,
  params: VerifyClaimDecisionParameters,
): VerifyClaimDecisionReturnType {
  try {
    const read = readHeld(params.claim, params.held);
    if (!read.ok) return no(read.refusal.code, 'the claim envelope does not verify');
    const claimMsg = read.message;
    if (claimMsg.envelope.type !== 'FundClaim')
      return no('CLAIM_DECISION_MISMATCH', 'the claim envelope is not a FundClaim');
    if (decision.claimId !== claimMsg.messageId)
      return no('CLAIM_DECISION_MISMATCH', 'claimId is not the claim envelope id');
    const charter = params.charter;
    if (decision.poolId !== charter.poolId || claimMsg.envelope.scope?.poolId !== charter.poolId)
      return no('POOL_WRONG_POOL', 'pool ids differ');
    const payload = claimMsg.envelope.payload as unknown as FundClaim;
    const valued = valueClaim(charter, payload);
    const claim: AdmittedClaim = {
      claimId: claimMsg.messageId,
      claimant: claimMsg.envelope.issuer,
      message: claimMsg,
      payload,
      filedAt: claimMsg.envelope.issuedAt,
      snapshot: {
        epoch: charter.epoch,
        charter,
        payloadHash: hashPayload(charter as never) as Hex,
        ids: [],
        adoptedAt: 0,
      },
      requestedAmount: uint(payload.requestedAmount),
      valuation: valued.ok ? valued.value : null,
    };
    const embedded = checkEmbeddedAttestations(decision, claim, params.held);
    if (!embedded.ok) return no('CLAIM_DECISION_BAD_ATTESTATION', embedded.reason);
    const round = embedded.round;
    if (round.outcome !== decision.outcome)
      return no('CLAIM_DECISION_MISMATCH', `outcome ${decision.outcome}, recomputed ${round.outcome}`);
    if (round.closesAt !== decision.decidedAt)
      return no('CLAIM_DECISION_MISMATCH', `decidedAt ${decision.decidedAt}, recomputed ${round.closesAt}`);
    const t = decision.tally;
    if (
      t &&
      (t.approveWeight !== round.tally.approveWeight ||
        t.rejectWeight !== round.tally.rejectWeight ||
        t.abstainWeight !== round.tally.abstainWeight ||
        t.totalWeight !== round.tally.totalWeight)
    ) {
      return no('CLAIM_DECISION_MISMATCH', 'the tally does not recompute');
    }
    const amount = parseUint256(decision.approvedAmount);
    if (amount === null) return no('CLAIM_DECISION_MISMATCH', 'approvedAmount is not a Uint256');
    let sum = 0n;
    const contributors = new Map(contributorsOf(charter, claim).map((m) => [addrKey(m.member), m]));
    for (const c of decision.contributions) {
      const m = contributors.get(addrKey(c.member));
      const v = parseUint256(c.amount);
      if (!m || v === null || v > unitCommitment(charter, m))
        return no('CLAIM_DECISION_MISMATCH', `contribution of ${c.member} is not allowed`);
      sum += v;
    }
    if (sum !== amount) return no('CLAIM_DECISION_MISMATCH', 'contributions do not sum to approvedAmount');
    if (decision.outcome !== 'approved') {
      return amount === 0n
        ? { outcome: 'accept', exact: true }
        : no('CLAIM_DECISION_MISMATCH', 'a decision that is not approved pays nothing');
    }
    const approvals = round.votes
      .filter((v) => v.amount !== null)
      .map((v) => ({ amount: v.amount as bigint, weight: v.weight }));
    const claimFacts = {
      claimant: claim.claimant,
      requestedAmount: claim.requestedAmount,
      filedAt: claim.filedAt,
      decidedAt: round.closesAt,
    };
    if (params.ledger) {
      const p = computePayout(charter, claimFacts, approvals, params.ledger);
      const same =
        p.approvedAmount === amount &&
        p.shortfall === uint(decision.shortfall ?? '0') &&
        p.contributions.length === decision.contributions.length &&
        p.contributions.every(
          (c, i) =>
            addrKey(c.member) === addrKey(decision.contributions[i]?.member ?? '') &&
            c.amount.toString() === decision.contributions[i]?.amount,
        );
      return same
        ? { outcome: 'accept', exact: true }
        : no('CLAIM_DECISION_MISMATCH', 'amounts do not recompute against the ledger');
    }
    const bound = computePayout(charter, claimFacts, approvals, EMPTY_LEDGER);
    if (amount > bound.due)
      return no('CLAIM_DECISION_MISMATCH', `approvedAmount exceeds what the rule allows (${bound.due})`);
    return { outcome: 'accept', exact: false };
  } catch (error) {
    return no('CLAIM_DECISION_MISMATCH', `cannot check: ${String(error)}`);
  }
}

/**
 * The checks of a decision's embedded attestations (pools.md#verifying-a-decision): each verifies,
 * is a `ClaimAttestation` naming this pool, claim and round, appears once per member, in strictly
 * ascending message-id order, and recomputing the round over them alone counts every one (eligible
 * member other than the claimant, the snapshot's domain and epoch, not before filing, not late).
 * Shared by `verifyClaimDecision` and the pool rules' check of a published decision.
 */
export function checkEmbeddedAttestations(
  decision: Pick<ClaimDecision, 'attestations' | 'claimId' | 'round'>,
  claim: AdmittedClaim,
  /** The pool messages the verifier holds (see `VerifyClaimDecisionParameters.held`). */
  held?: ReadonlyMap<Hex, PoolMessage>,
): { ok: true; round: RoundResult } | { ok: false; reason: string } {
  const atts: PoolMessage[] = [];
  const members = new Set<string>();
  let previousId = '';
  const list: unknown[] = Array.isArray(decision.attestations) ? decision.attestations : [];
  for (const [i, e] of list.entries()) {
    const r = readHeld(e, held);
    if (!r.ok) return { ok: false, reason: `attestation ${i} does not verify (${r.refusal.code})` };
    if (r.message.envelope.type !== 'ClaimAttestation')
      return { ok: false, reason: `attestation ${i} is not a ClaimAttestation` };
    if (r.message.messageId <= previousId)
      return { ok: false, reason: 'attestations are not in ascending message-id order' };
    previousId = r.message.messageId;
    const a = r.message.envelope.payload as unknown as ClaimAttestation;
    if (
      a.claimId !== decision.claimId ||
      a.round !== decision.round ||
      a.poolId !== claim.snapshot.charter.poolId
    )
      return { ok: false, reason: `attestation ${i} is about another claim or round` };
    const who = addrKey(r.message.envelope.issuer);
    if (members.has(who))
      return { ok: false, reason: `attestation ${i}: a second attestation of one member` };
    members.add(who);
    atts.push(r.message);
  }
  const round = tallyRound(claim, atts);
  const first = round.refused[0];
  if (first) return { ok: false, reason: `an embedded attestation is not counted (${first.code})` };
  return { ok: true, round };
}

/**
 * Embedded envelopes are checked once per object: the pool view is recomputed over the same held
 * decisions again and again, and a signature check is the costliest step. Envelopes are never
 * mutated once decoded.
 */
const embeddedMemo = new WeakMap<object, ReturnType<typeof readPoolMessage>>();
function readEmbedded(e: unknown): ReturnType<typeof readPoolMessage> {
  if (typeof e !== 'object' || e === null) return readPoolMessage(e as never);
  const known = embeddedMemo.get(e);
  if (known) return known;
  const r = readPoolMessage(e as never);
  embeddedMemo.set(e, r);
  return r;
}

const utf8 = new TextEncoder();
/** The message id of an embedded envelope object, once per object. */
const idMemo = new WeakMap<object, Hex | null>();
function embeddedIdOf(e: object): Hex | null {
  let id = idMemo.get(e);
  if (id === undefined) {
    try {
      id = messageIdOf(utf8.encode(canonicalize(e))) as Hex;
    } catch {
      id = null;
    }
    idMemo.set(e, id);
  }
  return id;
}

/**
 * An embedded envelope (or the claim) as a pool message: the held message of the same id when the
 * verifier holds one (its envelope verification accepted it, rule 24 included: a contract member's
 * signature cannot be judged again without its chain), else read and verified as `readEmbedded`.
 */
function readHeld(
  e: unknown,
  held: ReadonlyMap<Hex, PoolMessage> | undefined,
): ReturnType<typeof readPoolMessage> {
  if (held !== undefined && typeof e === 'object' && e !== null && !(e instanceof Uint8Array)) {
    const id = embeddedIdOf(e);
    const m = id === null ? undefined : held.get(id);
    if (m !== undefined) return { ok: true, message: m };
  }
  return readEmbedded(e);
}
