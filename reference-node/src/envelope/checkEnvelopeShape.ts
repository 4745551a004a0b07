import { hexToBytes } from './hex.js';
import { ENVELOPE_TYPES, type Envelope, POOL_SCOPED_TYPES, type Refusal } from './types.js';

const ENVELOPE_KEYS = new Set([
  'sfr',
  'type',
  'issuer',
  'seq',
  'issuedAt',
  'scope',
  'domain',
  'payload',
  'signature',
]);
const KNOWN_TYPES: ReadonlySet<string> = new Set(ENVELOPE_TYPES);
/** `MAJOR.MINOR`, no leading zeros (proposal 0001 §1). */
export const SFR_VERSION_PATTERN = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-f]{64}$/;
const TYPE_NAME = /^[A-Z][A-Za-z0-9]{0,63}$/;
/** Longest signature accepted: 20 concatenated 65-byte ECDSA signatures (ERC-1271 multisig members). */
export const MAX_SIGNATURE_BYTES = 65 * 20;

function malformed(pointer: string, reason: string): Refusal {
  return { outcome: 'reject', code: 'ENVELOPE_MALFORMED', meta: { pointer, reason } };
}

function isUint53(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Structural check of a decoded envelope (envelope.md#data), after the version check. Returns
 * `null` when well-formed; otherwise REJECT `ENVELOPE_MALFORMED` (with a JSON pointer),
 * `ENVELOPE_UNKNOWN_TYPE` or `ENVELOPE_SCOPE_MISMATCH`. Signature encoding is checked later.
 */
export function checkEnvelopeShape(value: unknown): Refusal | null {
  if (!isPlainObject(value)) return malformed('', 'envelope is not an object');
  for (const key of Object.keys(value)) {
    if (!ENVELOPE_KEYS.has(key)) return malformed(`/${key}`, 'unknown envelope property');
  }
  const v = value;
  if (typeof v['sfr'] !== 'string' || !SFR_VERSION_PATTERN.test(v['sfr'])) {
    return malformed('/sfr', 'sfr must be "MAJOR.MINOR"');
  }
  if (typeof v['type'] !== 'string' || !TYPE_NAME.test(v['type'])) return malformed('/type', 'bad type name');
  if (typeof v['issuer'] !== 'string' || !ADDRESS.test(v['issuer'])) {
    return malformed('/issuer', 'issuer must be an address');
  }
  if (!isUint53(v['seq'])) return malformed('/seq', 'seq must be an integer 0 … 2^53−1');
  if (!isUint53(v['issuedAt'])) return malformed('/issuedAt', 'issuedAt must be an integer 0 … 2^53−1');
  if (v['scope'] !== undefined) {
    const s = v['scope'];
    if (!isPlainObject(s)) return malformed('/scope', 'scope must be an object');
    for (const key of Object.keys(s)) {
      if (key !== 'poolId' && key !== 'epoch') return malformed(`/scope/${key}`, 'unknown scope property');
    }
    if (typeof s['poolId'] !== 'string' || !BYTES32.test(s['poolId'])) {
      return malformed('/scope/poolId', 'poolId must be lower-case bytes32 hex');
    }
    if (!isUint53(s['epoch'])) return malformed('/scope/epoch', 'epoch must be an integer 0 … 2^53−1');
  }
  if (v['domain'] !== undefined) {
    const d = v['domain'];
    if (!isPlainObject(d)) return malformed('/domain', 'domain must be an object');
    for (const key of Object.keys(d)) {
      if (key !== 'chainId' && key !== 'verifyingContract') {
        return malformed(`/domain/${key}`, 'unknown domain property');
      }
    }
    if (!isUint53(d['chainId']) || d['chainId'] === 0) {
      return malformed('/domain/chainId', 'chainId must be an integer 1 … 2^53−1');
    }
    if (typeof d['verifyingContract'] !== 'string' || !ADDRESS.test(d['verifyingContract'])) {
      return malformed('/domain/verifyingContract', 'verifyingContract must be an address');
    }
  }
  if (!isPlainObject(v['payload'])) return malformed('/payload', 'payload must be an object');
  if (typeof v['signature'] !== 'string') return malformed('/signature', 'signature must be a hex string');
  if (!KNOWN_TYPES.has(v['type'])) {
    return { outcome: 'reject', code: 'ENVELOPE_UNKNOWN_TYPE', meta: { type: v['type'] } };
  }
  const scoped = POOL_SCOPED_TYPES.has(v['type']);
  if (scoped !== (v['scope'] !== undefined)) {
    return {
      outcome: 'reject',
      code: 'ENVELOPE_SCOPE_MISMATCH',
      meta: { reason: scoped ? 'pool message without scope' : 'scope on a message that is not pool-scoped' },
    };
  }
  if (v['domain'] !== undefined && !scoped) {
    return {
      outcome: 'reject',
      code: 'ENVELOPE_SCOPE_MISMATCH',
      meta: { reason: 'domain on a message that is not pool-scoped' },
    };
  }
  return null;
}

/** Narrowing helper for code that already ran `checkEnvelopeShape`. */
export function isEnvelope(value: unknown): value is Envelope {
  return checkEnvelopeShape(value) === null;
}

/** Lower-case hex signature bytes if `signature` is `0x` + lower-case hex of whole bytes. */
export function signatureBytes(signature: string): Uint8Array | null {
  if (signature.length > 2 + 2 * MAX_SIGNATURE_BYTES || /[A-F]/.test(signature)) return null;
  return hexToBytes(signature);
}
