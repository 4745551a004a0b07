import type { Address, ClaimAttestation, ClaimDecision, FundClaim } from '@sfr/schemas/types';
import { canonicalize, type Envelope, type Hex, hashPayload, messageIdOf } from '../envelope/index.js';
import { addrKey, uint, unitCommitment, valueClaim } from './amounts.js';
import { buildClaimDecision } from './buildClaimDecision.js';
import { charterAt, domainMatches, resolveCharters } from './charters.js';
import { CLAIM_CODES, type ClaimCode, POOL_CODES, type PoolCode, type PoolRefusal } from './codes.js';
import { computePayout, EMPTY_LEDGER, type PoolLedger, recordPayout } from './computePayout.js';
import { evidenceKey } from './evidenceKey.js';
import { byTimeThenId, readPoolMessage } from './readPoolMessage.js';
import { scheduleTranches, type TrancheCursor } from './scheduleTranches.js';
import { type RoundResult, tallyRound } from './tallyRound.js';
import type {
  AdmittedClaim,
  AdoptedCharter,
  ClaimView,
  LedgerView,
  MessageInput,
  PoolMessage,
  PoolView,
} from './types.js';
import { checkEmbeddedAttestations } from './verifyClaimDecision.js';

/**
 * The accepted messages of one pool, as a set: adding a message never depends on what came
 * before, so the derived view is the same for every delivery order (pools.md#determinism).
 */
export type PoolState = {
  readonly charterMessages: ReadonlyMap<Hex, PoolMessage>;
  readonly messages: ReadonlyMap<Hex, PoolMessage>;
  /** Inputs that failed the envelope checks. */
  readonly unreadable: readonly PoolRefusal[];
};

const utf8 = new TextEncoder();

function add(state: PoolState, input: MessageInput, asCharter: boolean): PoolState {
  const r = readPoolMessage(input);
  if (!r.ok) return { ...state, unreadable: [...state.unreadable, r.refusal] };
  const id = r.message.messageId;
  if (state.charterMessages.has(id) || state.messages.has(id)) return state;
  if (asCharter) return { ...state, charterMessages: new Map(state.charterMessages).set(id, r.message) };
  return { ...state, messages: new Map(state.messages).set(id, r.message) };
}

/**
 * A pool state holding only the charter envelopes that define the pool (its founding signatures and any
 * amendments). Each signature is checked by ecrecover: a contract (ERC-1271) member's reads
 * `ENVELOPE_BAD_SIGNATURE_ENCODING`; a node verifies such envelopes through its contract members and
 * passes them to `createVerifiedPoolState`.
 */
export function createPoolState(charterMessages: readonly MessageInput[]): PoolState {
  let state: PoolState = { charterMessages: new Map(), messages: new Map(), unreadable: [] };
  for (const m of charterMessages) state = add(state, m, true);
  return state;
}

/**
 * `createPoolState` of charter envelopes whose signatures the caller verified (a node's
 * `verifyCharterMessages`, a contract member's through its contract), with the refusals of those that
 * did not verify.
 */
export function createVerifiedPoolState(
  charterMessages: readonly PoolMessage[],
  refused: readonly PoolRefusal[] = [],
): PoolState {
  const charters = new Map<Hex, PoolMessage>();
  for (const m of charterMessages) if (!charters.has(m.messageId)) charters.set(m.messageId, m);
  return { charterMessages: charters, messages: new Map(), unreadable: [...refused] };
}

/**
 * The state with one more message that already passed the envelope checks (e.g. in the node's
 * validation pipeline), so it is not verified again. Pure: `state` is not modified.
 */
export function applyPoolMessage(state: PoolState, message: PoolMessage): PoolState {
  if (state.charterMessages.has(message.messageId) || state.messages.has(message.messageId)) return state;
  return { ...state, messages: new Map(state.messages).set(message.messageId, message) };
}

/** The state with one more message (a duplicate changes nothing). Pure: `state` is not modified. */
export function applyMessage(state: PoolState, message: MessageInput): PoolState {
  return add(state, message, false);
}

