import { isMessageType, isPoolScopedType } from '@sfr/schemas';
import { toChecksumAddress } from './keys.js';
import { signatureEncodingError } from './recoverSigner.js';
import type { Envelope, Refusal } from './types.js';
import { SFR_VERSION_PATTERN } from './version.js';

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
 * @rule 4 envelope.md#verification (versioning.md rule 1): the value is an object whose `sfr` is a
 * string `MAJOR.MINOR`; otherwise REJECT `ENVELOPE_MALFORMED` (a missing, non-string or malformed
 * `sfr` is produced by no version of SFR).
 */
export function checkVersionString(value: unknown): Refusal | null {
  if (!isPlainObject(value)) return malformed('', 'envelope is not an object');
  if (typeof value['sfr'] !== 'string' || !SFR_VERSION_PATTERN.test(value['sfr'])) {
    return malformed('/sfr', 'sfr must be a string "MAJOR.MINOR" (0 … 999, no leading zeros)');
  }
  return null;
}

/**
 * @rule 7 envelope.md#verification: exactly the members of envelope.md#data, each of its type;
 * otherwise REJECT `ENVELOPE_MALFORMED` with the pointer of the first offending member. Run after
 * the version rules: a newer minor's additional members are IGNOREd there, not reported here.
 */
export function checkHeaderMembers(value: unknown): Refusal | null {
  const version = checkVersionString(value);
  if (version !== null) return version;
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!ENVELOPE_KEYS.has(key)) return malformed(`/${key}`, 'unknown envelope property');
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
  return null;
}

/** @rule 8 envelope.md#verification: `type` is a type of the envelope's version — `ENVELOPE_UNKNOWN_TYPE`. */
export function checkType(envelope: Envelope): Refusal | null {
  if (isMessageType(envelope.type)) return null;
  return { outcome: 'reject', code: 'ENVELOPE_UNKNOWN_TYPE', meta: { type: envelope.type } };
}

/**
 * @rule 9 envelope.md#verification: `scope` exactly on pool-scoped types, `domain` only on them —
 * `ENVELOPE_SCOPE_MISMATCH`.
 */
export function checkScope(envelope: Envelope): Refusal | null {
  const scoped = isPoolScopedType(envelope.type);
  if (scoped !== (envelope.scope !== undefined)) {
    return {
      outcome: 'reject',
      code: 'ENVELOPE_SCOPE_MISMATCH',
      meta: { reason: scoped ? 'pool message without scope' : 'scope on a message that is not pool-scoped' },
    };
  }
  if (envelope.domain !== undefined && !scoped) {
    return {
      outcome: 'reject',
      code: 'ENVELOPE_SCOPE_MISMATCH',
      meta: { reason: 'domain on a message that is not pool-scoped' },
    };
  }
  return null;
}

/**
 * @rule 10 envelope.md#verification: header addresses in EIP-55 form, else REJECT
 * `ENVELOPE_NOT_CANONICAL` (one spelling per address keeps one wire form, hence one message id).
 */
export function checkAddressForm(envelope: Envelope): Refusal | null {
  let pointer: string | null = null;
  if (toChecksumAddress(envelope.issuer) !== envelope.issuer) pointer = '/issuer';
  else {
    const vc = envelope.domain?.verifyingContract;
    if (vc !== undefined && toChecksumAddress(vc) !== vc) pointer = '/domain/verifyingContract';
  }
  return pointer === null
    ? null
    : {
        outcome: 'reject',
        code: 'ENVELOPE_NOT_CANONICAL',
        meta: { pointer, reason: 'address not in EIP-55 form' },
      };
}

/**
 * Structural check of a decoded envelope (envelope.md#data): rules 4 and 7–9 in order. Returns
 * `null` when well-formed; otherwise the first rule's REJECT. Signature encoding is checked later.
 */
export function checkEnvelopeShape(value: unknown): Refusal | null {
  const members = checkHeaderMembers(value);
  if (members !== null) return members;
  return checkType(value as Envelope) ?? checkScope(value as Envelope);
}

/**
 * @rule 22 envelope.md#verification: the signature's encoding. An EOA member's is 65 bytes
 * `r ‖ s ‖ v`, low s, `v ∈ {27, 28}`; a contract member's is any lower-case hex of at most
 * `MAX_SIGNATURE_BYTES` bytes (its contract judges the content). REJECT
 * `ENVELOPE_BAD_SIGNATURE_ENCODING` otherwise. `sig`: `signatureBytes(envelope.signature)` when the caller
 * already read it (the pipeline reads it once for rules 22 and 24).
 */
export function checkSignatureEncoding(
  envelope: Envelope,
  contractMember: boolean,
  sig: Uint8Array | null = signatureBytes(envelope.signature),
): Refusal | null {
  const reason =
    sig === null
      ? `signature must be 0x + lower-case hex of at most ${MAX_SIGNATURE_BYTES} bytes`
      : contractMember
        ? null
        : signatureEncodingError(sig);
  return reason === null
    ? null
    : { outcome: 'reject', code: 'ENVELOPE_BAD_SIGNATURE_ENCODING', meta: { reason } };
}

/** Narrowing helper for code that already ran `checkEnvelopeShape`. */
export function isEnvelope(value: unknown): value is Envelope {
  return checkEnvelopeShape(value) === null;
}

/** The signature's bytes if it is `0x` + lower-case hex of at most `MAX_SIGNATURE_BYTES` whole bytes. */
export function signatureBytes(signature: string): Uint8Array | null {
  const length = signature.length;
  if (length > 2 + 2 * MAX_SIGNATURE_BYTES || length % 2 !== 0) return null;
  if (signature.charCodeAt(0) !== 48 || signature.charCodeAt(1) !== 120) return null; // "0x"
  // One pass, lower-case digits only (envelope.md#signature): no regular expression before the decoding.
  const out = new Uint8Array((length - 2) / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = lowerNibble(signature.charCodeAt(2 + 2 * i));
    const lo = lowerNibble(signature.charCodeAt(3 + 2 * i));
    if (hi < 0 || lo < 0) return null;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** The value of a lower-case hex digit's char code, or -1. */
function lowerNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}
