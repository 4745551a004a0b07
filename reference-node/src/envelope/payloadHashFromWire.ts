import { keccak256 } from './backend.js';
import { canonicalize } from './canonicalize.js';
import { hashPayload } from './hashPayload.js';
import { bytesToHex } from './hex.js';
import type { Envelope, Hex } from './types.js';

// Envelope members in RFC 8785 order, before and after "payload".
const BEFORE = ['domain', 'issuedAt', 'issuer'] as const;
const AFTER = ['scope', 'seq', 'sfr', 'signature', 'type'] as const;

function member(envelope: Envelope, key: string): string | null {
  const value = (envelope as unknown as Record<string, unknown>)[key];
  return value === undefined ? null : `"${key}":${canonicalize(value)}`;
}

/**
 * `hashPayload(envelope.payload)` for an envelope whose `wire` bytes are known to be its
 * canonical form (hot path): the payload's canonical JSON is then the byte range between the
 * header members before and after it, which are ASCII (checked by the structural check), so
 * the payload is not serialized a second time. Falls back to `hashPayload` if the framing does
 * not match.
 */
export function payloadHashFromWire(envelope: Envelope, wire: Uint8Array): Hex {
  const range = payloadRangeOf(envelope, wire);
  return range ? bytesToHex(keccak256(wire.subarray(range[0], range[1]))) : hashPayload(envelope.payload);
}

/** Byte range `[start, end)` of the payload inside canonical wire bytes, or `null` if the framing does not match. */
export function payloadRangeOf(envelope: Envelope, wire: Uint8Array): [number, number] | null {
  const before = BEFORE.map((k) => member(envelope, k)).filter((m) => m !== null);
  const after = AFTER.map((k) => member(envelope, k)).filter((m) => m !== null);
  const prefix = `{${before.map((m) => `${m},`).join('')}"payload":`;
  const suffix = `${after.map((m) => `,${m}`).join('')}}`;
  const end = wire.length - suffix.length;
  if (end <= prefix.length || !matches(wire, 0, prefix) || !matches(wire, end, suffix)) return null;
  return [prefix.length, end];
}

function matches(bytes: Uint8Array, offset: number, ascii: string): boolean {
  for (let i = 0; i < ascii.length; i++) if (bytes[offset + i] !== ascii.charCodeAt(i)) return false;
  return true;
}
