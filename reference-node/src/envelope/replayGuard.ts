import { attestationSlotOf, buildEquivocationEvidence, type EquivocationEvidence } from './equivocation.js';
import { hashPayload } from './hashPayload.js';
import { bytesToHex } from './hex.js';
import { messageIdOf } from './messageIdOf.js';
import type { SignerRegistry } from './signerRegistry.js';
import type { Envelope, Hex, Refusal } from './types.js';
import {
  checkEvidencePayload,
  checkSignature,
  DEFAULT_MAX_AGE_MS,
  DEFAULT_SKEW_MS,
  digestOf,
  precheckEnvelope,
  type VerifiedEnvelope,
  type VerifyContext,
} from './verifyEnvelope.js';

export type ReplayConfig = {
  skewMs?: number;
  maxAgeMs?: number;
  maxBytes?: number;
  /** Bound on remembered messages; the oldest are dropped first. Default 200 000 (~100 MB worst case). */
  maxEntries?: number;
  /** Bound on issuers whose highest seq is remembered. Default 100 000. */
  maxIssuers?: number;
  /**
   * Key rotations: accepted `NodeAnnouncement`s with `keyRotation` are applied to it, and it
   * resolves signing keys unless the ingest context passes its own `signers`.
   */
  rotations?: SignerRegistry;
};

export type IngestContext = Pick<
  VerifyContext,
  'signers' | 'isContractMember' | 'expectedDomain' | 'checkSchema'
>;

export type IngestResult = VerifiedEnvelope | Refusal;

type Seen = { messageId: Hex; envelope: Envelope; expiresAt: number; digest: Hex; payloadHash?: Hex };

/** Drop expired entries from the front of an insertion-ordered map (lazy; stops at the first live one). */
function pruneFront<V extends { expiresAt: number }>(map: Map<string, V>, now: number, max: number): void {
  for (const [key, value] of map) {
    if (value.expiresAt >= now && map.size <= max) break;
    map.delete(key);
  }
}

/**
 * Replay, ordering and equivocation state of one receiver (envelope.md#replay): a seen-cache of
 * message ids and of (issuer, seq) and (issuer, claimId, round) slots, each kept for
 * `maxAgeMs + 2 × skewMs` after first sight, and the highest accepted seq per issuer. Bounded.
 */
export class ReplayGuard {
  readonly skewMs: number;
  readonly maxAgeMs: number;
  readonly ttlMs: number;
  private readonly maxBytes: number | undefined;
  private readonly maxEntries: number;
  private readonly maxIssuers: number;
  private readonly byId = new Map<string, { expiresAt: number }>();
  private readonly bySeq = new Map<string, Seen>();
  private readonly byAttestation = new Map<string, Seen>();
  private readonly highest = new Map<string, number>();
  private readonly rotations: SignerRegistry | undefined;

  constructor(config: ReplayConfig = {}) {
    this.skewMs = config.skewMs ?? DEFAULT_SKEW_MS;
    this.maxAgeMs = config.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    // A message is acceptable while now ∈ [issuedAt − skew, issuedAt + maxAge + skew]: a span of
    // maxAge + 2·skew. Remembering it for that long after first sight means a replay is always
    // caught by the cache or by the time window (envelope.md#replay).
    this.ttlMs = this.maxAgeMs + 2 * this.skewMs;
    this.maxBytes = config.maxBytes;
    this.maxEntries = config.maxEntries ?? 200_000;
    this.maxIssuers = config.maxIssuers ?? 100_000;
    this.rotations = config.rotations;
  }

  /** Messages remembered. */
  get size(): number {
    return this.byId.size;
  }

  /** Highest accepted seq of `issuer`, if remembered. */
  highestSeq(issuer: string): number | undefined {
    return this.highest.get(issuer.toLowerCase());
  }

  /** Forget expired entries. */
  prune(now: number): void {
    pruneFront(this.byId, now, this.maxEntries);
    pruneFront(this.bySeq, now, this.maxEntries);
    pruneFront(this.byAttestation, now, this.maxEntries);
  }

  /**
   * Run the full envelope.md#verification list on one received message, with replay state:
   * … time window → DUPLICATE → signature → EQUIVOCATION → SEQ_STALE → accept (and remember).
   * An equivocation is IGNOREd and its `meta.evidence` is the `EquivocationEvidence` to publish.
   * Never throws.
   */
  ingest(input: Uint8Array | unknown, now: number, ctx: IngestContext = {}): IngestResult {
    try {
      return this.ingestUnsafe(input, now, ctx);
    } catch (error) {
      return { outcome: 'ignore', code: 'ENVELOPE_INTERNAL', meta: { error: String(error) } };
    }
  }

