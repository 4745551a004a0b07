import type { Amount, PoolCharter, ValuationInput } from '@sfr/schemas/types';
import { type FeedRound, valueFromRounds } from './valueFromRounds.js';

export type ValueLossOpResult =
  | { ok: true; result: Record<string, unknown> }
  | { ok: false; error: { code: 'POOL_INPUT_INVALID'; message: string } };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isRound = (v: unknown): v is FeedRound =>
  isObject(v) &&
  typeof v['roundId'] === 'string' &&
  /^(0|[1-9][0-9]{0,77})$/.test(v['roundId']) &&
  typeof v['answer'] === 'string' &&
  /^(0|-?[1-9][0-9]{0,76})$/.test(v['answer']) &&
  isTime(v['updatedAt']);

/**
 * The conformance harness op `valueLoss {valuation, loss, valuationInputs, rounds, from}`
 * (pools.md#harness): an attester's value of one token loss from its feed's rounds
 * (pools.md#feed-rounds). `valuation` is a charter's ValuationRule, `loss` an Amount, `rounds`
 * `[{roundId, answer, updatedAt}]` (decimal strings, unix seconds). Result `{price, value, method}`
 * or `{code}` (and `deviationBps`, `input` for `CLAIM_VALUATION_DEVIATION`). Bad input gives
 * `POOL_INPUT_INVALID`; it never throws.
 */
export function valueLossOp(input: Record<string, unknown>): ValueLossOpResult {
  const { valuation, loss, rounds, from } = input;
  const inputs = input['valuationInputs'] ?? [];
  if (
    !isObject(valuation) ||
    typeof valuation['lookbackMs'] !== 'number' ||
    !isObject(valuation['unitAsset'])
  )
    return bad('"valuation" must be a PoolCharter ValuationRule');
  if (!isObject(loss) || !isObject(loss['asset']) || typeof loss['value'] !== 'string')
    return bad('"loss" must be an Amount {asset, value}');
  if (!Array.isArray(inputs) || !inputs.every(isObject)) return bad('"valuationInputs" must be an array');
  if (!Array.isArray(rounds) || !rounds.every(isRound))
    return bad('"rounds" must be an array of {roundId: uint string, answer: int string, updatedAt: unix s}');
  if (!isTime(from)) return bad('"from" must be a non-negative integer (unix ms)');
  try {
    const r = valueFromRounds({
      rule: valuation as unknown as PoolCharter['valuation'],
      loss: loss as unknown as Amount,
      inputs: inputs as unknown as ValuationInput[],
      rounds,
      from,
    });
    if (r.ok)
      return { ok: true, result: { price: r.price.toString(), value: r.value.toString(), method: r.method } };
    if (r.code === 'CLAIM_VALUATION_DEVIATION')
      return { ok: true, result: { code: r.code, input: r.input, deviationBps: Number(r.deviationBps) } };
    return { ok: true, result: { code: r.code } };
  } catch (error) {
    return bad(`internal error: ${String(error)}`);
  }
}

function bad(message: string): ValueLossOpResult {
  return { ok: false, error: { code: 'POOL_INPUT_INVALID', message } };
}
