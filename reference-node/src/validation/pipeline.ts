/**
 * THE validation engine (spec/v1/envelope.md#verification): every message the node receives (gossip,
 * sync, its own publications) and every message the conformance harness `verify` / `ingest` ops are
 * given runs through `createValidationPipeline`. Each rule of the spec's numbered list is one small
 * function called here in spec order, preceded by the rule it implements; the first rule that fails
 * decides the verdict. Which rules apply depends on what the receiver has: without replay `state` the
 * rules marked (state) are skipped (the one-shot `verify`); without `membership`, `topics`,
 * `checkSchema` or `typeRules` the (node) and (gossip) rules are (the harness). A message that passes
 * every rule is recorded in the state before the pipeline answers ACCEPT. `admit` answers then, with
 * the durable append still running (the gossip path: the router relays on validation, p2p.md#validation);
 * `ingest` answers once the message is durable too (the local publish, sync, the harness). `screen` runs
 * rules 1–19 alone, synchronously: the gossip path applies them on arrival (p2p.md#queues) and hands
 * what it answered to `admit`, which goes on from rule 20.
 */
import type { MessageId } from '@sfr/schemas';
import {
  type Address,
  attestationSlotOf,
  bytesToHex,
  checkDecodedEnvelope,
  checkDomain,
  checkIssuedAt,
  checkSignatureEncoding,
  checkSignerWith,
  decodeEnvelope,
  digestOf,
  type Envelope,
  type EnvelopeDomain,
  hashPayload,
  type KeyRotation,
  messageIdOf,
  type RecoverSignerFn,
  readKeyRotation,
  recoverSigner,
  SignerRegistry,
  signatureBytes,
  verifyEquivocationEvidence,
} from '../envelope/index.js';
import type { ContractSignatures, Erc1271Answer } from './contractSignatures.js';
import type { IssuerRateLimiter } from './issuerRateLimiter.js';
import { ACCEPT, ignore, type Refusal, reject, type ValidationOutcome } from './outcome.js';
import type { ForgottenSlot, HeldMessage, ReplayState } from './replayState.js';
import type { AdmitResult, IngestContext, IngestResult, TypeRules, WireEnvelope } from './types.js';

export interface PipelineLimits {
  /** Largest wire message, bytes (rule 1). */
  readonly maxMessageBytes: number;
  /** Accepted clock skew, ms (envelope.md: `skewMs`). */
  readonly skewMs: number;
  /** Largest age of a message not received by sync, ms (envelope.md: `maxAgeMs`). */
  readonly maxAgeMs: number;
}

/** Gossip topics as the pipeline needs them (p2p.md#topics), injected by the network layer. */
export interface TopicRules {
  /** Rules 11–12: the topic's kind (and pool id, lower-case hex without `0x`), or why it is not one. */
  parse(
    topic: string,
  ):
    | { readonly ok: true; readonly kind: string; readonly poolId?: string }
    | { readonly ok: false; readonly code: 'GOSSIP_UNKNOWN_TOPIC' | 'GOSSIP_UNSUPPORTED_TOPIC_VERSION' };
  /** The topic kind a message type travels on, if any. */
  kindOf(type: string): string | undefined;
}

export interface PipelineDependencies {
  readonly limits: PipelineLimits;
  /** Replay state; without it the (state) rules are skipped and nothing is recorded. */
  readonly state?: ReplayState;
  /** Which key signs for a member at a seq; the pipeline records the rotations it accepts. */
  readonly signers?: SignerRegistry;
  /** Contract (ERC-1271) members and their chains. */
  readonly contracts?: ContractSignatures;
  /**
   * How rule 24 recovers an EOA signer, e.g. a `RecoverPool`'s `recover` (worker threads under bursts);
   * default `recoverSigner` inline. The verdict is the same either way.
   */
  readonly recoverSigner?: RecoverSignerFn;
  /** (node) The member set (rule 19). */
  readonly membership?: { isMember(address: string): boolean };
  /** (gossip) Topic rules 11–13, applied to messages that came with a topic. */
  readonly topics?: TopicRules;
  /** (node) The schema step (rule 25), e.g. `checkEnvelopeSchema`. */
  readonly checkSchema?: (envelope: WireEnvelope) => Refusal | null;
  /** The vault domain expected of a pool-scoped message (rule 14); `null`: none; `undefined`: not checked. */
  readonly expectedDomain?: (envelope: WireEnvelope) => EnvelopeDomain | null | undefined;
  /** (node) The per-type gossip rules (rules 32–33). */
  readonly typeRules?: TypeRules;
  /** (node)(gossip) Issuer budgets (rule 34, p2p.md#issuer-budgets); without it no budget applies. */
  readonly issuerLimit?: IssuerRateLimiter;
  readonly now?: () => number;
  /** Called with both envelopes when an equivocation is detected (rule 29; the new signature verified). */
  readonly onEquivocation?: (
    first: { id: string },
    second: { id: string; envelope: WireEnvelope; wire: Uint8Array },
  ) => void;
}

