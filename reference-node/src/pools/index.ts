/**
 * Shared insurance pools (spec/v1/pools.md): the pure, deterministic claim state machine, the
 * payout rule, decisions anyone can verify, and the conformance `decide` op. No I/O, no clock:
 * time is an argument.
 */

export { admitPoolMessage, type PoolAdmission } from './admitPoolMessage.js';
export { minBig, parseUint256, sameAsset, unitCommitment, valueClaim } from './amounts.js';
export { buildClaimDecision } from './buildClaimDecision.js';
export { canWithdraw } from './canWithdraw.js';
export { charterAt, checkCharter, expectedDomainOf, resolveCharters } from './charters.js';
export { charterText, charterTextHash, SETTLEMENT_EXTENSION } from './charterText.js';
export { checkPoolMessage, type PoolVerdict } from './checkPoolMessage.js';
export {
  CLAIM_CODES,
  type ClaimCode,
  POOL_CODES,
  type PoolCode,
  type PoolReasonCode,
  type PoolRefusal,
} from './codes.js';
export {
  computePayout,
  contributorsOf,
  EMPTY_LEDGER,
  type PayoutClaim,
  type PoolLedger,
  recordPayout,
  splitProRata,
} from './computePayout.js';
export {
  applyMessage,
  applyPoolMessage,
  createPoolState,
  createVerifiedPoolState,
  derivePoolState,
  type PoolState,
  viewPool,
} from './derivePoolState.js';
export { evidenceKey } from './evidenceKey.js';
export { type DecidePoolOpResult, decidePoolOp } from './harnessOp.js';
export { readPoolMessage, readStoredPoolMessage } from './readPoolMessage.js';
export { scheduleTranches } from './scheduleTranches.js';
export { serializeClaim, serializePoolView } from './serializePoolView.js';
export { eligibleWeights, tallyRound, weightedMedian } from './tallyRound.js';
export type * from './types.js';
export {
  type FeedRound,
  feedKey,
  feedOf,
  type PriceFromRoundsParameters,
  type PriceFromRoundsReturnType,
  priceFromRounds,
  type ValueFromRoundsParameters,
  type ValueFromRoundsReturnType,
  valueFromRounds,
} from './valueFromRounds.js';
export { type ValueLossOpResult, valueLossOp } from './valueLossOp.js';
export {
  type VerifyClaimDecisionParameters,
  type VerifyClaimDecisionReturnType,
  verifyClaimDecision,
} from './verifyClaimDecision.js';
