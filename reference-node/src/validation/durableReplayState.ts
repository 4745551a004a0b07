/**
 * The node's replay state (spec/v1/envelope.md#replay): the store is the state. Slots are read from the
 * store by `(issuer, seq)`. An accepted message is held in memory from the moment it is recorded until
 * its durable (fsync'd, group-committed) append completes, so that the pipeline can answer ACCEPT, and
 * the router relay, without waiting on the disk (p2p.md#validation: relay on validation) while a copy or
 * a conflicting message arriving meanwhile is still judged against it. Appends are queued in the order
 * messages are recorded. Attestation slots are an index kept in memory, rebuilt from the store at start
 * by `restoreValidationState`. Nothing is forgotten early; a slot whose heartbeat the store pruned
 * (node.md#heartbeat-retention) is refused by rule 30 (`ENVELOPE_SEQ_STALE`).
 */
import { attestationSlotOf, type Envelope, readKeyRotation, type SignerRegistry } from '../envelope/index.js';
import { attestationKey, type HeldMessage, type Recorded, type ReplayState } from './replayState.js';

/**
 * [sfr] Accepted messages held ahead of their durable append, at most: 1 024, four of the store's
 * groups of 256. Beyond it `record` waits for the message's own append before it returns, so a flood
 * faster than the disk is answered at the disk's pace (the old store-then-accept) with bounded memory.
 */
export const MAX_PENDING_APPENDS = 1024;

/** What the state needs of the store, adapted in `node/`. */
export interface DurableLog {
  /** The stored message at (issuer, seq), if any. `issuer` is lower-case. */
  heldAt(
    issuer: string,
    seq: number,
  ): Promise<{ readonly id: string; readonly wire: Uint8Array } | undefined>;
  /** Whether the log pruned the heartbeat it held at (issuer, seq). `issuer` is lower-case. */
  isPruned(issuer: string, seq: number): boolean;
  /**
   * The highest seq stored for `issuer` (lower-case), read from memory, or undefined when it is not known
   * (nothing stored, or the store is rebuilding it). A slot above it is empty without a read: rule 20 of a
   * member's next message (the usual case, seqs rise) costs no disk lookup. It must never be below a seq
   * the store holds, and rises with an append before that append resolves.
   */
  headSeq(issuer: string): number | undefined;
  /** The stored message with this id, if any. */
  getMessage(id: string): Promise<{ readonly id: string; readonly wire: Uint8Array } | undefined>;
  /**
   * Why the log takes no append now (`STORE_<CODE>: detail`: closed, damaged, out of space), or undefined
   * when it does; a message is then refused at once, never relayed.
   */
  appendRefusal(): string | undefined;
  /** Durable append (fsync'd before it resolves); idempotent by id; throws when it cannot store. The
   * decoded `envelope` and the path (`via`) go with it, so nothing after the pipeline parses `wire` again. */
  append(
    wire: Uint8Array,
    info: {
      readonly id: string;
      readonly source: string;
      readonly envelope: Envelope;
      readonly via?: 'gossip' | 'sync' | 'local';
    },
  ): Promise<unknown>;
}

const utf8 = new TextDecoder();
const held = (m: { id: string; wire: Uint8Array }): HeldMessage => ({
  id: m.id,
  wire: m.wire,
  envelope: JSON.parse(utf8.decode(m.wire)) as Envelope,
});