  private ingestUnsafe(input: Uint8Array | unknown, now: number, given: IngestContext): IngestResult {
    const ctx: IngestContext =
      this.rotations && !given.signers ? { ...given, signers: this.rotations } : given;
    this.prune(now);
    const pre = precheckEnvelope(input, {
      ...ctx,
      now,
      skewMs: this.skewMs,
      maxAgeMs: this.maxAgeMs,
      ...(this.maxBytes === undefined ? {} : { maxBytes: this.maxBytes }),
    });
    if (pre.outcome !== 'accept') return pre;
    const { envelope, wire } = pre;
    const messageId = messageIdOf(wire);
    const seen = this.byId.get(messageId);
    if (seen && seen.expiresAt >= now)
      return { outcome: 'ignore', code: 'ENVELOPE_DUPLICATE', meta: { messageId } };
    const digestBytes = digestOf(envelope, wire);
    const sig = checkSignature(envelope, ctx, digestBytes);
    if (sig) return sig;
    const digest = bytesToHex(digestBytes);
    const evidence = checkEvidencePayload(envelope, ctx);
    if (evidence) return evidence;

    const issuer = envelope.issuer.toLowerCase();
    const expiresAt = now + this.ttlMs;
    const seqKey = `${issuer}|${envelope.seq}`;
    const prior = this.bySeq.get(seqKey);
    if (prior && prior.expiresAt >= now) {
      // The same signed content under another signature (a signer with random nonces) is a
      // duplicate, not equivocation.
      if (prior.digest === digest) {
        this.remember(messageId, expiresAt);
        return {
          outcome: 'ignore',
          code: 'ENVELOPE_DUPLICATE',
          meta: { messageId, sameContentAs: prior.messageId },
        };
      }
      return this.equivocation(prior, envelope, messageId, expiresAt);
    }

    const slot = attestationSlotOf(envelope);
    const attKey = slot ? `${issuer}|${slot.claimId}|${slot.round}` : null;
    const payloadHash = slot ? hashPayload(envelope.payload) : undefined;
    if (attKey) {
      const priorAtt = this.byAttestation.get(attKey);
      if (priorAtt && priorAtt.expiresAt >= now && priorAtt.payloadHash !== payloadHash) {
        return this.equivocation(priorAtt, envelope, messageId, expiresAt);
      }
    }
    const highest = this.highest.get(issuer);
    if (highest !== undefined && envelope.seq <= highest) {
      return { outcome: 'ignore', code: 'ENVELOPE_SEQ_STALE', meta: { seq: envelope.seq, highest } };
    }

    if (this.rotations && envelope.type === 'NodeAnnouncement' && 'keyRotation' in envelope.payload) {
      const rotation = this.rotations.applyRotation(envelope);
      if (rotation.outcome !== 'accept') return rotation as Refusal;
    }
    this.remember(messageId, expiresAt);
    this.bySeq.set(seqKey, { messageId, envelope, expiresAt, digest });
    if (attKey && payloadHash)
      this.byAttestation.set(attKey, { messageId, envelope, expiresAt, digest, payloadHash });
    this.highest.delete(issuer); // re-insert: keeps the map in least-recently-updated order
    this.highest.set(issuer, envelope.seq);
    if (this.highest.size > this.maxIssuers) this.highest.delete(this.highest.keys().next().value!);
    this.prune(now); // enforce maxEntries after the insertion
    return { outcome: 'accept', envelope, wire, messageId };
  }

  private remember(messageId: Hex, expiresAt: number): void {
    this.byId.delete(messageId);
    this.byId.set(messageId, { expiresAt });
  }

  private equivocation(prior: Seen, envelope: Envelope, messageId: Hex, expiresAt: number): Refusal {
    const evidence: EquivocationEvidence | null = buildEquivocationEvidence(prior, { envelope, messageId });
    // Remember the second message too, so that its repeats are plain duplicates.
    this.remember(messageId, expiresAt);
    return {
      outcome: 'ignore',
      code: 'ENVELOPE_EQUIVOCATION',
      meta: { messageId, conflictsWith: prior.messageId, evidence },
    };
  }
}

/** Functional form of `ReplayGuard.ingest`. */
export function ingestEnvelope(
  guard: ReplayGuard,
  input: Uint8Array | unknown,
  now: number,
  ctx: IngestContext = {},
): IngestResult {
  return guard.ingest(input, now, ctx);
}
