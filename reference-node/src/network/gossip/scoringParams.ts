/**
 * Every gossipsub parameter the SFR node sets, in ONE place (spec/v1/p2p.md#peer-scoring).
 *
 * Each constant says where its value comes from. Three sources recur:
 * - [gossipsub-v1.1]  the gossipsub v1.1 spec / router defaults (libp2p/specs pubsub/gossipsub).
 * - [lodestar]        the thresholds Ethereum consensus clients run in production (Lodestar, Lighthouse),
 *                     which face the same threat model: a permissioned-by-signature message set on an
 *                     open mesh.
 * - [sfr]             chosen for SFR's traffic: few, valuable messages (alerts and events arrive at a
 *                     rate of seconds to hours, not slots), strict validation, members known in advance.
 */
import type { GossipsubOpts } from '@libp2p/gossipsub';
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from '@libp2p/gossipsub/score';

/** Gossip protocol ids offered, newest first: v1.2 adds IDONTWANT, v1.1 is the floor SFR requires. */
export const GOSSIP_PROTOCOLS = ['/meshsub/1.2.0', '/meshsub/1.1.0'] as const;

/**
 * Largest envelope accepted on gossip and sync, in bytes (wire = canonical JSON).
 * [sfr] The largest v1 message is a ClaimDecision embedding its attestation envelopes (~1.5 KiB each);
 * 64 KiB holds a decision with 30+ attestations and stays far below yamux's 256 KiB window.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Mesh degree. [gossipsub-v1.1] defaults D=6, Dlo=4, Dhi=12, Dlazy=6, Dout=2, Dscore=4; kept: SFR networks
 * are tens to low hundreds of members, the regime those defaults were tuned for.
 */
export const MESH = { D: 6, Dlo: 4, Dhi: 12, Dlazy: 6, Dout: 2, Dscore: 4 } as const;

/** Heartbeat period, ms. [gossipsub-v1.1] default 1 s; all decay rates below assume it. */
export const HEARTBEAT_INTERVAL_MS = 1_000;

/**
 * Smallest message (data bytes) for which the router sends IDONTWANT to its mesh peers.
 * [gossipsub-v1.2] default 512 bytes. [sfr] 16 KiB: gossipsub sends IDONTWANT on a message's first
 * arrival, BEFORE validation, to every mesh peer, so below this size each distinct message a flooding
 * peer sends (invalid ones included) costs the receiver D writes, while it saves a duplicate of ~1 KiB
 * (an alert or a vote). Only large messages (decisions carrying many attestations) still use it.
 */
export const IDONTWANT_MIN_DATA_BYTES = 16 * 1024;

/**
 * Message cache windows (heartbeats) kept for IWANT, and windows advertised in IHAVE.
 * [gossipsub-v1.1] defaults 5 / 3. Gossip alone cannot repair a partition longer than ~5 s; sync does.
 */
export const MCACHE_LENGTH = 5;
export const MCACHE_GOSSIP = 3;

/**
 * How long gossipsub remembers a message id to drop duplicates, ms: the envelope acceptance span
 * `maxAgeMs + 2 × skewMs` (envelope.md#replay), 320 s with the defaults (5 min + 2 × 10 s).
 * [sfr] Not longer: a replay that arrives after it is outside the window, reaches the pipeline and is
 * REJECTed (`ENVELOPE_EXPIRED`), which penalises the replaying peer; a replay inside the window is an
 * IGNOREd duplicate either way. The store (by id and by (issuer, seq)) is the final dedup in any case.
 */
export function seenTtlFor(time: { readonly maxAgeMs: number; readonly skewMs: number }): number {
  return time.maxAgeMs + 2 * time.skewMs;
}
export const SEEN_TTL_MS = seenTtlFor({ maxAgeMs: 300_000, skewMs: 10_000 });

/**
 * Largest gossipsub RPC frame decoded, bytes, for an application limit of `maxMessageBytes`.
 * [sfr] 4 × the application maximum plus 64 KiB for framing, control messages and subscriptions, so that
 * (a) an IWANT answer can carry a few maximal messages and (b) a message between the application
 * maximum and this limit is decoded and reaches the pipeline's size rule, which REJECTs it
 * (`ENVELOPE_TOO_LARGE`) and so penalises its sender. A frame above this limit is dropped by the
 * decoder (the stream is reset) before any message is looked at.
 */
export function transportFrameLimit(maxMessageBytes: number): number {
  return 4 * maxMessageBytes + 64 * 1024;
}

