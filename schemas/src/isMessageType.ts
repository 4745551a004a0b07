import {
  MESSAGE_TYPES,
  type MessageType,
  POOL_SCOPED_TYPES,
  type PoolScopedType,
} from './generated/v1/messageTypes.js';

const messageTypes: ReadonlySet<string> = new Set(MESSAGE_TYPES);
const poolScopedTypes: ReadonlySet<string> = new Set(POOL_SCOPED_TYPES);

/** Whether `type` is a type an envelope of this version may carry (envelope.md#verification rule 8). */
export function isMessageType(type: string): type is MessageType {
  return messageTypes.has(type);
}

/** Whether `type` is a pool message type, which carries `scope` (envelope.md#verification rule 9). */
export function isPoolScopedType(type: string): type is PoolScopedType {
  return poolScopedTypes.has(type);
}
