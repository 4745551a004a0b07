/**
 * Writes the pool-level `valueLoss` vectors, conformance-tests/vectors/v1/pool/valueLoss/<suite>.json
 * (spec/v1/pools.md#feed-rounds, #harness). Every expected figure is written here by hand from the
 * spec (the worked example of pools.md#feed-rounds and variations of it, the arithmetic in the
 * comments) and asserted against the reference implementation's harness op before anything is
 * written; a mismatch aborts.
 * Usage: npx tsx reference-node/scripts/generate-valuation-vectors.ts [--check]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { runIfMain, writeVectorFiles } from '../../conformance-tests/scripts/writeVectorFiles.js';
import { valueLossOp } from '../src/pools/valueLossOp.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outputDir = path.join(root, 'conformance-tests/vectors/v1/pool/valueLoss');
const SECTION = 'pools.md#feed-rounds';

const CHAIN = 'eip155:1';
const USDC = {
  chain: CHAIN,
  address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
  symbol: 'USDC',
  decimals: 6,
};
const WETH = {
  chain: CHAIN,
  address: '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2',
  symbol: 'WETH',
  decimals: 18,
};
/** The ETH / USD aggregator proxy on mainnet. */
const FEED = { asset: WETH, chain: CHAIN, feed: '0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419', decimals: 8 };

const rule = (method: string) => ({
  unitAsset: USDC,
  method,
  lookbackMs: 3_600_000,
  maxDeviationBps: 200,
  feeds: [FEED],
});
/** 2.5 WETH. */
const LOSS = { asset: WETH, value: '2500000000000000000' };
const FROM = 10_000_000_000;
const round = (roundId: string, answer: string, updatedAt: number) => ({ roundId, answer, updatedAt });
// The worked example: the carried round, three in the window [9 996 400, 10 000 000) s, and a pumped
// round at `from` itself (inside the incident: never a pre-incident price).
const CARRIED = round('1', '200000000000', 9_996_000);
const EXAMPLE = [
  CARRIED,
  round('2', '201000000000', 9_996_600),
  round('3', '199000000000', 9_997_800),
  round('4', '202000000000', 9_999_000),
  round('5', '400000000000', 10_000_000),
];
const input = (price: string, priceDecimals: number) => ({
  asset: WETH,
  price,
  priceDecimals,
  observedAt: 9_999_500_000,
  // the feed's latestRoundData() at a block (the claimant's reading; the attester reads the rounds itself)
  source: {
    type: 'call',
    chain: CHAIN,
    blockNumber: 21_000_000,
    blockHash: `0x${'ab'.repeat(32)}`,
    to: FEED.feed,
    data: '0xfeaf968c',
    result: `0x${'00'.repeat(160)}`,
  },
});

type Case = {
  description: string;
  section: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
};
const vc = (
  description: string,
  method: string,
  rounds: unknown[],
  expected: Record<string, unknown>,
  valuationInputs: unknown[] = [],
  over: Record<string, unknown> = {},
): Case => ({
  description,
  section: SECTION,
  input: { valuation: rule(method), loss: LOSS, valuationInputs, rounds, from: FROM, ...over },
  expected,
});