/**
 * Limits applied while decoding a gossipsub RPC frame, before any message is looked at.
 * [sfr] A node subscribes to 4 fixed topics + its pools (tens): 256 subscriptions is generous.
 * [gossipsub-v1.1] IHAVE is bounded by GossipsubMaxIHaveLength = 5000 ids per heartbeat; IWANT likewise.
 * [sfr] 256 messages per RPC: at 64 KiB each that is already 16 MiB, the largest frame worth decoding.
 * [gossipsub-v1.1] IDONTWANT 512 = GossipsubIdontwantMaxMessages; PX peers 16 = GossipsubPrunePeers.
 */
export const DECODE_RPC_LIMITS: NonNullable<GossipsubOpts['decodeRpcLimits']> = {
  maxSubscriptions: 256,
  maxMessages: 256,
  maxIhaveMessageIDs: 5000,
  maxIwantMessageIDs: 5000,
  maxIdontwantMessageIDs: 512,
  maxControlMessages: 1000,
  maxPeerInfos: 16,
};

/**
 * Score thresholds. [lodestar] gossip −4000 / publish −8000 / graylist −16000 / acceptPX 100 /
 * opportunistic graft 5. A peer below the graylist threshold is, in SFR, also DISCONNECTED and denied
 * for `GRAYLIST_DENY_MS` (gossipsub alone only stops processing its RPCs, which still costs decoding).
 */
export const SCORE_THRESHOLDS: PeerScoreThresholds = {
  gossipThreshold: -4000,
  publishThreshold: -8000,
  graylistThreshold: -16000,
  acceptPXThreshold: 100,
  opportunisticGraftThreshold: 5,
};

/** [sfr] How long a graylisted peer is denied (dial and inbound) after being disconnected: 10 minutes. */
export const GRAYLIST_DENY_MS = 10 * 60_000;
/**
 * [sfr] How often every connected peer's score is compared with the graylist threshold, ms (one
 * heartbeat): the backstop; a peer is also judged as soon as it is penalised (graylistEnforcer).
 */
export const GRAYLIST_CHECK_INTERVAL_MS = HEARTBEAT_INTERVAL_MS;
/**
 * [lighthouse] An IP address is denied once this many distinct peers denied there are still denied
 * (p2p.md#address-denial; Lighthouse bans an IP at 5 banned peers): new peer ids cost nothing, addresses
 * do. Applied only where P6 is on; P6's whitelist exempts an address.
 */
export const ADDRESS_DENY_PEERS = 5;
/** [sfr] Denylist capacity: the oldest entry is evicted first beyond this many peers. */
export const DENYLIST_MAX_ENTRIES = 4096;

/**
 * P4 — invalid message deliveries, the penalty that matters for SFR.
 * Contribution = topicWeight × weight × counter². [sfr] weight −1 100 with topicWeight 1: one REJECT
 * costs −1 100 (visible at once in metrics), 4 REJECTs cross the graylist threshold (−17 600 < −16 000;
 * 3 give −9 900), so a flooding peer is cut off by the REJECTs of its first RPC (a batch of 4 invalid
 * messages), before the flood has built a backlog at the receiver. The margin of 1 600 below the
 * threshold covers the positive credit a peer can bank on other topics (P1 + P2, at most ~110 a topic).
 * An honest peer never relays a message it REJECTs, so only a peer whose rules differ from ours (a bug,
 * another version, another member list) can be cut off this way, and it would be at its next few
 * messages as well. Decay 0.997 per second ≈ 4 minute half-life [lodestar uses a similar slow decay for
 * invalid deliveries].
 */
const INVALID_WEIGHT = -1_100;
const INVALID_DECAY = 0.997;

/**
 * Topic parameters shared by every SFR topic.
 * - P1 time in mesh: [lodestar-shaped] small positive reward, quantum = 1 heartbeat, capped at 300.
 * - P2 first deliveries: [sfr] +1 per first delivery, cap 100, decay 0.9/s: rewards relayers without
 *   letting a chatty peer bank a shield against P4.
 * - P3/P3b mesh delivery deficit: [sfr] DISABLED (weight 0). SFR topics are bursty and mostly quiet
 *   (an alert per hour is normal); a minimum-delivery rate would penalise honest peers in quiet periods.
 *   Ethereum clients disable P3 for the same reason on low-rate topics.
 * - P4 invalid deliveries: see INVALID_WEIGHT.
 */