/**
 * Everything the pool rules derive from the charter envelopes and the accepted messages at time
 * `now` (pools.md): adopted charters, claims with their state, tally and decision, equivocations,
 * the ledger, and the messages refused with their codes.
 */
export function derivePoolState(
  charterMessages: readonly MessageInput[],
  messages: readonly MessageInput[],
  now: number,
): PoolView {
  let state = createPoolState(charterMessages);
  for (const m of messages) state = applyMessage(state, m);
  return viewPool(state, now);
}

function poolRefusal(m: PoolMessage, code: PoolCode | ClaimCode | 'ENVELOPE_DOMAIN_MISMATCH'): PoolRefusal {
  const table = { ...POOL_CODES, ...CLAIM_CODES, ENVELOPE_DOMAIN_MISMATCH: 'reject' } as Record<
    string,
    string
  >;
  return { messageId: m.messageId, outcome: table[code] === 'ignore' ? 'ignore' : 'reject', code };
}

function unpackEvidence(m: PoolMessage): PoolMessage[] {
  const out: PoolMessage[] = [];
  const p = m.envelope.payload as { first?: unknown; second?: unknown };
  for (const e of [p.first, p.second]) {
    out.push({ envelope: e as Envelope, messageId: messageIdOf(utf8.encode(canonicalize(e))) });
  }
  return out;
}

