import { keccak256 } from '../../envelope/index.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case `0x` hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = '0x';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] as number];
  return out;
}

/**
 * The gossip message id (spec/v1/p2p.md#message-id): keccak256 of the message data, which for a valid
 * message is its canonical wire bytes, hence the SFR message id (proposal 0001 §4). Computed for
 * every message received or relayed, before validation: it uses the envelope library's fast keccak
 * (WASM, ≈ 15× @noble's on 1 KiB here; @noble where WASM cannot load).
 */
export function gossipMessageId(data: Uint8Array): Uint8Array {
  return keccak256(data);
}
