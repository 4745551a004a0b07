import type { PoolCode } from './codes.js';
import { applyPoolMessage, type PoolState, viewPool } from './derivePoolState.js';
import type { PoolMessage } from './types.js';

/** The pool rules' verdict on one message (pools.md#gossip-admission). */
export type PoolVerdict =
  | { outcome: 'accept'; waiting?: PoolCode }
  | { outcome: 'ignore' | 'reject'; code: string };

/**
 * Charter signatures the rules do not take *yet*: more signatures can complete their text
 * (pools.md#gossip-admission), so they are stored and relayed rather than dropped.
 */
const WAITING: ReadonlySet<string> = new Set<PoolCode>([
  'POOL_NOT_FOUNDED',
  'POOL_AMENDMENT_NO_QUORUM',
  'POOL_NEW_MEMBER_NOT_SIGNED',
]);

/**
 * THE pool-rule entry point (pools.md#gossip-admission): accept, ignore or reject, with its code,
 * for one pool message (already through the envelope checks) given the pool's accepted messages
 * `state` at time `now`. The verdict is the refusal pools.md gives the message in the view of
 * `state` plus the message; a charter signature that is only waiting for others is accepted
 * (`waiting` names why it is not adopted yet). The gossip layer applies only its final refusals
 * (`admitPoolMessage`); the harness `decide` op computes the same refusals for a whole message set.
 * Pure; never throws (an internal error is IGNORE, so a bug of ours never penalizes a peer).
 */
export function checkPoolMessage(state: PoolState, message: PoolMessage, now: number): PoolVerdict {
  try {
    const view = viewPool(applyPoolMessage(state, message), now);
    const refusal = view.refused.find((r) => r.messageId === message.messageId);
    if (!refusal) return { outcome: 'accept' };
    if (message.envelope.type === 'PoolCharter' && WAITING.has(refusal.code))
      return { outcome: 'accept', waiting: refusal.code as PoolCode };
    return { outcome: refusal.outcome, code: refusal.code };
  } catch {
    return { outcome: 'ignore', code: 'POOL_INPUT_INVALID' };
  }
}
