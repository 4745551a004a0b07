import { type RegisteredReasonCode, SfrError } from '@sfr/schemas';

/**
 * The one error class of the node's pool service: a stable registered reason `code` (POOL_*,
 * CLAIM_*, ENVELOPE_*, EVIDENCE_*, STORE_* — every one already in schemas/v1/registry), a short
 * message, details, and the spec section it relates to. The HTTP API maps it to problem+json.
 */
export class PoolServiceError extends SfrError<RegisteredReasonCode, Record<string, unknown>> {
  override readonly name = 'PoolServiceError';
  constructor(
    code: RegisteredReasonCode,
    message: string,
    options: { details?: Record<string, unknown>; section?: string; cause?: unknown } = {},
  ) {
    super(code, message, {
      section: options.section ?? 'pools.md',
      details: options.details ?? {},
      cause: options.cause,
    });
  }
}
