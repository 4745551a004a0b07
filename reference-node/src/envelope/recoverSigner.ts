import { getSecpBackend, keccak256 } from './backend.js';
import { bytesToHex } from './hex.js';
import type { Address } from './types.js';

/** secp256k1 group order n (SEC 2 §2.4.1). */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = SECP256K1_N >> 1n;

function toBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/**
 * Why a 65-byte `r ‖ s ‖ v` signature is not in SFR's canonical form, or `null` if it is:
 * length 65, `v ∈ {27, 28}`, `1 ≤ r < n`, `1 ≤ s ≤ n/2` (envelope.md#signature).
 */
export function signatureEncodingError(sig: Uint8Array): string | null {
  if (sig.length !== 65) return `signature must be 65 bytes, got ${sig.length}`;
  const v = sig[64]!;
  if (v !== 27 && v !== 28) return `v must be 27 or 28, got ${v}`;
  const r = toBigInt(sig.subarray(0, 32));
  const s = toBigInt(sig.subarray(32, 64));
  if (r === 0n || r >= SECP256K1_N) return 'r out of range';
  if (s === 0n) return 's out of range';
  if (s > HALF_N) return 'high s (s > n/2)';
  return null;
}

/** Ethereum address (lower-case) of a 65-byte uncompressed public key. */
export function addressOfPublicKey(publicKey: Uint8Array): Address {
  return bytesToHex(keccak256(publicKey.subarray(1)).subarray(12));
}

/**
 * Address that signed `digest` with a canonical 65-byte signature (check the encoding first),
 * lower-case, or `null` if no key recovers.
 */
export function recoverSigner(digest: Uint8Array, sig: Uint8Array): Address | null {
  const pub = getSecpBackend().recover(digest, sig.subarray(0, 64), sig[64]! - 27);
  return pub ? addressOfPublicKey(pub) : null;
}
