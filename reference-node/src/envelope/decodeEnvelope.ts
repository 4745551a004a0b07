import { tryCanonicalize } from './canonicalize.js';
import { utf8Strict } from './hex.js';
import type { Refusal } from './types.js';

/**
 * Default largest envelope accepted, in bytes. A `ClaimDecision` embeds every attestation
 * envelope it counts (~1 KB each); 256 KiB leaves room for ~200 members and stays under
 * gossipsub's 1 MiB default message limit.
 */
export const DEFAULT_MAX_ENVELOPE_BYTES = 262_144;

export type DecodedEnvelope = { outcome: 'accept'; value: unknown; wire: Uint8Array; text: string };

/**
 * @rule 2 3 envelope.md#verification (and rule 1's size, unless `maxBytes` is infinite as in the
 * pipeline, which applies rule 1 first): UTF-8 + JSON, canonical bytes.
 * Never throws. The decoded value's structure is checked by `checkEnvelopeShape`.
 */
export function decodeEnvelope(
  wire: Uint8Array,
  options: { maxBytes?: number } = {},
): DecodedEnvelope | Refusal {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  if (wire.length > maxBytes) {
    return { outcome: 'reject', code: 'ENVELOPE_TOO_LARGE', meta: { size: wire.length, maxBytes } };
  }
  let text: string;
  let value: unknown;
  try {
    text = utf8Strict.decode(wire);
    value = JSON.parse(text);
  } catch (error) {
    return {
      outcome: 'reject',
      code: 'ENVELOPE_MALFORMED',
      meta: { pointer: '', reason: error instanceof SyntaxError ? 'not JSON' : 'not UTF-8 JSON' },
    };
  }
  const canonical = tryCanonicalize(value);
  if (!canonical.ok) {
    return {
      outcome: 'reject',
      code: 'ENVELOPE_MALFORMED',
      meta: { pointer: '', reason: canonical.message },
    };
  }
  if (canonical.value !== text) return { outcome: 'reject', code: 'ENVELOPE_NOT_CANONICAL' };
  return { outcome: 'accept', value, wire, text };
}
