/**
 * An attester values a token loss from the charter feed's on-chain rounds (pools.md#feed-rounds):
 * a Chainlink-shaped aggregator on anvil emits genuine `AnswerUpdated` logs at chosen block times
 * (the worked example of pools.md, shifted to now), behind a proxy answering `aggregator()`; the
 * node's reader reads them and `judgeLoss` values the loss, figures worked out by hand in pools.md.
 */

import { createRequire } from 'node:module';
import path from 'node:path';
import { type AnvilInstance, compileSolidityFiles, startAnvil } from '@sfr/adapter-kit/testing';
import type { EvidenceRef, FundClaim } from '@sfr/schemas/types';
import type { Abi, Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { createFeedRoundsReader, type DerivedLoss, judgeLoss } from '../../src/poolsNode/index.js';
import { charterFor } from './poolHarness.js';

const CHAIN = 'eip155:31337';
const WETH = {
  chain: CHAIN,
  address: '0x00000000000000000000000000000000000000ee',
  symbol: 'WETH',
  decimals: 18,
};
const CLAIMANT = '0x00000000000000000000000000000000000000c1';
const e8 = (n: number) => BigInt(n) * 10n ** 8n;

let anvil: AnvilInstance;
let aggregator: Address;
let proxy: Address;
/** The window's start (unix s): rounds at −400 (carried), +200, +1 400, +2 600; the incident at +3 600. */
let W: number;
const chainlinkDir = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@sfr/adapter-chainlink/package.json')),
  'contracts',
);

beforeAll(async () => {
  anvil = await startAnvil({ timeoutMs: TIMEOUTS.start });
  const built = await compileSolidityFiles(chainlinkDir, ['MockAggregator.sol', 'MockFeedProxy.sol']);
  const abi = built.MockAggregator!.abi as Abi;
  W = Number((await anvil.client.getBlock()).timestamp) + 1_000;
  const at = (s: number) => anvil.client.setNextBlockTimestamp({ timestamp: BigInt(s) });
  await at(W - 400);
  aggregator = await anvil.deploy(built.MockAggregator!, [8, e8(2_000)]);
  proxy = await anvil.deploy(built.MockFeedProxy!, [aggregator]);
  for (const [t, answer] of [
    [W + 200, 2_010],
    [W + 1_400, 1_990],
    [W + 2_600, 2_020],
    // inside the incident (updatedAt × 1000 = from): never a pre-incident price
    [W + 3_600, 4_000],
  ] as const) {
    await at(t);
    await anvil.write(aggregator, abi, 'updateAnswer', [e8(answer)]);
  }
}, TIMEOUTS.hook);
afterAll(async () => {
  await anvil?.stop();
}, TIMEOUTS.hook);

const ref: EvidenceRef = {
  type: 'log',
  chain: CHAIN,
  blockNumber: 7,
  blockHash: `0x${'bb'.repeat(32)}`,
  txHash: `0x${'aa'.repeat(32)}`,
  logIndex: 0,
  emitter: '0x00000000000000000000000000000000000000e1',
  topic0: `0x${'0f'.repeat(32)}`,
};
const loss: DerivedLoss = {
  kind: 'bad_debt_realized',
  amount: { asset: WETH, value: '2500000000000000000' },
  derivation: 'test BadDebt.amount',
};

async function judge(method: 'pre_incident_median' | 'pre_incident_twap', inputPrice?: string) {
  const from = (W + 3_600) * 1000;
  const base = charterFor([CLAIMANT, '0x00000000000000000000000000000000000000c2'], 0);
  const feed = { asset: WETH, chain: CHAIN, feed: proxy, decimals: 8 };
  const charter = { ...base, valuation: { ...base.valuation, method, feeds: [feed] } };
  const claim: FundClaim = {
    poolId: `0x${'7a'.repeat(32)}`,
    incidentId: 'i',
    incidentWindow: { from, to: from + 1_000 },
    coveredKind: 'bad_debt_realized',
    recoveryEvents: [`0x${'e1'.repeat(32)}`],
    evidence: [ref],
    losses: [{ role: 'bad_debt', amount: loss.amount as FundClaim['losses'][number]['amount'] }],
    requestedAmount: '6000000000',
    valuationInputs:
      inputPrice === undefined
        ? []
        : [{ asset: WETH, price: inputPrice, priceDecimals: 8, observedAt: from - 1_000, source: ref }],
  };
  const read = createFeedRoundsReader([{ chain: CHAIN, rpcUrl: anvil.rpcUrl, confirmations: 1 }]);
  const rounds = await read(feed, { from, lookbackMs: charter.valuation.lookbackMs });
  if (!rounds.ok) throw new Error(`feed rounds unreadable: ${rounds.code}`);
  return judgeLoss({
    charter,
    claim,
    claimant: CLAIMANT,
    derived: [[loss]],
    recoveryEvents: [{ issuer: CLAIMANT, kind: 'bad_debt_realized', evidence: [ref], ownProtocol: 'own' }],
    feedRounds: new Map([[`${CHAIN}:${proxy.toLowerCase()}`, rounds.rounds]]),
  });
}

describe('valuation from feed rounds on anvil (pools.md#feed-rounds)', () => {
  it('reads the window and the carried round through the proxy, not the round inside the incident', async () => {
    const read = createFeedRoundsReader([{ chain: CHAIN, rpcUrl: anvil.rpcUrl, confirmations: 1 }]);
    const window = { from: (W + 3_600) * 1000, lookbackMs: 3_600_000 };
    const viaProxy = await read({ chain: CHAIN, feed: proxy }, window);
    expect(viaProxy).toEqual({
      ok: true,
      rounds: [
        { roundId: '1', answer: `${e8(2_000)}`, updatedAt: W - 400 },
        { roundId: '2', answer: `${e8(2_010)}`, updatedAt: W + 200 },
        { roundId: '3', answer: `${e8(1_990)}`, updatedAt: W + 1_400 },
        { roundId: '4', answer: `${e8(2_020)}`, updatedAt: W + 2_600 },
      ],
    });
    // The aggregator itself (no `aggregator()`) gives the same rounds; a chain without an RPC, none.
    expect(await read({ chain: CHAIN, feed: aggregator }, window)).toEqual(viaProxy);
    expect(await read({ chain: 'eip155:1', feed: proxy }, window)).toEqual({
      ok: false,
      code: 'EVIDENCE_RPC_UNAVAILABLE',
    });
  });

  it('values 2.5 WETH at the median 2 010 (5 025 USDC) and the TWAP 2 005.55… (5 013.888888 USDC)', async () => {
    const median = await judge('pre_incident_median');
    expect(median).toMatchObject({ ok: true, value: 5_025_000_000n });
    expect(median.ok && median.derivation[0]?.method).toBe(
      'test BadDebt.amount; valued by chainlink AnswerUpdated rounds 2..4 median',
    );
    expect(await judge('pre_incident_twap')).toMatchObject({ ok: true, value: 5_013_888_888n });
  });

  it('refuses a claimant price 248 bps off (CLAIM_VALUATION_DEVIATION) and uses its own price within 200 bps', async () => {
    expect(await judge('pre_incident_median', `${e8(2_060)}`)).toEqual({
      ok: false,
      code: 'CLAIM_VALUATION_DEVIATION',
    });
    expect(await judge('pre_incident_median', `${e8(2_040)}`)).toMatchObject({
      ok: true,
      value: 5_025_000_000n,
    });
  });
});