export function sfrTopicScoreParams(topicWeight: number): TopicScoreParams {
  return {
    topicWeight,
    timeInMeshWeight: 0.03,
    timeInMeshQuantum: HEARTBEAT_INTERVAL_MS,
    timeInMeshCap: 300,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 100,
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.5,
    meshMessageDeliveriesCap: 100,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 5_000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.5,
    invalidMessageDeliveriesWeight: INVALID_WEIGHT,
    invalidMessageDeliveriesDecay: INVALID_DECAY,
  };
}

/** [sfr] Every topic weighs the same: a bad alert is as bad as a bad pool vote. */
export const TOPIC_WEIGHT = 1;

/**
 * IP colocation (P6). [lodestar] weight −35.11 (≈ −maxPositiveScore), threshold 3 peers per IP.
 * Production keeps it; single-host test networks and members behind one NAT MUST set the weight to 0 or
 * whitelist the shared address (docs: TOOLCHAIN.md measured 42 % delivery at 30 nodes on 127.0.0.1).
 */
export const IP_COLOCATION_WEIGHT = -35.11;
export const IP_COLOCATION_THRESHOLD = 3;

export interface ScoreOverrides {
  /** P6 weight; 0 disables the colocation penalty (tests, one-host networks). */
  readonly ipColocationWeight?: number;
  /** IPs (or CIDRs) exempt from P6, e.g. `127.0.0.1` or a NAT's address. */
  readonly ipColocationWhitelist?: readonly string[];
}

/**
 * The peer score parameters for a set of topic strings.
 * - P5 app-specific: [sfr] weight 1; SFR does not feed an application score (0) in v1.
 * - P7 behaviour (broken promises, graft floods): [lodestar] weight −15.92, threshold 6, decay 0.986/s.
 * - topicScoreCap: [sfr] 50, so a peer's positive topic credit in all stays under a twentieth of a REJECT.
 * - decayInterval 1 s (= heartbeat), decayToZero 0.01 [gossipsub-v1.1 recommendation].
 * - retainScore: [sfr] keep a disconnected peer's score 15 min (> GRAYLIST_DENY_MS), so a graylisted peer
 *   that reconnects after its denial still carries its history.
 */
export function createScoreParams(
  topics: readonly string[],
  overrides: ScoreOverrides = {},
): PeerScoreParams {
  const topicParams: Record<string, TopicScoreParams> = {};
  for (const t of topics) topicParams[t] = sfrTopicScoreParams(TOPIC_WEIGHT);
  return {
    topics: topicParams,
    topicScoreCap: 50,
    appSpecificScore: () => 0,
    appSpecificWeight: 1,
    IPColocationFactorWeight: overrides.ipColocationWeight ?? IP_COLOCATION_WEIGHT,
    IPColocationFactorThreshold: IP_COLOCATION_THRESHOLD,
    IPColocationFactorWhitelist: new Set(overrides.ipColocationWhitelist ?? []),
    behaviourPenaltyWeight: -15.92,
    behaviourPenaltyThreshold: 6,
    behaviourPenaltyDecay: 0.986,
    decayInterval: HEARTBEAT_INTERVAL_MS,
    decayToZero: 0.01,
    retainScore: 15 * 60_000,
  };
}

/**
 * Per-topic bounded queue between gossip and validation.
 * [sfr] 1024 messages per topic ≈ 3 s of the pipeline's single-core rate at its 8 000/s target even with
 * signature checks, and 64 MiB worst case at the max message size. Drop policy: TAIL DROP — a message
 * arriving at a full queue is answered IGNORE (`GOSSIP_QUEUE_FULL`) at once and not relayed: no penalty for
 * the sender (it may be an honest relay of a burst), and what is already queued keeps its order.
 */
export const TOPIC_QUEUE_CAPACITY = 1024;
/**
 * [sfr] Messages of one topic queue validated at once: 32. The checks are CPU-bound and run one after
 * another on the event loop, but each message waits for its store lookups (and, past
 * `MAX_PENDING_APPENDS` messages not yet durable, for its fsync'd append): with 32 those waits overlap
 * and the store's group commit shares one fsync among them. Two messages for one (issuer, seq) never run
 * at once (the later is IGNORE `GOSSIP_SLOT_IN_FLIGHT`, p2p.md rule 18).
 */
export const TOPIC_QUEUE_CONCURRENCY = 32;
/** [sfr] Messages older than this in the queue are dropped as IGNORE `GOSSIP_QUEUE_STALE`: gossipsub's
 * mcache (5 heartbeats) no longer holds them, so an Accept could not relay them anyway. */
export const TOPIC_QUEUE_MAX_WAIT_MS = MCACHE_LENGTH * HEARTBEAT_INTERVAL_MS;
