import { keccak256 } from './backend.js';
import { canonicalize } from './canonicalize.js';
import { bytesToHex, utf8 } from './hex.js';
import type { Hex } from './types.js';

/** `payloadHash = keccak256(utf8(RFC 8785 canonical JSON of payload))` (envelope.md#payload-hash). */
export function hashPayload(payload: unknown): Hex {
  return bytesToHex(keccak256(utf8.encode(canonicalize(payload))));
}
