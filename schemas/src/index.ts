// @sfr/schemas — the public face: validators, schema access, the reason-code registry and the v1 types.

export { isAddress, isBytes32, isHex, isMessageId, isPoolId } from './generated/v1/hexGuards.js';
export {
  FIXED_TOPIC_NAMES,
  type FixedTopicName,
  MESSAGE_TYPES,
  type MessageType,
  POOL_SCOPED_TYPES,
  type PoolScopedType,
  TOPIC_OF_TYPE,
} from './generated/v1/messageTypes.js';
export {
  type ErrorCode,
  type IgnoreCode,
  REGISTERED_REASON_CODES,
  type ReasonCodeDomain,
  type ReasonCodeOutcome,
  type RegisteredCodeOf,
  type RegisteredReasonCode,
  type RejectCode,
} from './generated/v1/reasonCodes.js';
export type * from './generated/v1/types.js';
export { getSchema } from './getSchema.js';
export { isMessageType, isPoolScopedType } from './isMessageType.js';
export { escapePointerToken, type ValidateResult, type ValidationIssue } from './issue.js';
export { defaultLimits, type ValidationLimits } from './limits.js';
export { parseAndValidate } from './parseAndValidate.js';
export {
  getReasonCode,
  isRegisteredReasonCode,
  type ReasonCode,
  type ReasonCodeLoadError,
  reasonCodeLoadErrors,
  reasonCodes,
  registeredCodeOf,
} from './reasonCodes.js';
export { commonSchemaId, type SchemaKind, schemaIdOf, schemaKinds } from './schemaKinds.js';
export { SfrError, type SfrErrorOptions, sfrMessage } from './sfrError.js';
export { isSchemaKind, validate } from './validate.js';
