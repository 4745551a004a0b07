import type { Refusal, ValidationOutcome } from './outcome.js';

/** The wire envelope as the pipeline reads it (proposal 0001 §4; spec/v1/envelope.md#data). */
export interface WireEnvelope {
  readonly sfr: string;
  readonly type: string;
  readonly issuer: string;
  readonly seq: number;
  readonly issuedAt: number;
  readonly scope?: { readonly poolId: string; readonly epoch: number };
  readonly domain?: { readonly chainId: number; readonly verifyingContract: string };
  readonly payload: Readonly<Record<string, unknown>>;
  readonly signature: string;
}

/** Envelope-level operations the pipeline needs; bound to the envelope library in `envelopeCodec.ts`. */
export interface EnvelopeCodec {
  /** UTF-8 JSON + canonical-bytes check (size is checked before); never throws. */
  decode(wire: Uint8Array): { readonly outcome: 'accept'; readonly value: unknown } | Refusal;
  /** Structure of a decoded envelope (after the version check): ENVELOPE_MALFORMED / _UNKNOWN_TYPE /
   * _SCOPE_MISMATCH, or null when well-formed. Never throws. */
  checkShape(value: unknown): Refusal | null;
  /** keccak256 of the wire bytes, lower-case `0x` hex. */
  messageId(wire: Uint8Array): string;
  /** The EIP-712 digest the signature covers (lower-case hex): equal digests = the same signed content.
   * `wire`, when given, must be the envelope's canonical bytes (the payload hash is then read from them). */
  digest(envelope: WireEnvelope, wire?: Uint8Array): string;
  /** Signature encoding + recovered signer = issuer; never throws. `wire` as for `digest`. */
  verifySignature(envelope: WireEnvelope, wire?: Uint8Array): ValidationOutcome;
}

/** What the pipeline needs of the store (E2's `openStore`), adapted in `node/`. */
export interface PipelineStore {
  /** The message held at (issuer, seq), if any. `issuer` is lower-case. */
  heldAt(
    issuer: string,
    seq: number,
  ): Promise<{ readonly id: string; readonly wire: Uint8Array } | undefined>;
  /** Durable append (fsync'd before it resolves); idempotent by id. */
  append(
    wire: Uint8Array,
    info: { readonly id: string; readonly source: string },
  ): Promise<'appended' | 'duplicate'>;
}

/** Schema and per-type rules (last step before the store). */
export type TypeRules = (envelope: WireEnvelope) => ValidationOutcome;

/** Where a message came from: gossip applies the max-age rule, sync does not. */
export type IngestSource = 'gossip' | 'sync' | 'local';

export interface IngestContext {
  readonly source: IngestSource;
  /** Topic string (gossip only). */
  readonly topic?: string;
  /** Peer id the message came from, or `local`. */
  readonly from: string;
}

export interface IngestAccepted {
  readonly outcome: 'accept';
  readonly id: string;
  readonly envelope: WireEnvelope;
  readonly wire: Uint8Array;
}

export type IngestResult =
  | IngestAccepted
  | (Exclude<ValidationOutcome, { outcome: 'accept' }> & { readonly id?: string });
