import type { Amount, PoolCharter, ValuationInput } from '@sfr/schemas/types';
import { BPS, pricePreIncident, sameAsset, uint, valueAtPrice } from './amounts.js';

type ValuationRule = PoolCharter['valuation'];
type PriceFeed = NonNullable<ValuationRule['feeds']>[number];

/**
 * One round of a price feed as the chain recorded it: an `AnswerUpdated(int256 current, uint256
 * roundId, uint256 updatedAt)` log (pools.md#feed-rounds). `answer` is a signed decimal string,
 * `updatedAt` unix seconds.
 */
export type FeedRound = { roundId: string; answer: string; updatedAt: number };

export type PriceFromRoundsParameters = {
  method: 'pre_incident_median' | 'pre_incident_twap';
  rounds: readonly FeedRound[];
  /** The incident window's start (unix ms). */
  from: number;
  lookbackMs: number;
};

export type PriceFromRoundsReturnType =
  | { ok: true; price: bigint; first: string; last: string }
  | { ok: false; code: 'CLAIM_VALUATION_MISSING' };

/** The key a charter feed is read by: its chain and lower-case address. */
export function feedKey(feed: Pick<PriceFeed, 'chain' | 'feed'>): string {
  return `${feed.chain}:${feed.feed.toLowerCase()}`;
}

/** The charter's feed for an asset, compared by chain and address (pools.md#feed-rounds step 1). */
export function feedOf(rule: ValuationRule, asset: Amount['asset']): PriceFeed | undefined {
  return (rule.feeds ?? []).find((f) => sameAsset(f.asset, asset));
}

/**
 * The pre-incident price of a feed from its on-chain rounds (pools.md#feed-rounds steps 2–3),
 * scaled by the feed's decimals: the rounds updated in `[from − lookbackMs, from)` plus the carried
 * round (the latest before the window, holding from its start); rounds answering ≤ 0 are not
 * prices. Median: the lower median of the window's answers (the carried round's only when the
 * window holds none). TWAP: each answer holds until the next round, the last until `from` (the
 * carried one from the window's start), integer mean over the time covered.
 */
export function priceFromRounds(p: PriceFromRoundsParameters): PriceFromRoundsReturnType {
  const start = p.from - p.lookbackMs;
  const priced = p.rounds
    .map((r) => ({ round: r, answer: BigInt(r.answer), at: r.updatedAt * 1000 }))
    .filter((r) => r.answer > 0n && r.at < p.from)
    // by time, then the lowest answer first (of rounds at one instant the lowest holds)
    .sort((a, b) => a.at - b.at || (a.answer < b.answer ? -1 : a.answer > b.answer ? 1 : 0));
  const window = priced.filter((r) => r.at >= start);
  const before = priced.filter((r) => r.at < start);
  const lastAt = before[before.length - 1]?.at;
  const carried = before.find((r) => r.at === lastAt);
  const used =
    p.method === 'pre_incident_twap'
      ? [...(carried === undefined || window[0]?.at === start ? [] : [{ ...carried, at: start }]), ...window]
      : window.length > 0
        ? window
        : carried === undefined
          ? []
          : [carried];
  const price = pricePreIncident(
    p.method,
    used.map((r) => ({ price: r.answer, at: r.at })),
    p.from,
  );
  if (price === null) return { ok: false, code: 'CLAIM_VALUATION_MISSING' };
  return { ok: true, price, first: used[0]!.round.roundId, last: used[used.length - 1]!.round.roundId };
}

export type ValueFromRoundsParameters = {
  /** The claim's snapshot charter's valuation rule (method `pre_incident_median` or `_twap`). */
  rule: ValuationRule;
  loss: Amount;
  /** The claim's valuation inputs (those of other assets are ignored). */
  inputs: readonly ValuationInput[];
  /** The rounds of the charter's feed for the loss's asset, as read from chain. */
  rounds: readonly FeedRound[];
  from: number;
};

export type ValueFromRoundsReturnType =
  | { ok: true; price: bigint; decimals: number; value: bigint; method: string }
  | { ok: false; code: 'CLAIM_VALUATION_MISSING' }
  | { ok: false; code: 'CLAIM_VALUATION_DEVIATION'; input: number; deviationBps: bigint };

/**
 * An attester's value of one token loss from its feed's rounds (pools.md#feed-rounds), pure:
 * the feed's pre-incident price; each claimant input of the asset, rescaled to the feed's decimals
 * (floor), deviating more than `maxDeviationBps` (floor of `|input − price| × 10 000 / price`) is
 * `CLAIM_VALUATION_DEVIATION`; otherwise the loss at the attester's price, floored, with the
 * derivation's method text.
 */
export function valueFromRounds(p: ValueFromRoundsParameters): ValueFromRoundsReturnType {
  const feed = feedOf(p.rule, p.loss.asset);
  const method = p.rule.method;
  if (feed === undefined || (method !== 'pre_incident_median' && method !== 'pre_incident_twap'))
    return { ok: false, code: 'CLAIM_VALUATION_MISSING' };
  const priced = priceFromRounds({ method, rounds: p.rounds, from: p.from, lookbackMs: p.rule.lookbackMs });
  if (!priced.ok) return priced;
  const { price } = priced;
  for (const [i, input] of p.inputs.entries()) {
    if (!sameAsset(input.asset, p.loss.asset)) continue;
    const shift = input.priceDecimals - feed.decimals;
    const scaled =
      shift >= 0 ? uint(input.price) / 10n ** BigInt(shift) : uint(input.price) * 10n ** BigInt(-shift);
    const diff = scaled > price ? scaled - price : price - scaled;
    const deviationBps = (diff * BPS) / price;
    if (deviationBps > BigInt(p.rule.maxDeviationBps))
      return { ok: false, code: 'CLAIM_VALUATION_DEVIATION', input: i, deviationBps };
  }
  const value = valueAtPrice(
    uint(p.loss.value),
    p.loss.asset.decimals,
    { price, decimals: feed.decimals },
    p.rule.unitAsset.decimals,
  );
  const kind = method === 'pre_incident_median' ? 'median' : 'twap';
  return {
    ok: true,
    price,
    decimals: feed.decimals,
    value,
    method: `chainlink AnswerUpdated rounds ${priced.first}..${priced.last} ${kind}`,
  };
}
