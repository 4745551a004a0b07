/**
 * Binds the pipeline's `EnvelopeCodec` to the envelope library (reference-node/src/envelope): decode
 * and canonical check, structure check, message id, signature (native secp256k1 + WASM keccak fast path).
 */
import {
  checkEnvelopeShape,
  checkSignature,
  decodeEnvelope,
  type Envelope,
  messageIdOf,
} from '../envelope/index.js';
import { ACCEPT } from './outcome.js';
import type { EnvelopeCodec } from './types.js';

export function createEnvelopeCodec(): EnvelopeCodec {
  return {
    decode(wire) {
      // Size is the pipeline's first rule; the library's own bound is lifted here.
      const d = decodeEnvelope(wire, { maxBytes: Number.MAX_SAFE_INTEGER });
      return d.outcome === 'accept' ? { outcome: 'accept', value: d.value } : d;
    },
    checkShape: (value) => checkEnvelopeShape(value),
    messageId: (wire) => messageIdOf(wire),
    verifySignature(envelope) {
      return checkSignature(envelope as unknown as Envelope, {}) ?? ACCEPT;
    },
  };
}
