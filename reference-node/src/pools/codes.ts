import { type MessageId, REGISTERED_REASON_CODES } from '@sfr/schemas';

/**
 * The POOL_* and CLAIM_* reason codes of spec/v1/pools.md with their outcomes, generated from the
 * registry files schemas/v1/registry/reason-codes/{POOL,CLAIM}.json.
 */
export const POOL_CODES = REGISTERED_REASON_CODES.POOL;

export const CLAIM_CODES = REGISTERED_REASON_CODES.CLAIM;

export type PoolCode = keyof typeof POOL_CODES;
export type ClaimCode = keyof typeof CLAIM_CODES;
export type PoolReasonCode = PoolCode | ClaimCode;

/** A message the pool rules did not take, and why (spec/v1/pools.md#rules). */
export type PoolRefusal = {
  /** The refused envelope's message id (null when it could not be decoded). */
  messageId: MessageId | null;
  outcome: 'ignore' | 'reject';
  /** A POOL_* / CLAIM_* code, or the ENVELOPE_* / SCHEMA_* code of the envelope check. */
  code: string;
};
