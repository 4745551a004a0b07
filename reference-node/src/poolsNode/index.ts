/**
 * The node's pool service (spec/v1/pools.md, issue 6): pool topics, claim state derived from the
 * store, automatic attestation by policy after re-deriving evidence, decisions published and
 * checked, and the operations behind the HTTP API and CLI (file a claim, vote, ledger).
 */

export { type AttachPoolsParameters, attachPools } from './attachPools.js';
export {
  type AutoAttestPolicy,
  type ChooseVerdictReturnType,
  chooseVerdict,
  type EvidenceCheck,
  type EvidenceVerdict,
  evidenceCheckOf,
  type QueueReason,
} from './chooseVerdict.js';
export { createFeedRoundsReader } from './createFeedRoundsReader.js';
export {
  type ClaimSummary,
  type CreatePoolServiceParameters,
  createPoolService,
  DEFAULT_DECISION_STAGGER_MS,
  DEFAULT_TICK_MS,
  type DecisionCheck,
  type DeriveLoss,
  type ManualVote,
  type PoolService,
  type PoolServiceNode,
  type ReadFeedRounds,
  type VerifyEvidence,
  type WriteOptions,
} from './createPoolService.js';
export type { PoolSettlement, PoolVault, SettlementChain } from './createPoolSettlement.js';
export { vaultNotFollowed } from './createPoolSettlement.js';
export {
  type CreateVaultSenderParameters,
  createVaultSender,
  DEFAULT_RECEIPT_POLL_MS,
  DEFAULT_RESEND_AFTER_MS,
  type VaultSender,
  type VaultSendRequest,
  type VaultTransaction,
} from './createVaultSender.js';
export {
  type CitedRecoveryEvent,
  DERIVATION_EXTENSION,
  type DerivationEntry,
  type DerivedLoss,
  feedsToRead,
  type JudgeLossParameters,
  type JudgeLossReturnType,
  judgeLoss,
} from './judgeLoss.js';
export { type EscrowAction, type MoveEscrowReturnType, moveEscrow } from './moveEscrow.js';
export { PoolServiceError } from './poolServiceError.js';
export { precheckClaim } from './precheckClaim.js';
export { samplePoolMetrics } from './samplePoolMetrics.js';
export {
  type VaultAsset,
  type VaultDifference,
  type VaultFollowStatus,
  vaultLedgerOf,
} from './vaultLedger.js';
