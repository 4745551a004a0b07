import { REGISTERED_REASON_CODES, type RegisteredCodeOf, SfrError } from '@sfr/schemas';

/** Stable reason codes raised by adapters, generated from schemas/v1/registry/reason-codes/ADAPTER.json. */
export type AdapterErrorCode = RegisteredCodeOf<'ADAPTER'>;
export const adapterErrorCodes = Object.keys(REGISTERED_REASON_CODES.ADAPTER) as readonly AdapterErrorCode[];

export interface AdapterErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Where each code is specified (spec/v1/adapters.md). */
const sections: Record<AdapterErrorCode, string> = {
  ADAPTER_CONFIG_INVALID: 'adapters.md#configuration',
  ADAPTER_RPC_UNAVAILABLE: 'adapters.md#rpc-retries',
  ADAPTER_REORG_TOO_DEEP: 'adapters.md#reorgs',
  ADAPTER_CURSOR_CORRUPT: 'adapters.md#cursor',
  ADAPTER_CURSOR_MISMATCH: 'adapters.md#cursor',
  ADAPTER_INCONSISTENT_READ: 'adapters.md#reorgs',
};

/** The one error class adapters throw: a stable `code`, a short message, details and the spec section. */
export class AdapterError extends SfrError<AdapterErrorCode, Record<string, unknown>> {
  override readonly name = 'AdapterError';

  constructor(code: AdapterErrorCode, message: string, options: AdapterErrorOptions = {}) {
    super(code, message, { section: sections[code], details: options.details ?? {}, cause: options.cause });
  }
}

export function isAdapterError(value: unknown): value is AdapterError {
  return value instanceof AdapterError;
}