export interface ValidationPipeline {
  /** Runs every rule; on accept the message is recorded and durably stored before it answers. Never throws. */
  ingest(wire: Uint8Array, ctx: IngestContext): Promise<IngestResult>;
  /**
   * Rules 1–19, synchronously: what needs neither the replay state nor a signature. The gossip path
   * screens each message as it arrives (p2p.md#queues), so that a REJECT reaches the router at once
   * and only decoded envelopes wait in the queue. Never throws.
   */
  screen(wire: Uint8Array, ctx: IngestContext): Screened | Refused;
  /**
   * Runs every rule (from rule 20 when given what `screen` answered for these bytes and context); on
   * accept the message is recorded in the replay state and the answer comes before its durable append,
   * whose outcome `durable` gives (relay on validation). Never throws.
   */
  admit(wire: Uint8Array, ctx: IngestContext, screened?: Screened): Promise<AdmitResult>;
  /** The rules that need no replay state, without recording anything (the harness `verify`, benchmarks). */
  check(wire: Uint8Array, ctx: IngestContext): Promise<ValidationOutcome>;
  /** The signer registry the pipeline resolves keys through (fed by the rotations it accepts). */
  readonly signers: SignerRegistry;
}

type Refused = Refusal & { readonly id?: string };

/** A message that passed rules 1–19 (`ValidationPipeline.screen`): its envelope, id and receiver clock. */
export interface Screened {
  readonly outcome: 'screened';
  readonly envelope: Envelope;
  readonly id: MessageId;
  /** The clock rules 15–18 used; the later rules use it too. */
  readonly now: number;
}

/** A refusal with the message id it concerns (one function, not a closure per message). */
function refused(r: Refusal, id: string): Refused {
  return { ...r, id };
}

/** The `durable` of a message recorded where nothing is written (no state, a memory state). */
const NOTHING_TO_WAIT: Promise<Refusal | null> = Promise.resolve(null);

