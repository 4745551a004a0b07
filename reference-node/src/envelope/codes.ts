/**
 * ENVELOPE_* reason codes. The registry file `schemas/v1/registry/reason-codes/ENVELOPE.json` is
 * the normative list; a test checks that this table and that file agree.
 */
export const ENVELOPE_CODES = {
  // Verdicts (spec/v1/envelope.md#verification), in check order.
  ENVELOPE_TOO_LARGE: 'reject',
  ENVELOPE_MALFORMED: 'reject',
  ENVELOPE_NOT_CANONICAL: 'reject',
  ENVELOPE_UNSUPPORTED_MAJOR: 'ignore',
  ENVELOPE_UNSUPPORTED_MINOR: 'ignore',
  ENVELOPE_UNKNOWN_TYPE: 'reject',
  ENVELOPE_SCOPE_MISMATCH: 'reject',
  ENVELOPE_DOMAIN_MISMATCH: 'reject',
  ENVELOPE_BAD_SIGNATURE_ENCODING: 'reject',
  ENVELOPE_ERC1271_UNVERIFIABLE: 'ignore',
  ENVELOPE_BAD_SIGNATURE: 'reject',
  ENVELOPE_FAR_FUTURE: 'reject',
  ENVELOPE_FROM_FUTURE: 'ignore',
  ENVELOPE_EXPIRED: 'reject',
  ENVELOPE_TOO_OLD: 'ignore',
  ENVELOPE_DUPLICATE: 'ignore',
  ENVELOPE_EQUIVOCATION: 'ignore',
  ENVELOPE_SEQ_STALE: 'ignore',
  ENVELOPE_EVIDENCE_INVALID: 'reject',
  ENVELOPE_BAD_ROTATION: 'reject',
  ENVELOPE_INTERNAL: 'ignore',
  // Caller errors (signing, keys, journal).
  ENVELOPE_INVALID_INPUT: 'error',
  ENVELOPE_SLOT_CONFLICT: 'error',
  ENVELOPE_SEQ_NOT_MONOTONIC: 'error',
  ENVELOPE_JOURNAL_CORRUPT: 'error',
  ENVELOPE_KEY_INVALID: 'error',
  ENVELOPE_KEY_FILE_INSECURE: 'error',
  ENVELOPE_KEY_FILE_INVALID: 'error',
} as const satisfies Record<string, 'reject' | 'ignore' | 'error'>;

export type EnvelopeCode = keyof typeof ENVELOPE_CODES;
