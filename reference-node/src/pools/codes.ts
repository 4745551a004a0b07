/**
 * The POOL_* and CLAIM_* reason codes of spec/v1/pools.md. Each is registered, with its outcome
 * and meaning, in schemas/v1/registry/reason-codes/{POOL,CLAIM}.json (a test keeps the two equal).
 */
export const POOL_CODES = {
  POOL_WRONG_POOL: 'ignore',
  POOL_SCOPE_MISMATCH: 'reject',
  POOL_DUPLICATE_MEMBER: 'reject',
  POOL_QUORUM_UNREACHABLE: 'reject',
  POOL_WEIGHT_CAP_INVALID: 'reject',
  POOL_UNIT_ASSET_NOT_PAYOUT: 'reject',
  POOL_AMOUNT_OUT_OF_RANGE: 'reject',
  POOL_SIGNER_NOT_MEMBER: 'reject',
  POOL_NOT_FOUNDED: 'ignore',
  POOL_AMENDMENT_BAD_PREVIOUS: 'reject',
  POOL_AMENDMENT_NO_QUORUM: 'ignore',
  POOL_AMENDMENT_RETROACTIVE: 'reject',
  POOL_AMENDMENT_SUPERSEDED: 'ignore',
  POOL_NEW_MEMBER_NOT_SIGNED: 'ignore',
  POOL_NOTICE_TOO_SHORT: 'reject',
  POOL_MEMBER_REMOVED_WITHOUT_NOTICE: 'reject',
  POOL_UNEXPECTED_TYPE: 'ignore',
  POOL_WITHDRAWAL_LOCKED: 'error',
  POOL_INPUT_INVALID: 'error',
  POOL_SCENARIO_INVALID: 'error',
} as const;

export const CLAIM_CODES = {
  CLAIM_POOL_NOT_ACTIVE: 'ignore',
  CLAIM_CLAIMANT_NOT_MEMBER: 'reject',
  CLAIM_WRONG_EPOCH: 'reject',
  CLAIM_KIND_NOT_COVERED: 'reject',
  CLAIM_BAD_INCIDENT_WINDOW: 'reject',
  CLAIM_DEPOSIT_MISSING: 'reject',
  CLAIM_ZERO_AMOUNT: 'reject',
  CLAIM_VALUATION_MISSING: 'reject',
  CLAIM_VALUATION_NOT_PRE_INCIDENT: 'reject',
  CLAIM_REQUEST_EXCEEDS_VALUATION: 'reject',
  CLAIM_DUPLICATE_INCIDENT: 'ignore',
  CLAIM_COOLDOWN: 'ignore',
  CLAIM_UNKNOWN: 'ignore',
  CLAIM_ATTESTER_IS_CLAIMANT: 'ignore',
  CLAIM_ATTESTER_NOT_MEMBER: 'reject',
  CLAIM_ROUND_NOT_OPEN: 'ignore',
  CLAIM_VOTE_BEFORE_FILING: 'reject',
  CLAIM_VOTE_LATE: 'ignore',
  CLAIM_DUPLICATE_VOTE: 'ignore',
  CLAIM_ATTESTER_EQUIVOCATED: 'reject',
  CLAIM_DECISION_MISMATCH: 'reject',
  CLAIM_DECISION_BAD_ATTESTATION: 'reject',
  CLAIM_DECISION_NOT_CLOSED: 'ignore',
} as const;

export type PoolCode = keyof typeof POOL_CODES;
export type ClaimCode = keyof typeof CLAIM_CODES;
export type PoolReasonCode = PoolCode | ClaimCode;

/** A message the pool rules did not take, and why (spec/v1/pools.md#rules). */
export type PoolRefusal = {
  /** The refused envelope's message id (null when it could not be decoded). */
  messageId: string | null;
  outcome: 'ignore' | 'reject';
  /** A POOL_* / CLAIM_* code, or the ENVELOPE_* / SCHEMA_* code of the envelope check. */
  code: string;
};
