import { getSecpBackend, keccak256 } from './backend.js';
import { bytesToHex } from './hex.js';
import type { Address } from './types.js';

/** secp256k1 group order n (SEC 2 §2.4.1). */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = SECP256K1_N >> 1n;

function toBytes32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}
const N_BYTES = toBytes32(SECP256K1_N);
const HALF_N_BYTES = toBytes32(HALF_N);

/** Big-endian comparison of the 32 bytes at `offset` with `ref`: negative, zero or positive. */
function compare32(bytes: Uint8Array, offset: number, ref: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = bytes[offset + i]! - ref[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function isZero32(bytes: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 32; i++) if (bytes[offset + i] !== 0) return false;
  return true;
}

/**
 * Why a 65-byte `r ‖ s ‖ v` signature is not in SFR's canonical form, or `null` if it is:
 * length 65, `v ∈ {27, 28}`, `1 ≤ r < n`, `1 ≤ s ≤ n/2` (envelope.md#signature).
 */
export function signatureEncodingError(sig: Uint8Array): string | null {
  if (sig.length !== 65) return `signature must be 65 bytes, got ${sig.length}`;
  const v = sig[64]!;
  if (v !== 27 && v !== 28) return `v must be 27 or 28, got ${v}`;
  if (isZero32(sig, 0) || compare32(sig, 0, N_BYTES) >= 0) return 'r out of range';
  if (isZero32(sig, 32)) return 's out of range';
  if (compare32(sig, 32, HALF_N_BYTES) > 0) return 'high s (s > n/2)';
  return null;
}

/**
 * Addresses of the public keys recovered lately, by the key's 64 bytes as a latin1 string: a node
 * hears the same few members again and again, and the string and the lookup cost a fraction of the
 * keccak and hex they save (issue 12). Bounded: emptied when full, so forged signatures (a fresh key
 * each) cost one string each and cannot grow it.
 */
const ADDRESS_CACHE_LIMIT = 4096;
const addressCache = new Map<string, Address>();

/** Ethereum address (lower-case) of a 65-byte uncompressed public key. */
export function addressOfPublicKey(publicKey: Uint8Array): Address {
  const point = publicKey.subarray(1);
  const key = Buffer.from(point.buffer, point.byteOffset, point.byteLength).toString('latin1');
  let address = addressCache.get(key);
  if (address === undefined) {
    address = bytesToHex(keccak256(point).subarray(12));
    if (addressCache.size >= ADDRESS_CACHE_LIMIT) addressCache.clear();
    addressCache.set(key, address);
  }
  return address;
}

/**
 * Address that signed `digest` with a canonical 65-byte signature (check the encoding first),
 * lower-case, or `null` if no key recovers.
 */
export function recoverSigner(digest: Uint8Array, sig: Uint8Array): Address | null {
  const pub = getSecpBackend().recover(digest, sig.subarray(0, 64), sig[64]! - 27);
  return pub ? addressOfPublicKey(pub) : null;
}
