import { canonicalize } from './canonicalize.js';
import {
  checkAddressForm,
  checkHeaderMembers,
  checkScope,
  checkSignatureEncoding,
  checkType,
  checkVersionString,
  signatureBytes,
} from './checkEnvelopeShape.js';
import { decodeEnvelope } from './decodeEnvelope.js';
import { verifyEquivocationEvidence } from './equivocation.js';
import { hashPayload } from './hashPayload.js';
import { typedEnvelopeDigest } from './hashTypedEnvelope.js';
import { utf8 } from './hex.js';
import { messageIdOf } from './messageIdOf.js';
import { payloadHashBytesFromWire } from './payloadHashFromWire.js';
import { recoverSigner } from './recoverSigner.js';
import { checkIssuedAt, DEFAULT_MAX_AGE_MS, DEFAULT_SKEW_MS } from './time.js';
import type { Address, Envelope, EnvelopeDomain, Hex, Refusal } from './types.js';
import { parseVersion, SFR_MAJOR, SFR_MINOR } from './version.js';

/** Which key signs for `issuer` at `seq` (key rotation, envelope.md#keys); `SignerRegistry` is one. */
export type SignerResolver = { keyFor(issuer: Address, seq: number): Address };

export type VerifyContext = {
  /** Receiver's clock, unix ms. */
  now: number;
  skewMs?: number;
  maxAgeMs?: number;
  maxBytes?: number;
  /** Skip the time-window checks (catch-up sync, evidence checking). Default false. */
  skipTimeChecks?: boolean;
  /** For pool-scoped types: `envelope.domain` must equal it; `null` means it must be absent. */
  expectedDomain?: EnvelopeDomain | null;
  /** Rotated keys; without it a member's key is its `issuer` address. */
  signers?: SignerResolver;
  /** Whether `issuer` is a contract (ERC-1271) member. */
  isContractMember?: (issuer: Address) => boolean;
  /** The node's schema step (e.g. `checkEnvelopeSchema`), run after the signature. Off by default. */
  checkSchema?: (value: unknown) => Refusal | null;
};

export type VerifiedEnvelope = { outcome: 'accept'; envelope: Envelope; wire: Uint8Array; messageId: Hex };
export type VerifyEnvelopeResult = VerifiedEnvelope | Refusal;

/** Steps before the signature: everything that needs neither a key nor replay state. */
export type Prechecked = { outcome: 'accept'; envelope: Envelope; wire: Uint8Array };

/** @rule 5 6 envelope.md#verification: a MAJOR and a MINOR this library implements. */
export function checkVersion(sfr: string): Refusal | null {
  const version = parseVersion(sfr);
  if (version === null) return null; // rule 4 reports it
  if (version.major !== SFR_MAJOR)
    return { outcome: 'ignore', code: 'ENVELOPE_UNSUPPORTED_MAJOR', meta: { sfr } };
  if (version.minor > SFR_MINOR)
    return { outcome: 'ignore', code: 'ENVELOPE_UNSUPPORTED_MINOR', meta: { sfr } };
  return null;
}

/**
 * @rule 14 envelope.md#verification: for a pool-scoped type, where the receiver expects a vault
 * domain, `domain` equals it (chain ids equal, addresses equal ignoring case); where it expects
 * none (`null`), `domain` is absent. Other types carry no domain (rule 9) and are not affected.
 */
export function checkDomain(envelope: Envelope, expected: EnvelopeDomain | null | undefined): Refusal | null {
  if (expected === undefined || envelope.scope === undefined) return null;
  const a = envelope.domain;
  const same =
    a === undefined || expected === null
      ? a === undefined && expected === null
      : a.chainId === expected.chainId &&
        a.verifyingContract.toLowerCase() === expected.verifyingContract.toLowerCase();
  return same ? null : { outcome: 'reject', code: 'ENVELOPE_DOMAIN_MISMATCH', meta: { expected } };
}

/**
 * Rules 4–10 on a decoded value (version, structure, type, scope, address form), in order; the
 * first failing rule's refusal, or `null`.
 */
export function checkDecodedEnvelope(value: unknown): Refusal | null {
  const version = checkVersionString(value) ?? checkVersion((value as { sfr: string }).sfr);
  if (version !== null) return version;
  const members = checkHeaderMembers(value);
  if (members !== null) return members;
  const envelope = value as Envelope;
  return checkType(envelope) ?? checkScope(envelope) ?? checkAddressForm(envelope);
}

/**
 * The stateless envelope rules up to the signature (envelope.md#verification 1–10, 14–18) for an
 * envelope that is not a gossip message: one embedded in another (evidence, a decision), or a
 * document given whole. `input` is wire bytes or a decoded object (whose canonical bytes are then
 * the wire bytes). Received messages go through the validation pipeline instead.
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
  const refusal = checkDecodedEnvelope(value);
  if (refusal) return refusal;
  const envelope = value as Envelope;
  const domain = checkDomain(envelope, ctx.expectedDomain);
  if (domain) return domain;
  if (!ctx.skipTimeChecks) {
    const time = checkIssuedAt(envelope.issuedAt, ctx.now, ctx.skewMs ?? DEFAULT_SKEW_MS, {
      maxAgeMs: ctx.maxAgeMs ?? DEFAULT_MAX_AGE_MS,
    });
    if (time) return time;
  }
  return { outcome: 'accept', envelope, wire };
}

/**
 * The EIP-712 digest an envelope's signature must cover. Pass the canonical `wire` bytes when
 * known: the payload hash is then taken from them without re-serializing the payload.
 */
