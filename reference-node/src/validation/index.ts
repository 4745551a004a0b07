export {
  type AnnouncedProtocols,
  createAnnouncedProtocols,
  type OwnProtocolVerdict,
} from './announcedProtocols.js';
export {
  type ContractReader,
  type ContractSignatures,
  createContractSignatures,
  createErc1271Verifier,
  ERC1271_MAGIC_VALUE,
  type Erc1271Verifier,
} from './contractSignatures.js';
export { createDurableReplayState, type DurableLog, restoreValidationState } from './durableReplayState.js';
export {
  runAdmission,
  runValidation,
  toGossipVerdict,
  topicLabel,
  type ValidationMetrics,
  type Verdict,
} from './gossipAdapter.js';
export { GOSSIP_CODES, type GossipCode } from './gossipCodes.js';
export {
  createIssuerRateLimiter,
  ISSUER_BURST,
  ISSUER_PER_SECOND,
  type IssuerBudget,
  type IssuerRateLimiter,
} from './issuerRateLimiter.js';
export { Membership } from './membership.js';
export { type Accept, ignore, type Refusal, reject, type ValidationOutcome } from './outcome.js';
export {
  createValidationPipeline,
  type PipelineDependencies,
  type PipelineLimits,
  type TopicRules,
  type ValidationPipeline,
} from './pipeline.js';
export { createMemoryReplayState, type HeldMessage, type ReplayState } from './replayState.js';
export { createTypeRules, type TypeRuleContext } from './typeRules.js';
export type {
  AdmitResult,
  AdmittedMessage,
  IngestAccepted,
  IngestContext,
  IngestResult,
  IngestSource,
  TypeRules,
  WireEnvelope,
} from './types.js';
