/**
 * Binds the pipeline's `EnvelopeCodec` to the envelope library (reference-node/src/envelope): decode
 * and canonical check, structure check, message id, signature (native secp256k1 + WASM keccak fast path).
 */
import {
  bytesToHex,
  checkEnvelopeShape,
  checkSignature,
  decodeEnvelope,
  digestOf,
  type Envelope,
  messageIdOf,
  toChecksumAddress,
} from '../envelope/index.js';
import { ACCEPT, reject } from './outcome.js';
import type { EnvelopeCodec } from './types.js';

export function createEnvelopeCodec(): EnvelopeCodec {
  return {
    decode(wire) {
      // Size is the pipeline's first rule; the library's own bound is lifted here.
      const d = decodeEnvelope(wire, { maxBytes: Number.MAX_SAFE_INTEGER });
      return d.outcome === 'accept' ? { outcome: 'accept', value: d.value } : d;
    },
    checkShape(value) {
      const shape = checkEnvelopeShape(value);
      if (shape !== null) return shape;
      // One spelling per address keeps a signed message's bytes (hence its id) unique: EIP-55 only.
      const e = value as { issuer: string; domain?: { verifyingContract: string } };
      if (e.issuer !== toChecksumAddress(e.issuer)) {
        return reject('ENVELOPE_NOT_CANONICAL', { pointer: '/issuer', reason: 'address not in EIP-55 form' });
      }
      const vc = e.domain?.verifyingContract;
      if (vc !== undefined && vc !== toChecksumAddress(vc)) {
        return reject('ENVELOPE_NOT_CANONICAL', {
          pointer: '/domain/verifyingContract',
          reason: 'address not in EIP-55 form',
        });
      }
      return null;
    },
    digest: (envelope, wire) => bytesToHex(digestOf(envelope as unknown as Envelope, wire)),
    messageId: (wire) => messageIdOf(wire),
    verifySignature(envelope, wire) {
      const e = envelope as unknown as Envelope;
      // With the wire bytes, the payload hash is keccak of their payload range: no second serialization.
      return checkSignature(e, {}, digestOf(e, wire)) ?? ACCEPT;
    },
  };
}
