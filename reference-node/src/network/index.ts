export { type CreateLibp2pNodeParameters, createLibp2pNode, type SfrLibp2p } from './createLibp2pNode.js';
export { createDenylistGater, PeerDenylist } from './denylist.js';
export { type GossipIngress, type GossipIngressOptions, startGossipIngress } from './gossip/gossipIngress.js';
export type { GossipRouter, GossipVerdict, InboundGossipMessage } from './gossip/gossipRouter.js';
export {
  createGossipsubRouter,
  createGossipsubService,
  type GossipsubServiceOptions,
} from './gossip/gossipsubRouter.js';
export { gossipMessageId } from './gossip/messageId.js';
export * as scoringParams from './gossip/scoringParams.js';
export { TopicQueue } from './gossip/topicQueue.js';
export { createGraylistEnforcer, type GraylistEnforcer } from './graylistEnforcer.js';
export {
  FIXED_TOPIC_NAMES,
  type FixedTopicName,
  fixedTopicStrings,
  type ParseTopicResult,
  parseTopic,
  stringifyTopic,
  type Topic,
  topicForEnvelope,
} from './topics.js';
