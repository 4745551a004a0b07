import type { Address, MessageId, PoolId } from '@sfr/schemas';
import type { Refusal, ValidationOutcome } from './outcome.js';

/** The wire envelope as the pipeline reads it (proposal 0001 §4; spec/v1/envelope.md#data). */
export interface WireEnvelope {
  readonly sfr: string;
  readonly type: string;
  readonly issuer: Address;
  readonly seq: number;
  readonly issuedAt: number;
  readonly scope?: { readonly poolId: PoolId; readonly epoch: number };
  readonly domain?: { readonly chainId: number; readonly verifyingContract: Address };
  readonly payload: Readonly<Record<string, unknown>>;
  readonly signature: string;
}

/**
 * The per-type gossip rules (spec/v1/envelope.md#verification rule 33): run after every envelope rule,
 * on a schema-valid envelope whose signature verified, last before the store, given its message id.
 * Rules that read what the node holds (the alert an all-clear resolves) may answer asynchronously.
 */
export type TypeRules = (
  envelope: WireEnvelope,
  id: string,
) => ValidationOutcome | Promise<ValidationOutcome>;

/** Where a message came from: everything but sync applies the past side of the time window (rules 17–18). */
export type IngestSource = 'gossip' | 'sync' | 'local';

export interface IngestContext {
  readonly source: IngestSource;
  /** Topic string (gossip only). */
  readonly topic?: string;
  /** Peer id the message came from, or `local`. */
  readonly from: string;
  /** The receiver's clock for this message, unix ms; default the pipeline's `now()`. */
  readonly now?: number;
  /**
   * The message id this node already computed from these very bytes (the gossip router's `msgIdFn`:
   * keccak256 of the wire, lower-case `0x` hex), so that each wire is hashed once; default: the
   * pipeline computes it. Never an id a peer supplied: a wrong one would key the replay state wrongly.
   */
  readonly messageId?: MessageId;
}

export interface IngestAccepted {
  readonly outcome: 'accept';
  readonly id: MessageId;
  readonly envelope: WireEnvelope;
  readonly wire: Uint8Array;
}

/** An accepted message answered before its durable append (`ValidationPipeline.admit`). */
export interface AdmittedMessage extends IngestAccepted {
  /**
   * Settles once the message is durably recorded: `null`, or the refusal (`GOSSIP_STORE_UNAVAILABLE`)
   * when the append failed. Never rejects. Settled at once where the state keeps nothing durable.
   */
  readonly durable: Promise<Refusal | null>;
}

/** What `admit` answers: an admitted message, or a refusal. */
export type AdmitResult = AdmittedMessage | Exclude<IngestResult, IngestAccepted>;

export type IngestResult =
  | IngestAccepted
  | (Exclude<ValidationOutcome, { outcome: 'accept' }> & { readonly id?: string });
