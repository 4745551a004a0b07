export {
  buildContagionAlert,
  buildRecoveryEvent,
  findAsset,
  groupByTransaction,
  type RecoveryEventInput,
  toLabel,
} from './build.js';
export {
  assertChainConfig,
  type ChainAdapterConfig,
  confirmationsFor,
  defaultConfirmations,
  failConfig,
  parseAddress,
  parseAssets,
  parseObjectList,
  parsePositiveInteger,
  toCaip2,
} from './config.js';
export { type Cursor, type CursorStore, createFileCursorStore, createMemoryCursorStore } from './cursor.js';
export {
  type AdapterDefinition,
  createChainAdapter,
  type DecodedLog,
  type EventSpec,
  isLogRangeError,
  type LossInput,
  type LossRule,
  logKey,
  type ScanContext,
  type TxLog,
  toJsonValues,
  toSubjects,
  type ViewRead,
  type ViewSpec,
} from './engine.js';
export {
  AdapterError,
  type AdapterErrorCode,
  type AdapterErrorOptions,
  adapterErrorCodes,
  isAdapterError,
} from './errors.js';
export { isTransientRpcError, type RetryOptions, withRetry } from './retry.js';
export type * from './types.js';
export { evidenceFailureCodes } from './types.js';