/** The view of a pool state at `now` (see `derivePoolState`). */
export function viewPool(state: PoolState, now: number): PoolView {
  const refused: PoolRefusal[] = [...state.unreadable];
  const charterEnvelopes = [...state.charterMessages.values()].filter(
    (m) => m.envelope.type === 'PoolCharter',
  );
  for (const m of state.charterMessages.values())
    if (m.envelope.type !== 'PoolCharter') refused.push(poolRefusal(m, 'POOL_UNEXPECTED_TYPE'));
  // The pool is the one the given charter envelopes found: the lowest pool id among them.
  const poolIds = charterEnvelopes.map((m) => (m.envelope.payload as { poolId: Hex }).poolId).sort();
  const wantedPool = poolIds[0];
  const all = new Map<Hex, PoolMessage>();
  for (const m of state.messages.values()) {
    all.set(m.messageId, m);
    if (m.envelope.type === 'EquivocationEvidence')
      for (const inner of unpackEvidence(m)) if (!all.has(inner.messageId)) all.set(inner.messageId, inner);
  }
  const chartersIn = [
    ...charterEnvelopes,
    ...[...all.values()].filter(
      (m) => m.envelope.type === 'PoolCharter' && !state.charterMessages.has(m.messageId),
    ),
  ];
  const resolved = resolveCharters(chartersIn, wantedPool);
  refused.push(...resolved.refused);
  const poolId = resolved.poolId;
  const claimsIn: PoolMessage[] = [];
  const attestations: PoolMessage[] = [];
  const decisions: PoolMessage[] = [];
  for (const m of all.values()) {
    const t = m.envelope.type;
    if (t === 'PoolCharter') continue;
    if (t === 'EquivocationEvidence') {
      // pools.md#messages: rule 1, and rule 2 on the embedded envelopes; they are judged as received.
      const inner = unpackEvidence(m);
      if (poolId === null) refused.push(poolRefusal(m, 'POOL_NOT_FOUNDED'));
      else if (!inner.some((x) => x.envelope.scope?.poolId === poolId))
        refused.push(poolRefusal(m, 'POOL_WRONG_POOL'));
      continue;
    }
    if (t !== 'FundClaim' && t !== 'ClaimAttestation' && t !== 'ClaimDecision') {
      refused.push(poolRefusal(m, 'POOL_UNEXPECTED_TYPE'));
      continue;
    }
    const scopePool = m.envelope.scope?.poolId;
    if (poolId === null || scopePool !== poolId) {
      refused.push(poolRefusal(m, poolId === null ? 'POOL_NOT_FOUNDED' : 'POOL_WRONG_POOL'));
      continue;
    }
    if ((m.envelope.payload as { poolId?: unknown }).poolId !== scopePool) {
      refused.push(poolRefusal(m, 'POOL_SCOPE_MISMATCH'));
      continue;
    }
    if (t === 'FundClaim') claimsIn.push(m);
    else if (t === 'ClaimAttestation') attestations.push(m);
    else decisions.push(m);
  }

  // Duplicate sequence numbers (pools.md#equivocation): every pool message of this pool held, by (issuer, seq).
  const bySeq = new Map<string, PoolMessage[]>();
  const seqKey = (m: PoolMessage) => `${addrKey(m.envelope.issuer)}:${m.envelope.seq}`;
  for (const m of [...state.charterMessages.values(), ...all.values()]) {
    if (poolId === null || m.envelope.scope?.poolId !== poolId) continue;
    const list = bySeq.get(seqKey(m)) ?? [];
    if (!list.some((x) => x.messageId === m.messageId)) bySeq.set(seqKey(m), [...list, m]);
  }
  const sameSeq = (m: PoolMessage) => bySeq.get(seqKey(m)) ?? [];
  const attByClaim = new Map<string, PoolMessage[]>();
  for (const a of attestations) {
    const id = (a.envelope.payload as unknown as ClaimAttestation).claimId;
    attByClaim.set(id, [...(attByClaim.get(id) ?? []), a]);
  }

  // Claims, admitted in canonical filing order (pools.md#filing).
  const admitted: { claim: AdmittedClaim; round: RoundResult }[] = [];
  for (const m of claimsIn.sort(byTimeThenId)) {
    const code = admissionRefusal(m, resolved.charters, admitted);
    if (typeof code === 'string') {
      refused.push(poolRefusal(m, code));
      continue;
    }
    const round = tallyRound(code, attByClaim.get(code.claimId) ?? [], sameSeq);
    refused.push(...round.refused);
    admitted.push({ claim: code, round });
  }
  const admittedIds = new Set(admitted.map((a) => a.claim.claimId as string));
  for (const [id, list] of attByClaim)
    if (!admittedIds.has(id)) for (const a of list) refused.push(poolRefusal(a, 'CLAIM_UNKNOWN'));

  // Decisions, in close order (pools.md#ledger).
  let ledger: PoolLedger = EMPTY_LEDGER;
  let cursor: TrancheCursor | null = null;
  let forfeited = 0n;
  const views = new Map<string, ClaimView>();
  const closing = admitted
    .filter((a) => a.round.closesAt <= now)
    .sort((a, b) => a.round.closesAt - b.round.closesAt || (a.claim.claimId < b.claim.claimId ? -1 : 1));
  for (const { claim, round } of closing) {
    const charter = claim.snapshot.charter;
    let view: ClaimView = {
      claim,
      status: round.outcome,
      round: 0,
      closesAt: round.closesAt,
      standing: round.standing,
      tally: round.tally,
      votes: round.votes,
      decision: null,
      schedule: null,
    };
    if (round.outcome === 'approved') {
      const payout = computePayout(
        charter,
        {
          claimant: claim.claimant,
          requestedAmount: claim.requestedAmount,
          filedAt: claim.filedAt,
          decidedAt: round.closesAt,
        },
        round.votes
          .filter((v) => v.amount !== null)
          .map((v) => ({ amount: v.amount as bigint, weight: v.weight })),
        ledger,
      );
      ledger = recordPayout(ledger, {
        claimId: claim.claimId,
        claimant: claim.claimant,
        decidedAt: round.closesAt,
        contributions: payout.contributions,
      });
      const s = scheduleTranches(charter.payoutRateLimit, round.closesAt, payout.approvedAmount, cursor);
      cursor = s.cursor;
      view = {
        ...view,
        decision: { outcome: 'approved', decidedAt: round.closesAt, ...payout },
        schedule: s.schedule,
        status: s.schedule !== null && s.schedule.lastAt <= now ? 'settled' : 'approved',
      };
    } else {
      if (round.outcome === 'rejected') forfeited += uint(charter.claimDeposit.value);
      view = {
        ...view,
        decision: {
          outcome: round.outcome,
          decidedAt: round.closesAt,
          approvedAmount: 0n,
          shortfall: 0n,
          haircutBps: 0,
          contributions: [],
          boundBy: 'none',
          acceptedLoss: 0n,
          due: 0n,
        },
      };
    }
    views.set(claim.claimId, view);
  }
  const equivocations = admitted
    .flatMap((a) => a.round.equivocations)
    .sort((x, y) =>
      x.claimId < y.claimId
        ? -1
        : x.claimId > y.claimId
          ? 1
          : addrKey(x.offender) < addrKey(y.offender)
            ? -1
            : 1,
    );
  const claims: ClaimView[] = admitted.map(
    ({ claim, round }) =>
      views.get(claim.claimId) ?? {
        claim,
        status: 'attesting',
        round: 0,
        closesAt: round.closesAt,
        standing: round.standing,
        tally: round.tally,
        votes: round.votes,
        decision: null,
        schedule: null,
      },
  );
  const view: PoolView = {
    poolId,
    charters: resolved.charters,
    claims,
    equivocations,
    refused,
    ledger: ledgerView(resolved.charters, ledger, now, forfeited),
    now,
  };
  for (const d of decisions) {
    const r = checkPublishedDecision(view, d, all);
    if (r) refused.push(poolRefusal(d, r));
  }
  refused.sort((a, b) =>
    (a.messageId ?? '') < (b.messageId ?? '')
      ? -1
      : (a.messageId ?? '') > (b.messageId ?? '')
        ? 1
        : a.code < b.code
          ? -1
          : a.code > b.code
            ? 1
            : 0,
  );
  return view;
}

