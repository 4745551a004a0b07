import { getSecpBackend } from './backend.js';
import { canonicalize } from './canonicalize.js';
import { checkEnvelopeShape } from './checkEnvelopeShape.js';
import { EnvelopeError } from './errors.js';
import { hashPayload } from './hashPayload.js';
import { typedEnvelopeDigest } from './hashTypedEnvelope.js';
import { bytesToHex, utf8 } from './hex.js';
import { addressOfPrivateKey, privateKeyBytes, toChecksumAddress } from './keys.js';

const isAddress = (v: unknown): v is string => typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v);

import { messageIdOf } from './messageIdOf.js';
import type { SigningJournal, SigningSlot } from './signingJournal.js';
import type { Envelope, Hex, UnsignedEnvelope } from './types.js';

export type SignEnvelopeParameters = {
  privateKey: Hex;
  unsigned: UnsignedEnvelope;
  /** Persist-then-sign journal; the signature is made only after it durably reserved the slots. */
  guard: SigningJournal;
  /**
   * The key is a rotated key of `issuer` rather than `issuer`'s own key (envelope.md#keys).
   * Without it the key's address MUST equal `issuer`.
   */
  rotatedKey?: boolean;
};

export type SignEnvelopeReturnType = { envelope: Envelope; wire: Uint8Array; messageId: Hex };

/** The journal slots an envelope occupies: (issuer, seq), plus (claimId, round) for an attestation. */
export function slotsOf(unsigned: UnsignedEnvelope): SigningSlot[] {
  const slots: SigningSlot[] = [{ kind: 'seq', issuer: unsigned.issuer, seq: unsigned.seq }];
  if (unsigned.type === 'ClaimAttestation') {
    const { claimId, round } = unsigned.payload as { claimId?: unknown; round?: unknown };
    if (typeof claimId !== 'string' || !Number.isSafeInteger(round)) {
      throw new EnvelopeError(
        'ENVELOPE_INVALID_INPUT',
        'A ClaimAttestation payload needs claimId and round.',
        {
          section: 'equivocation',
        },
      );
    }
    // After the seq slot (envelope.md#persist-then-sign): a crash between the two records must burn
    // the seq, never leave a recorded vote whose seq the restarted node passes and can then not re-sign.
    slots.push({ kind: 'attestation', claimId: claimId as Hex, round: round as number });
  }
  return slots;
}

/**
 * An envelope made ready to sign (envelope.md#signing): members without a value dropped, addresses
 * in EIP-55 form, the shape checked, and its EIP-712 digest. Throws `EnvelopeError`
 * `ENVELOPE_INVALID_INPUT` for a malformed envelope. Shared by `signEnvelope` and a multisig
 * member's proposals (node.md#multisig-members), whose owners sign the same digest.
 */
export function prepareEnvelope(u: UnsignedEnvelope): { unsigned: UnsignedEnvelope; digest: Uint8Array } {
  // Rebuild without `undefined` members, so that the object and its canonical bytes agree.
  const unsigned: UnsignedEnvelope = {
    sfr: u.sfr,
    type: u.type,
    // Addresses go on the wire in EIP-55 form (envelope.md#canonical-encoding).
    issuer: isAddress(u.issuer) ? toChecksumAddress(u.issuer) : u.issuer,
    seq: u.seq,
    issuedAt: u.issuedAt,
    ...(u.scope === undefined ? {} : { scope: u.scope }),
    ...(u.domain === undefined
      ? {}
      : {
          domain: isAddress(u.domain.verifyingContract)
            ? { ...u.domain, verifyingContract: toChecksumAddress(u.domain.verifyingContract) }
            : u.domain,
        }),
    payload: u.payload,
  };
  const extra = Object.keys(u).filter(
    (k) => !(k in unsigned) && (u as Record<string, unknown>)[k] !== undefined,
  );
  const shape = checkEnvelopeShape({
    ...unsigned,
    ...Object.fromEntries(extra.map((k) => [k, 0])),
    signature: '0x',
  });
  if (shape) {
    throw new EnvelopeError('ENVELOPE_INVALID_INPUT', 'Cannot sign a malformed envelope.', {
      details: `${shape.code} ${JSON.stringify(shape.meta ?? {})}`,
      section: 'data',
      meta: { refusal: shape },
    });
  }
  // Rejects non-JSON values anywhere before anything is reserved.
  canonicalize({ ...unsigned, signature: '0x' });
  return { unsigned, digest: typedEnvelopeDigest(unsigned, hashPayload(unsigned.payload)) };
}

/** The signed envelope from its prepared form and its signature (or an ERC-1271 signature blob). */
export function sealEnvelope(unsigned: UnsignedEnvelope, signature: Hex): SignEnvelopeReturnType {
  const envelope: Envelope = { ...unsigned, signature };
  const wire = utf8.encode(canonicalize(envelope));
  return { envelope, wire, messageId: messageIdOf(wire) };
}

/**
 * Sign an envelope (envelope.md#signing): check it, compute the EIP-712 digest, durably reserve
 * its slots in `guard`, then sign (RFC 6979 deterministic, low-s, v ∈ {27, 28}).
 * Throws `EnvelopeError` (`ENVELOPE_INVALID_INPUT`, `ENVELOPE_KEY_INVALID`, or the journal's
 * `ENVELOPE_SLOT_CONFLICT` / `ENVELOPE_SEQ_NOT_MONOTONIC`).
 */
export async function signEnvelope(params: SignEnvelopeParameters): Promise<SignEnvelopeReturnType> {
  const key = privateKeyBytes(params.privateKey);
  const { unsigned, digest } = prepareEnvelope(params.unsigned);
  if (
    !params.rotatedKey &&
    addressOfPrivateKey(params.privateKey).toLowerCase() !== unsigned.issuer.toLowerCase()
  ) {
    throw new EnvelopeError('ENVELOPE_INVALID_INPUT', "The private key is not the issuer's key.", {
      details: 'pass rotatedKey: true to sign with a rotated key',
      section: 'keys',
    });
  }
  const digestHex = bytesToHex(digest);
  for (const slot of slotsOf(unsigned)) await params.guard.reserve(slot, digestHex, unsigned);
  const { signature, recid } = getSecpBackend().sign(digest, key);
  const sig = new Uint8Array(65);
  sig.set(signature, 0);
  sig[64] = 27 + recid;
  return sealEnvelope(unsigned, bytesToHex(sig));
}
