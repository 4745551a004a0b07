import type { Address, Envelope, VerifyResult } from './types.js';
import { checkSignature, type SignerResolver } from './verifyEnvelope.js';

type Rotation = { fromSeq: number; key: Address };

/**
 * Which key signs for each member, by sequence number (envelope.md#keys). A member's first key is
 * its `issuer` address; a `NodeAnnouncement` carrying `keyRotation: {newKey, effectiveFromSeq}`
 * and signed by the key active at its own seq moves the member to `newKey` from that seq on.
 */
export class SignerRegistry implements SignerResolver {
  private readonly rotations = new Map<string, Rotation[]>();

  keyFor(issuer: Address, seq: number): Address {
    const list = this.rotations.get(issuer.toLowerCase());
    if (list) {
      for (let i = list.length - 1; i >= 0; i--) if (seq >= list[i]!.fromSeq) return list[i]!.key;
    }
    return issuer;
  }

  /** Rotations recorded for `issuer`, oldest first. */
  rotationsOf(issuer: Address): readonly Rotation[] {
    return this.rotations.get(issuer.toLowerCase()) ?? [];
  }

  /**
   * Apply a key rotation announced by `announcement` (a decoded, shape-checked envelope).
   * REJECT `ENVELOPE_BAD_ROTATION` unless it is a NodeAnnouncement with a well-formed
   * `keyRotation`, signed by the key active at its seq, effective after its own seq and after
   * the member's previous rotation.
   */
  applyRotation(announcement: Envelope): VerifyResult {
    const bad = (reason: string): VerifyResult => ({
      outcome: 'reject',
      code: 'ENVELOPE_BAD_ROTATION',
      meta: { reason },
    });
    if (announcement.type !== 'NodeAnnouncement') return bad('not a NodeAnnouncement');
    const rot = (announcement.payload as { keyRotation?: unknown }).keyRotation as
      | { newKey?: unknown; effectiveFromSeq?: unknown }
      | undefined;
    if (!rot || typeof rot !== 'object') return bad('no keyRotation');
    if (typeof rot.newKey !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(rot.newKey))
      return bad('newKey is not an address');
    const from = rot.effectiveFromSeq;
    if (typeof from !== 'number' || !Number.isSafeInteger(from) || from <= announcement.seq) {
      return bad('effectiveFromSeq must be an integer above the announcement seq');
    }
    const sig = checkSignature(announcement, { signers: this });
    if (sig) return bad(`not signed by the active key (${sig.code})`);
    const key = announcement.issuer.toLowerCase();
    const list = this.rotations.get(key) ?? [];
    const last = list[list.length - 1];
    if (last && from <= last.fromSeq) return bad('effectiveFromSeq must follow the previous rotation');
    list.push({ fromSeq: from, key: rot.newKey as Address });
    this.rotations.set(key, list);
    return { outcome: 'accept' };
  }
}
