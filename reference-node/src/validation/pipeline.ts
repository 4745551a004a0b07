/**
 * The validation pipeline run on every inbound message (gossip and sync), cheapest check first.
 * Each check is preceded by the rule of spec/v1/p2p.md#validation-rules it implements, quoted, in spec
 * order. A message that passes every rule is durably appended to the store BEFORE the pipeline answers
 * `accept` (so the router relays only what survives `kill -9`).
 */
import { checkIssuedAt } from '../envelope/index.js';
import { parseTopic, topicForEnvelope } from '../network/topics.js';
import type { Membership } from './membership.js';
import { ignore, type Refusal, reject, type ValidationOutcome } from './outcome.js';
import type { SeenCache } from './seenCache.js';
import type {
  EnvelopeCodec,
  IngestContext,
  IngestResult,
  PipelineStore,
  TypeRules,
  WireEnvelope,
} from './types.js';

/** The wire MAJOR this node speaks and the highest MINOR it knows (proposal 0001 §3). */
export const SUPPORTED_MAJOR = 1;
export const SUPPORTED_MINOR = 0;

const POOL_TYPES: ReadonlySet<string> = new Set([
  'PoolCharter',
  'FundClaim',
  'ClaimAttestation',
  'ClaimDecision',
]);
const KNOWN_TYPES: ReadonlySet<string> = new Set([
  'RecoveryEvent',
  'ContagionAlert',
  'NodeAnnouncement',
  'EquivocationEvidence',
  ...POOL_TYPES,
]);
const VERSION = /^([1-9][0-9]{0,3}|0)\.([1-9][0-9]{0,3}|0)$/;

export interface PipelineLimits {
  /** Largest wire message, bytes. */
  readonly maxMessageBytes: number;
  /** Accepted clock skew into the future, ms (envelope.md: `skewMs`). */
  readonly skewMs: number;
  /** Largest age of a gossiped message, ms (envelope.md: `maxAgeMs`); not applied to sync. */
  readonly maxAgeMs: number;
}

export interface PipelineDependencies {
  readonly codec: EnvelopeCodec;
  readonly store: PipelineStore;
  readonly membership: Membership;
  readonly seen: SeenCache;
  readonly typeRules: TypeRules;
  readonly limits: PipelineLimits;
  readonly now?: () => number;
  /** Called with both envelopes when an equivocation is detected (signature of the new one verified). */
  readonly onEquivocation?: (
    first: { id: string },
    second: { id: string; envelope: WireEnvelope; wire: Uint8Array },
  ) => void;
}

export interface ValidationPipeline {
  /** Runs every rule; on accept the message is stored. Never throws (an internal error is the caller's IGNORE). */
  ingest(wire: Uint8Array, ctx: IngestContext): Promise<IngestResult>;
  /** The checks without the store append or the store lookups (benchmarks, dry runs). */
  checkStateless(wire: Uint8Array, ctx: IngestContext): ValidationOutcome;
}