function buildCases(): Case[] {
  return [
    // lower median of 2 010, 1 990, 2 020 = 2 010; 2.5e18 × 2.01e11 × 1e6 / (1e18 × 1e8) = 5 025 000 000
    vc('median of the rounds in the lookback: the worked example', 'pre_incident_median', EXAMPLE, {
      price: '201000000000',
      value: '5025000000',
      method: 'chainlink AnswerUpdated rounds 2..4 median',
    }),
    // (2 000×200 + 2 010×1 200 + 1 990×1 200 + 2 020×1 000) / 3 600 = 7 220 000 / 3 600 = 2 005.555…
    // → ⌊200 555 555 555.5…⌋; 2.5 × 200 555 555 555 × 1e6 / 1e8 = 5 013 888 888.875 → 5 013 888 888
    vc('time-weighted mean: the carried round holds from the window start', 'pre_incident_twap', EXAMPLE, {
      price: '200555555555',
      value: '5013888888',
      method: 'chainlink AnswerUpdated rounds 1..4 twap',
    }),
    // |2 060 − 2 010| × 10 000 / 2 010 = 248.75… → 248 > 200
    vc(
      'a claimant input 248 bps off the median is refused',
      'pre_incident_median',
      EXAMPLE,
      { code: 'CLAIM_VALUATION_DEVIATION', input: 0, deviationBps: 248 },
      [input('206000000000', 8)],
    ),
    // 2 060 at 18 decimals, floored to 8 decimals, is the same 206 000 000 000: 248 bps
    vc(
      'an input of other decimals is rescaled to the feed decimals before the deviation',
      'pre_incident_median',
      EXAMPLE,
      { code: 'CLAIM_VALUATION_DEVIATION', input: 0, deviationBps: 248 },
      [input('2060000000000000000000', 18)],
    ),
    // |2 040 − 2 010| × 10 000 / 2 010 = 149.25… → 149 ≤ 200: valued at the attester's 2 010, not 2 040
    vc(
      'an input within the tolerance is accepted and the attester prices the loss at its own reading',
      'pre_incident_median',
      EXAMPLE,
      { price: '201000000000', value: '5025000000', method: 'chainlink AnswerUpdated rounds 2..4 median' },
      [input('204000', 2)],
    ),
    // answers ≤ 0 are no price: the median is still that of 2 010, 1 990, 2 020
    vc(
      'rounds answering zero or less are skipped',
      'pre_incident_median',
      [...EXAMPLE, round('6', '0', 9_998_000), round('7', '-5', 9_998_500)],
      { price: '201000000000', value: '5025000000', method: 'chainlink AnswerUpdated rounds 2..4 median' },
    ),
    // no round in the window: the carried 2 000 holds; 2.5 × 2 000 × 1e6 = 5 000 000 000
    vc(
      'median with no round in the window: the carried round',
      'pre_incident_median',
      [CARRIED, round('5', '400000000000', 10_000_000)],
      { price: '200000000000', value: '5000000000', method: 'chainlink AnswerUpdated rounds 1..1 median' },
    ),
    // two rounds at 9 996 600: the lower (2 000) holds. (2 000×200 + 2 000×1 200 + 1 990×1 200 +
    // 2 020×1 000) / 3 600 = 7 208 000 / 3 600 = 2 002.222… → 200 222 222 222; × 2.5 / 100 → 5 005 555 555
    vc(
      'time-weighted mean: of rounds updated at one instant the lowest answer holds',
      'pre_incident_twap',
      [...EXAMPLE, round('8', '200000000000', 9_996_600)],
      { price: '200222222222', value: '5005555555', method: 'chainlink AnswerUpdated rounds 1..4 twap' },
    ),
    vc(
      'no round before the incident: no price',
      'pre_incident_median',
      [round('5', '400000000000', 10_000_000)],
      { code: 'CLAIM_VALUATION_MISSING' },
    ),
    vc(
      'no charter feed for the asset: no price',
      'pre_incident_twap',
      EXAMPLE,
      { code: 'CLAIM_VALUATION_MISSING' },
      [],
      { valuation: { ...rule('pre_incident_twap'), feeds: [] } },
    ),
  ];
}

function buildFiles(): Map<string, unknown> {
  const cases = buildCases();
  for (const k of cases) {
    const r = valueLossOp(k.input);
    const actual = r.ok ? r.result : r.error;
    if (!isDeepStrictEqual(actual, k.expected)) {
      throw new Error(
        `valueLoss: "${k.description}": the implementation answers ${JSON.stringify(actual)}, the spec says ${JSON.stringify(k.expected)}`,
      );
    }
  }
  return new Map<string, unknown>([
    [
      'feed-rounds.json',
      {
        $comment:
          'Generated by reference-node/scripts/generate-valuation-vectors.ts; expected figures worked out by hand from spec/v1/pools.md#feed-rounds.',
        runner: 'pool',
        handler: 'valueLoss',
        suite: 'feed-rounds',
        cases,
      },
    ],
  ]);
}

export function generateValuationVectors({ check }: { check: boolean }): number {
  return writeVectorFiles({
    label: 'valuation vectors',
    outputDir,
    files: buildFiles(),
    check,
    log: console.log,
  });
}

runIfMain(import.meta.url, 'generate-valuation-vectors.ts', generateValuationVectors);
