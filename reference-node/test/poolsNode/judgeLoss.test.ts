/**
 * The attester's re-derivation (pools.md#re-derivation) as a pure function: each refusal in spec
 * order, and the values worked out by hand from the rule.
 */
import type { EvidenceRef, FundClaim } from '@sfr/schemas/types';
import { describe, expect, it } from 'vitest';
import { type DerivedLoss, judgeLoss } from '../../src/poolsNode/index.js';
import { charterFor, USDC } from './poolHarness.js';

const CLAIMANT = '0x00000000000000000000000000000000000000c1';
const log = (logIndex: number): EvidenceRef => ({
  type: 'log',
  chain: 'eip155:31337',
  blockNumber: 7,
  blockHash: `0x${'bb'.repeat(32)}`,
  txHash: `0x${'aa'.repeat(32)}`,
  logIndex,
  emitter: '0x00000000000000000000000000000000000000e1',
  topic0: `0x${'0f'.repeat(32)}`,
});
const claim = (over: Partial<FundClaim> = {}): FundClaim => ({
  poolId: `0x${'7a'.repeat(32)}`,
  incidentId: 'i',
  incidentWindow: { from: 1_000_000, to: 2_000_000 },
  coveredKind: 'bad_debt_realized',
  recoveryEvents: [`0x${'e1'.repeat(32)}`],
  evidence: [log(0), log(1)],
  losses: [{ role: 'bad_debt', amount: { asset: USDC, value: '1' } }],
  requestedAmount: '1',
  valuationInputs: [],
  ...over,
});
const charter = charterFor([CLAIMANT, '0x00000000000000000000000000000000000000c2'], 0);
const event = {
  issuer: CLAIMANT.toUpperCase().replace('0X', '0x'),
  kind: 'bad_debt_realized',
  evidence: [log(0), log(1)],
  ownProtocol: 'own' as const,
};
const debt = (value: string): DerivedLoss => ({
  kind: 'bad_debt_realized',
  amount: { asset: USDC, value },
  derivation: 'aave-v3 DeficitCreated.amountCreated',
});
const pause: DerivedLoss = { kind: 'emergency_pause', amount: null, derivation: 'pausable Paused' };
const judge = (derived: DerivedLoss[][], over: Partial<Parameters<typeof judgeLoss>[0]> = {}) =>
  judgeLoss({ charter, claim: claim(), claimant: CLAIMANT, derived, recoveryEvents: [event], ...over });

