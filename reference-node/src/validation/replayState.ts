/**
 * The replay state the validation pipeline reads and writes (spec/v1/envelope.md#replay): the accepted
 * message at each `(issuer, seq)` slot and at each `(issuer, claimId, round)` attestation slot, the ids
 * of messages refused as equivocation, and, for a state that forgets slots early, how far it forgot.
 * Two implementations: `createMemoryReplayState` (the harness `ingest` op, bounded, in memory) and
 * `createDurableReplayState` (the node: the store is the state, nothing is forgotten).
 */
import { attestationSlotOf, type Envelope } from '../envelope/index.js';

/** An accepted message as the state holds it. */
export interface HeldMessage {
  readonly id: string;
  readonly envelope: Envelope;
  readonly wire: Uint8Array;
}

type MaybePromise<T> = T | Promise<T>;

/** A slot the state can no longer judge (rule 30, `ENVELOPE_SEQ_STALE`). */
export type ForgottenSlot = { readonly forgottenUpTo: number } | { readonly pruned: true };

/** A message recorded ahead of its durable append (p2p.md#validation: relay on validation). */
export interface Recorded {
  /** Settles once the message is on stable storage; rejects when the append failed. */
  readonly durable: Promise<void>;
}

export interface ReplayState {
  /** The accepted message at `(issuer, seq)` (`issuer` lower-case), if the state holds one. */
  slotAt(issuer: string, seq: number, now: number): MaybePromise<HeldMessage | undefined>;
  /** The accepted `ClaimAttestation` of `issuer` for `(claimId, round)` (`claimId` lower-case). */
  attestationAt(
    issuer: string,
    claimId: string,
    round: number,
    now: number,
  ): MaybePromise<HeldMessage | undefined>;
  /** Whether `id` was refused as equivocation (its repeats are duplicates, envelope.md#equivocation). */
  isKnownEquivocation(id: string, now: number): boolean;
  /**
   * Why the state can no longer judge `(issuer, seq)`, if it cannot: it dropped the issuer's slots up to
   * `forgottenUpTo` before their lifetime ended (bounded memory), or it held the slot's heartbeat and
   * pruned it (node.md#heartbeat-retention). Rule 30 refuses such a message.
   */
  forgotten(issuer: string, seq: number): ForgottenSlot | undefined;
  /**
   * Records an accepted message: from the moment it returns, `slotAt` and `attestationAt` see it. The
   * node's state then appends it durably and answers `durable`, which settles once the append is on
   * stable storage (rejects when it failed); it throws at once when its store cannot take the message.
   * `via` is the path it came by (gossip, sync, local), handed on to the node's accepted event.
   */
  record(
    message: HeldMessage & { readonly source: string; readonly via?: 'gossip' | 'sync' | 'local' },
    now: number,
  ): MaybePromise<Recorded | undefined>;
  /** Remembers the id of a message refused as equivocation. */
  recordEquivocation(id: string, now: number): void;
}

/** (claimId, round) of a ClaimAttestation, the key of its attestation slot. */
export function attestationKey(issuer: string, claimId: string, round: number): string {
  return `${issuer.toLowerCase()}|${claimId.toLowerCase()}|${round}`;
}

type Entry = HeldMessage & { readonly expiresAt: number; readonly attestation: string | undefined };

/**
 * In-memory replay state with envelope.md#replay's lifetime: each entry is kept `ttlMs`
 * (`maxAgeMs + 2·skewMs`) after it was recorded and then forgotten (the time window refuses it from
 * then on). At most `maxEntries` slots: beyond that the oldest is dropped first and its seq raises the
 * issuer's `forgottenUpTo`, so that rule 30 (`ENVELOPE_SEQ_STALE`) still refuses what the state can no
 * longer judge.
 */
export function createMemoryReplayState(options: { ttlMs: number; maxEntries?: number }): ReplayState {
  const { ttlMs } = options;
  // [sfr] 200 000 slots ≈ 100 MB worst case (64 KiB envelopes are rare; typical ones are ~1 KB).
  const maxEntries = options.maxEntries ?? 200_000;
  const slots = new Map<string, Entry>();
  const attestations = new Map<string, string>();
  const equivocations = new Map<string, number>();
  const forgotten = new Map<string, number>();

  const live = <T extends { expiresAt: number }>(e: T | undefined, now: number): T | undefined =>
    e !== undefined && e.expiresAt >= now ? e : undefined;

  function drop(key: string, e: Entry, early: boolean): void {
    slots.delete(key);
    if (e.attestation !== undefined) attestations.delete(e.attestation);
    if (early) {
      const issuer = e.envelope.issuer.toLowerCase();
      forgotten.set(issuer, Math.max(forgotten.get(issuer) ?? -1, e.envelope.seq));
    }
  }

  function prune(now: number): void {
    for (const [key, e] of slots) {
      if (e.expiresAt >= now && slots.size <= maxEntries) break;
      drop(key, e, e.expiresAt >= now);
    }
    for (const [id, expiresAt] of equivocations) {
      if (expiresAt >= now && equivocations.size <= maxEntries) break;
      equivocations.delete(id);
    }
  }

  return {
    slotAt: (issuer, seq, now) => live(slots.get(`${issuer}|${seq}`), now),
    attestationAt(issuer, claimId, round, now) {
      const slot = attestations.get(attestationKey(issuer, claimId, round));
      return slot === undefined ? undefined : live(slots.get(slot), now);
    },
    isKnownEquivocation: (id, now) => (equivocations.get(id) ?? -1) >= now,
    forgotten(issuer, seq) {
      const upTo = forgotten.get(issuer.toLowerCase());
      return upTo !== undefined && seq <= upTo ? { forgottenUpTo: upTo } : undefined;
    },
    record(message, now) {
      const issuer = message.envelope.issuer.toLowerCase();
      const key = `${issuer}|${message.envelope.seq}`;
      const a = attestationSlotOf(message.envelope);
      const attestation = a === null ? undefined : attestationKey(issuer, a.claimId, a.round);
      slots.set(key, { ...message, expiresAt: now + ttlMs, attestation });
      if (attestation !== undefined) attestations.set(attestation, key);
      prune(now);
    },
    recordEquivocation(id, now) {
      equivocations.set(id, now + ttlMs);
      prune(now);
    },
  };
}
