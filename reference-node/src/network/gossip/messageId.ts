import { keccak_256 } from '@noble/hashes/sha3.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case `0x` hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = '0x';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] as number];
  return out;
}

/**
 * The gossip message id (spec/v1/p2p.md#message-id): keccak256 of the message data, which for a valid
 * message is its canonical wire bytes, hence the SFR message id (proposal 0001 §4).
 */
export function gossipMessageId(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}