export function createValidationPipeline(deps: PipelineDependencies): ValidationPipeline {
  const { limits } = deps;
  const nowOf = deps.now ?? Date.now;
  const signers = deps.signers ?? new SignerRegistry();
  const recover = deps.recoverSigner ?? recoverSigner;
  /** (issuer:seq) slots being validated right now → message id; bounded by the queues feeding the pipeline. */
  const inFlight = new Map<string, string>();

  /** Rules 1–19, the ones that read nothing the node holds and never wait: synchronous. */
  function screen(wire: Uint8Array, ctx: IngestContext): Screened | Refused {
    const now = ctx.now ?? nowOf();
    // 1. [REJECT] The wire bytes are at most `maxBytes` long. — ENVELOPE_TOO_LARGE
    const size = checkSize(wire, limits.maxMessageBytes);
    if (size) return size;
    // 2. [REJECT] The bytes are UTF-8 JSON of a canonicalizable value (≤ 64 levels). — ENVELOPE_MALFORMED
    // 3. [REJECT] The bytes are the value's canonical form. — ENVELOPE_NOT_CANONICAL
    const decoded = decodeEnvelope(wire, { maxBytes: Number.POSITIVE_INFINITY });
    if (decoded.outcome !== 'accept') return decoded;
    // The router's id when it hashed these bytes already (one keccak per wire), else ours.
    const id = ctx.messageId ?? messageIdOf(wire);
    // 4.–10. version string, MAJOR, MINOR, members, type, scope, address form (checkDecodedEnvelope).
    const shape = checkDecodedEnvelope(decoded.value);
    if (shape) return refused(shape, id);
    const envelope = decoded.value as Envelope;
    // 11.–13. (gossip) [REJECT] unknown topic / [IGNORE] other MAJOR / [REJECT] wrong topic.
    const topic = checkTopic(envelope, ctx.topic, deps.topics);
    if (topic) return refused(topic, id);
    // 14. [REJECT] A pool-scoped message carries the vault domain the receiver expects. — ENVELOPE_DOMAIN_MISMATCH
    const domain = checkDomain(envelope, deps.expectedDomain?.(envelope));
    if (domain) return refused(domain, id);
    // 15.–18. [REJECT] far future / [IGNORE] from future / [REJECT] expired / [IGNORE] too old
    //         (the past side is not applied to catch-up sync).
    const time = checkIssuedAt(envelope.issuedAt, now, limits.skewMs, {
      maxAgeMs: ctx.source === 'sync' ? undefined : limits.maxAgeMs,
    });
    if (time) return refused(time, id);
    // 19. (node) [REJECT] `issuer` is a member of the network. — GOSSIP_NOT_MEMBER
    const member = checkMember(envelope, deps.membership);
    if (member) return refused(member, id);
    return { outcome: 'screened', envelope, id, now };
  }

  async function run(
    wire: Uint8Array,
    ctx: IngestContext,
    state: ReplayState | undefined,
    given?: Screened,
  ): Promise<AdmitResult> {
    const screened = given ?? screen(wire, ctx);
    if (screened.outcome !== 'screened') return screened;
    const { envelope, id, now } = screened;
    const issuer = envelope.issuer.toLowerCase();
    // The slot's in-flight entry is read and reserved before the first await, so that two copies
    // arriving together cannot both pass rules 20–21 (rule 21 uses what was in flight on arrival).
    const slot = `${issuer}:${envelope.seq}`;
    const pending = state === undefined ? undefined : inFlight.get(slot);
    const reserved = state !== undefined && pending === undefined;
    if (reserved) inFlight.set(slot, id);
    try {
      // 20. (state) [IGNORE] The message id is not one already accepted or refused as equivocation. — ENVELOPE_DUPLICATE
      const held = state === undefined ? undefined : await state.slotAt(issuer, envelope.seq, now);
      const seen = checkSeen(id, held, state, now);
      if (seen) return refused(seen, id);
      // 21. (node) [IGNORE] No other message for this slot is being validated now. — GOSSIP_SLOT_IN_FLIGHT
      const busy = checkInFlight(id, pending);
      if (busy) return refused(busy, id);
      // 21.1 (node)(gossip) [IGNORE] The issuer's budget on the topic is not spent (rule 34 looked at
      //      ahead, no token taken): a spent issuer costs no signature check. — GOSSIP_ISSUER_RATE_LIMITED
      const spent =
        state === undefined ? null : checkIssuerBudget(envelope, ctx, now, deps.issuerLimit, 'peek');
      if (spent) return refused(spent, id);
      return await runSigned(envelope, wire, id, ctx, now, state, held);
    } finally {
      if (reserved) inFlight.delete(slot);
    }
  }

  async function runSigned(
    envelope: Envelope,
    wire: Uint8Array,
    id: MessageId,
    ctx: IngestContext,
    now: number,
    state: ReplayState | undefined,
    held: HeldMessage | undefined,
  ): Promise<AdmitResult> {
    const contract = deps.contracts?.isContract(envelope.issuer) === true;
    // 22. [REJECT] The signature is canonically encoded. — ENVELOPE_BAD_SIGNATURE_ENCODING
    //     (its bytes read once, for rule 24 too)
    const sig = signatureBytes(envelope.signature);
    const encoding = checkSignatureEncoding(envelope, contract, sig);
    if (encoding) return refused(encoding, id);
    const digest = digestOf(envelope, wire);
    // 23. [IGNORE] A contract issuer's signature can be checked here. — ENVELOPE_ERC1271_UNVERIFIABLE
    const answer = contract
      ? await deps.contracts?.check(
          envelope.issuer,
          bytesToHex(digest),
          envelope.signature,
          envelope.issuedAt,
        )
      : 'valid';
    const verifiable = checkVerifiable(answer);
    if (verifiable) return refused(verifiable, id);
    // 24. [REJECT] The signature is the issuer's (its key at `seq`, or its contract's). — ENVELOPE_BAD_SIGNATURE
    //     [IGNORE] A contract accepts it at the block of the message's time only. — ENVELOPE_ERC1271_NOT_VALID_NOW
    const signed = checkIssuerSignature(
      envelope,
      digest,
      contract ? answer! : undefined,
      signers,
      recover,
      sig,
    );
    const signer = signed instanceof Promise ? await signed : signed;
    if (signer) return refused(signer, id);
    // 25. (node) [REJECT] The envelope and its payload are valid under their schema. — SCHEMA_*
    const schema = deps.checkSchema?.(envelope) ?? null;
    if (schema) return refused(schema, id);
    // 26. [REJECT] An `EquivocationEvidence` payload proves an equivocation. — ENVELOPE_EVIDENCE_INVALID
    const evidence = checkEvidence(envelope, signers, deps.contracts);
    if (evidence) return refused(evidence, id);
    // 27. [REJECT] A `keyRotation` names an address, effective above the announcement's seq. — ENVELOPE_BAD_ROTATION
    const rotation = readKeyRotation(envelope);
    if (rotation !== null && 'outcome' in rotation) return refused(rotation, id);
    if (state === undefined) return { outcome: 'accept', id, envelope, wire, durable: NOTHING_TO_WAIT };

    // 28. (state) [IGNORE] The slot does not hold the same signed content. — ENVELOPE_DUPLICATE
    const sameContent = checkSlotDuplicate(held, digest);
    if (sameContent) return refused(sameContent, id);
    // 29. (state) [IGNORE] Neither the slot nor the attestation slot holds a conflicting message. — ENVELOPE_EQUIVOCATION
    const conflict = await conflictOf(envelope, held, state, now);
    if (conflict !== undefined) {
      state.recordEquivocation(id, now);
      deps.onEquivocation?.({ id: conflict.id }, { id, envelope, wire });
      return refused(ignore('ENVELOPE_EQUIVOCATION', { first: conflict.id, second: id }), id);
    }
    // 30. (state) [IGNORE] The state did not drop the issuer's slot at `seq`. — ENVELOPE_SEQ_STALE
    const stale = checkStaleSeq(envelope, state.forgotten(envelope.issuer, envelope.seq));
    if (stale) return refused(stale, id);
    // 31. (state) [REJECT] A rotation takes effect after the member's previous one. — ENVELOPE_BAD_ROTATION
    const order = rotation === null ? null : signers.checkOrder(envelope.issuer, rotation);
    if (order) return refused(order, id);
    // 32.–33. (node) the per-type gossip rules (NodeAnnouncement member, pool, alert and event rules).
    const typed = (await deps.typeRules?.(envelope, id)) ?? ACCEPT;
    if (typed.outcome !== 'accept') return refused(typed, id);
    // 34. (node)(gossip) [IGNORE] The issuer's budget on the topic has a token. — GOSSIP_ISSUER_RATE_LIMITED
    const budget = checkIssuerBudget(envelope, ctx, now, deps.issuerLimit);
    if (budget) return refused(budget, id);
    // 35. (node) [IGNORE] The store takes the message (it is open and undamaged). — GOSSIP_STORE_UNAVAILABLE
    const recorded = await record(
      state,
      { id, envelope, wire, source: ctx.from, via: ctx.source },
      now,
      rotation,
    );
    if ('outcome' in recorded) return refused(recorded, id);
    return { outcome: 'accept', id, envelope, wire, durable: recorded.durable };
  }

  /** @rule 35 The replay state (the node's store) takes the message, or IGNORE `GOSSIP_STORE_UNAVAILABLE`. */
  async function record(
    state: ReplayState,
    message: HeldMessage & { source: string; via: IngestContext['source'] },
    now: number,
    rotation: KeyRotation | null,
  ): Promise<Refusal | { durable: Promise<Refusal | null> }> {
    const unavailable = (err: unknown): Refusal => {
      // The store's own code (e.g. STORE_NO_SPACE) travels with the verdict, so the API can name it.
      const storeCode = /^STORE_[A-Z_]+/.exec(String((err as Error)?.message ?? ''))?.[0];
      return ignore('GOSSIP_STORE_UNAVAILABLE', {
        error: String(err),
        ...(storeCode === undefined ? {} : { storeCode }),
      });
    };
    let recorded: Awaited<ReturnType<ReplayState['record']>>;
    try {
      recorded = await state.record(message, now);
    } catch (err) {
      return unavailable(err);
    }
    if (rotation !== null) signers.record(message.envelope.issuer, rotation);
    return {
      durable: recorded === undefined ? NOTHING_TO_WAIT : recorded.durable.then(() => null, unavailable),
    };
  }

  /**
   * @rule 29 The message held at the slot, or a `ClaimAttestation` of the same `(issuer, claimId, round)`
   * with another payload hash: what this message equivocates with, if anything.
   */
  async function conflictOf(
    envelope: Envelope,
    held: HeldMessage | undefined,
    state: ReplayState,
    now: number,
  ): Promise<HeldMessage | undefined> {
    if (held !== undefined) return held;
    const a = attestationSlotOf(envelope);
    if (a === null) return undefined;
    const prior = await state.attestationAt(envelope.issuer.toLowerCase(), a.claimId, a.round, now);
    return prior !== undefined && hashPayload(prior.envelope.payload) !== hashPayload(envelope.payload)
      ? prior
      : undefined;
  }

  /** A bug of ours never penalizes an honest peer (envelope.md#verification). */
  const internal = (err: unknown): Refusal => ({
    outcome: 'ignore',
    code: 'ENVELOPE_INTERNAL',
    meta: { error: String(err) },
  });

  async function guarded(
    wire: Uint8Array,
    ctx: IngestContext,
    state: ReplayState | undefined,
    screened?: Screened,
  ): Promise<AdmitResult> {
    try {
      return await run(wire, ctx, state, screened);
    } catch (err) {
      return internal(err);
    }
  }

  return {
    signers,
    screen(wire, ctx) {
      try {
        return screen(wire, ctx);
      } catch (err) {
        return internal(err);
      }
    },
    admit: (wire, ctx, screened) => guarded(wire, ctx, deps.state, screened),
    async ingest(wire, ctx) {
      const r = await guarded(wire, ctx, deps.state);
      if (r.outcome !== 'accept') return r;
      const { durable, ...accepted } = r;
      const failed = await durable;
      return failed === null ? accepted : { ...failed, id: r.id };
    },
    async check(wire, ctx) {
      const r = await guarded(wire, ctx, undefined);
      return r.outcome === 'accept' ? ACCEPT : r;
    },
  };
}

