import type { IgnoreCode, RejectCode } from '@sfr/schemas';
import { checkPoolMessage } from './checkPoolMessage.js';
import type { PoolState } from './derivePoolState.js';
import type { PoolMessage } from './types.js';

/** The gossip layer's verdict on one pool message (pools.md#gossip-admission). */
export type PoolAdmission =
  | { outcome: 'accept'; waiting?: string }
  | { outcome: 'ignore' | 'reject'; code: IgnoreCode | RejectCode };

// pools.md#gossip-admission, the final refusals: each is a property of the message alone, or of the
// content-addressed claim it names, so no message a node does not hold yet can lift it.
const FINAL_FOR_ALL: ReadonlySet<string> = new Set(['POOL_WRONG_POOL', 'POOL_SCOPE_MISMATCH']);
const FINAL_BY_TYPE: Readonly<Record<string, ReadonlySet<string>>> = {
  // Charter envelopes rules 1-4 (the text and its own domain); rule 7 at epoch 0 is handled below.
  PoolCharter: new Set([
    'ENVELOPE_DOMAIN_MISMATCH',
    'POOL_DUPLICATE_MEMBER',
    'POOL_WEIGHT_CAP_INVALID',
    'POOL_QUORUM_UNREACHABLE',
    'POOL_UNIT_ASSET_NOT_PAYOUT',
    'POOL_AMOUNT_OUT_OF_RANGE',
  ]),
  // Filing rules 6 and 8.
  FundClaim: new Set(['CLAIM_BAD_INCIDENT_WINDOW', 'CLAIM_ZERO_AMOUNT']),
  // Attesting rules 3, 4 and 7 (the claimant and filing time are the named claim's own).
  ClaimAttestation: new Set([
    'CLAIM_ROUND_NOT_OPEN',
    'CLAIM_ATTESTER_IS_CLAIMANT',
    'CLAIM_VOTE_BEFORE_FILING',
  ]),
};

/** Whether no further message can lift this refusal of `message` (pools.md#gossip-admission). */
function isFinal(message: PoolMessage, code: string): boolean {
  const { type, payload } = message.envelope;
  if (FINAL_FOR_ALL.has(code) || FINAL_BY_TYPE[type]?.has(code) === true) return true;
  // Charter envelopes rule 7 at epoch 0: the signer is not a member of the text it signs.
  if (type === 'PoolCharter' && code === 'POOL_SIGNER_NOT_MEMBER') return payload['epoch'] === 0;
  // An internal error of ours stays IGNORE (never stored), as everywhere in the pipeline.
  return code === 'POOL_INPUT_INVALID';
}

/**
 * THE gossip-admission entry point (pools.md#gossip-admission): the pool rules' verdict on a pool
 * message against the pool messages `state` holds, applied only when it is final. A refusal that a
 * message not held yet could lift (no founded charter, an unknown claim, a round not closed, a
 * decision that differs from this node's view, a late or duplicate vote, …) is ACCEPT with `waiting`
 * naming it: the message is stored and relayed, and the derived state (a function of the set) judges
 * it, so every node holds the same messages and reaches the same decisions whatever the arrival order.
 */
export function admitPoolMessage(state: PoolState, message: PoolMessage, now: number): PoolAdmission {
  const verdict = checkPoolMessage(state, message, now);
  if (verdict.outcome === 'accept') return verdict;
  // A pool refusal's code is a registered POOL_/CLAIM_/ENVELOPE_ verdict code (pools/codes.ts); its
  // PoolRefusal type still says string.
  if (isFinal(message, verdict.code))
    return { outcome: verdict.outcome, code: verdict.code as IgnoreCode | RejectCode };
  return { outcome: 'accept', waiting: verdict.code };
}
