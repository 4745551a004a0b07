/**
 * SFR signed envelopes (spec/v1/envelope.md): canonical encoding, EIP-712 signing and
 * verification, message ids, replay / equivocation state, keys and the persist-then-sign journal.
 */
export { getCryptoBackend, getSecpBackend, keccak256, useCryptoBackend } from './backend.js';
export { canonicalize, MAX_JSON_DEPTH, tryCanonicalize } from './canonicalize.js';
export { checkEnvelopeSchema } from './checkEnvelopeSchema.js';
export {
  checkAddressForm,
  checkEnvelopeShape,
  checkHeaderMembers,
  checkScope,
  checkSignatureEncoding,
  checkType,
  checkVersionString,
  MAX_SIGNATURE_BYTES,
  signatureBytes,
} from './checkEnvelopeShape.js';
export { ENVELOPE_CODES, type EnvelopeCode } from './codes.js';
export { DEFAULT_MAX_ENVELOPE_BYTES, type DecodedEnvelope, decodeEnvelope } from './decodeEnvelope.js';
export {
  attestationSlotOf,
  buildEquivocationEvidence,
  type EquivocationEvidence,
  offenseKeyOf,
  verifyEquivocationEvidence,
} from './equivocation.js';
export { EnvelopeError } from './errors.js';
export { hashPayload } from './hashPayload.js';
export {
  domainOf,
  ENVELOPE_TYPE_STRING,
  hashTypedEnvelope,
  SFR_DOMAIN_NAME,
  type TypedDomain,
  typedEnvelopeDigest,
} from './hashTypedEnvelope.js';
export { bytesToHex, hexToBytes, lowerHex } from './hex.js';
export {
  addressOfPrivateKey,
  deriveTestKey,
  generateMemberKey,
  loadMemberKey,
  type MemberKey,
  saveMemberKey,
  toChecksumAddress,
} from './keys.js';
export { messageIdOf } from './messageIdOf.js';
export {
  createRecoverPool,
  type RecoverPool,
  type RecoverPoolOptions,
  sharedRecoverPool,
} from './recoverPool.js';
export { recoverSigner, SECP256K1_N, signatureEncodingError } from './recoverSigner.js';
export {
  EVIDENCE_REORGED,
  RETRACTION_NAMESPACE,
  retractedIdOf,
  retractionExtensionOf,
  retractionPayload,
} from './retractionOf.js';
export {
  prepareEnvelope,
  type SignEnvelopeParameters,
  type SignEnvelopeReturnType,
  sealEnvelope,
  signEnvelope,
  slotsOf,
} from './signEnvelope.js';
export { type KeyRotation, readKeyRotation, SignerRegistry } from './signerRegistry.js';
export {
  createMemorySigningJournal,
  type FileSigningJournal,
  openFileSigningJournal,
  type SigningJournal,
  type SigningSlot,
} from './signingJournal.js';
export { checkIssuedAt, DEFAULT_MAX_AGE_MS, DEFAULT_SKEW_MS } from './time.js';
export type {
  Address,
  Envelope,
  EnvelopeDomain,
  EnvelopeHeader,
  EnvelopeScope,
  Hex,
  Outcome,
  Refusal,
  UnsignedEnvelope,
  VerifyResult,
} from './types.js';
export {
  checkDecodedEnvelope,
  checkDomain,
  checkSignature,
  checkSigner,
  checkSignerWith,
  checkVersion,
  digestOf,
  precheckEnvelope,
  type RecoverSignerFn,
  type SignerResolver,
  type VerifiedEnvelope,
  type VerifyContext,
  type VerifyEnvelopeResult,
  verifyEnvelope,
} from './verifyEnvelope.js';
export { parseVersion, SFR_MAJOR, SFR_MINOR, SFR_VERSION_PATTERN } from './version.js';
