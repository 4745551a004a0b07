/** Stable reason codes raised by adapters (registry: schemas/v1/registry/reason-codes/ADAPTER.json). */
export const adapterErrorCodes = [
  'ADAPTER_CONFIG_INVALID',
  'ADAPTER_RPC_UNAVAILABLE',
  'ADAPTER_REORG_TOO_DEEP',
  'ADAPTER_CURSOR_CORRUPT',
  'ADAPTER_CURSOR_MISMATCH',
  'ADAPTER_INCONSISTENT_READ',
] as const;

export type AdapterErrorCode = (typeof adapterErrorCodes)[number];

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
export class AdapterError extends Error {
  override readonly name = 'AdapterError';
  readonly code: AdapterErrorCode;
  readonly details: Record<string, unknown>;
  readonly section: string;

  constructor(code: AdapterErrorCode, message: string, options: AdapterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    this.section = sections[code];
  }
}

export function isAdapterError(value: unknown): value is AdapterError {
  return value instanceof AdapterError;
}
