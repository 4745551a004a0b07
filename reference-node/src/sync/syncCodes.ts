import { REGISTERED_REASON_CODES, SfrError } from '@sfr/schemas';

/**
 * SYNC_* reason codes with their outcomes, generated from the registry file
 * `schemas/v1/registry/reason-codes/SYNC.json` (the normative list). All are `error`
 * (request/response failures), not gossip verdicts.
 */
export const SYNC_CODES = REGISTERED_REASON_CODES.SYNC;

export type SyncCode = keyof typeof SYNC_CODES;

/** The one error class of sync, with a stable code (STYLE.md). */
export class SyncError extends SfrError<SyncCode, undefined> {
  override name = 'SyncError';

  constructor(code: SyncCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { section: 'p2p.md#sync', details: undefined, cause: options.cause });
  }
}