// ---- the rules not provided by the envelope library, in spec order --------------------------------

/** @rule 1 */
export function checkSize(wire: Uint8Array, maxBytes: number): Refusal | null {
  return wire.length > maxBytes ? reject('ENVELOPE_TOO_LARGE', { bytes: wire.length, max: maxBytes }) : null;
}

/**
 * @rule 11 12 13 (gossip): the topic is an SFR topic (REJECT `GOSSIP_UNKNOWN_TOPIC`) of this MAJOR (IGNORE
 * `GOSSIP_UNSUPPORTED_TOPIC_VERSION`) that carries the envelope's type and, for a pool topic, its
 * `scope.poolId` (REJECT `GOSSIP_WRONG_TOPIC`). Not applied to a message that came without a topic.
 */
export function checkTopic(
  envelope: Envelope,
  topic: string | undefined,
  topics: TopicRules | undefined,
): Refusal | null {
  if (topic === undefined || topics === undefined) return null;
  const parsed = topics.parse(topic);
  if (!parsed.ok) {
    return parsed.code === 'GOSSIP_UNSUPPORTED_TOPIC_VERSION'
      ? ignore(parsed.code, { topic })
      : reject(parsed.code);
  }
  if (topics.kindOf(envelope.type) !== parsed.kind) {
    return reject('GOSSIP_WRONG_TOPIC', { type: envelope.type, topic });
  }
  if (parsed.poolId !== undefined && `0x${parsed.poolId}` !== envelope.scope?.poolId) {
    return reject('GOSSIP_WRONG_TOPIC', { poolId: envelope.scope?.poolId, topic });
  }
  return null;
}

