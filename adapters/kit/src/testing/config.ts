import { expect } from 'vitest';
import { AdapterError } from '../errors.js';

const junk: unknown[] = [
  null,
  undefined,
  0,
  -1,
  1.5,
  '',
  'x',
  '0x12',
  [],
  [null],
  [{}],
  {},
  { address: null },
  true,
];

/**
 * Asserts that a factory given `valid` with any one field (top-level, or of the first item of an
 * array field) replaced by junk either builds or throws ADAPTER_CONFIG_INVALID — never anything
 * else. Returns how many variants were refused.
 */
export function expectConfigErrorsAreCoded<C extends object>(
  factory: (config: C) => unknown,
  valid: C,
): number {
  let refused = 0;
  const attempt = (config: unknown, label: string) => {
    try {
      factory(config as C);
    } catch (error) {
      expect(error, label).toBeInstanceOf(AdapterError);
      expect((error as AdapterError).code, label).toBe('ADAPTER_CONFIG_INVALID');
      refused++;
    }
  };
  for (const value of [null, undefined, 42, 'config', []])
    attempt(value, `config = ${JSON.stringify(value)}`);
  for (const [key, original] of Object.entries(valid)) {
    for (const value of junk) {
      attempt({ ...valid, [key]: value }, `${key} = ${JSON.stringify(value)}`);
      if (Array.isArray(original) && typeof original[0] === 'object' && original[0] !== null) {
        for (const field of Object.keys(original[0] as object)) {
          const item = { ...(original[0] as object), [field]: value };
          attempt(
            { ...valid, [key]: [item, ...original.slice(1)] },
            `${key}[0].${field} = ${JSON.stringify(value)}`,
          );
        }
      }
    }
  }
  return refused;
}
