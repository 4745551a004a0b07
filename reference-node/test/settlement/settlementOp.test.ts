import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runSettlementOp, SETTLEMENT_OPS } from '../../src/settlement/index.js';

const dir = new URL('../../../conformance-tests/vectors/v1/settlement/', import.meta.url);

describe('settlement vectors (spec/v1/settlement.md#vectors)', () => {
  for (const op of SETTLEMENT_OPS) {
    for (const file of readdirSync(new URL(`${op}/`, dir))) {
      const vector = JSON.parse(readFileSync(new URL(`${op}/${file}`, dir), 'utf8')) as {
        cases: { description: string; input: Record<string, unknown>; expected: Record<string, unknown> }[];
      };
      for (const c of vector.cases) {
        it(`${op}/${file}: ${c.description}`, () => {
          expect(runSettlementOp(op, c.input)).toEqual(c.expected);
        });
      }
    }
  }
});

describe('malformed input is VAULT_INPUT_INVALID, naming the field', () => {
  it('a split larger than the capital', () => {
    expect(() =>
      runSettlementOp('settlementSplit', {
        amount: '3',
        parts: [{ member: `0x${'11'.repeat(20)}`, remaining: '2' }],
      }),
    ).toThrowErrorMatchingInlineSnapshot(`
      [VaultError: "amount" must be at most the sum of the remaining capital.
      Code: VAULT_INPUT_INVALID
      Spec: spec/v1/settlement.md#vectors]
    `);
  });
  it('a turn of an effect the table does not have, or a held entry that is no address', () => {
    const turn = {
      effect: 'settle',
      held: [`0x${'11'.repeat(20)}`],
      me: `0x${'11'.repeat(20)}`,
      start: 1,
      challengeMs: 1,
    };
    expect(() => runSettlementOp('settlementTurns', { ...turn, effect: 'withdraw' })).toThrow(
      '"effect" must be one of register, settle, release.',
    );
    expect(() => runSettlementOp('settlementTurns', { ...turn, held: [...turn.held, '0x12'] })).toThrow(
      '"held[1]" must be an address.',
    );
    expect(() =>
      runSettlementOp('settlementTurns', { ...turn, me: `0x${'22'.repeat(20)}`, start: -1 }),
    ).toThrow('"start" must be a non-negative integer (ms).');
    expect(runSettlementOp('settlementTurns', turn)).toEqual({
      candidates: ['0x1111111111111111111111111111111111111111'],
      rank: 0,
      actAt: 1,
    });
  });
  it('a settlement with an amount as a number', () => {
    expect(() =>
      runSettlementOp('settlementDigest', {
        domain: { chainId: 1, verifyingContract: `0x${'22'.repeat(20)}` },
        settlement: { amount: 5 },
      }),
    ).toThrowErrorMatchingInlineSnapshot(`
      [VaultError: "settlement" must be a settlement struct (settlement: expected exactly the fields poolId, claimId, round, claimant, asset, amount, contributions, epoch, charterHash, filedAt, decidedAt, deadline).
      Code: VAULT_INPUT_INVALID
      Spec: spec/v1/settlement.md#vectors]
    `);
  });
});