/** @rule 19 (node) */
export function checkMember(
  envelope: Envelope,
  membership: { isMember(a: string): boolean } | undefined,
): Refusal | null {
  return membership === undefined || membership.isMember(envelope.issuer)
    ? null
    : reject('GOSSIP_NOT_MEMBER', { issuer: envelope.issuer });
}

/** @rule 20 (state): the slot holds this very message, or it was refused as equivocation before. */
export function checkSeen(
  id: string,
  held: HeldMessage | undefined,
  state: ReplayState | undefined,
  now: number,
): Refusal | null {
  if (state === undefined) return null;
  return held?.id === id || state.isKnownEquivocation(id, now) ? ignore('ENVELOPE_DUPLICATE') : null;
}

/** @rule 21 (node): another copy of this slot is being validated; the same id is a duplicate. */
export function checkInFlight(id: string, pending: string | undefined): Refusal | null {
  if (pending === undefined) return null;
  return pending === id ? ignore('ENVELOPE_DUPLICATE') : ignore('GOSSIP_SLOT_IN_FLIGHT');
}

/** @rule 23 a contract member's signature could be checked on its chain. */
export function checkVerifiable(answer: Erc1271Answer): Refusal | null {
  return answer === undefined ? ignore('ENVELOPE_ERC1271_UNVERIFIABLE') : null;
}

