import { reasonCodeLoadErrors, reasonCodes } from '@sfr/schemas';
import { expect, it } from 'vitest';
import { API_TITLES } from '../../src/api/index.js';
import { CONFIG_CODES } from '../../src/config/index.js';
import { STORE_CODES } from '../../src/store/index.js';

const inCode: Record<string, readonly string[]> = {
  STORE: STORE_CODES,
  CONFIG: CONFIG_CODES,
  API: Object.keys(API_TITLES),
};

it('every STORE_, CONFIG_ and API_ code the node uses is registered, and every registered one is used', () => {
  expect(reasonCodeLoadErrors).toEqual([]);
  for (const [domain, codes] of Object.entries(inCode)) {
    const registered = reasonCodes.filter((c) => c.domain === domain);
    expect(registered.map((c) => c.code).sort(), domain).toEqual([...codes].sort());
    for (const c of registered) {
      expect(c.outcome, c.code).toBe('error');
      expect(c.meaning.length, c.code).toBeGreaterThan(20);
    }
  }
});