/** Why a FundClaim is not admitted (pools.md#filing), in spec order; or the admitted claim. */
function admissionRefusal(
  m: PoolMessage,
  charters: PoolView['charters'],
  earlier: readonly { claim: AdmittedClaim; round: RoundResult }[],
): ClaimCode | 'ENVELOPE_DOMAIN_MISMATCH' | AdmittedClaim {
  const filedAt = m.envelope.issuedAt;
  const p = m.envelope.payload as unknown as FundClaim;
  const snapshot = charterAt(charters, filedAt);
  if (!snapshot) return 'CLAIM_POOL_NOT_ACTIVE';
  const charter = snapshot.charter;
  if (!domainMatches(m, charter)) return 'ENVELOPE_DOMAIN_MISMATCH';
  if (m.envelope.scope?.epoch !== snapshot.epoch) return 'CLAIM_WRONG_EPOCH';
  const claimant = addrKey(m.envelope.issuer);
  const member = charter.members.find((x) => addrKey(x.member) === claimant);
  if (!member || (member.leavingAt !== undefined && member.leavingAt <= filedAt))
    return 'CLAIM_CLAIMANT_NOT_MEMBER';
  if (!charter.coveredKinds.includes(p.coveredKind)) return 'CLAIM_KIND_NOT_COVERED';
  if (!(p.incidentWindow.from <= p.incidentWindow.to && p.incidentWindow.to <= filedAt))
    return 'CLAIM_BAD_INCIDENT_WINDOW';
  if (uint(charter.claimDeposit.value) > 0n && p.deposit === undefined) return 'CLAIM_DEPOSIT_MISSING';
  const requestedAmount = uint(p.requestedAmount);
  if (requestedAmount === 0n) return 'CLAIM_ZERO_AMOUNT';
  const valued = valueClaim(charter, p);
  if (!valued.ok) return valued.code;
  if (valued.value !== null && requestedAmount > valued.value) return 'CLAIM_REQUEST_EXCEEDS_VALUATION';
  for (const e of earlier) {
    if (addrKey(e.claim.claimant) !== claimant) continue;
    const open = e.round.closesAt > filedAt;
    if (e.claim.payload.incidentId === p.incidentId && (open || e.round.outcome === 'approved'))
      return 'CLAIM_DUPLICATE_INCIDENT';
  }
  const keys = new Set(p.evidence.map(evidenceKey));
  for (const e of earlier) {
    const open = e.round.closesAt > filedAt;
    if (
      (open || e.round.outcome === 'approved') &&
      e.claim.payload.evidence.some((r) => keys.has(evidenceKey(r)))
    )
      return 'CLAIM_DUPLICATE_EVIDENCE';
  }
  for (const e of earlier) {
    if (addrKey(e.claim.claimant) === claimant && e.claim.filedAt > filedAt - charter.windows.cooldownMs)
      return 'CLAIM_COOLDOWN';
  }
  return {
    claimId: m.messageId,
    claimant: m.envelope.issuer,
    message: m,
    payload: p,
    filedAt,
    snapshot,
    requestedAmount,
    valuation: valued.value,
  };
}

