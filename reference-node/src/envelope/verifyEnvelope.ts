import { canonicalize } from './canonicalize.js';
import { checkEnvelopeShape, signatureBytes } from './checkEnvelopeShape.js';
import { decodeEnvelope } from './decodeEnvelope.js';
import { verifyEquivocationEvidence } from './equivocation.js';
import { hashPayload } from './hashPayload.js';
import { typedEnvelopeDigest } from './hashTypedEnvelope.js';
import { utf8 } from './hex.js';
import { toChecksumAddress } from './keys.js';
import { messageIdOf } from './messageIdOf.js';
import { payloadHashBytesFromWire } from './payloadHashFromWire.js';
import { recoverSigner, signatureEncodingError } from './recoverSigner.js';
import type { Address, Envelope, EnvelopeDomain, Hex, Refusal } from './types.js';

/** Wire MAJOR this library implements. */
export const SFR_MAJOR = 1;
/** Highest MINOR of `SFR_MAJOR` this library implements; it also accepts the one before (N−1). */
export const SFR_MINOR = 0;
/** Default clock-skew tolerance: NTP keeps honest hosts well within this (envelope.md#time). */
export const DEFAULT_SKEW_MS = 10_000;
/** Default maximum age on gossip: five minutes; older messages arrive by sync (envelope.md#time). */
export const DEFAULT_MAX_AGE_MS = 300_000;

/** Which key signs for `issuer` at `seq` (key rotation, envelope.md#keys). */
export type SignerResolver = { keyFor(issuer: Address, seq: number): Address };

export type VerifyContext = {
  /** Receiver's clock, unix ms. */
  now: number;
  skewMs?: number;
  maxAgeMs?: number;
  maxBytes?: number;
  /** Skip the time-window checks (catch-up sync, evidence checking). Default false. */
  skipTimeChecks?: boolean;
  /** When set, `envelope.domain` must equal it; `null` means it must be absent. */
  expectedDomain?: EnvelopeDomain | null;
  /** Rotated keys; without it a member's key is its `issuer` address. */
  signers?: SignerResolver;
  /** Whether `issuer` is a contract (ERC-1271) member. */
  isContractMember?: (issuer: Address) => boolean;
  /**
   * The pipeline's schema step, run after the structural check (e.g. `checkEnvelopeSchema`,
   * which validates the payload against its type's schema). Off by default: the envelope rules
   * alone do not depend on payload schemas.
   */
  checkSchema?: (value: unknown) => Refusal | null;
};

export type VerifiedEnvelope = { outcome: 'accept'; envelope: Envelope; wire: Uint8Array; messageId: Hex };
export type VerifyEnvelopeResult = VerifiedEnvelope | Refusal;

/** Steps before the signature: everything that needs neither a key nor replay state. */
export type Prechecked = { outcome: 'accept'; envelope: Envelope; wire: Uint8Array };

function versionRefusal(sfr: unknown): Refusal | null {
  if (typeof sfr !== 'string') return null; // the shape check reports it
  const m = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/.exec(sfr);
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major !== SFR_MAJOR) return { outcome: 'ignore', code: 'ENVELOPE_UNSUPPORTED_MAJOR', meta: { sfr } };
  if (minor > SFR_MINOR) return { outcome: 'ignore', code: 'ENVELOPE_UNSUPPORTED_MINOR', meta: { sfr } };
  return null;
}

function sameDomain(a: EnvelopeDomain | undefined, b: EnvelopeDomain | null): boolean {
  if (!a || !b) return !a && !b;
  return a.chainId === b.chainId && a.verifyingContract.toLowerCase() === b.verifyingContract.toLowerCase();
}

/**
 * envelope.md#verification steps 1–14 (size … expired / max age): no signature, no replay state.
 * `input` is wire bytes or an already-decoded envelope object (whose canonical bytes are then
 * the wire bytes).
 */
export function precheckEnvelope(input: Uint8Array | unknown, ctx: VerifyContext): Prechecked | Refusal {
  let value: unknown;
  let wire: Uint8Array;
  if (input instanceof Uint8Array) {
    const decoded = decodeEnvelope(input, ctx.maxBytes === undefined ? {} : { maxBytes: ctx.maxBytes });
    if (decoded.outcome !== 'accept') return decoded;
    value = decoded.value;
    wire = decoded.wire;
  } else {
    value = input;
    try {
      wire = utf8.encode(canonicalize(input));
    } catch {
      return {
        outcome: 'reject',
        code: 'ENVELOPE_MALFORMED',
        meta: { pointer: '', reason: 'not a JSON value' },
      };
    }
  }
  const version = versionRefusal((value as { sfr?: unknown } | null)?.sfr);
  if (version) return version;
  const shape = checkEnvelopeShape(value);
  if (shape) return shape;
  const address = nonCanonicalAddress(value as Envelope);
  if (address)
    return {
      outcome: 'reject',
      code: 'ENVELOPE_NOT_CANONICAL',
      meta: { pointer: address, reason: 'address not in EIP-55 form' },
    };
  const schema = ctx.checkSchema?.(value);
  if (schema) return schema;
  const envelope = value as Envelope;
  if (ctx.expectedDomain !== undefined && !sameDomain(envelope.domain, ctx.expectedDomain)) {
    return { outcome: 'reject', code: 'ENVELOPE_DOMAIN_MISMATCH' };
  }
  if (!ctx.skipTimeChecks) {
    const refusal = checkIssuedAt(envelope.issuedAt, ctx.now, ctx.skewMs ?? DEFAULT_SKEW_MS, {
      maxAgeMs: ctx.maxAgeMs ?? DEFAULT_MAX_AGE_MS,
    });
    if (refusal) return refusal;
  }
  return { outcome: 'accept', envelope, wire };
}