/**
 * @rule 24 The signature is the issuer's: an EOA member's signature recovers to its key at `seq`
 * (`contractAnswer` undefined); a contract member's `isValidSignature` answered the magic value at the
 * latest block. Refused there but accepted at the block of the message's time, it is IGNOREd, not
 * REJECTed: the peer that relayed it may have checked it before the owners changed, and a relay cannot
 * know the receiver's block.
 */
export function checkIssuerSignature(
  envelope: Envelope,
  digest: Uint8Array,
  contractAnswer: Exclude<Erc1271Answer, undefined> | undefined,
  signers: SignerRegistry,
  recover: RecoverSignerFn,
  sig?: Uint8Array | null,
): Refusal | null | Promise<Refusal | null> {
  if (contractAnswer === undefined) return checkSignerWith(envelope, digest, signers, recover, sig);
  if (contractAnswer === 'not-valid-now')
    return ignore('ENVELOPE_ERC1271_NOT_VALID_NOW', { issuedAt: envelope.issuedAt });
  return contractAnswer === 'valid' ? null : reject('ENVELOPE_BAD_SIGNATURE', { erc1271: true });
}

/** @rule 26 an `EquivocationEvidence` payload proves, from its two envelopes alone, what it says. */
export function checkEvidence(
  envelope: Envelope,
  signers: SignerRegistry,
  contracts: ContractSignatures | undefined,
): Refusal | null {
  if (envelope.type !== 'EquivocationEvidence') return null;
  const r = verifyEquivocationEvidence(envelope.payload, {
    signers,
    ...(contracts === undefined ? {} : { isContractMember: (a: Address) => contracts.isContract(a) }),
  });
  return r.outcome === 'accept' ? null : r;
}

/** @rule 28 (state): the slot holds the same signed content (equal digests) under another signature. */
export function checkSlotDuplicate(held: HeldMessage | undefined, digest: Uint8Array): Refusal | null {
  if (held === undefined) return null;
  const heldDigest = bytesToHex(digestOf(held.envelope, held.wire));
  return heldDigest === bytesToHex(digest) ? ignore('ENVELOPE_DUPLICATE', { sameContentAs: held.id }) : null;
}

/** @rule 30 (state) */
export function checkStaleSeq(envelope: Envelope, forgotten: ForgottenSlot | undefined): Refusal | null {
  return forgotten === undefined ? null : ignore('ENVELOPE_SEQ_STALE', { seq: envelope.seq, ...forgotten });
}

/**
 * @rule 21.1 34 (node, gossip): one token of the issuer's budget on the topic (p2p.md#issuer-budgets). Last
 * before the store, so that only a message that would otherwise be accepted spends a token. With
 * `'peek'` it is rule 21.1: the same bucket looked at before the signature, nothing taken, so a
 * forger cannot spend an honest member's budget and a spent member's flood costs no ecrecover.
 */
export function checkIssuerBudget(
  envelope: Envelope,
  ctx: IngestContext,
  now: number,
  limiter: IssuerRateLimiter | undefined,
  mode: 'take' | 'peek' = 'take',
): Refusal | null {
  if (limiter === undefined || ctx.source !== 'gossip' || ctx.topic === undefined) return null;
  const issuer = envelope.issuer.toLowerCase();
  return (
    mode === 'peek'
      ? limiter.hasToken(issuer, ctx.topic, now)
      : limiter.tryTake(issuer, ctx.topic, now)
  )
    ? null
    : ignore('GOSSIP_ISSUER_RATE_LIMITED', {
        issuer: envelope.issuer,
        topic: ctx.topic,
        burst: limiter.budget.burst,
        perSecond: limiter.budget.perSecond,
      });
}
