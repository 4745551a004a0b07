/**
 * The node's replay state (spec/v1/envelope.md#replay): the store is the state. Slots are read from the
 * store by `(issuer, seq)`; accepted messages are appended to it durably (fsync'd) before the pipeline
 * answers ACCEPT. Attestation slots are an index kept in memory, rebuilt from the store at start by
 * `restoreValidationState`. Nothing is forgotten, so rule 30 (`ENVELOPE_SEQ_STALE`) never applies.
 */
import { attestationSlotOf, type Envelope, readKeyRotation, type SignerRegistry } from '../envelope/index.js';
import { attestationKey, type HeldMessage, type ReplayState } from './replayState.js';

/** What the state needs of the store, adapted in `node/`. */
export interface DurableLog {
  /** The stored message at (issuer, seq), if any. `issuer` is lower-case. */
  heldAt(
    issuer: string,
    seq: number,
  ): Promise<{ readonly id: string; readonly wire: Uint8Array } | undefined>;
  /** The stored message with this id, if any. */
  getMessage(id: string): Promise<{ readonly id: string; readonly wire: Uint8Array } | undefined>;
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
  options: { equivocationTtlMs: number; maxEquivocations?: number },
): ReplayState & { indexAttestation(envelope: Envelope, id: string): void } {
  const attestations = new Map<string, string>();
  const equivocations = new Map<string, number>();
  // [sfr] equivocations are rare; 4 096 remembered ids is ample and bounds memory.
  const maxEquivocations = options.maxEquivocations ?? 4096;

  function indexAttestation(envelope: Envelope, id: string): void {
    const a = attestationSlotOf(envelope);
    if (a !== null) attestations.set(attestationKey(envelope.issuer, a.claimId, a.round), id);
  }

  return {
    indexAttestation,
    async slotAt(issuer, seq) {
      const m = await log.heldAt(issuer, seq);
      return m === undefined ? undefined : held(m);
    },
    async attestationAt(issuer, claimId, round) {
      const id = attestations.get(attestationKey(issuer, claimId, round));
      const m = id === undefined ? undefined : await log.getMessage(id);
      return m === undefined ? undefined : held(m);
    },
    isKnownEquivocation: (id, now) => (equivocations.get(id) ?? -1) >= now,
    forgottenUpTo: () => undefined,
    async record(message) {
      await log.append(message.wire, {
        id: message.id,
        source: message.source,
        envelope: message.envelope,
        ...(message.via === undefined ? {} : { via: message.via }),
      });
      indexAttestation(message.envelope, message.id);
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
