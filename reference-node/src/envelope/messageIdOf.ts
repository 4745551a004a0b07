import { keccak256 } from './backend.js';
import { bytesToHex } from './hex.js';
import type { Hex } from './types.js';

/**
 * Message id = keccak256 of the envelope's wire bytes (its canonical JSON, signature included),
 * lower-case 0x hex (envelope.md#message-id). Also gossipsub's `msgIdFn`.
 */
export function messageIdOf(wire: Uint8Array): Hex {
  return bytesToHex(keccak256(wire));
}
