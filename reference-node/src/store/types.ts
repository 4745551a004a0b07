import type { SigningJournal, SigningSlot, UnsignedEnvelope } from '../envelope/index.js';
import type { RecordHeader } from './record.js';
import type { StoreCode } from './storeError.js';

export interface OpenStoreOptions {
  /** fsync every batch before acknowledging it (default true). `false` only for a benchmark baseline. */
  readonly sync?: boolean;
  /** Most appends committed together in one fsync'd batch (default 256). */
  readonly maxBatch?: number;
  /** Newest records checked at open (default 1024); `verify({full: true})` checks all. */
  readonly verifyTail?: number;
  /** Records sfr_store_appends_total{outcome} and sfr_store_append_duration_seconds when given. */
  readonly metrics?: StoreMetrics;
  /**
   * Heartbeats (`NodeAnnouncement`s without a key rotation) kept per member, the newest by seq
   * (node.md#heartbeat-retention; NodeConfig `liveness.keepHeartbeats`): older ones are pruned from the
   * log and remembered as pruned ranges. Default `DEFAULT_KEEP_HEARTBEATS`; `Infinity` keeps all.
   */
  readonly keepHeartbeats?: number;
}

/** The part of the node's metrics the store records (`createMetrics()` of metrics/index.ts has it). */
export interface StoreMetrics {
  readonly storeAppends: { inc(labels: { outcome: string }): void };
  readonly storeAppendDuration: { observe(seconds: number): void };
}

/** One accepted message as stored: its envelope header fields, local metadata and wire bytes. */
export interface StoredMessage extends RecordHeader {
  /** Local arrival index, 1, 2, 3, … with no gaps: the cursor of pagination and of the SSE stream. */
  readonly cursor: number;
  /** The canonical wire bytes exactly as accepted (their keccak256 is `id`). */
  readonly wire: Uint8Array;
}

/** A stored message as the append event carries it: with the envelope decoded once, on its way in. */
export interface AppendedMessage extends StoredMessage {
  /** The envelope the wire bytes encode (the validator's decoded value; never re-parsed from `wire`). */
  readonly envelope: Readonly<Record<string, unknown>>;
  /** How it arrived, when the appender said (not stored). */
  readonly via?: 'gossip' | 'sync' | 'local';
}

export interface AppendParameters {
  /** Canonical JSON bytes of the signed envelope (validated by the node before append). */
  readonly wire: Uint8Array;
  /** The envelope `wire` encodes, as the validator decoded it: the store reads its header from it and
   * hands it to the append listeners instead of parsing `wire` again. */
  readonly envelope?: Readonly<Record<string, unknown>>;
  /** How it arrived (gossip, sync, local publish): handed to the append listeners, not stored. */
  readonly via?: 'gossip' | 'sync' | 'local';
  /** The message id if the caller has it (keccak256 of `wire`); computed otherwise. */
  readonly id?: string;
  /** `local` for messages this node signed, or the peer id it came from. */
  readonly source?: string;
  /** Unix ms; defaults to now. */
  readonly receivedAt?: number;
}

export type AppendResult =
  /** Durably written (fsync'd when the store was opened with `sync`, the default). */
  | { readonly status: 'appended'; readonly id: string; readonly cursor: number }
  /** The same message id is already stored: nothing written. */
  | { readonly status: 'duplicate'; readonly id: string; readonly cursor: number }
  /** Another message holds this (issuer, seq): nothing written; the pair is equivocation evidence. */
  | {
      readonly status: 'conflict';
      readonly code: 'STORE_SEQ_CONFLICT';
      readonly id: string;
      readonly existingId: string;
      readonly detail: string;
    }
  | {
      readonly status: 'refused';
      readonly code:
        | 'STORE_UNHEALTHY'
        | 'STORE_CLOSED'
        | 'STORE_BAD_RECORD'
        | 'STORE_WRITE_FAILED'
        | 'STORE_NO_SPACE';
      readonly detail: string;
    };

export interface QueryMessagesParameters {
  readonly type?: string;
  readonly issuer?: string;
  readonly poolId?: string;
  /** issuedAt ≥ from (unix ms). */
  readonly from?: number;
  /** issuedAt < to (unix ms). */
  readonly to?: number;
  /** Return messages with cursor > after (0 = from the start). */
  readonly after?: number;
  /** 1 … MAX_PAGE, default 100. */
  readonly limit?: number;
}

