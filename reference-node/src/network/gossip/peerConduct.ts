/**
 * Conduct penalties (spec/v1/p2p.md#conduct): what gossipsub 17 drops or ignores WITHOUT scoring the
 * peer that sent it becomes a P7 behaviour penalty, so the graylist enforcer cuts the peer off like a
 * peer sending invalid messages.
 *
 * - messages on a topic the node does not subscribe to are removed from the RPC before gossipsub puts
 *   them in its message cache (an honest router only forwards a topic to its subscribers; a topic the
 *   node left within `unknownTopicGraceMs` is dropped without penalty);
 * - frames that do not decode (or exceed the decode limits) and frames over the transport limit;
 * - IHAVE / IWANT control messages beyond gossipsub's per-heartbeat limits, counted here: gossipsub stops
 *   counting a peer's once its score is below the gossip threshold (it drops them unread), which let a
 *   flood of a few excess RPCs per heartbeat stall just under that threshold and never be cut off;
 * - IGNORE verdicts the node's validation gives a peer's messages beyond a per-peer budget, except the
 *   codes that describe the receiver's state rather than the message (`RECEIVER_SIDE_IGNORES`).
 *
 * Gossipsub has no hook for these, so two of its methods are wrapped on the instance (never copied):
 * `decodeRpc` (an undecodable frame becomes an empty RPC marked undecodable, which `handleReceivedRpc`
 * then charges to the peer it came from) and `handleReceivedRpc`; `handlePeerReadStreamError` charges
 * a frame over the transport limit. The wrapped names exist in @libp2p/gossipsub 17.x; a test asserts
 * they are still there.
 */

import type { GossipSub } from '@libp2p/gossipsub';
import type { PeerId } from '@libp2p/interface';
import { HEARTBEAT_INTERVAL_MS } from './scoringParams.js';

/** Why a peer was penalised (the `reason` label of `sfr_gossip_conduct_penalties_total`). */
export type ConductReason =
  | 'unknown_topic'
  | 'undecodable_frame'
  | 'oversize_frame'
  | 'ihave_flood'
  | 'iwant_flood'
  | 'ignore_flood';

/**
 * Penalty sizes. P7 = −15.92 × (penalty − 6)² (scoringParams.ts), so the graylist threshold −16 000 is
 * crossed at a penalty of about 38 (decay 0.986 per second, a half-life of about 49 s).
 */
export const CONDUCT = {
  /** [sfr] Per message on a topic the node does not subscribe to: ~38 such messages cut a peer off. */
  unknownTopicPenalty: 1,
  /** [sfr] A topic the node unsubscribed from within this time is dropped without penalty (3 heartbeats). */
  unknownTopicGraceMs: 3 * HEARTBEAT_INTERVAL_MS,
  /** [sfr] Per frame that does not decode: no implementation of SFR 1 produces one; 5 frames cut a peer off. */
  undecodablePenalty: 8,
  /** [sfr] A frame over the transport limit resets the stream; one is enough to cut the peer off. */
  oversizePenalty: 40,
  /** [sfr] Per IHAVE / IWANT RPC beyond gossipsub's per-heartbeat limits (10 IHAVE, 3 IWANT per peer). */
  controlFloodPenalty: 1,
  /** [sfr] IGNOREs a peer may cause before each further one costs `ignorePenalty`: a token bucket. */
  ignoreBudget: 256,
  /** [sfr] Tokens refilled per second (256 per 10 s). */
  ignoreRefillPerSecond: 25.6,
  ignorePenalty: 1,
} as const;

/**
 * IGNORE codes that describe the receiver (its queues, store, chain access, clock of its own head) or a
 * message the receiver already holds, not the sender's conduct: an honest relay causes them, so they
 * never draw from the budget.
 */
export const RECEIVER_SIDE_IGNORES: ReadonlySet<string> = new Set([
  'GOSSIP_QUEUE_FULL',
  'GOSSIP_QUEUE_STALE',
  'GOSSIP_NODE_STOPPING',
  'GOSSIP_INTERNAL_ERROR',
  'GOSSIP_STORE_UNAVAILABLE',
  'GOSSIP_SLOT_IN_FLIGHT',
  'ENVELOPE_INTERNAL',
  'ENVELOPE_DUPLICATE',
  'ENVELOPE_ERC1271_UNVERIFIABLE',
  'EVIDENCE_RPC_UNAVAILABLE',
  'EVIDENCE_INSUFFICIENT_CONFIRMATIONS',
]);

export interface PeerConductOptions {
  /** Called for each penalty applied (metrics, logs). */
  readonly onPenalty?: (peerId: string, reason: ConductReason, amount: number) => void;
  readonly now?: () => number;
}

export interface PeerConduct {
  /** The node left a topic: messages on it are dropped without penalty for `unknownTopicGraceMs`. */
  unsubscribed(topic: string): void;
  /** The node's verdict on a peer's message, with its reason code (IGNOREs draw from the budget). */
  verdict(peerId: string, verdict: 'accept' | 'ignore' | 'reject', code?: string): void;
}

/** What the wrapper needs from gossipsub beyond its public interface (all exist in 17.x). */
interface ConductInternals {
  decodeRpc(bytes: Uint8Array): RpcLike;
  handleReceivedRpc(from: PeerId, rpc: RpcLike): Promise<void>;
  handlePeerReadStreamError(err: unknown, peerId: PeerId): void;
  /** The topics this node subscribes to. */
  readonly subscriptions: Set<string>;
  readonly score: { addPenalty(id: string, penalty: number, label: string): void };
}

interface RpcLike {
  subscriptions: unknown[];
  messages: Array<{ topic: string }>;
  control?: { ihave?: unknown[]; iwant?: unknown[] } | undefined;
  [UNDECODABLE]?: true;
}

