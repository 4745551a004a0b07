import { keccak256 } from './backend.js';
import { hashPayload } from './hashPayload.js';
import { bytesToHex } from './hex.js';
import type { Envelope, Hex } from './types.js';

/**
 * `hashPayload(envelope.payload)` for an envelope whose `wire` bytes are known to be its
 * canonical form (hot path): the payload's canonical JSON is then the byte range between the
 * header members before and after it, so the payload is not serialized a second time. Falls back
 * to `hashPayload` if the framing does not match.
 */
export function payloadHashFromWire(envelope: Envelope, wire: Uint8Array): Hex {
  const range = payloadRangeOf(envelope, wire);
  return range ? bytesToHex(keccak256(wire.subarray(range[0], range[1]))) : hashPayload(envelope.payload);
}

/** As `payloadHashFromWire`, as 32 bytes (the digest's input), or `null` if the framing does not match. */
export function payloadHashBytesFromWire(envelope: Envelope, wire: Uint8Array): Uint8Array | null {
  const range = payloadRangeOf(envelope, wire);
  return range ? keccak256(wire.subarray(range[0], range[1])) : null;
}

/**
 * The canonical JSON of a header value whose structure check passed (integers, and strings that
 * need no escaping: addresses, hex, version and type names), or `null` for anything else, which
 * makes the caller fall back to the slow path. Cheaper than `canonicalize` on the hot path.
 */
function plain(value: unknown): string | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : null;
  if (typeof value === 'string') return /^[0-9A-Za-z.]*$/.test(value) ? `"${value}"` : null;
  return null;
}

/** The header members before `"payload":` in RFC 8785 order (domain, issuedAt, issuer), or null. */
function prefixOf(e: Envelope): string | null {
  const issuedAt = plain(e.issuedAt);
  const issuer = plain(e.issuer);
  if (issuedAt === null || issuer === null) return null;
  let out = '{';
  if (e.domain !== undefined) {
    const chainId = plain(e.domain.chainId);
    const vc = plain(e.domain.verifyingContract);
    if (chainId === null || vc === null || Object.keys(e.domain).length !== 2) return null;
    out += `"domain":{"chainId":${chainId},"verifyingContract":${vc}},`;
  }
  return `${out}"issuedAt":${issuedAt},"issuer":${issuer},"payload":`;
}

/** The header members after the payload (scope, seq, sfr, signature, type) and the closing brace, or null. */
function suffixOf(e: Envelope): string | null {
  const seq = plain(e.seq);
  const sfr = plain(e.sfr);
  const signature = plain(e.signature);
  const type = plain(e.type);
  if (seq === null || sfr === null || signature === null || type === null) return null;
  let out = '';
  if (e.scope !== undefined) {
    const epoch = plain(e.scope.epoch);
    const poolId = plain(e.scope.poolId);
    if (epoch === null || poolId === null || Object.keys(e.scope).length !== 2) return null;
    out += `,"scope":{"epoch":${epoch},"poolId":${poolId}}`;
  }
  return `${out},"seq":${seq},"sfr":${sfr},"signature":${signature},"type":${type}}`;
}

/** Byte range `[start, end)` of the payload inside canonical wire bytes, or `null` if the framing does not match. */
export function payloadRangeOf(envelope: Envelope, wire: Uint8Array): [number, number] | null {
  const prefix = prefixOf(envelope);
  const suffix = prefix === null ? null : suffixOf(envelope);
  if (prefix === null || suffix === null) return null;
  const end = wire.length - suffix.length;
  if (end <= prefix.length || !matches(wire, 0, prefix) || !matches(wire, end, suffix)) return null;
  return [prefix.length, end];
}

function matches(bytes: Uint8Array, offset: number, ascii: string): boolean {
  for (let i = 0; i < ascii.length; i++) if (bytes[offset + i] !== ascii.charCodeAt(i)) return false;
  return true;
}