/**
 * The ledger at `now` (pools.md#ledger): every member of an epoch in force by `now` (the founding
 * charter's when none is yet), so a departed member's contributions stay listed and Σ contributed
 * = paidOut; `committed` is its unit commitment in the charter in force at `now` (0 once it left).
 */
function ledgerView(
  charters: PoolView['charters'],
  ledger: PoolLedger,
  now: number,
  forfeited: bigint,
): LedgerView {
  const current = charterAt(charters, now) ?? charters[0];
  const inForce = charters.filter((c) => c.charter.effectiveAt <= now);
  const listed = new Map<string, Address>();
  // The latest epoch that lists a member gives its spelling.
  for (const c of inForce.length > 0 ? inForce : charters.slice(0, 1))
    for (const m of c.charter.members) listed.set(addrKey(m.member), m.member);
  const received = new Map<string, bigint>();
  let paidOut = 0n;
  for (const p of ledger.payouts) {
    received.set(addrKey(p.claimant), (received.get(addrKey(p.claimant)) ?? 0n) + p.amount);
    paidOut += p.amount;
  }
  const committedNow = new Map<string, bigint>();
  let capital = 0n;
  for (const m of current?.charter.members ?? []) {
    const committed = unitCommitment((current as AdoptedCharter).charter, m);
    committedNow.set(addrKey(m.member), committed);
    capital += committed;
  }
  const members: LedgerView['members'] = [...listed].map(([key, member]) => {
    const committed = committedNow.get(key) ?? 0n;
    const contributed = ledger.contributed.get(key) ?? 0n;
    return {
      member,
      committed,
      contributed,
      received: received.get(key) ?? 0n,
      remaining: committed > contributed ? committed - contributed : 0n,
    };
  });
  members.sort((x, y) => (addrKey(x.member) < addrKey(y.member) ? -1 : 1));
  return { capital, paidOut, members, forfeitedDeposits: forfeited };
}

/**
 * A published ClaimDecision (pools.md#decision-messages), after rules 1–3: its claim is admitted,
 * its domain is the claim snapshot's, the round has closed, its embedded attestations pass
 * pools.md#verifying-a-decision, and its payload equals the one derived here (`extensions` aside).
 */
function checkPublishedDecision(
  view: PoolView,
  d: PoolMessage,
  /** The held messages: an embedded attestation that is one of them verifies as held (a Safe's included). */
  held: ReadonlyMap<Hex, PoolMessage>,
): ClaimCode | 'ENVELOPE_DOMAIN_MISMATCH' | null {
  const p = d.envelope.payload as unknown as ClaimDecision;
  const claim = view.claims.find((c) => c.claim.claimId === p.claimId);
  if (!claim) return 'CLAIM_UNKNOWN';
  if (!domainMatches(d, claim.claim.snapshot.charter)) return 'ENVELOPE_DOMAIN_MISMATCH';
  if (claim.decision === null) return 'CLAIM_DECISION_NOT_CLOSED';
  const embedded = checkEmbeddedAttestations(p, claim.claim, held);
  if (!embedded.ok) return 'CLAIM_DECISION_BAD_ATTESTATION';
  const mine = buildClaimDecision(view.poolId as Hex, claim);
  const { extensions: _, ...theirs } = p as unknown as Record<string, unknown>;
  return hashPayload(mine as unknown as Record<string, never>) ===
    hashPayload(theirs as Record<string, never>)
    ? null
    : 'CLAIM_DECISION_MISMATCH';
}