const UNDECODABLE = Symbol('sfr.undecodableRpc');
/** [gossipsub-v1.1] GossipsubMaxIHaveMessages / GossipsubMaxIWantMessages per heartbeat. */
const MAX_IHAVE_PER_HEARTBEAT = 10;
const MAX_IWANT_PER_HEARTBEAT = 3;

/** The method names wrapped below; exported so a test can assert the installed gossipsub has them. */
export const WRAPPED_GOSSIPSUB_METHODS = [
  'decodeRpc',
  'handleReceivedRpc',
  'handlePeerReadStreamError',
] as const;

const installed = new WeakMap<GossipSub, PeerConduct>();

/** Installs the conduct penalties on a gossipsub instance (once; a second call returns the first). */
export function installPeerConduct(service: GossipSub, opts: PeerConductOptions = {}): PeerConduct {
  const existing = installed.get(service);
  if (existing !== undefined) return existing;
  const internals = service as unknown as GossipSub & ConductInternals;
  for (const name of WRAPPED_GOSSIPSUB_METHODS) {
    if (typeof internals[name] !== 'function')
      throw new Error(`gossipsub has no method ${name}: peerConduct needs updating`);
  }
  const now = opts.now ?? Date.now;
  const leftAt = new Map<string, number>();
  /** IHAVE and IWANT RPCs per peer since the last heartbeat, whatever gossipsub did with them. */
  const control = new Map<string, { ihave: number; iwant: number }>();
  service.addEventListener('gossipsub:heartbeat', () => control.clear());
  const buckets = new Map<string, { tokens: number; at: number }>();

  const penalise = (peerId: string, reason: ConductReason, amount: number): void => {
    internals.score.addPenalty(peerId, amount, reason);
    opts.onPenalty?.(peerId, reason, amount);
  };
  const known = (topic: string): boolean => internals.subscriptions.has(topic);
  const inGrace = (topic: string): boolean => {
    const t = leftAt.get(topic);
    if (t === undefined) return false;
    if (now() - t <= CONDUCT.unknownTopicGraceMs) return true;
    leftAt.delete(topic);
    return false;
  };

  const decodeRpc = internals.decodeRpc.bind(service);
  internals.decodeRpc = (bytes) => {
    try {
      return decodeRpc(bytes);
    } catch {
      return { subscriptions: [], messages: [], control: undefined, [UNDECODABLE]: true };
    }
  };

  const handleReceivedRpc = internals.handleReceivedRpc.bind(service);
  internals.handleReceivedRpc = async (from, rpc) => {
    const id = from.toString();
    if (rpc[UNDECODABLE] === true) {
      penalise(id, 'undecodable_frame', CONDUCT.undecodablePenalty);
      return;
    }
    let handled = rpc;
    if (rpc.messages.some((m) => !known(m.topic))) {
      const unknown = rpc.messages.filter((m) => !known(m.topic) && !inGrace(m.topic)).length;
      handled = { ...rpc, messages: rpc.messages.filter((m) => known(m.topic)) };
      if (unknown > 0) penalise(id, 'unknown_topic', unknown * CONDUCT.unknownTopicPenalty);
    }
    await handleReceivedRpc(from, handled);
    // gossipsub ignores IHAVE / IWANT beyond its per-heartbeat limits; each excess RPC is charged here.
    const ihave = (rpc.control?.ihave?.length ?? 0) > 0;
    const iwant = (rpc.control?.iwant?.length ?? 0) > 0;
    if (ihave || iwant) {
      const counts = control.get(id) ?? { ihave: 0, iwant: 0 };
      control.set(id, counts);
      if (ihave && ++counts.ihave > MAX_IHAVE_PER_HEARTBEAT)
        penalise(id, 'ihave_flood', CONDUCT.controlFloodPenalty);
      if (iwant && ++counts.iwant > MAX_IWANT_PER_HEARTBEAT)
        penalise(id, 'iwant_flood', CONDUCT.controlFloodPenalty);
    }
  };

  const handlePeerReadStreamError = internals.handlePeerReadStreamError.bind(service);
  internals.handlePeerReadStreamError = (err, peerId) => {
    // it-length-prefixed ends the stream with one of these when a frame's length prefix is over
    // maxInboundDataLength or is itself too long.
    const name = (err as { name?: unknown } | null)?.name;
    if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError') {
      penalise(peerId.toString(), 'oversize_frame', CONDUCT.oversizePenalty);
    }
    handlePeerReadStreamError(err, peerId);
  };

  const conduct: PeerConduct = {
    unsubscribed(topic) {
      leftAt.set(topic, now());
    },
    verdict(peerId, verdict, code) {
      if (verdict !== 'ignore' || code === undefined || RECEIVER_SIDE_IGNORES.has(code)) return;
      const t = now();
      const b = buckets.get(peerId) ?? { tokens: CONDUCT.ignoreBudget, at: t };
      b.tokens = Math.min(
        CONDUCT.ignoreBudget,
        b.tokens + ((t - b.at) / 1000) * CONDUCT.ignoreRefillPerSecond,
      );
      b.at = t;
      if (b.tokens >= 1) b.tokens -= 1;
      else penalise(peerId, 'ignore_flood', CONDUCT.ignorePenalty);
      buckets.set(peerId, b);
      // Bound the map: a full bucket carries no history worth keeping.
      if (buckets.size > 4096) {
        for (const [p, v] of buckets) if (v.tokens >= CONDUCT.ignoreBudget - 1) buckets.delete(p);
      }
    },
  };
  installed.set(service, conduct);
  return conduct;
}
