/**
 * The one error class of the node's pool service: a stable registered reason `code` (POOL_*,
 * CLAIM_*, ENVELOPE_*, EVIDENCE_*, STORE_* — every one already in schemas/v1/registry), a short
 * message, details, and the spec section it relates to. The HTTP API maps it to problem+json.
 */
export class PoolServiceError extends Error {
  override readonly name = 'PoolServiceError';
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly section: string;
  constructor(
    code: string,
    message: string,
    options: { details?: Record<string, unknown>; section?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    this.section = options.section ?? 'pools.md';
  }
}
