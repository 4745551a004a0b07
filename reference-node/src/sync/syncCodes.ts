import { REGISTERED_REASON_CODES } from '@sfr/schemas';

/**
 * SYNC_* reason codes with their outcomes, generated from the registry file
 * `schemas/v1/registry/reason-codes/SYNC.json` (the normative list). All are `error`
 * (request/response failures), not gossip verdicts.
 */
export const SYNC_CODES = REGISTERED_REASON_CODES.SYNC;

export type SyncCode = keyof typeof SYNC_CODES;

/** The one error class of sync, with a stable code (STYLE.md). */
export class SyncError extends Error {
  override name = 'SyncError';
  readonly code: SyncCode;
  readonly section = 'spec/v1/p2p.md#sync';

  constructor(code: SyncCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
