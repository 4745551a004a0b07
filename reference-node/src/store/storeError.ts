/** Reason codes of the store (registered in schemas/v1/registry/reason-codes/STORE.json). */
export const STORE_CODES = [
  'STORE_OPEN_FAILED',
  'STORE_FORMAT_UNSUPPORTED',
  'STORE_CHECKSUM_MISMATCH',
  'STORE_INDEX_INCONSISTENT',
  'STORE_UNHEALTHY',
  'STORE_CLOSED',
  'STORE_BAD_RECORD',
  'STORE_SEQ_CONFLICT',
  'STORE_WRITE_FAILED',
  'STORE_BAD_QUERY',
] as const;
export type StoreCode = (typeof STORE_CODES)[number];

export interface StoreErrorDetails {
  readonly detail?: string;
  readonly key?: string;
  readonly cause?: unknown;
}

/**
 * The one error a store operation throws. Only `openStore` (when LevelDB itself cannot open the
 * folder) and `close` misuse throw; every data-path outcome is returned as a value.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreCode;
  readonly details: string | undefined;
  /** Spec section this error relates to. */
  readonly section = 'node.md#store';

  constructor(code: StoreCode, message: string, details: StoreErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.details = details.detail;
  }
}