export function createDurableReplayState(
  log: DurableLog,
  options: { equivocationTtlMs: number; maxEquivocations?: number; maxPending?: number },
): ReplayState & {
  indexAttestation(envelope: Envelope, id: string): void;
  /** An accepted message not yet durably appended (held in memory), by id. */
  pendingById(id: string): HeldMessage | undefined;
} {
  const attestations = new Map<string, string>();
  /** Recorded, not yet durable: by `issuer:seq` and by id. */
  const pendingSlots = new Map<string, HeldMessage>();
  const pendingIds = new Map<string, HeldMessage>();
  const maxPending = options.maxPending ?? MAX_PENDING_APPENDS;
  const equivocations = new Map<string, number>();
  // [sfr] equivocations are rare; 4 096 remembered ids is ample and bounds memory.
  const maxEquivocations = options.maxEquivocations ?? 4096;

  function indexAttestation(envelope: Envelope, id: string): void {
    const a = attestationSlotOf(envelope);
    if (a !== null) attestations.set(attestationKey(envelope.issuer, a.claimId, a.round), id);
  }

  return {
    indexAttestation,
    pendingById: (id) => pendingIds.get(id),
    async slotAt(issuer, seq) {
      const pending = pendingSlots.get(`${issuer}:${seq}`);
      if (pending !== undefined) return pending;
      const head = log.headSeq(issuer);
      if (head !== undefined && seq > head) return undefined;
      const m = await log.heldAt(issuer, seq);
      return m === undefined ? undefined : held(m);
    },
    async attestationAt(issuer, claimId, round) {
      const id = attestations.get(attestationKey(issuer, claimId, round));
      if (id === undefined) return undefined;
      const pending = pendingIds.get(id);
      if (pending !== undefined) return pending;
      const m = await log.getMessage(id);
      return m === undefined ? undefined : held(m);
    },
    isKnownEquivocation: (id, now) => (equivocations.get(id) ?? -1) >= now,
    forgotten: (issuer, seq) => (log.isPruned(issuer.toLowerCase(), seq) ? { pruned: true } : undefined),
    async record(message): Promise<Recorded> {
      const refusal = log.appendRefusal();
      if (refusal !== undefined) throw new Error(refusal);
      const slot = `${message.envelope.issuer.toLowerCase()}:${message.envelope.seq}`;
      const entry: HeldMessage = { id: message.id, envelope: message.envelope, wire: message.wire };
      pendingSlots.set(slot, entry);
      pendingIds.set(message.id, entry);
      indexAttestation(message.envelope, message.id);
      const durable = log
        .append(message.wire, {
          id: message.id,
          source: message.source,
          envelope: message.envelope,
          ...(message.via === undefined ? {} : { via: message.via }),
        })
        .then(
          () => undefined,
          (err: unknown) => {
            // Not stored: forget the attestation slot too, so that a later copy (sync) is judged afresh.
            const a = attestationSlotOf(message.envelope);
            const key = a === null ? undefined : attestationKey(message.envelope.issuer, a.claimId, a.round);
            if (key !== undefined && attestations.get(key) === message.id) attestations.delete(key);
            throw err;
          },
        )
        .finally(() => {
          if (pendingSlots.get(slot) === entry) pendingSlots.delete(slot);
          if (pendingIds.get(message.id) === entry) pendingIds.delete(message.id);
        });
      // Handled by whoever awaits `durable`; never an unhandled rejection of its own.
      durable.catch(() => {});
      if (pendingIds.size > maxPending) await durable;
      return { durable };
    },
    recordEquivocation(id, now) {
      equivocations.set(id, now + options.equivocationTtlMs);
      while (equivocations.size > maxEquivocations) equivocations.delete(equivocations.keys().next().value!);
    },
  };
}

/**
 * Rebuilds what the pipeline keeps beside the store from the stored messages, in store order: the key
 * rotations of accepted `NodeAnnouncement`s (into `signers`) and the attestation index.
 */
export async function restoreValidationState(
  stored: AsyncIterable<{ readonly id: string; readonly wire: Uint8Array }>,
  target: { signers: SignerRegistry; state: { indexAttestation(envelope: Envelope, id: string): void } },
): Promise<void> {
  for await (const m of stored) {
    const envelope = held(m).envelope;
    target.state.indexAttestation(envelope, m.id);
    const rotation = readKeyRotation(envelope);
    if (rotation !== null && !('outcome' in rotation)) target.signers.record(envelope.issuer, rotation);
  }
}
