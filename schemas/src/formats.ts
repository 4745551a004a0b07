import type { FormatDefinition } from 'ajv';
import { isInt256InRange, isUint256InRange } from './bigIntBounds.js';

/**
 * The formats SFR adds to ajv-formats': the 2^256 bounds that a pattern cannot express (proposal 0001
 * §2). Registered by `createAjv` and imported by name by the generated standalone validators.
 */
export const sfrFormats: Readonly<Record<'uint256' | 'int256', FormatDefinition<string>>> = {
  uint256: { type: 'string', validate: isUint256InRange },
  int256: { type: 'string', validate: isInt256InRange },
};
