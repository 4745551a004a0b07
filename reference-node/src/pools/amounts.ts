import type { Asset, FundClaim, PoolCharter, ValuationInput } from '@sfr/schemas/types';

/** 2^256: every `Uint256` is below it (proposal 0001 §2). */
export const UINT256_LIMIT = 1n << 256n;
/** Basis points in one whole (SFR never uses floats: proposal 0001 §2 `Bps`). */
export const BPS = 10_000n;

/** A `Uint256` decimal string as a bigint, or null when it is not one. */
export function parseUint256(value: unknown): bigint | null {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,77})$/.test(value)) return null;
  const n = BigInt(value);
  return n < UINT256_LIMIT ? n : null;
}

/** Like `parseUint256` for values the schema step already checked; out-of-range values count as 0. */
export function uint(value: string): bigint {
  return parseUint256(value) ?? 0n;
}

export function minBig(...values: bigint[]): bigint {
  let m = values[0] ?? 0n;
  for (const v of values) if (v < m) m = v;
  return m;
}

/** Assets are the same when chain and address match (address case-insensitively; symbol is display only). */
export function sameAsset(a: Asset, b: Asset): boolean {
  return a.chain === b.chain && a.address.toLowerCase() === b.address.toLowerCase();
}

/** Lower-case form of an address, the key members are compared by. */
export function addrKey(address: string): string {
  return address.toLowerCase();
}

/** A member's commitment in the charter's unit asset (spec: pools.md#capital). */
export function unitCommitment(charter: PoolCharter, member: PoolCharter['members'][number]): bigint {
  let total = 0n;
  for (const c of member.commitments)
    if (sameAsset(c.asset, charter.valuation.unitAsset)) total += uint(c.value);
  return total;
}

/** EIP-155 chain id of a CAIP-2 `eip155:<n>` chain, or null for other namespaces. */
export function eip155ChainId(chain: string): number | null {
  const m = /^eip155:([0-9]{1,15})$/.exec(chain);
  return m ? Number(m[1]) : null;
}

export type ValuationResult =
  | { ok: true; value: bigint | null }
  | { ok: false; code: 'CLAIM_VALUATION_MISSING' | 'CLAIM_VALUATION_NOT_PRE_INCIDENT'; asset?: string };

function scaledPrice(input: ValuationInput, decimals: number): bigint {
  return uint(input.price) * 10n ** BigInt(decimals - input.priceDecimals);
}

/** One observed price, scaled by the decimals of the set it is in, observed at `at` (unix ms). */
export type PriceSample = { price: bigint; at: number };

/**
 * The price of one asset from samples of one scale by the charter's method (pools.md#valuation):
 * `pre_incident_twap` — each instant's price holds until the next instant (the last until
 * `until`, the incident's start), of several samples at one instant the lowest holds, integer mean
 * over the span covered; otherwise (`pre_incident_median`) the lower median. Null for no sample.
 */
export function pricePreIncident(
  method: PoolCharter['valuation']['method'],
  samples: readonly PriceSample[],
  until: number,
): bigint | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a.at - b.at || cmpBig(a.price, b.price));
  if (method === 'pre_incident_twap') {
    const instants: PriceSample[] = [];
    for (const s of sorted) {
      const last = instants[instants.length - 1];
      if (last && last.at === s.at) last.price = minBig(s.price, last.price);
      else instants.push({ ...s });
    }
    let weighted = 0n;
    let span = 0n;
    for (let i = 0; i < instants.length; i++) {
      const s = instants[i] as PriceSample;
      const held = (instants[i + 1]?.at ?? until) - s.at;
      weighted += s.price * BigInt(held);
      span += BigInt(held);
    }
    if (span > 0n) return weighted / span;
  }
  const prices = sorted.map((s) => s.price).sort(cmpBig);
  return prices[Math.floor((prices.length - 1) / 2)] as bigint;
}

/**
 * The price of one asset from the claim's valuation inputs by the charter's method
 * (pools.md#valuation), scaled to `decimals` = the largest `priceDecimals` of its inputs.
 */
function priceOf(
  method: PoolCharter['valuation']['method'],
  inputs: ValuationInput[],
  incidentFrom: number,
): { price: bigint; decimals: number } {
  const decimals = Math.max(...inputs.map((i) => i.priceDecimals));
  const samples = inputs.map((i) => ({ price: scaledPrice(i, decimals), at: i.observedAt }));
  return { price: pricePreIncident(method, samples, incidentFrom) ?? 0n, decimals };
}

/**
 * A loss of `amount` base units of an asset with `assetDecimals`, valued at `price` (scaled by
 * `priceDecimals`) in unit-asset base units, floored (pools.md#valuation).
 */
export function valueAtPrice(
  amount: bigint,
  assetDecimals: number,
  price: { price: bigint; decimals: number },
  unitDecimals: number,
): bigint {
  return (
    (amount * price.price * 10n ** BigInt(unitDecimals)) /
    (10n ** BigInt(assetDecimals) * 10n ** BigInt(price.decimals))
  );
}

export function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The claim's losses valued in unit-asset base units by the charter's valuation rule
 * (pools.md#valuation): losses in the unit asset count at face value; every other asset at the
 * pre-incident price its valuation inputs give (each input observed in
 * [incident.from − lookbackMs, incident.from)), or at the charter's fixed price. Each loss is
 * floored separately. `value: null` when the method is one this implementation does not know.
 */
export function valueClaim(charter: PoolCharter, claim: FundClaim): ValuationResult {
  const rule = charter.valuation;
  const from = claim.incidentWindow.from;
  for (const input of claim.valuationInputs) {
    if (!(input.observedAt < from && input.observedAt >= from - rule.lookbackMs)) {
      return { ok: false, code: 'CLAIM_VALUATION_NOT_PRE_INCIDENT', asset: input.asset.address };
    }
  }
  if (rule.method === 'other') return { ok: true, value: null };
  let total = 0n;
  for (const loss of claim.losses) {
    const amount = uint(loss.amount.value);
    const asset = loss.amount.asset;
    if (sameAsset(asset, rule.unitAsset)) {
      total += amount;
      continue;
    }
    let price: { price: bigint; decimals: number } | null = null;
    if (rule.method === 'fixed_price') {
      const feed = (rule.feeds ?? []).find((f) => sameAsset(f.asset, asset) && f.fixedPrice !== undefined);
      if (feed?.fixedPrice !== undefined) price = { price: uint(feed.fixedPrice), decimals: feed.decimals };
    } else {
      const inputs = claim.valuationInputs.filter((i) => sameAsset(i.asset, asset));
      if (inputs.length > 0) price = priceOf(rule.method, inputs, from);
    }
    if (!price) return { ok: false, code: 'CLAIM_VALUATION_MISSING', asset: asset.address };
    total += valueAtPrice(amount, asset.decimals, price, rule.unitAsset.decimals);
  }
  return { ok: true, value: total };
}