export function createValidationPipeline(deps: PipelineDependencies): ValidationPipeline {
  const { codec, store, membership, seen, typeRules, limits } = deps;
  const now = deps.now ?? Date.now;
  /** (issuer:seq) slots being validated right now → message id; bounded by the queues feeding the pipeline. */
  const inFlight = new Map<string, string>();

  type Stage1 =
    | { ok: true; envelope: WireEnvelope; id: string }
    | { ok: false; refusal: Refusal; id?: string };

  /** Rules up to and including "time window": pure, synchronous, no store access. */
  function stageOne(wire: Uint8Array, ctx: IngestContext): Stage1 {
    // [REJECT] The message data is larger than `maxMessageBytes`. — ENVELOPE_TOO_LARGE
    if (wire.length > limits.maxMessageBytes) {
      return {
        ok: false,
        refusal: reject('ENVELOPE_TOO_LARGE', { bytes: wire.length, max: limits.maxMessageBytes }),
      };
    }
    // [REJECT] The data is not UTF-8 JSON. — ENVELOPE_MALFORMED
    // [REJECT] The data is not the RFC 8785 canonical encoding of its value. — ENVELOPE_NOT_CANONICAL
    const decoded = codec.decode(wire);
    if (decoded.outcome !== 'accept') return { ok: false, refusal: decoded };
    const id = codec.messageId(wire);

    // [IGNORE] `sfr` has a MAJOR other than 1. — ENVELOPE_UNSUPPORTED_MAJOR
    // [IGNORE] `sfr` has MAJOR 1 and a MINOR higher than the node knows. — ENVELOPE_UNSUPPORTED_MINOR
    const sfr = (decoded.value as { sfr?: unknown } | null)?.sfr;
    const version = typeof sfr === 'string' ? VERSION.exec(sfr) : null;
    if (version !== null && Number(version[1]) !== SUPPORTED_MAJOR) {
      return { ok: false, id, refusal: ignore('ENVELOPE_UNSUPPORTED_MAJOR', { sfr }) };
    }
    if (version !== null && Number(version[2]) > SUPPORTED_MINOR) {
      return { ok: false, id, refusal: ignore('ENVELOPE_UNSUPPORTED_MINOR', { sfr }) };
    }
    // [REJECT] The envelope's structure is wrong (fields, types, `scope` exactly on pool types). —
    //          ENVELOPE_MALFORMED / ENVELOPE_UNKNOWN_TYPE / ENVELOPE_SCOPE_MISMATCH
    const shape = codec.checkShape(decoded.value);
    if (shape !== null) return { ok: false, id, refusal: shape };
    const envelope = decoded.value as WireEnvelope;

    // [REJECT] (gossip) The topic is not an SFR v1 topic. — GOSSIP_UNKNOWN_TOPIC
    // [IGNORE] (gossip) The topic names another MAJOR. — GOSSIP_UNSUPPORTED_TOPIC_VERSION
    let topicPoolId: string | undefined;
    let topicKind: string | undefined;
    if (ctx.source === 'gossip') {
      const parsed = parseTopic(ctx.topic ?? '');
      if (!parsed.ok) {
        return {
          ok: false,
          id,
          refusal:
            parsed.code === 'GOSSIP_UNSUPPORTED_TOPIC_VERSION' ? ignore(parsed.code) : reject(parsed.code),
        };
      }
      topicKind = parsed.topic.kind;
      if (parsed.topic.kind === 'pool') topicPoolId = parsed.topic.poolId;
    }
    // [REJECT] `type` is not a v1.0 message type. — ENVELOPE_UNKNOWN_TYPE
    if (!KNOWN_TYPES.has(envelope.type)) {
      return { ok: false, id, refusal: reject('ENVELOPE_UNKNOWN_TYPE', { type: envelope.type }) };
    }
    // [REJECT] (gossip) The message type does not travel on this topic. — GOSSIP_WRONG_TOPIC
    if (topicKind !== undefined) {
      const expected = topicForEnvelope(envelope.type, envelope.scope?.poolId);
      if (expected === undefined || expected.kind !== topicKind) {
        return {
          ok: false,
          id,
          refusal: reject('GOSSIP_WRONG_TOPIC', { type: envelope.type, topic: ctx.topic }),
        };
      }
    }

    // [IGNORE] The message id was already decided: accepted → ENVELOPE_DUPLICATE; refused → the same verdict.
    const prior = seen.get(id);
    if (prior === null) return { ok: false, id, refusal: ignore('ENVELOPE_DUPLICATE') };
    if (prior !== undefined) return { ok: false, id, refusal: prior };

    // [REJECT] `scope` is absent on a pool message type or present on another type. — ENVELOPE_SCOPE_MISMATCH
    const isPool = POOL_TYPES.has(envelope.type);
    if (isPool !== (envelope.scope !== undefined)) {
      return { ok: false, id, refusal: reject('ENVELOPE_SCOPE_MISMATCH', { type: envelope.type }) };
    }
    // [REJECT] (gossip) A pool topic's pool id differs from `scope.poolId`. — GOSSIP_WRONG_TOPIC
    if (topicPoolId !== undefined && `0x${topicPoolId}` !== envelope.scope?.poolId) {
      return { ok: false, id, refusal: reject('GOSSIP_WRONG_TOPIC', { poolId: envelope.scope?.poolId }) };
    }

    // [REJECT] `issuedAt` > now + 2·`skewMs`. — ENVELOPE_FAR_FUTURE
    // [IGNORE] `issuedAt` > now + `skewMs`. — ENVELOPE_FROM_FUTURE
    // [REJECT] (gossip) `issuedAt` < now − `maxAgeMs` − 2·`skewMs`. — ENVELOPE_EXPIRED
    // [IGNORE] (gossip) `issuedAt` < now − `maxAgeMs` − `skewMs`. — ENVELOPE_TOO_OLD
    const time = checkIssuedAt(envelope.issuedAt, now(), limits.skewMs, {
      maxAgeMs: ctx.source === 'gossip' ? limits.maxAgeMs : undefined,
    });
    if (time !== null) return { ok: false, id, refusal: time };

    // [REJECT] `issuer` is not a member of the network. — GOSSIP_NOT_MEMBER
    if (!membership.isMember(envelope.issuer)) {
      return { ok: false, id, refusal: reject('GOSSIP_NOT_MEMBER', { issuer: envelope.issuer }) };
    }
    return { ok: true, envelope, id };
  }

  /** The rules after "sequence": signature, then type rules. */
  function stageThree(envelope: WireEnvelope, wire: Uint8Array): ValidationOutcome {
    // [REJECT] The signature is not 65 bytes r‖s‖v with v ∈ {27, 28} and low s. — ENVELOPE_BAD_SIGNATURE_ENCODING
    // [REJECT] The recovered signer is not `issuer`. — ENVELOPE_BAD_SIGNATURE
    const sig = codec.verifySignature(envelope, wire);
    if (sig.outcome !== 'accept') return sig;
    // [REJECT] The envelope or its payload violates its schema. — SCHEMA_* (the schema registry's code)
    // [REJECT]/[IGNORE] The payload breaks its type's rules. — the type's code
    return typeRules(envelope);
  }

  function remember(id: string, outcome: ValidationOutcome): void {
    // Only verdicts that are a property of the bytes are cached; IGNOREs that depend on time or on the
    // store (future, in flight, store trouble) must be re-evaluated next time. Time REJECTs are not cached
    // either: re-evaluating them is as cheap as the lookup, and a cached one would outlive its reason.
    if (
      outcome.outcome === 'reject' &&
      outcome.code !== 'ENVELOPE_FAR_FUTURE' &&
      outcome.code !== 'ENVELOPE_EXPIRED'
    )
      seen.set(id, outcome);
  }

  return {
    checkStateless(wire, ctx) {
      const s1 = stageOne(wire, ctx);
      if (!s1.ok) return s1.refusal;
      return stageThree(s1.envelope, wire);
    },

    async ingest(wire, ctx) {
      const s1 = stageOne(wire, ctx);
      if (!s1.ok) {
        if (s1.id === undefined) return s1.refusal;
        remember(s1.id, s1.refusal);
        return { ...s1.refusal, id: s1.id };
      }
      const { envelope, id } = s1;
      const issuer = envelope.issuer.toLowerCase();
      const slot = `${issuer}:${envelope.seq}`;

      // [IGNORE] (issuer, seq) already holds this message id (a replay). — ENVELOPE_DUPLICATE
      // [IGNORE] (issuer, seq) holds another message id with the same signed digest. — ENVELOPE_DUPLICATE
      // [IGNORE] (issuer, seq) holds another message id, another digest, and the new signature is valid. —
      //          ENVELOPE_EQUIVOCATION (both envelopes are kept as evidence; a bad signature is REJECTed as
      //          in the signature rule)
      const pending = inFlight.get(slot);
      if (pending !== undefined) {
        return pending === id
          ? { ...ignore('ENVELOPE_DUPLICATE'), id }
          : { ...ignore('GOSSIP_SLOT_IN_FLIGHT'), id };
      }
      inFlight.set(slot, id);
      try {
        const held = await store.heldAt(issuer, envelope.seq);
        if (held?.id === id) {
          seen.set(id, null);
          return { ...ignore('ENVELOPE_DUPLICATE'), id };
        }
        if (held !== undefined) {
          const sig = codec.verifySignature(envelope, wire);
          if (sig.outcome !== 'accept') {
            remember(id, sig);
            return { ...sig, id };
          }
          // The same signed content under another (valid) signature is a duplicate, not equivocation.
          const heldDecoded = codec.decode(held.wire);
          if (
            heldDecoded.outcome === 'accept' &&
            codec.digest(heldDecoded.value as WireEnvelope, held.wire) === codec.digest(envelope, wire)
          ) {
            return { ...ignore('ENVELOPE_DUPLICATE', { sameContentAs: held.id }), id };
          }
          deps.onEquivocation?.({ id: held.id }, { id, envelope, wire });
          return { ...ignore('ENVELOPE_EQUIVOCATION', { first: held.id, second: id }), id };
        }

        const s3 = stageThree(envelope, wire);
        if (s3.outcome !== 'accept') {
          remember(id, s3);
          return { ...s3, id };
        }
        // Accepted: durably stored before the router is told to relay.
        try {
          await store.append(wire, { id, source: ctx.from });
        } catch (err) {
          return { ...ignore('GOSSIP_STORE_UNAVAILABLE', { error: String(err) }), id };
        }
        seen.set(id, null);
        return { outcome: 'accept', id, envelope, wire };
      } finally {
        inFlight.delete(slot);
      }
    },
  };
}
