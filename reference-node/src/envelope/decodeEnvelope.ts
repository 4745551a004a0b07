import { MAX_JSON_DEPTH, tryCanonicalize } from './canonicalize.js';
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
  // The common case, a canonical wire, is proved without re-serializing it key by key (issue 12: that
  // was ~6 µs of a ~100 µs pipeline run); anything unusual takes the full path for its exact verdict.
  if (isPlainCanonicalCandidate(value, text)) {
    return JSON.stringify(value) === text
      ? { outcome: 'accept', value, wire, text }
      : { outcome: 'reject', code: 'ENVELOPE_NOT_CANONICAL' };
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

/**
 * Whether `JSON.stringify(value)` is `canonicalize(value)` (RFC 8785) for a value `JSON.parse` made of
 * `text`: no `\u` escape in the text (so every string is well-formed: `text` came from strict UTF-8,
 * and no escape left can make a surrogate), every number finite, no array or object nested at depth
 * `MAX_JSON_DEPTH` or deeper, and every object's keys already in RFC 8785 order (UTF-16 code units, as
 * `canonicalize` sorts them), the order `JSON.stringify` writes them in. Then the two serializations
 * write the same members in the same order with the same number and string forms, so comparing
 * `JSON.stringify(value)` with the text decides rule 3 exactly as `canonicalize` would; `false` sends
 * the value to `canonicalize` (which also gives a failing value's verdict).
 */
function isPlainCanonicalCandidate(value: unknown, text: string): boolean {
  return !text.includes('\\u') && isSortedFiniteWithin(value, 0);
}

function isSortedFiniteWithin(value: unknown, depth: number): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= MAX_JSON_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isSortedFiniteWithin(value[i], depth + 1)) return false;
    return true;
  }
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && !(keys[i - 1]! < keys[i]!)) return false;
    if (!isSortedFiniteWithin((value as Record<string, unknown>)[keys[i]!], depth + 1)) return false;
  }
  return true;
}
