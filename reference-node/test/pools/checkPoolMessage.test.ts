/**
 * The pool-rule entry point the gossip layer calls before it accepts or relays a pool message
 * (pools.md#gossip-admission): the refusal the rules give the message in the view of the held
 * messages plus it; charter signatures that only wait for others are accepted.
 */
import { describe, expect, it } from 'vitest';
import { checkPoolMessage, type PoolMessage, type PoolState } from '../../src/pools/index.js';
import { charterPayload, HOUR, members, PoolSigner, type Signed, T0 } from './fixtures.js';

const asMessage = (s: Signed): PoolMessage => ({ envelope: s.envelope, messageId: s.id });
const stateOf = (charters: Signed[]): PoolState => ({
  charterMessages: new Map(charters.map((c) => [c.id, asMessage(c)])),
  messages: new Map(),
  unreadable: [],
});

describe('checkPoolMessage (pools.md#gossip-admission)', async () => {
  const ms = members([1, 2, 3, 4].map(() => ({ weight: 10, commit: 1000n })));
  const s = new PoolSigner();
  const charter = charterPayload(ms);
  const founding = await s.charter(
    charter,
    ms.map((m) => m.key),
  );
  const key = (i: number) => ms[i]!.key;
  const claim = await s.claim(key(0), T0 + 3 * HOUR);

  it('accepts a claim and a vote the rules take', async () => {
    const state = stateOf(founding);
    expect(checkPoolMessage(state, asMessage(claim), T0 + 3 * HOUR)).toEqual({ outcome: 'accept' });
    const vote = await s.attest(key(1), claim.id, T0 + 4 * HOUR, 'approve', 5n);
    const held: PoolState = { ...state, messages: new Map([[claim.id, asMessage(claim)]]) };
    expect(checkPoolMessage(held, asMessage(vote), T0 + 4 * HOUR)).toEqual({ outcome: 'accept' });
  });

  it('rejects a vote signed for another chain with ENVELOPE_DOMAIN_MISMATCH, and ignores one on an unknown claim', async () => {
    const held: PoolState = { ...stateOf(founding), messages: new Map([[claim.id, asMessage(claim)]]) };
    const vault = charter.settlement.vault as `0x${string}`;
    const foreign = await s.attest(key(2), claim.id, T0 + 4 * HOUR, 'approve', 5n, {
      domain: { chainId: 1, verifyingContract: vault },
    });
    expect(checkPoolMessage(held, asMessage(foreign), T0 + 4 * HOUR)).toEqual({
      outcome: 'reject',
      code: 'ENVELOPE_DOMAIN_MISMATCH',
    });
    const stray = await s.attest(key(3), `0x${'ab'.repeat(32)}`, T0 + 4 * HOUR, 'approve', 5n);
    expect(checkPoolMessage(held, asMessage(stray), T0 + 4 * HOUR)).toEqual({
      outcome: 'ignore',
      code: 'CLAIM_UNKNOWN',
    });
  });

  it('accepts a founder’s signature that waits for the others, and ignores a claim in a pool not founded', () => {
    const partial = stateOf(founding.slice(0, 2));
    expect(checkPoolMessage(partial, asMessage(founding[2]!), T0)).toEqual({
      outcome: 'accept',
      waiting: 'POOL_NOT_FOUNDED',
    });
    expect(checkPoolMessage(partial, asMessage(claim), T0 + 3 * HOUR)).toEqual({
      outcome: 'ignore',
      code: 'POOL_NOT_FOUNDED',
    });
  });
});
