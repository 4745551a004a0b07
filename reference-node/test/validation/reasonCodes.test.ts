import { REGISTERED_REASON_CODES } from '@sfr/schemas';
import { describe, expect, it } from 'vitest';
import { ENVELOPE_CODES } from '../../src/envelope/codes.js';
import { ignore, reject } from '../../src/validation/outcome.js';

describe('reason codes are the generated registry unions', () => {
  it('a misspelt or unregistered code, or a code of another outcome, does not compile', () => {
    // @ts-expect-error misspelt: not in schemas/v1/registry/reason-codes
    reject('ENVELOPE_BAD_SIGNATUR');
    // @ts-expect-error registered, but its outcome is ignore, not reject
    reject('ENVELOPE_DUPLICATE');
    // @ts-expect-error an `error` code is not a gossip verdict
    ignore('SYNC_TIMEOUT');
    expect([reject('ENVELOPE_BAD_SIGNATURE').outcome, ignore('ENVELOPE_DUPLICATE').outcome]).toEqual([
      'reject',
      'ignore',
    ]);
  });

  it("the node's code tables are the registry's", () => {
    expect(ENVELOPE_CODES).toBe(REGISTERED_REASON_CODES.ENVELOPE);
  });
});