describe('judgeLoss (pools.md#re-derivation)', () => {
  it('sums the losses of the covered kind: token losses at face value in the unit asset, USD at par, each floored', () => {
    // 1_200_000_000 USDC base units + 55.0000009 USD at 1e30 → 55_000_000 (floor of 55.0000009 × 10^6).
    const usd = `${55n * 10n ** 30n + 9n * 10n ** 23n}`;
    const r = judge([
      [debt('1200000000')],
      [
        {
          kind: 'bad_debt_realized',
          amount: { usd: { value: usd, decimals: 30 } },
          derivation: 'gmx-v2 InsolventClose.remainingCostUsd',
        },
      ],
    ]);
    expect(r).toEqual({
      ok: true,
      value: 1_255_000_000n,
      derivation: [
        {
          index: 0,
          kind: 'bad_debt_realized',
          amount: { asset: USDC, value: '1200000000' },
          method: 'aave-v3 DeficitCreated.amountCreated',
        },
        {
          index: 1,
          kind: 'bad_debt_realized',
          usdValue: { value: usd, decimals: 30 },
          method: 'gmx-v2 InsolventClose.remainingCostUsd',
        },
      ],
    });
  });

  it('counts only losses of the covered kind', () => {
    const r = judge([[debt('5')], [{ ...debt('7'), kind: 'insurance_fund_deployed' }]]);
    expect(r).toMatchObject({ ok: true, value: 5n });
  });

  it('refuses, in spec order: missing, foreign, retracted, mismatched events; evidence of another kind; no loss', () => {
    expect(judge([[debt('5')], []], { recoveryEvents: [event, null] })).toEqual({
      ok: false,
      code: 'CLAIM_RECOVERY_EVENT_MISSING',
    });
    expect(
      judge([[debt('5')], []], {
        recoveryEvents: [{ ...event, issuer: '0x00000000000000000000000000000000000000c2' }],
      }),
    ).toEqual({ ok: false, code: 'CLAIM_RECOVERY_EVENT_FOREIGN' });
    // Another member's event, or one about another protocol than its issuer announced (judged when read).
    expect(judge([[debt('5')], []], { recoveryEvents: [{ ...event, ownProtocol: 'foreign' }] })).toEqual({
      ok: false,
      code: 'CLAIM_RECOVERY_EVENT_FOREIGN',
    });
    // Retracted by its issuer, or itself a retraction (messages.md#retraction): after foreign, before mismatch.
    expect(judge([[debt('5')], []], { recoveryEvents: [{ ...event, retracted: true }] })).toEqual({
      ok: false,
      code: 'CLAIM_RECOVERY_EVENT_RETRACTED',
    });
    expect(
      judge([[debt('5')], []], { recoveryEvents: [{ ...event, retracted: true, ownProtocol: 'foreign' }] }),
    ).toEqual({ ok: false, code: 'CLAIM_RECOVERY_EVENT_FOREIGN' });
    expect(
      judge([[debt('5')], []], { recoveryEvents: [{ ...event, ownProtocol: 'unknown' }] }),
    ).toMatchObject({
      ok: true,
    });
    expect(judge([[debt('5')], []], { recoveryEvents: [{ ...event, kind: 'emergency_pause' }] })).toEqual({
      ok: false,
      code: 'CLAIM_RECOVERY_EVENT_MISMATCH',
    });
    // The events cite log 0 only; the claim also cites log 1.
    expect(judge([[debt('5')], []], { recoveryEvents: [{ ...event, evidence: [log(0)] }] })).toEqual({
      ok: false,
      code: 'CLAIM_RECOVERY_EVENT_MISMATCH',
    });
    expect(judge([[pause], []])).toEqual({ ok: false, code: 'CLAIM_EVIDENCE_KIND_MISMATCH' });
    expect(judge([[{ ...pause, kind: 'bad_debt_realized' }], []])).toEqual({
      ok: false,
      code: 'CLAIM_LOSS_NOT_DERIVED',
    });
  });

  it('values a loss in another asset from the feed rounds, refuses a deviating input, and a fixed price as written', () => {
    const WETH = {
      chain: 'eip155:31337',
      address: '0x00000000000000000000000000000000000000ee',
      symbol: 'WETH',
      decimals: 18,
    };
    const weth = (value: string): DerivedLoss => ({
      kind: 'bad_debt_realized',
      amount: { asset: WETH, value },
      derivation: 'x',
    });
    const feed = {
      asset: WETH,
      chain: 'eip155:31337',
      feed: '0x00000000000000000000000000000000000000fe' as const,
      decimals: 8,
    };
    const fed = { ...charter, valuation: { ...charter.valuation, feeds: [feed] } };
    // from = 1 000 000 ms, lookback 3 600 s: the window is [-2 600 000, 1 000 000) ms; rounds at
    // 0 s (3 000e8) and 500 s (3 100e8) → lower median 3 000e8; 2 WETH × 3 000 = 6 000 USDC.
    const rounds = [
      { roundId: '1', answer: '300000000000', updatedAt: 0 },
      { roundId: '2', answer: '310000000000', updatedAt: 500 },
      { roundId: '3', answer: '900000000000', updatedAt: 1000 },
    ];
    const feedRounds = new Map([[`eip155:31337:${feed.feed}`, rounds]]);
    const two = [[weth('2000000000000000000')], []];
    // No feed in the charter, or the feed's rounds not read: no price.
    expect(judge(two)).toEqual({ ok: false, code: 'CLAIM_VALUATION_MISSING' });
    expect(judge(two, { charter: fed })).toEqual({ ok: false, code: 'CLAIM_VALUATION_MISSING' });
    const r = judge(two, { charter: fed, feedRounds });
    expect(r).toMatchObject({ ok: true, value: 6_000_000_000n });
    expect(r.ok && r.derivation[0]?.method).toBe('x; valued by chainlink AnswerUpdated rounds 1..2 median');
    // The claimant's 3 100.00 is 333 bps off (> 200): refused; its 3 050.00 (166 bps) is priced at 3 000.
    const input = (price: string) => ({
      asset: WETH,
      price,
      priceDecimals: 2,
      observedAt: 999_000,
      source: log(0),
    });
    expect(
      judge(two, { charter: fed, feedRounds, claim: claim({ valuationInputs: [input('310000')] }) }),
    ).toEqual({
      ok: false,
      code: 'CLAIM_VALUATION_DEVIATION',
    });
    expect(
      judge(two, { charter: fed, feedRounds, claim: claim({ valuationInputs: [input('305000')] }) }),
    ).toMatchObject({ ok: true, value: 6_000_000_000n });
    // fixed_price: the charter's price, no chain read.
    const fixed = {
      ...charter,
      valuation: {
        ...charter.valuation,
        method: 'fixed_price' as const,
        feeds: [{ ...feed, fixedPrice: '250000000000' }],
      },
    };
    expect(judge(two, { charter: fixed })).toMatchObject({ ok: true, value: 5_000_000_000n });
  });
});
