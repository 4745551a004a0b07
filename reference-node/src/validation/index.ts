export { createEnvelopeCodec } from './envelopeCodec.js';
export { runValidation, toGossipVerdict, topicLabel, type ValidationMetrics } from './gossipAdapter.js';
export { GOSSIP_CODES, type GossipCode } from './gossipCodes.js';
export { Membership } from './membership.js';
export { type Accept, ignore, type Refusal, reject, type ValidationOutcome } from './outcome.js';
export {
  createValidationPipeline,
  type PipelineDependencies,
  type PipelineLimits,
  SUPPORTED_MAJOR,
  SUPPORTED_MINOR,
  type ValidationPipeline,
} from './pipeline.js';
export { SeenCache } from './seenCache.js';
export { createTypeRules } from './typeRules.js';
export type {
  EnvelopeCodec,
  IngestAccepted,
  IngestContext,
  IngestResult,
  IngestSource,
  PipelineStore,
  TypeRules,
  WireEnvelope,
} from './types.js';
