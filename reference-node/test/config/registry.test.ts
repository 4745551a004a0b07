import { reasonCodeLoadErrors, reasonCodes } from '@sfr/schemas';
import { expect, it } from 'vitest';

// The node's STORE_, CONFIG_, KEY_ and API_ code types are generated from the registry, so a code it uses
// that is not registered fails compilation; what is left to check is the registry entries themselves.
it('the node-side domains register operator errors, each with a meaning', () => {
  expect(reasonCodeLoadErrors).toEqual([]);
  for (const domain of ['STORE', 'CONFIG', 'KEY', 'API']) {
    const registered = reasonCodes.filter((c) => c.domain === domain);
    expect(registered.length, domain).toBeGreaterThan(0);
    for (const c of registered) {
      expect(c.outcome, c.code).toBe('error');
      expect(c.meaning.length, c.code).toBeGreaterThan(20);
    }
  }
});
