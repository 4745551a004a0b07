// generated — do not edit. Source: schemas/v1/common.schema.json `$defs`; regenerate with
// `npm run -w @sfr/schemas generate` (schemas/scripts/generate-types.ts).

import type { Address, Bytes32, Hex, MessageId, PoolId } from './types.js';

const ADDRESS_PATTERN = /^0x[0-9a-fA-F]{40}$/;

/** Whether `value` is an `Address` (common.schema.json `$defs/Address`: pattern `^0x[0-9a-fA-F]{40}$`). */
export function isAddress(value: unknown): value is Address {
  return typeof value === 'string' && ADDRESS_PATTERN.test(value);
}

const BYTES32_PATTERN = /^0x[0-9a-f]{64}$/;

/** Whether `value` is a `Bytes32` (common.schema.json `$defs/Bytes32`: pattern `^0x[0-9a-f]{64}$`). */
export function isBytes32(value: unknown): value is Bytes32 {
  return typeof value === 'string' && BYTES32_PATTERN.test(value);
}

const HEX_PATTERN = /^0x([0-9a-f]{2})*$/;

/** Whether `value` is a `Hex` (common.schema.json `$defs/Hex`: pattern `^0x([0-9a-f]{2})*$`, at most 131074 characters). */
export function isHex(value: unknown): value is Hex {
  return typeof value === 'string' && value.length <= 131074 && HEX_PATTERN.test(value);
}

const MESSAGEID_PATTERN = /^0x[0-9a-f]{64}$/;

/** Whether `value` is a `MessageId` (common.schema.json `$defs/MessageId`: pattern `^0x[0-9a-f]{64}$`). */
export function isMessageId(value: unknown): value is MessageId {
  return typeof value === 'string' && MESSAGEID_PATTERN.test(value);
}

const POOLID_PATTERN = /^0x[0-9a-f]{64}$/;

/** Whether `value` is a `PoolId` (common.schema.json `$defs/PoolId`: pattern `^0x[0-9a-f]{64}$`). */
export function isPoolId(value: unknown): value is PoolId {
  return typeof value === 'string' && POOLID_PATTERN.test(value);
}