export function digestOf(envelope: Envelope, wire?: Uint8Array): Uint8Array {
  const fromWire = wire ? payloadHashBytesFromWire(envelope, wire) : null;
  return typedEnvelopeDigest(envelope, fromWire ?? hashPayload(envelope.payload));
}

/**
 * envelope.md#verification rule 24 for an EOA member: the address recovered from `(digest,
 * signature)` is the key that signs for `issuer` at `seq`, else REJECT `ENVELOPE_BAD_SIGNATURE`.
 * Run after `checkSignatureEncoding` (rule 22).
 */
export function checkSigner(
  envelope: Envelope,
  digest: Uint8Array,
  signers?: SignerResolver,
): Refusal | null {
  const sig = signatureBytes(envelope.signature);
  return checkRecoveredSigner(envelope, sig === null ? null : recoverSigner(digest, sig), signers);
}

/** How rule 24 recovers a signer: `recoverSigner` inline, or a `RecoverPool`'s `recover`. */
export type RecoverSignerFn = (
  digest: Uint8Array,
  sig: Uint8Array,
) => Address | null | Promise<Address | null>;

/**
 * `checkSigner` with the recovery done by `recover` (e.g. on a worker pool); the same verdict. Answers
 * synchronously when `recover` does (no extra turn of the event loop at light load). `sig`: the signature's
 * bytes when the caller already read them.
 */
export function checkSignerWith(
  envelope: Envelope,
  digest: Uint8Array,
  signers: SignerResolver | undefined,
  recover: RecoverSignerFn,
  sig: Uint8Array | null = signatureBytes(envelope.signature),
): Refusal | null | Promise<Refusal | null> {
  const recovered = sig === null ? null : recover(digest, sig);
  return recovered instanceof Promise
    ? recovered.then((r) => checkRecoveredSigner(envelope, r, signers))
    : checkRecoveredSigner(envelope, recovered, signers);
}

/** Rule 24's comparison: the `recovered` address is the key that signs for `issuer` at `seq`. */
function checkRecoveredSigner(
  envelope: Envelope,
  recovered: Address | null,
  signers: SignerResolver | undefined,
): Refusal | null {
  const expected = (signers?.keyFor(envelope.issuer, envelope.seq) ?? envelope.issuer).toLowerCase();
  if (recovered !== expected) {
    return { outcome: 'reject', code: 'ENVELOPE_BAD_SIGNATURE', meta: { recovered, expected } };
  }
  return null;
}

/**
 * Rules 22–24 without a chain: encoding, then (contract member) IGNORE
 * `ENVELOPE_ERC1271_UNVERIFIABLE`, or (EOA) the recovered signer.
 */
export function checkSignature(
  envelope: Envelope,
  ctx: Pick<VerifyContext, 'signers' | 'isContractMember'>,
  digest: Uint8Array = digestOf(envelope),
): Refusal | null {
  const contract = ctx.isContractMember?.(envelope.issuer) === true;
  const encoding = checkSignatureEncoding(envelope, contract);
  if (encoding) return encoding;
  if (contract)
    return { outcome: 'ignore', code: 'ENVELOPE_ERC1271_UNVERIFIABLE', meta: { reason: 'no chain' } };
  return checkSigner(envelope, digest, ctx.signers);
}

/**
 * Verify one envelope that is not a gossip message (embedded evidence or decision votes, a document):
 * the stateless rules of spec/v1/envelope.md#verification, with the schema step when `checkSchema`
 * is given. Never throws: an unexpected internal error is IGNORE `ENVELOPE_INTERNAL`.
 */
export function verifyEnvelope(input: Uint8Array | unknown, ctx: VerifyContext): VerifyEnvelopeResult {
  try {
    const pre = precheckEnvelope(input, ctx);
    if (pre.outcome !== 'accept') return pre;
    const sig = checkSignature(pre.envelope, ctx, digestOf(pre.envelope, pre.wire));
    if (sig) return sig;
    const schema = ctx.checkSchema?.(pre.envelope);
    if (schema) return schema;
    if (pre.envelope.type === 'EquivocationEvidence') {
      const evidence = verifyEquivocationEvidence(pre.envelope.payload, ctx);
      if (evidence.outcome !== 'accept') return evidence;
    }
    return { outcome: 'accept', envelope: pre.envelope, wire: pre.wire, messageId: messageIdOf(pre.wire) };
  } catch (error) {
    return { outcome: 'ignore', code: 'ENVELOPE_INTERNAL', meta: { error: String(error) } };
  }
}
