import type { Hex } from './types.js';

const HEX_DIGITS = '0123456789abcdef';
const BYTE_TO_HEX: string[] = Array.from(
  { length: 256 },
  (_, i) => HEX_DIGITS[i >> 4]! + HEX_DIGITS[i & 15]!,
);

/** Lower-case `0x` hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): Hex {
  let out = '0x';
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_HEX[bytes[i]!]!;
  return out as Hex;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Bytes of a `0x` hex string (either case), or `null` if it is not hex of whole bytes. */
export function hexToBytes(hex: string): Uint8Array | null {
  if (!hex.startsWith('0x') || hex.length % 2 !== 0) return null;
  const out = new Uint8Array((hex.length - 2) / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 + 2 * i));
    const lo = nibble(hex.charCodeAt(3 + 2 * i));
    if (hi < 0 || lo < 0) return null;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

export const utf8 = new TextEncoder();
/** Strict UTF-8 decoder: invalid sequences throw rather than turn into U+FFFD. */
export const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * `value` in lower case: the form the node keys addresses and pool ids by (addresses compare
 * case-insensitively, proposal 0001 §2).
 */
export function lowerHex(value: Hex): Hex {
  // Lower-casing keeps the `0x` prefix, so the result is still `0x` hex (an `Address` stays one).
  return value.toLowerCase() as Hex;
}
