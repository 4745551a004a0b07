import type { Address, Envelope, Refusal } from './types.js';

type Rotation = { fromSeq: number; key: Address };

/** What a well-formed `keyRotation` says (envelope.md#keys). */
export type KeyRotation = { newKey: Address; effectiveFromSeq: number };

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function badRotation(reason: string): Refusal {
  return { outcome: 'reject', code: 'ENVELOPE_BAD_ROTATION', meta: { reason } };
}

/**
 * The key rotation a `NodeAnnouncement` carries, if any: `null` when it carries none, the rotation
 * when it is well formed, else REJECT `ENVELOPE_BAD_ROTATION` (@rule 27 of envelope.md#verification:
 * `newKey` an address, `effectiveFromSeq` an integer above the announcement's own `seq`). Needs no
 * state, so the one-shot `verify` applies it too.
 */
export function readKeyRotation(envelope: Envelope): KeyRotation | null | Refusal {
  if (envelope.type !== 'NodeAnnouncement' || !('keyRotation' in envelope.payload)) return null;
  const rot = envelope.payload['keyRotation'];
  if (typeof rot !== 'object' || rot === null || Array.isArray(rot))
    return badRotation('keyRotation is not an object');
  const { newKey, effectiveFromSeq } = rot as { newKey?: unknown; effectiveFromSeq?: unknown };
  if (typeof newKey !== 'string' || !ADDRESS.test(newKey)) return badRotation('newKey is not an address');
  if (typeof effectiveFromSeq !== 'number' || !Number.isSafeInteger(effectiveFromSeq)) {
    return badRotation('effectiveFromSeq is not an integer');
  }
  if (effectiveFromSeq <= envelope.seq) {
    return badRotation('effectiveFromSeq must be above the announcement seq');
  }
  return { newKey: newKey as Address, effectiveFromSeq };
}

/**
 * Which key signs for each member, by sequence number (envelope.md#keys). A member's first key is
 * its `issuer` address; an accepted `NodeAnnouncement` carrying `keyRotation: {newKey,
 * effectiveFromSeq}` moves the member to `newKey` from that seq on. Fed by the validation pipeline
 * with the rotations it accepts (and, in the node, with those already in the store at start).
 */
export class SignerRegistry {
  private readonly rotations = new Map<string, Rotation[]>();

  /** The address whose key signs for `issuer` at `seq` (lower-case). */
  keyFor(issuer: Address, seq: number): Address {
    const list = this.rotations.get(issuer.toLowerCase());
    if (list) {
      for (let i = list.length - 1; i >= 0; i--) if (seq >= list[i]!.fromSeq) return list[i]!.key;
    }
    return issuer.toLowerCase() as Address;
  }

  /** Rotations recorded for `issuer`, oldest first. */
  rotationsOf(issuer: Address): readonly Rotation[] {
    return this.rotations.get(issuer.toLowerCase()) ?? [];
  }

  /**
   * @rule 31 envelope.md#verification: a rotation takes effect after the member's previous one, else
   * REJECT `ENVELOPE_BAD_ROTATION`.
   */
  checkOrder(issuer: Address, rotation: KeyRotation): Refusal | null {
    const last = this.rotationsOf(issuer).at(-1);
    return last !== undefined && rotation.effectiveFromSeq <= last.fromSeq
      ? badRotation('effectiveFromSeq must follow the previous rotation')
      : null;
  }

  /** Records an accepted rotation (checked by `readKeyRotation` and `checkOrder`). */
  record(issuer: Address, rotation: KeyRotation): void {
    const key = issuer.toLowerCase();
    const list = this.rotations.get(key) ?? [];
    list.push({ fromSeq: rotation.effectiveFromSeq, key: rotation.newKey.toLowerCase() as Address });
    this.rotations.set(key, list);
  }
}