/**
 * envelope.md#time: the acceptance window and the provably-wrong band around it. An honest relayer's
 * clock is within `skewMs` of ours, so it could only have accepted (and relayed) a message issued at
 * most `skewMs` ahead of its clock, i.e. `2·skewMs` ahead of ours; likewise it only relays a message
 * at most `maxAgeMs + skewMs` old by its clock, `maxAgeMs + 2·skewMs` by ours. Beyond those bounds the
 * message is REJECT (`ENVELOPE_FAR_FUTURE`, `ENVELOPE_EXPIRED`); between the window and those bounds it
 * is IGNORE (`ENVELOPE_FROM_FUTURE`, `ENVELOPE_TOO_OLD`). Pass `maxAgeMs: undefined` to skip the past
 * side (catch-up sync carries old messages).
 */
export function checkIssuedAt(
  issuedAt: number,
  now: number,
  skewMs: number,
  options: { maxAgeMs?: number | undefined },
): Refusal | null {
  if (issuedAt > now + skewMs) {
    return issuedAt > now + 2 * skewMs
      ? { outcome: 'reject', code: 'ENVELOPE_FAR_FUTURE', meta: { issuedAt, now } }
      : { outcome: 'ignore', code: 'ENVELOPE_FROM_FUTURE', meta: { issuedAt, now } };
  }
  const maxAgeMs = options.maxAgeMs;
  if (maxAgeMs !== undefined && issuedAt < now - maxAgeMs - skewMs) {
    return issuedAt < now - maxAgeMs - 2 * skewMs
      ? { outcome: 'reject', code: 'ENVELOPE_EXPIRED', meta: { issuedAt, now } }
      : { outcome: 'ignore', code: 'ENVELOPE_TOO_OLD', meta: { issuedAt, now } };
  }
  return null;
}

/**
 * Pointer to an envelope address that is not in EIP-55 checksum form, or `null`. One spelling
 * per address keeps the wire bytes (hence the message id) of a signed message unique.
 */
function nonCanonicalAddress(envelope: Envelope): string | null {
  if (toChecksumAddress(envelope.issuer) !== envelope.issuer) return '/issuer';
  const vc = envelope.domain?.verifyingContract;
  if (vc !== undefined && toChecksumAddress(vc) !== vc) return '/domain/verifyingContract';
  return null;
}

/**
 * The EIP-712 digest an envelope's signature must cover. Pass the canonical `wire` bytes when
 * known: the payload hash is then taken from them without re-serializing the payload.
 */
export function digestOf(envelope: Envelope, wire?: Uint8Array): Uint8Array {
  const fromWire = wire ? payloadHashBytesFromWire(envelope, wire) : null;
  return typedEnvelopeDigest(envelope, fromWire ?? hashPayload(envelope.payload));
}

/** envelope.md#verification steps 12–14: ERC-1271 members, signature encoding, signer. */
export function checkSignature(
  envelope: Envelope,
  ctx: Pick<VerifyContext, 'signers' | 'isContractMember'>,
  digest: Uint8Array = digestOf(envelope),
): Refusal | null {
  if (ctx.isContractMember?.(envelope.issuer)) {
    // Verified by `verifyEnvelopeWithChain`; a verifier without a chain cannot tell.
    return { outcome: 'ignore', code: 'ENVELOPE_ERC1271_UNVERIFIABLE' };
  }
  const sig = signatureBytes(envelope.signature);
  const encodingError = sig ? signatureEncodingError(sig) : 'signature is not lower-case hex';
  if (!sig || encodingError) {
    return { outcome: 'reject', code: 'ENVELOPE_BAD_SIGNATURE_ENCODING', meta: { reason: encodingError } };
  }
  const recovered = recoverSigner(digest, sig);
  const expected = (ctx.signers?.keyFor(envelope.issuer, envelope.seq) ?? envelope.issuer).toLowerCase();
  if (recovered !== expected) {
    return { outcome: 'reject', code: 'ENVELOPE_BAD_SIGNATURE', meta: { recovered, expected } };
  }
  return null;
}

/**
 * envelope.md#verification step 15: the payload of an `EquivocationEvidence` envelope must be
 * evidence that verifies (REJECT `ENVELOPE_EVIDENCE_INVALID`).
 */
export function checkEvidencePayload(
  envelope: Envelope,
  ctx: Pick<VerifyContext, 'signers' | 'isContractMember'>,
): Refusal | null {
  if (envelope.type !== 'EquivocationEvidence') return null;
  const r = verifyEquivocationEvidence(envelope.payload, ctx);
  return r.outcome === 'accept' ? null : r;
}

/**
 * Verify one envelope (wire bytes or decoded object) against the rules of
 * spec/v1/envelope.md#verification, without replay state (see `ReplayGuard` for that).
 * Never throws: an unexpected internal error is IGNORE `ENVELOPE_INTERNAL`.
 */
export function verifyEnvelope(input: Uint8Array | unknown, ctx: VerifyContext): VerifyEnvelopeResult {
  try {
    const pre = precheckEnvelope(input, ctx);
    if (pre.outcome !== 'accept') return pre;
    const sig = checkSignature(pre.envelope, ctx, digestOf(pre.envelope, pre.wire));
    if (sig) return sig;
    const evidence = checkEvidencePayload(pre.envelope, ctx);
    if (evidence) return evidence;
    return { outcome: 'accept', envelope: pre.envelope, wire: pre.wire, messageId: messageIdOf(pre.wire) };
  } catch (error) {
    return { outcome: 'ignore', code: 'ENVELOPE_INTERNAL', meta: { error: String(error) } };
  }
}
