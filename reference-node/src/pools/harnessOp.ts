import type { PoolDecideResult } from '@sfr/schemas/types';
import { derivePoolState } from './derivePoolState.js';
import { serializePoolView } from './serializePoolView.js';
import type { MessageInput } from './types.js';

export type DecidePoolOpResult =
  | { ok: true; result: PoolDecideResult & Record<string, unknown> }
  | { ok: false; error: { code: 'POOL_INPUT_INVALID'; message: string } };

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isMessage = (v: unknown) =>
  typeof v === 'string' || (typeof v === 'object' && v !== null && !Array.isArray(v));

/**
 * The conformance harness op `decide {charter, messages, now}` → `{claims: [...], ...}`
 * (proposal 0001 §8, pools.md#harness). `charter` is one charter envelope (wire string or object)
 * or an array of them (the founding signatures and amendments); `messages` are wire strings or
 * envelope objects. Bad input gives `POOL_INPUT_INVALID`; it never throws.
 */
export function decidePoolOp(input: Record<string, unknown>): DecidePoolOpResult {
  const charter = input['charter'];
  const charters = Array.isArray(charter) ? charter : [charter];
  const messages = input['messages'] ?? [];
  const now = input['now'];
  if (charters.length === 0 || !charters.every(isMessage))
    return bad('"charter" must be an envelope (wire string or object) or an array of them');
  if (!Array.isArray(messages) || !messages.every(isMessage))
    return bad('"messages" must be an array of envelopes (wire strings or objects)');
  if (!isTime(now)) return bad('"now" must be a non-negative integer (unix ms)');
  try {
    return {
      ok: true,
      result: serializePoolView(derivePoolState(charters as MessageInput[], messages as MessageInput[], now)),
    };
  } catch (error) {
    return bad(`internal error: ${String(error)}`);
  }
}

function bad(message: string): DecidePoolOpResult {
  return { ok: false, error: { code: 'POOL_INPUT_INVALID', message } };
}