export type QueryMessagesResult =
  | {
      readonly ok: true;
      readonly messages: StoredMessage[];
      /** Pass as `after` to continue; null when the log has no more matches. */
      readonly nextCursor: number | null;
    }
  | { readonly ok: false; readonly code: 'STORE_BAD_QUERY'; readonly detail: string };

export interface MessagePage {
  readonly messages: StoredMessage[];
  readonly nextCursor: number | null;
}

export interface ActiveAlertsParameters {
  /** Alerts with expiresAt ≤ now are not active. Default Date.now(). */
  readonly now?: number;
  readonly limit?: number;
}

export interface StoreIssue {
  readonly code: StoreCode;
  readonly detail: string;
  readonly key?: string;
}

export type StoreHealth =
  | { readonly healthy: true; readonly issues: readonly [] }
  | { readonly healthy: false; readonly issues: readonly StoreIssue[]; readonly moreIssues: number };

export interface StoreStats {
  /** Messages in the log (pruned heartbeats not counted). */
  readonly messages: number;
  /** Heartbeats pruned from the log (node.md#heartbeat-retention). */
  readonly pruned: number;
  readonly lastCursor: number;
  readonly issuers: number;
  readonly appendedSinceOpen: number;
  /** LevelDB's estimate of the bytes on disk. */
  readonly approximateBytes: number;
}

export interface RebuildResult {
  readonly records: number;
  readonly skipped: number;
  readonly ms: number;
}

export interface VerifyParameters {
  /** Check every record (and recompute every message id), not just the newest. */
  readonly full?: boolean;
}

/** The store is also the node's durable persist-then-sign journal (C's `SigningJournal`). */
export interface Store extends SigningJournal {
  readonly dir: string;
  /** Cursor of the newest stored message (0 when empty). */
  readonly lastCursor: number;
  append(parameters: AppendParameters): Promise<AppendResult>;
  getMessage(id: string): Promise<StoredMessage | undefined>;
  getByCursor(cursor: number): Promise<StoredMessage | undefined>;
  getBySeq(issuer: string, seq: number): Promise<StoredMessage | undefined>;
  /**
   * Whether the store pruned the heartbeat it held at (issuer, seq) (node.md#heartbeat-retention): the
   * slot counts as held for sync, and the replay rules refuse a message for it (rule 30).
   */
  isPruned(issuer: string, seq: number): boolean;
  /** Whether the store holds a message at (issuer, seq), or held one and pruned it. */
  holdsSeq(issuer: string, seq: number): Promise<boolean>;
  rangeBySeq(issuer: string, fromSeq: number, toSeq: number, limit?: number): Promise<StoredMessage[]>;
  readFrom(after: number, limit?: number): Promise<MessagePage>;
  queryMessages(parameters: QueryMessagesParameters): Promise<QueryMessagesResult>;
  activeAlerts(parameters?: ActiveAlertsParameters): Promise<StoredMessage[]>;
  /**
   * The id of the all-clear by `issuer` the store holds for an alert (messages.md#contagionalert rule 4),
   * whichever arrived first; undefined when it holds none.
   */
  resolvedBy(alertId: string, issuer: string): Promise<string | undefined>;
  /**
   * The id of the first retraction by `issuer` of a RecoveryEvent the store holds (messages.md#retraction),
   * whichever arrived first; undefined when it holds none. An event is retracted when its own issuer retracted it.
   */
  retractedBy(eventId: string, issuer: string): Promise<string | undefined>;
  heads(): ReadonlyMap<string, number>;
  headSeq(issuer: string): number | undefined;
  /**
   * True when the store certainly holds no message of `issuer` (lower-cased here): its heads, read from
   * memory, list every issuer the log holds, and not this one. False when it holds one, or cannot tell
   * (a rebuild of the derived state is running). Lets a caller skip a read for a new issuer.
   */
  holdsNothingOf?(issuer: string): boolean;
  stats(): Promise<StoreStats>;
  health(): StoreHealth;
  isHealthy(): boolean;
  verify(parameters?: VerifyParameters): Promise<StoreHealth>;
  rebuildDerived(): Promise<RebuildResult>;
  /** Every append after it is durable, in cursor order, with the decoded envelope. */
  onAppend(listener: (message: AppendedMessage) => void): () => void;
  reserveSeq(issuer: string, atLeast?: number): Promise<number>;
  /** The vote recorded with an attestation slot (envelope.md#persist-then-sign), if any. */
  recorded(slot: SigningSlot): Promise<UnsignedEnvelope | undefined>;
  close(): Promise<void>;
}
