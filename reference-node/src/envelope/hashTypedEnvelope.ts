import { keccak256 } from './backend.js';
import { bytesToHex, utf8 } from './hex.js';
import type { EnvelopeHeader, Hex } from './types.js';

/** EIP-712 primary type; field order is normative (proposal 0001 §4, envelope.md#typed-data). */
export const ENVELOPE_TYPE_STRING =
  'Envelope(string sfr,string type,address issuer,uint64 seq,uint64 issuedAt,bytes32 poolId,uint64 epoch,bytes32 payloadHash)';
/** EIP-712 domain name (envelope.md#typed-data). */
export const SFR_DOMAIN_NAME = 'SFR';

const DOMAIN_TYPE_SHORT = 'EIP712Domain(string name,string version)';
const DOMAIN_TYPE_FULL = 'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)';

const ENVELOPE_TYPEHASH = keccak256(utf8.encode(ENVELOPE_TYPE_STRING));
const DOMAIN_TYPEHASH_SHORT = keccak256(utf8.encode(DOMAIN_TYPE_SHORT));
const DOMAIN_TYPEHASH_FULL = keccak256(utf8.encode(DOMAIN_TYPE_FULL));

/** The EIP-712 domain an envelope is signed under. */
export type TypedDomain = { name: string; version: string; chainId?: number; verifyingContract?: Hex };

/** The domain of `header`: name "SFR", version = the MAJOR of `sfr`, plus the vault when `domain` is set. */
export function domainOf(header: Pick<EnvelopeHeader, 'sfr' | 'domain'>): TypedDomain {
  const dot = header.sfr.indexOf('.');
  const version = dot < 0 ? header.sfr : header.sfr.slice(0, dot);
  return header.domain
    ? {
        name: SFR_DOMAIN_NAME,
        version,
        chainId: header.domain.chainId,
        verifyingContract: header.domain.verifyingContract,
      }
    : { name: SFR_DOMAIN_NAME, version };
}

