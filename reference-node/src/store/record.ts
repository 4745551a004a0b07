import { crc32 } from 'node:zlib';
import { bytesToHex } from '@noble/hashes/utils.js';
import { isAddress, isMessageId, isPoolId } from '@sfr/schemas';
import type { Address, MessageId, PoolId } from '@sfr/schemas/types';
import { keccak256, lowerHex, retractedIdOf } from '../envelope/index.js';

/**
 * What the store keeps beside a message's wire bytes, taken from the envelope once at append.
 * `issuer` is lower-case (addresses compare case-insensitively, proposal 0001 §2).
 */
export interface RecordHeader {
  readonly id: MessageId;
  readonly type: string;
  readonly issuer: Address;
  readonly seq: number;
  readonly issuedAt: number;
  readonly receivedAt: number;
  readonly poolId?: PoolId;
  /** Where the message came from: `local` (signed here) or the relaying peer id. */
  readonly source?: string;
  /** ContagionAlert only: payload.expiresAt. */
  readonly expiresAt?: number;
  /** ContagionAlert only: payload.resolves (the alert this one resolves). */
  readonly resolves?: MessageId;
  /** RecoveryEvent only: the event its `sfr.retraction` extension retracts (messages.md#retraction). */
  readonly retracts?: MessageId;
}

/** Record format byte; bump when the layout below changes. */
export const RECORD_VERSION = 1;
// Layout: [crc32 of bytes 4..end: u32 BE][version: u8][header length: u32 BE][header JSON][wire]
const PREFIX = 9;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeRecord(header: RecordHeader, wire: Uint8Array): Uint8Array {
  const json = JSON.stringify(header);
  // A header is ASCII but for an exotic source or type: its JSON is then encoded straight into the record
  // (one allocation per record, issue 12); otherwise through a buffer of its own.
  let out = new Uint8Array(PREFIX + json.length + wire.length);
  let length = json.length;
  if (encoder.encodeInto(json, out.subarray(PREFIX, PREFIX + length)).read !== json.length) {
    const h = encoder.encode(json);
    length = h.length;
    out = new Uint8Array(PREFIX + length + wire.length);
    out.set(h, PREFIX);
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[4] = RECORD_VERSION;
  view.setUint32(5, length);
  out.set(wire, PREFIX + length);
  view.setUint32(0, crc32(out.subarray(4)));
  return out;
}

export type DecodeRecordResult =
  | { readonly ok: true; readonly header: RecordHeader; readonly wire: Uint8Array }
  | { readonly ok: false; readonly detail: string };

export function decodeRecord(bytes: Uint8Array): DecodeRecordResult {
  if (bytes.length < PREFIX) return { ok: false, detail: 'record shorter than its prefix' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== crc32(bytes.subarray(4))) return { ok: false, detail: 'crc32 mismatch' };
  if (bytes[4] !== RECORD_VERSION) return { ok: false, detail: `unknown record version ${bytes[4]}` };
  const hl = view.getUint32(5);
  if (PREFIX + hl > bytes.length) return { ok: false, detail: 'header length past the end' };
  try {
    const header = JSON.parse(decoder.decode(bytes.subarray(PREFIX, PREFIX + hl))) as RecordHeader;
    return { ok: true, header, wire: bytes.slice(PREFIX + hl) };
  } catch {
    return { ok: false, detail: 'header is not JSON' };
  }
}

/** Message id (proposal 0001 §4): keccak256 of the canonical wire bytes, lower-case 0x hex (the envelope library's fast keccak). */
export function computeMessageId(wire: Uint8Array): MessageId {
  return `0x${bytesToHex(keccak256(wire))}`;
}

type ParsedHeader = Omit<RecordHeader, 'id' | 'receivedAt' | 'source'>;

export type ParseHeaderResult =
  | { readonly ok: true; readonly header: ParsedHeader }
  | { readonly ok: false; readonly detail: string };

/**
 * Reads the fields the store indexes from an envelope's wire bytes. This is not validation (the
 * node's pipeline did that before append); it only refuses bytes the store could not index.
 */
export function parseEnvelopeHeader(wire: Uint8Array): ParseHeaderResult & { envelope?: unknown } {
  let env: unknown;
  try {
    env = JSON.parse(decoder.decode(wire));
  } catch {
    return { ok: false, detail: 'wire bytes are not UTF-8 JSON' };
  }
  const r = readEnvelopeHeader(env);
  return r.ok ? { ...r, envelope: env } : r;
}

/** The fields the store indexes, from an already decoded envelope (see `parseEnvelopeHeader`). */
export function readEnvelopeHeader(env: unknown): ParseHeaderResult {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    return { ok: false, detail: 'envelope is not an object' };
  }
  const e = env as Record<string, unknown>;
  if (typeof e['type'] !== 'string' || e['type'].length === 0 || e['type'].length > 64) {
    return { ok: false, detail: '/type: expected a non-empty string' };
  }
  if (!isAddress(e['issuer'])) {
    return { ok: false, detail: '/issuer: expected an address' };
  }
  const seq = e['seq'];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    return { ok: false, detail: '/seq: expected an integer 0 … 2^53−1' };
  }
  const issuedAt = e['issuedAt'];
  if (typeof issuedAt !== 'number' || !Number.isSafeInteger(issuedAt) || issuedAt < 0) {
    return { ok: false, detail: '/issuedAt: expected unix milliseconds' };
  }
  let poolId: PoolId | undefined;
  const scope = e['scope'];
  if (typeof scope === 'object' && scope !== null) {
    const p = (scope as Record<string, unknown>)['poolId'];
    if (isPoolId(p)) poolId = p;
  }
  let expiresAt: number | undefined;
  let resolves: MessageId | undefined;
  const payload = e['payload'];
  if (e['type'] === 'ContagionAlert' && typeof payload === 'object' && payload !== null) {
    const pl = payload as Record<string, unknown>;
    if (typeof pl['expiresAt'] === 'number' && Number.isSafeInteger(pl['expiresAt']))
      expiresAt = pl['expiresAt'];
    if (isMessageId(pl['resolves'])) resolves = pl['resolves'];
  }
  const retracts = e['type'] === 'RecoveryEvent' ? retractedIdOf(payload) : undefined;
  // Optional members set one by one, not by conditional spreads (this runs once per appended message).
  const header: { -readonly [K in keyof ParsedHeader]: ParsedHeader[K] } = {
    type: e['type'],
    issuer: lowerHex(e['issuer']),
    seq,
    issuedAt,
  };
  if (poolId !== undefined) header.poolId = poolId;
  if (expiresAt !== undefined) header.expiresAt = expiresAt;
  if (resolves !== undefined) header.resolves = resolves;
  if (retracts !== undefined) header.retracts = retracts;
  return { ok: true, header };
}
