export { type AnnouncementOfParameters, announcementOf, SPEC_VERSIONS } from './announcementOf.js';
export {
  type AcceptedMessage,
  type CreateNodeParameters,
  createNode,
  DEFAULT_MAX_AGE_MS,
  DEFAULT_SKEW_MS,
  type PoolRules,
  type PublishOptions,
  type PublishResult,
  type SfrNode,
} from './createNode.js';
export { type NodeCode, NodeError } from './nodeError.js';
