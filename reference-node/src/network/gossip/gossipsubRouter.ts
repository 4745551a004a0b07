/**
 * `GossipRouter` over @libp2p/gossipsub (v1.1/v1.2 router for libp2p 3), configured from
 * `scoringParams.ts`: StrictNoSign, content-derived message id, async validation (the node answers every
 * message through `reportVerdict` after its pipeline ran and the message was stored), peer scoring.
 */

import type { GossipSubComponents } from '@libp2p/gossipsub';
import { type GossipSub, type GossipsubOpts, gossipsub, TopicValidatorResult } from '@libp2p/gossipsub';
import type { PeerScoreParams } from '@libp2p/gossipsub/score';
import type { PeerId } from '@libp2p/interface';
import { isMessageId } from '@sfr/schemas';
import type { GossipRouter, GossipVerdict, InboundGossipMessage } from './gossipRouter.js';
import { gossipMessageId, toHex } from './messageId.js';
import { installPeerConduct, type PeerConductOptions } from './peerConduct.js';
import {
  createScoreParams,
  DECODE_RPC_LIMITS,
  DEFAULT_MAX_MESSAGE_BYTES,
  GOSSIP_PROTOCOLS,
  HEARTBEAT_INTERVAL_MS,
  IDONTWANT_MIN_DATA_BYTES,
  MCACHE_GOSSIP,
  MCACHE_LENGTH,
  MESH,
  SCORE_THRESHOLDS,
  type ScoreOverrides,
  SEEN_TTL_MS,
  sfrTopicScoreParams,
  TOPIC_WEIGHT,
  transportFrameLimit,
} from './scoringParams.js';

export interface GossipsubServiceOptions {
  /** Topics known at start (their score parameters are set up front). */
  readonly topics: readonly string[];
  readonly maxMessageBytes?: number;
  /** Gossipsub seen-cache lifetime, ms; default `SEEN_TTL_MS` (derive it with `seenTtlFor`). */
  readonly seenTtlMs?: number;
  readonly score?: ScoreOverrides;
  /** Explicit (direct) peers: always connected, always forwarded to, never scored out of the mesh. */
  readonly directPeers?: ReadonlyArray<{
    readonly id: PeerId;
    readonly addrs: readonly import('@multiformats/multiaddr').Multiaddr[];
  }>;
  /** Set false only for the raw-gossipsub baseline in benchmarks. */
  readonly asyncValidation?: boolean;
}

/** The libp2p service factory for the SFR gossipsub configuration. */
export function createGossipsubService(
  options: GossipsubServiceOptions,
): (components: GossipSubComponents) => GossipSub {
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const init: Partial<GossipsubOpts> = {
    ...MESH,
    heartbeatInterval: HEARTBEAT_INTERVAL_MS,
    mcacheLength: MCACHE_LENGTH,
    mcacheGossip: MCACHE_GOSSIP,
    seenTTL: options.seenTtlMs ?? SEEN_TTL_MS,
    protocols: [...GOSSIP_PROTOCOLS],
    globalSignaturePolicy: 'StrictNoSign',
    msgIdFn: (msg) => gossipMessageId(msg.data),
    msgIdToStrFn: (id) => toHex(id),
    asyncValidation: options.asyncValidation ?? true,
    emitSelf: false,
    fallbackToFloodsub: false,
    floodPublish: true,
    allowPublishToZeroTopicPeers: true,
    ignoreDuplicatePublishError: true,
    // Above the application maximum, so that oversize messages reach the pipeline's size rule (REJECT).
    maxInboundDataLength: transportFrameLimit(maxBytes),
    decodeRpcLimits: DECODE_RPC_LIMITS,
    idontwantMinDataSize: IDONTWANT_MIN_DATA_BYTES,
    scoreParams: createScoreParams(options.topics, options.score),
    scoreThresholds: SCORE_THRESHOLDS,
    directPeers: (options.directPeers ?? []).map((p) => ({ id: p.id, addrs: [...p.addrs] })),
    doPX: false,
  };
  return gossipsub(init);
}

/** What the router implementation needs from gossipsub beyond its public interface (all exist in 17.x). */
interface GossipsubInternals {
  getScore(peerId: string): number;
  getMeshPeers(topic: string): string[];
  reportMessageValidationResult(
    msgId: string,
    propagationSource: string,
    acceptance: TopicValidatorResult,
  ): void;
  readonly score: {
    readonly params: PeerScoreParams;
    /** Scores computed in the last heartbeat: a penalty given since is not in them. */
    readonly scoreCache: Map<string, unknown>;
  };
}

const VERDICT_TO_RESULT: Record<GossipVerdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
};

/** `conductOptions`: the conduct penalties' options (p2p.md#conduct); they are installed on every router. */
export function createGossipsubRouter(
  service: GossipSub,
  conductOptions: PeerConductOptions = {},
): GossipRouter {
  const internals = service as unknown as GossipSub & GossipsubInternals;
  const penalisedListeners = new Set<(peerId: string) => void>();
  /**
   * A peer was penalised: gossipsub caches each score for a heartbeat, so without dropping that entry
   * both its own graylist (which stops reading the peer's RPCs) and ours would go on using the score
   * from before the penalty for up to a second.
   */
  const penalised = (peerId: string): void => {
    internals.score.scoreCache.delete(peerId);
    for (const l of penalisedListeners) l(peerId);
  };
  const conduct = installPeerConduct(service, {
    ...conductOptions,
    onPenalty: (peerId, reason, amount) => {
      conductOptions.onPenalty?.(peerId, reason, amount);
      penalised(peerId);
    },
  });
  let handler: ((m: InboundGossipMessage) => void) | undefined;
  service.addEventListener('gossipsub:message', (evt) => {
    const { msg, msgId, propagationSource } = evt.detail;
    const from = propagationSource.toString();
    // msgId is this node's own msgIdToStrFn output (toHex of the keccak), so always a MessageId.
    if (handler === undefined || !isMessageId(msgId)) {
      internals.reportMessageValidationResult(msgId, from, TopicValidatorResult.Ignore);
      return;
    }
    handler({ topic: msg.topic, data: msg.data, msgId, from });
  });
  return {
    subscribe(topic) {
      const params = internals.score.params;
      // Topics created at run time (pools) get the same score parameters as the fixed ones.
      if (params.topics[topic] === undefined) params.topics[topic] = sfrTopicScoreParams(TOPIC_WEIGHT);
      service.subscribe(topic);
    },
    unsubscribe(topic) {
      service.unsubscribe(topic);
      conduct.unsubscribed(topic);
    },
    getTopics: () => service.getTopics(),
    async publish(topic, data) {
      const r = await service.publish(topic, data);
      return { recipients: r.recipients.length };
    },
    onMessage(h) {
      handler = h;
    },
    reportVerdict(msgId, from, verdict, code) {
      internals.reportMessageValidationResult(msgId, from, VERDICT_TO_RESULT[verdict]);
      conduct.verdict(from, verdict, code);
      if (verdict === 'reject') penalised(from);
    },
    getScore: (peerId) => internals.getScore(peerId),
    onPenalised(listener) {
      penalisedListeners.add(listener);
      return () => {
        penalisedListeners.delete(listener);
      };
    },
    getSubscribers: (topic) => service.getSubscribers(topic).map((p) => p.toString()),
    getMeshPeers: (topic) => internals.getMeshPeers(topic),
  };
}
