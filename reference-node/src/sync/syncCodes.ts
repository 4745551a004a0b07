/**
 * SYNC_* reason codes. `schemas/v1/registry/reason-codes/SYNC.json` is the normative list; a test checks
 * both agree. All are `error` (request/response failures), not gossip verdicts.
 */
export const SYNC_CODES = {
  SYNC_BAD_REQUEST: 'error',
  SYNC_RATE_LIMITED: 'error',
  SYNC_FRAME_TOO_LARGE: 'error',
  SYNC_BAD_RESPONSE: 'error',
  SYNC_TIMEOUT: 'error',
  SYNC_PEER_UNREACHABLE: 'error',
  SYNC_PEER_SERVED_INVALID: 'error',
  SYNC_NO_PROGRESS: 'error',
  SYNC_PEER_BACKED_OFF: 'error',
  SYNC_INTERNAL_ERROR: 'error',
} as const satisfies Record<string, 'reject' | 'ignore' | 'error'>;

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
