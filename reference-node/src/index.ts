/**
 * @sfr/reference-node — the SFR reference node. Entry points import `./polyfill.js` first (Node 20
 * lacks Promise.withResolvers, which js-libp2p calls).
 *
 *   const node = await createNode({ dataDir, memberKey, members, listen, bootstrap });
 *   await node.start();
 *   await node.publish('ContagionAlert', payload);   // sign → validate → store (fsync) → gossip
 *   node.onAccepted((m) => …);                       // every message accepted from gossip, sync or local
 *   await node.stop();
 */
import './polyfill.js';

export {
  FIXED_TOPIC_NAMES,
  type GossipRouter,
  type GossipVerdict,
  PeerDenylist,
  parseTopic,
  stringifyTopic,
  type Topic,
  topicForEnvelope,
} from './network/index.js';
export {
  type CreateNodeParameters,
  createNode,
  type NodeCode,
  NodeError,
  type PublishResult,
  type SfrNode,
} from './node/index.js';
export {
  createSyncService,
  STATUS_PROTOCOL,
  SYNC_CODES,
  SYNC_IDS_PROTOCOL,
  SYNC_RANGE_PROTOCOL,
  SyncError,
  type SyncReport,
  type SyncService,
} from './sync/index.js';
export {
  createValidationPipeline,
  GOSSIP_CODES,
  type IngestResult,
  Membership,
  type ValidationOutcome,
  type ValidationPipeline,
} from './validation/index.js';