function writeUint(out: Uint8Array, offset: number, value: number): void {
  // value is an integer 0 … 2^53−1 (checked by the caller); big-endian into the last 8 bytes.
  let hi = Math.floor(value / 0x1_0000_0000);
  let lo = value >>> 0;
  for (let i = offset + 31; i >= offset + 28; i--) {
    out[i] = lo & 0xff;
    lo >>>= 8;
  }
  for (let i = offset + 27; i >= offset + 24; i--) {
    out[i] = hi & 0xff;
    hi >>>= 8;
  }
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** `size` bytes of `0x` hex, right-aligned in the 32-byte word at `offset`, without an intermediate array. */
function writeBytes(out: Uint8Array, offset: number, hex: string, size: number): void {
  if (hex.length !== 2 + 2 * size || hex.charCodeAt(0) !== 48 || hex.charCodeAt(1) !== 120) {
    throw new TypeError(`expected ${size} bytes of hex`);
  }
  const base = offset + 32 - size;
  for (let i = 0; i < size; i++) {
    const hi = nibble(hex.charCodeAt(2 + 2 * i));
    const lo = nibble(hex.charCodeAt(3 + 2 * i));
    if (hi < 0 || lo < 0) throw new TypeError(`expected ${size} bytes of hex`);
    out[base + i] = (hi << 4) | lo;
  }
}

// Bounded caches: a verifier sees few distinct domains and few distinct sfr/type strings.
const CACHE_LIMIT = 64;
const domainCache = new Map<string, Uint8Array>();
const stringHashCache = new Map<string, Uint8Array>();

function hashString(s: string): Uint8Array {
  let h = stringHashCache.get(s);
  if (!h) {
    h = keccak256(utf8.encode(s));
    if (stringHashCache.size >= CACHE_LIMIT) stringHashCache.clear();
    stringHashCache.set(s, h);
  }
  return h;
}

/** EIP-712 domain separator. */
export function hashDomain(domain: TypedDomain): Uint8Array {
  const key =
    domain.chainId === undefined && domain.verifyingContract === undefined
      ? `${domain.name}\u0000${domain.version}`
      : `${domain.name}\u0000${domain.version}\u0000${domain.chainId ?? ''}\u0000${domain.verifyingContract?.toLowerCase() ?? ''}`;
  let sep = domainCache.get(key);
  if (sep) return sep;
  const full = domain.chainId !== undefined && domain.verifyingContract !== undefined;
  const buf = new Uint8Array(full ? 160 : 96);
  buf.set(full ? DOMAIN_TYPEHASH_FULL : DOMAIN_TYPEHASH_SHORT, 0);
  buf.set(hashString(domain.name), 32);
  buf.set(hashString(domain.version), 64);
  if (full) {
    writeUint(buf, 96, domain.chainId!);
    writeBytes(buf, 128, domain.verifyingContract!, 20);
  }
  sep = keccak256(buf);
  if (domainCache.size >= CACHE_LIMIT) domainCache.clear();
  domainCache.set(key, sep);
  return sep;
}

/**
 * The domain separator of an envelope header, cached per (sfr, domain): the hot path builds no
 * `TypedDomain` object for the common case of an envelope without a vault domain.
 */
const separatorBySfr = new Map<string, Uint8Array>();
function domainSeparatorOf(header: Pick<EnvelopeHeader, 'sfr' | 'domain'>): Uint8Array {
  if (header.domain !== undefined) return hashDomain(domainOf(header));
  let sep = separatorBySfr.get(header.sfr);
  if (sep === undefined) {
    sep = hashDomain(domainOf(header));
    if (separatorBySfr.size >= CACHE_LIMIT) separatorBySfr.clear();
    separatorBySfr.set(header.sfr, sep);
  }
  return sep;
}

/**
 * The words `hashEnvelopeStruct` hashes, reused: every call writes the same byte ranges (a full word, or
 * the low bytes of an address or uint64 word whose high bytes stay zero), clears `poolId` when there is
 * none, and the keccak reads the buffer before it returns, so no call sees another's bytes. An
 * off-heap typed array per message was a measurable share of the pipeline's allocation (issue 12).
 */
const structWords = new Uint8Array(9 * 32);
structWords.set(ENVELOPE_TYPEHASH, 0);
/** `0x1901 ‖ domainSeparator ‖ hashStruct`, reused the same way (every byte written by each call). */
const digestInput = new Uint8Array(66);
digestInput[0] = 0x19;
digestInput[1] = 0x01;

/** EIP-712 `hashStruct(Envelope)`. */
export function hashEnvelopeStruct(header: EnvelopeHeader, payloadHash: Hex | Uint8Array): Uint8Array {
  const buf = structWords;
  buf.set(hashString(header.sfr), 32);
  buf.set(hashString(header.type), 64);
  writeBytes(buf, 96, header.issuer, 20);
  writeUint(buf, 128, header.seq);
  writeUint(buf, 160, header.issuedAt);
  if (header.scope !== undefined) writeBytes(buf, 192, header.scope.poolId, 32);
  else buf.fill(0, 192, 224); // poolId = 0x00…00
  writeUint(buf, 224, header.scope?.epoch ?? 0);
  if (typeof payloadHash === 'string') writeBytes(buf, 256, payloadHash, 32);
  else if (payloadHash.length === 32) buf.set(payloadHash, 256);
  else throw new TypeError('expected 32 bytes of payload hash');
  return keccak256(buf);
}

/** The 32-byte EIP-712 digest as bytes (hot path; `hashTypedEnvelope` returns hex). */
export function typedEnvelopeDigest(
  header: EnvelopeHeader,
  payloadHash: Hex | Uint8Array,
  options: { domain?: TypedDomain } = {},
): Uint8Array {
  const separator = options.domain ? hashDomain(options.domain) : domainSeparatorOf(header);
  const struct = hashEnvelopeStruct(header, payloadHash);
  digestInput.set(separator, 2);
  digestInput.set(struct, 34);
  return keccak256(digestInput);
}

/**
 * EIP-712 digest `keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(Envelope))` of an envelope
 * header and its payload hash (envelope.md#typed-data). Computed directly with the fast keccak.
 * The header must already be well-formed (see `checkEnvelopeShape`); bad hex throws TypeError.
 */
export function hashTypedEnvelope(
  header: EnvelopeHeader,
  payloadHash: Hex,
  options: { domain?: TypedDomain } = {},
): Hex {
  return bytesToHex(typedEnvelopeDigest(header, payloadHash, options));
}
