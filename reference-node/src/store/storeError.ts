import { REGISTERED_REASON_CODES, type RegisteredCodeOf, SfrError } from '@sfr/schemas';
/** Reason codes of the store (registered in schemas/v1/registry/reason-codes/STORE.json). */
export type StoreCode = RegisteredCodeOf<'STORE'>;
export const STORE_CODES = Object.keys(REGISTERED_REASON_CODES.STORE) as readonly StoreCode[];

export interface StoreErrorDetails {
  readonly detail?: string;
  readonly key?: string;
  readonly cause?: unknown;
}

/**
 * The one error a store operation throws. Only `openStore` (when LevelDB itself cannot open the
 * folder) and `close` misuse throw; every data-path outcome is returned as a value.
 */
export class StoreError extends SfrError<StoreCode, string | undefined> {
  override readonly name = 'StoreError';

  constructor(code: StoreCode, message: string, details: StoreErrorDetails = {}) {
    super(code, message, { section: 'node.md#store', details: details.detail, cause: details.cause });
  }
}
