/**
 * `createNode(params)`: the SFR reference node assembled — libp2p (TCP + noise + yamux + identify +
 * ping + gossipsub), the validation pipeline and its per-topic queues, the store, catch-up sync,
 * graylist enforcement and peering. A Startable: `start()` then `stop()`; `stop()` is idempotent.
 */

import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import { type MessageId, type Proposal, validate } from '@sfr/schemas';
import {
  type Address,
  addressOfPrivateKey,
  buildEquivocationEvidence,
  checkEnvelopeSchema,
  checkIssuedAt,
  DEFAULT_MAX_AGE_MS,
  DEFAULT_SKEW_MS,
  type Envelope,
  type EnvelopeDomain,
  type EquivocationEvidence,
  type Hex,
  lowerHex,
  offenseKeyOf,
  type SignEnvelopeReturnType,
  SignerRegistry,
  sharedRecoverPool,
  type UnsignedEnvelope,
} from '../envelope/index.js';
import {
  checkKeyCurrent,
  createLocalSigner,
  isMultisigSigner,
  type MemberSigner,
  type VaultStep,
} from '../keys/index.js';
import type { Logger } from '../logging/index.js';
import { type Metrics, setMetricSources } from '../metrics/index.js';
import { createLibp2pNode, type SfrLibp2p } from '../network/createLibp2pNode.js';
import { PeerDenylist } from '../network/denylist.js';
import { type GossipIngress, startGossipIngress } from '../network/gossip/gossipIngress.js';
import type { GossipRouter } from '../network/gossip/gossipRouter.js';
import { createGossipsubRouter } from '../network/gossip/gossipsubRouter.js';
import {
  ADDRESS_DENY_PEERS,
  DEFAULT_MAX_MESSAGE_BYTES,
  IP_COLOCATION_WEIGHT,
  type ScoreOverrides,
  seenTtlFor,
} from '../network/gossip/scoringParams.js';
import { createGraylistEnforcer, type GraylistEnforcer } from '../network/graylistEnforcer.js';
import { fixedTopicStrings, parseTopic, stringifyTopic, topicForEnvelope } from '../network/topics.js';
import { admitPoolMessage, createPoolState, type PoolMessage } from '../pools/index.js';
import { openStore, type Store } from '../store/index.js';
import type { PeerRateLimiter } from '../sync/rateLimiter.js';
import { createSyncService, type SyncService } from '../sync/syncService.js';
import { createAnnouncedProtocols, type OwnProtocolVerdict } from '../validation/announcedProtocols.js';
import type { ContractSignatures } from '../validation/contractSignatures.js';
import { createDurableReplayState, restoreValidationState } from '../validation/durableReplayState.js';
import type { ValidationMetrics } from '../validation/gossipAdapter.js';
import { runValidation } from '../validation/gossipAdapter.js';
import { createIssuerRateLimiter, type IssuerBudget } from '../validation/issuerRateLimiter.js';
import { Membership } from '../validation/membership.js';
import type { ValidationOutcome } from '../validation/outcome.js';
import {
  createValidationPipeline,
  type TopicRules,
  type ValidationPipeline,
} from '../validation/pipeline.js';
import { createTypeRules } from '../validation/typeRules.js';
import type { WireEnvelope } from '../validation/types.js';
import { NodeError } from './nodeError.js';
import { createOwnHeadGuard, type OwnHeadStatus } from './ownHeadGuard.js';

/** [sfr] Bound on the first own-head check after start: one status round trip to each connected peer. */
const OWN_HEAD_CHECK_MS = 5_000;

import { loadOrCreatePeerKey } from './peerKey.js';

/** The envelope library's time defaults (envelope.md#time), re-exported for the node's callers. */
export { DEFAULT_MAX_AGE_MS, DEFAULT_SKEW_MS };
/** [sfr] Equivocations remembered as already reported (by this node or by evidence it accepted): 4 096. */
export const REPORTED_EQUIVOCATIONS_CAPACITY = 4096;
/** [sfr] Re-dial disconnected bootstrap / explicit peers every 5 s (partitions heal within one period). */
export const REDIAL_INTERVAL_MS = 5_000;

export interface CreateNodeParameters {
  /** Folder for the store and the peer key. */
  readonly dataDir: string;
  /** The member's signing key (0x hex), when no `signer` is given. */
  readonly memberKey?: Hex;
  /** What signs what the node publishes (a key in this process or a remote signer, node.md#keys). */
  readonly signer?: MemberSigner;
  /** Member addresses of the network (the local member is added automatically). */
  readonly members: readonly Address[];
  /** libp2p identity; default: `<dataDir>/peer.key`, created on first start. */
  readonly peerKey?: PrivateKey;
  readonly listen?: readonly string[];
  readonly announce?: readonly string[];
  /** Multiaddrs (with `/p2p/<peerId>`) dialled at start and re-dialled while disconnected. */
  readonly bootstrap?: readonly string[];
  /** Explicit member peers (with `/p2p/<peerId>`): gossipsub direct peers, never denied, always re-dialled. */
  readonly directPeers?: readonly string[];
  /**
   * Addresses of members configured without a peer id (p2p.md#peering): dialled at start and
   * re-dialled while no connection to the peer found there is open; the peer id is learned on
   * connection and bound to its member by the member's announcement.
   */
  readonly memberAddresses?: readonly string[];
  /** Pool ids (bytes32) whose topics to join. */
  readonly pools?: readonly string[];
  readonly gossip?: {
    readonly maxMessageBytes?: number;
    readonly score?: ScoreOverrides;
    /** Messages waiting for validation per topic (config `limits.queuePerTopic`; p2p.md#queues). */
    readonly queuePerTopic?: number;
    /** Issuer budgets (config `limits.issuerBurst` / `issuerPerSecond`; p2p.md#issuer-budgets). */
    readonly issuerBudget?: Partial<IssuerBudget>;
  };
  readonly time?: { readonly skewMs?: number; readonly maxAgeMs?: number };
  readonly sync?: {
    readonly intervalMs?: number;
    readonly connectDelayMs?: number;
    /** The responder's per-peer request budget (p2p.md#sync-protocols); tests give it their own clock. */
    readonly rateLimiter?: PeerRateLimiter;
  };
  readonly graylist?: { readonly denyMs?: number; readonly intervalMs?: number };
  readonly redialIntervalMs?: number;
  /** Contract (ERC-1271) members and how to ask their chains (envelope.md#erc-1271-members). */
  readonly contractMembers?: ContractSignatures;
  /** Heartbeats kept per member (config `liveness.keepHeartbeats`, node.md#heartbeat-retention). */
  readonly keepHeartbeats?: number;
  /** An already open store (tests); default `openStore(<dataDir>/store)`. */
  readonly store?: Store;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly now?: () => number;
}

export interface PublishResult {
  readonly messageId: MessageId;
  readonly seq: number;
  readonly envelope: WireEnvelope;
  readonly wire: Uint8Array;
  readonly topic: string;
  /** Peers the message was sent to. */
  readonly recipients: number;
}

/** What the local member may set on a message it publishes (`SfrNode.publish`); the node fills in the rest. */
export interface PublishOptions {
  /** Pool types only: the pool and charter epoch the message belongs to (it travels on the pool's topic). */
  readonly scope?: { readonly poolId: string; readonly epoch: number };
  /** The EIP-712 domain the message is signed under (pool messages: the charter's settlement vault). */
  readonly domain?: { readonly chainId: number; readonly verifyingContract: string };
  /**
   * The envelope's `issuedAt` (unix ms); default the node's clock. Refused before anything is signed
   * when the node's peers would not relay it (the gossip time rules of envelope.md#time).
   */
  readonly issuedAt?: number;
  /**
   * Called with the sequence number once it is allocated, inside the signer's turn: returns the
   * payload to sign (a key rotation names `seq + 1` as its first seq, node.md#rotation).
   */
  readonly payloadAt?: (seq: number) => Record<string, unknown>;
  /**
   * A multisig member's node (node.md#multisig-members): called once the message is held as a
   * proposal, before `publish` settles (when the owners' signatures published it, or it expired).
   */
  readonly onProposal?: (proposal: Proposal) => void;
  /**
   * A multisig member's node: the payload is to carry the member's vault signature of this digest in
   * `sfr.settlement`, obtained from its owners first (a two-step proposal, node.md#multisig-members
   * rule 11). Ignored by a node that signs with a key (it signs the vault struct itself).
   */
  readonly vault?: VaultStep;
}

/** The pool rules' verdict on one pool message (pools.md#gossip-admission); the pool service provides them. */
export type PoolRules = (envelope: WireEnvelope, id: string, poolId: string) => ValidationOutcome;

/**
 * One accepted message, as every consumer of the node follows it (contagion, the SSE streams, pools, the
 * adapter host): emitted once per message after its durable append, in store (cursor) order, with the
 * envelope the pipeline decoded, whatever the path it came by (gossip, sync, local publish).
 */
export interface AcceptedMessage {
  readonly id: MessageId;
  /** The store cursor: consumers that need catch-up checkpoint it and read on with `store.readFrom`. */
  readonly cursor: number;
  readonly envelope: WireEnvelope;
  readonly wire: Uint8Array;
  /** How it arrived (the store records `from`, not this). */
  readonly source: 'gossip' | 'sync' | 'local';
  /** `local`, or the peer id it came from. */
  readonly from: string;
  readonly receivedAt: number;
}

export interface SfrNode {
  readonly peerId: string;
  readonly member: Address;
  /** What signs for the member (rotations switch its key). */
  readonly signer: MemberSigner;
  readonly store: Store;
  readonly membership: Membership;
  readonly libp2p: SfrLibp2p;
  readonly router: GossipRouter;
  readonly pipeline: ValidationPipeline;
  readonly sync: SyncService;
  readonly denylist: PeerDenylist;
  readonly ingress: GossipIngress;
  readonly graylist: GraylistEnforcer;
  start(): Promise<void>;
  stop(): Promise<void>;
  isStarted(): boolean;
  multiaddrs(): string[];
  /**
   * The one publish path of the local member (API, pools, adapters, protective actions, equivocation
   * reports): signs (persist-then-sign through the store's journal), validates through the node's own
   * pipeline, stores, then gossips. Throws `NodeError` GOSSIP_PUBLISH_REFUSED with the verdict's code in
   * `details.code` when the message is refused; nothing is signed for a refused `issuedAt`.
   */
  publish(type: string, payload: Record<string, unknown>, options?: PublishOptions): Promise<PublishResult>;
  /** The accepted-message event (see `AcceptedMessage`); returns the unsubscribe function. */
  onAccepted(listener: (m: AcceptedMessage) => void): () => void;
  /** The own-head rule's state (node.md#own-head): whether the node refuses to sign, and why. */
  ownHead(): OwnHeadStatus;
  /** Joins a pool topic. */
  joinPool(poolId: string): void;
  /**
   * The pool rules the type rules apply to pool messages before they are stored or relayed (the pool
   * service registers its own, judged against the pools it holds). Until then, and after the returned
   * function is called, a pool message is judged against no held pool message.
   */
  usePoolRules(rules: PoolRules): () => void;
  /**
   * Applies a reloaded member list (node.md#configuration): the member set (the local member stays)
   * and the addresses of members without a peer id. Direct peers change only with a restart.
   */
  setMembers(members: readonly Address[], memberAddresses?: readonly string[]): void;
  connectedPeers(): string[];
  /**
   * Nudges every connected peer (p2p.md#sync-protocols) to catch up from this node now, e.g. after it
   * signed a charter text that members not yet on the pool's topic must see (pools.md#founding).
   */
  nudgePeers(): void;
  /**
   * Whether a RecoveryEvent is about its issuer's own protocol, judged on the announcements the node
   * holds now (messages.md#recoveryevent): readers of held events (contagion delivery, claim checks)
   * call it when they read, so their view does not depend on the order the messages arrived in.
   */
  judgeOwnProtocol(event: { issuer: string; seq: number; protocol: unknown }): OwnProtocolVerdict;
}

function parsePeerAddr(addr: string): { ma: Multiaddr; peerId: string } {
  let ma: Multiaddr;
  try {
    ma = multiaddr(addr);
  } catch (cause) {
    throw new NodeError('GOSSIP_BAD_MULTIADDR', `not a multiaddr: ${addr}`, { cause });
  }
  const peerId = ma.getComponents().find((c) => c.name === 'p2p')?.value;
  if (peerId === undefined)
    throw new NodeError('GOSSIP_BAD_MULTIADDR', `multiaddr needs /p2p/<peerId>: ${addr}`);
  return { ma, peerId };
}

export async function createNode(params: CreateNodeParameters): Promise<SfrNode> {
  const log = params.logger?.child({ component: 'network' });
  const now = params.now ?? Date.now;
  if (params.signer === undefined && params.memberKey === undefined) {
    throw new NodeError('GOSSIP_PUBLISH_REFUSED', 'createNode needs a signer or a memberKey');
  }
  const signer =
    params.signer ??
    createLocalSigner({ member: addressOfPrivateKey(params.memberKey!), privateKey: params.memberKey! });
  const member = lowerHex(signer.member);
  const membership = new Membership([...params.members, member]);
  const maxMessageBytes = params.gossip?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const skewMs = params.time?.skewMs ?? DEFAULT_SKEW_MS;
  const maxAgeMs = params.time?.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const ownsStore = params.store === undefined;
  const store =
    params.store ??
    (await openStore(`${params.dataDir}/store`, {
      sync: true,
      ...(params.keepHeartbeats === undefined ? {} : { keepHeartbeats: params.keepHeartbeats }),
    }));
  const peerKey = params.peerKey ?? (await loadOrCreatePeerKey(params.dataDir));

  // A consortium can hand every node the same member list: the node's own entry is not a peer to dial.
  const ownPeerId = peerIdFromPrivateKey(peerKey).toString();
  const notSelf = (p: { peerId: string }): boolean => p.peerId !== ownPeerId;
  const direct = (params.directPeers ?? []).map(parsePeerAddr).filter(notSelf);
  const bootstrap = (params.bootstrap ?? []).map(parsePeerAddr).filter(notSelf);
  // Member addresses without a peer id, each with the peer found there once a dial succeeded.
  const parseMemberAddr = (addr: string): { ma: Multiaddr; peerId?: string } => {
    try {
      return { ma: multiaddr(addr) };
    } catch (cause) {
      throw new NodeError('GOSSIP_BAD_MULTIADDR', `not a multiaddr: ${addr}`, { cause });
    }
  };
  let memberAddrs = (params.memberAddresses ?? []).map(parseMemberAddr);
  /** Explicit member peers: never denied, never refused for their address. */
  const protectedPeers = new Set(direct.map((d) => d.peerId));
  // p2p.md#address-denial: where P6 is on, an address is denied with the peers denied there.
  const p6Off = (params.gossip?.score?.ipColocationWeight ?? IP_COLOCATION_WEIGHT) === 0;
  const denylist = new PeerDenylist(
    p6Off
      ? {}
      : {
          addressPolicy: {
            threshold: ADDRESS_DENY_PEERS,
            exempt: new Set(params.gossip?.score?.ipColocationWhitelist ?? []),
          },
        },
  );
  const topics = [
    ...fixedTopicStrings(),
    ...(params.pools ?? []).map((p) => stringifyTopic({ kind: 'pool', poolId: p })),
  ];

  const libp2p = await createLibp2pNode({
    privateKey: peerKey,
    ...(params.listen === undefined ? {} : { listen: params.listen }),
    ...(params.announce === undefined ? {} : { announce: params.announce }),
    denylist,
    protectedPeers,
    gossip: {
      topics,
      maxMessageBytes,
      seenTtlMs: seenTtlFor({ maxAgeMs, skewMs }),
      ...(params.gossip?.score === undefined ? {} : { score: params.gossip.score }),
      directPeers: direct.map((d) => ({ id: peerIdFromString(d.peerId), addrs: [d.ma] })),
    },
  });
  const metrics = params.metrics;
  const router = createGossipsubRouter(libp2p.services.pubsub, {
    onPenalty: (_peer, reason, amount) => metrics?.conductPenalties.inc({ reason }, amount),
  });
  const validationMetrics: ValidationMetrics | undefined =
    metrics === undefined
      ? undefined
      : {
          recordOutcome: (topic, outcome, code) =>
            metrics.validationOutcomes.inc({ topic, outcome, code: outcome === 'accept' ? '' : code }),
        };

  const listeners = new Set<(m: AcceptedMessage) => void>();
  // Offences already reported on /sfr/1/evidence, keyed by the offence's slot (envelope.md#equivocation:
  // one proof per offence): a node that accepted someone's evidence for an offence, or published its own,
  // publishes no other for it. Insertion-ordered, oldest evicted first.
  const reported = new Set<string>();
  const remembered = (key: string): boolean => {
    if (reported.has(key)) return true;
    reported.add(key);
    if (reported.size > REPORTED_EQUIVOCATIONS_CAPACITY) reported.delete(reported.values().next().value!);
    return false;
  };
  const emit = (m: AcceptedMessage): void => {
    if (m.envelope.type === 'EquivocationEvidence') {
      // Verified by the type rules.
      remembered(offenseKeyOf(m.envelope.payload as unknown as EquivocationEvidence));
    }
    if (m.envelope.type === 'NodeAnnouncement') {
      const peerId = m.envelope.payload['peerId'];
      if (typeof peerId === 'string') membership.bindPeer(peerId, m.envelope.issuer);
      recordAnnouncement(m.envelope.issuer.toLowerCase(), m.envelope.seq, m.envelope.payload['protocol']);
    }
    for (const l of listeners) {
      try {
        l(m);
      } catch (err) {
        log?.warn({ err: String(err) }, 'accepted-message listener threw');
      }
    }
  };

  // messages.md#recoveryevent: a member's own protocol is the one its NodeAnnouncements name, judged by
  // the announcement before the event, at validation (rule 33.1) and again wherever a held event is read.
  const announced = createAnnouncedProtocols();
  const recordAnnouncement = announced.record;
  for await (const m of storedOfTypes(store, ['NodeAnnouncement'])) {
    const env = JSON.parse(new TextDecoder().decode(m.wire)) as {
      issuer: string;
      seq: number;
      payload?: { protocol?: unknown };
    };
    recordAnnouncement(env.issuer.toLowerCase(), env.seq, env.payload?.protocol);
  }
  // The one accepted-message event: the store's append event (durable, cursor order, decoded envelope).
  const stopFeed = store.onAppend((m) =>
    emit({
      id: m.id,
      cursor: m.cursor,
      envelope: m.envelope as unknown as WireEnvelope,
      wire: m.wire,
      source: m.via ?? (m.source === 'local' ? 'local' : 'gossip'),
      from: m.source ?? 'local',
      receivedAt: m.receivedAt,
    }),
  );
  const noPoolHeld = createPoolState([]);
  const judgedAgainstNothing: PoolRules = (envelope, id) =>
    admitPoolMessage(noPoolHeld, { envelope, messageId: id } as unknown as PoolMessage, now());
  let poolRules: PoolRules = judgedAgainstNothing;

  // The one validation engine (envelope.md#verification) over the store as its replay state.
  const replayState = createDurableReplayState(
    {
      async heldAt(issuer, seq) {
        const m = await store.getBySeq(issuer, seq);
        return m === undefined ? undefined : { id: m.id, wire: m.wire };
      },
      isPruned: (issuer, seq) => store.isPruned(issuer, seq),
      // An issuer the store holds nothing of has every slot empty (seq ≥ 0): no read per message of a
      // member's first messages while they wait for their group commit (issue 12).
      headSeq: (issuer) =>
        store.headSeq(issuer) ?? (store.holdsNothingOf?.(issuer) === true ? -1 : undefined),
      getMessage: (id) => store.getMessage(id),
      appendRefusal: () => appendRefusalOf(store),
      async append(wire, info) {
        const r = await store.append({
          wire,
          id: info.id,
          source: info.source,
          envelope: info.envelope as unknown as Record<string, unknown>,
          ...(info.via === undefined ? {} : { via: info.via }),
        });
        if (r.status !== 'appended' && r.status !== 'duplicate') throw new Error(`${r.code}: ${r.detail}`);
      },
    },
    { equivocationTtlMs: maxAgeMs + 2 * skewMs },
  );
  const signers = new SignerRegistry();
  await restoreValidationState(storedOfTypes(store, ['NodeAnnouncement', 'ClaimAttestation']), {
    signers,
    state: replayState,
  });
  const topicRules: TopicRules = {
    parse(t) {
      const parsed = parseTopic(t);
      if (!parsed.ok) return parsed;
      return parsed.topic.kind === 'pool'
        ? { ok: true, kind: 'pool', poolId: parsed.topic.poolId }
        : { ok: true, kind: parsed.topic.kind };
    },
    kindOf: (type) => topicForEnvelope(type, `0x${'0'.repeat(64)}`)?.kind,
  };
  const pipeline = createValidationPipeline({
    state: replayState,
    signers,
    ...(params.contractMembers === undefined ? {} : { contracts: params.contractMembers }),
    // Rule 24's recovery on the process's worker pool under bursts, inline at light load.
    recoverSigner: sharedRecoverPool().recover,
    membership,
    topics: topicRules,
    checkSchema: checkEnvelopeSchema,
    typeRules: createTypeRules({
      // A message accepted a moment ago may still be on its way to the disk (relay on validation).
      issuerOf: async (id) =>
        replayState.pendingById(id)?.envelope.issuer.toLowerCase() ?? (await store.getMessage(id))?.issuer,
      heldMessage: async (id) => {
        const pending = replayState.pendingById(id)?.envelope;
        if (pending !== undefined)
          return { type: pending.type, issuer: pending.issuer.toLowerCase(), payload: pending.payload };
        const stored = await store.getMessage(id);
        if (stored === undefined) return undefined;
        const env = JSON.parse(new TextDecoder().decode(stored.wire)) as {
          payload?: Record<string, unknown>;
        };
        return { type: stored.type, issuer: stored.issuer, payload: env.payload ?? {} };
      },
      judgeOwnProtocol: announced.judge,
      checkPool: (envelope, id, poolId) => poolRules(envelope, id, poolId),
    }),
    limits: { maxMessageBytes, skewMs, maxAgeMs },
    issuerLimit: createIssuerRateLimiter(params.gossip?.issuerBudget),
    now,
    onEquivocation: (first, second) => {
      log?.warn(
        { first: first.id, second: second.id, issuer: second.envelope.issuer },
        'equivocation detected',
      );
      void reportEquivocation(first.id, second).catch((err: unknown) =>
        log?.warn(
          { err: String(err), first: first.id, second: second.id },
          'equivocation evidence not published',
        ),
      );
    },
  });

  /**
   * envelope.md#equivocation: build `EquivocationEvidence` from the stored first envelope and the conflicting
   * one, and publish it on /sfr/1/evidence signed by this node (stored like any message it publishes),
   * unless this offense was already reported.
   */
  async function reportEquivocation(
    firstId: string,
    second: { id: string; envelope: WireEnvelope },
  ): Promise<void> {
    if (!started) return;
    // Relay on validation (p2p.md §7): the first copy may be accepted and not yet appended.
    const pending = replayState.pendingById(firstId);
    const held = pending === undefined ? await store.getMessage(firstId) : undefined;
    if (pending === undefined && held === undefined) return;
    const first = pending?.envelope ?? (JSON.parse(new TextDecoder().decode(held!.wire)) as Envelope);
    const evidence = buildEquivocationEvidence(
      { envelope: first, messageId: firstId as Hex },
      { envelope: second.envelope as unknown as Envelope, messageId: second.id as Hex },
    );
    // Evidence that would fail its own schema (a conflicting envelope that is not a valid Envelope) is not
    // published: it would be refused after a sequence number was reserved for it.
    if (evidence === null || !validate('EquivocationEvidence', evidence).ok) return;
    if (remembered(offenseKeyOf(evidence))) return;
    const r = await node.publish('EquivocationEvidence', { ...evidence, detectedAt: now() });
    log?.warn({ evidence: r.messageId, offender: evidence.offender }, 'equivocation evidence published');
  }

  let ingress: GossipIngress | undefined;
  // node.md#own-head: never sign at a seq a peer holds while the store lacks it (rollback, restore).
  const ownHead = createOwnHeadGuard({
    localHead: () => store.heads().get(member) ?? -1,
    firstCheck: async () => {
      const asked = libp2p.getPeers().map((p) => sync.requestStatus(p));
      await Promise.race([
        Promise.allSettled(asked),
        new Promise((r) => setTimeout(r, OWN_HEAD_CHECK_MS).unref()),
      ]);
    },
  });
  const sync = createSyncService({
    libp2p,
    store,
    pipeline,
    membership,
    maxMessageBytes,
    ...(params.sync?.intervalMs === undefined ? {} : { intervalMs: params.sync.intervalMs }),
    ...(params.sync?.connectDelayMs === undefined ? {} : { connectDelayMs: params.sync.connectDelayMs }),
    ...(params.sync?.rateLimiter === undefined ? {} : { rateLimiter: params.sync.rateLimiter }),
    onStatus: (peer, heads) => {
      const own = heads.get(member);
      if (own === undefined) return;
      ownHead.observe(own);
      // node.md#own-head: a peer holds more of this member's messages than the store: fetch them back.
      if (own > (store.heads().get(member) ?? -1)) void sync.syncWithPeer(peer);
    },
    // p2p.md#sync-sessions: the third sync offence disconnects and denies the peer like the graylist.
    onOffender: (peer, code) => {
      log?.warn({ peer: peer.toString(), code }, 'sync peer denied after repeated offences');
      graylist.deny(peer.toString(), 'sync offender');
    },
    metrics: {
      recordOutcome: (topic, outcome, code) => {
        validationMetrics?.recordOutcome(topic, outcome, code);
      },
      recordSync: (r) => {
        metrics?.syncRequests.inc({ outcome: r.error === undefined ? 'ok' : 'error', code: r.error ?? '' });
        metrics?.syncMessages.inc({ outcome: 'accept' }, r.accepted);
        metrics?.syncMessages.inc({ outcome: 'duplicate' }, r.duplicates);
        metrics?.syncMessages.inc({ outcome: 'refused' }, r.refused);
        if (r.fetched > 0 || r.error !== undefined) log?.info({ ...r }, 'sync session');
      },
    },
  });

  const graylist = createGraylistEnforcer({
    libp2p,
    router,
    denylist,
    protectedPeers,
    ...(params.graylist?.denyMs === undefined ? {} : { denyMs: params.graylist.denyMs }),
    ...(params.graylist?.intervalMs === undefined ? {} : { intervalMs: params.graylist.intervalMs }),
    onDenied: (peerId, score, offendingMs) => {
      metrics?.peersDenied.inc({ code: 'GOSSIP_GRAYLISTED' });
      log?.warn(
        { peer: peerId, score, offendingMs },
        'peer below graylist threshold: disconnected and denied',
      );
    },
    onAddressDenied: (address, peerId, aborted) => {
      metrics?.peersDenied.inc({ code: 'GOSSIP_ADDRESS_DENIED' });
      log?.warn(
        { address, peer: peerId, threshold: ADDRESS_DENY_PEERS, aborted },
        'address denied: too many peers denied there',
      );
    },
  });

  let started = false;
  let redialTimer: ReturnType<typeof setInterval> | undefined;

  /**
   * Peer ids (strings) with an open connection. From the connections, not `libp2p.getPeers()`, which
   * rebuilds every PeerId from its string (a multihash decode and key unmarshal per peer) only for the
   * callers here to turn it back into the string: in idle profiles that was most of each redial pass.
   */
  const connectedPeerIds = (): string[] => [
    ...new Set(libp2p.getConnections().map((c) => c.remotePeer.toString())),
  ];

  const redial = (): void => {
    const connected = new Set(connectedPeerIds());
    for (const target of [...bootstrap, ...direct]) {
      if (connected.has(target.peerId) || denylist.isDenied(target.peerId)) continue;
      libp2p.dial(target.ma, { signal: AbortSignal.timeout(5_000) }).catch((err: unknown) => {
        log?.debug({ peer: target.peerId, err: String(err) }, 'dial failed');
      });
    }
    for (const target of memberAddrs) {
      if (target.peerId === ownPeerId) continue;
      if (target.peerId !== undefined && (connected.has(target.peerId) || denylist.isDenied(target.peerId)))
        continue;
      libp2p.dial(target.ma, { signal: AbortSignal.timeout(5_000) }).then(
        (connection) => {
          const peerId = connection.remotePeer.toString();
          // Our own address in a shared member list: never dialled again.
          if (peerId === ownPeerId) void connection.close().catch(() => {});
          target.peerId = peerId;
        },
        (err: unknown) => {
          // Dialling our own listen address fails the handshake: forget the entry.
          if (/self/i.test(String(err))) target.peerId = ownPeerId;
          log?.debug({ addr: target.ma.toString(), err: String(err) }, 'member dial failed');
        },
      );
    }
  };

  // Peer scores and queue lengths are sampled when scraped (metrics/collectMetrics), not every 5 s.
  if (metrics !== undefined)
    setMetricSources(metrics, {
      network: () => ({
        peerScores: started ? connectedPeerIds().map((p) => router.getScore(p)) : [],
        queueLengths: ingress?.queueLengths() ?? {},
      }),
    });

  /** The second half of the one publish path: the node's own validation, the store, then gossip. */
  const deliver = async (signed: SignEnvelopeReturnType): Promise<PublishResult> => {
    const type = signed.envelope.type;
    const topic = topicForEnvelope(type, signed.envelope.scope?.poolId)!;
    const result = await runValidation(
      pipeline,
      signed.wire,
      { source: 'local', from: 'local' },
      validationMetrics,
    );
    if (result.outcome !== 'accept') {
      metrics?.published.inc({ topic: topic.kind, outcome: result.outcome });
      throw new NodeError('GOSSIP_PUBLISH_REFUSED', `own message refused: ${result.code}`, {
        details: { code: result.code, ...(result.meta ?? {}) },
      });
    }
    const topicString = stringifyTopic(topic);
    const { recipients } = await router.publish(topicString, signed.wire);
    metrics?.published.inc({ topic: topic.kind, outcome: 'accept' });
    return {
      messageId: result.id,
      seq: signed.envelope.seq,
      envelope: result.envelope,
      wire: signed.wire,
      topic: topicString,
      recipients,
    };
  };
  if (isMultisigSigner(signer)) signer.attach(deliver, store);

  const node: SfrNode = {
    get peerId() {
      return libp2p.peerId.toString();
    },
    member,
    signer,
    store,
    membership,
    libp2p,
    router,
    pipeline,
    sync,
    denylist,
    get ingress() {
      if (ingress === undefined) throw new NodeError('GOSSIP_NOT_STARTED', 'the node is not started');
      return ingress;
    },
    graylist,
    isStarted: () => started,
    async start() {
      if (started) return;
      // node.md#rotation rule 5: never sign with a key the member rotated away from.
      checkKeyCurrent({
        member,
        key: signer.key,
        nextSeq: (store.heads().get(member) ?? -1) + 1,
        keyFor: (m, seq) => signers.keyFor(m, seq),
        rotations: signers.rotationsOf(member as Address),
      });
      await libp2p.start();
      ingress = startGossipIngress({
        router,
        pipeline,
        ...(validationMetrics === undefined ? {} : { metrics: validationMetrics }),
        ...(params.gossip?.queuePerTopic === undefined ? {} : { queueCapacity: params.gossip.queuePerTopic }),
        // Relayed already, not stored: the store is now unhealthy (node.md#store); sync fetches it again.
        onNotStored: (code, m) =>
          log?.error({ code, id: m.msgId, from: m.from }, 'accepted message not stored'),
      });
      for (const t of topics) router.subscribe(t);
      await sync.start();
      graylist.start();
      started = true;
      redial();
      redialTimer = setInterval(redial, params.redialIntervalMs ?? REDIAL_INTERVAL_MS);
      log?.info(
        { peerId: node.peerId, member, addrs: node.multiaddrs(), topics: topics.length },
        'node network started',
      );
    },
    async stop() {
      if (!started) {
        if (ownsStore) await store.close().catch(() => {});
        else stopFeed();
        return;
      }
      started = false;
      if (isMultisigSigner(signer)) signer.close();
      if (redialTimer !== undefined) clearInterval(redialTimer);
      graylist.stop();
      ingress?.stop();
      await sync.stop();
      await ingress?.onIdle();
      await libp2p.stop();
      if (ownsStore) await store.close();
      else stopFeed();
    },
    multiaddrs: () => libp2p.getMultiaddrs().map((m) => m.toString()),
    ownHead: () => ownHead.status(),
    async publish(type, payload, options = {}) {
      if (!started) throw new NodeError('GOSSIP_NOT_STARTED', 'the node is not started');
      const topic = topicForEnvelope(type, options.scope?.poolId);
      if (topic === undefined) {
        throw new NodeError('GOSSIP_PUBLISH_REFUSED', `no topic for type ${type}`, { details: { type } });
      }
      // node.md#own-head first: the first publish after start may wait for peers' status, and the
      // default issuedAt is the time of signing, not of the call (a heartbeat issued before a 5 s wait
      // arrived 5 s old, node.md#liveness).
      await ownHead.assertCaughtUp();
      const t = now();
      const issuedAt = options.issuedAt ?? t;
      // envelope.md#time, as the node's peers will apply it on gossip: a message they would not relay
      // is refused before a sequence number is reserved or anything is signed.
      const time = Number.isSafeInteger(issuedAt)
        ? checkIssuedAt(issuedAt, t, skewMs, { maxAgeMs })
        : { outcome: 'reject' as const, code: 'ENVELOPE_MALFORMED', meta: { issuedAt } };
      if (time !== null) {
        metrics?.published.inc({ topic: topic.kind, outcome: time.outcome });
        throw new NodeError('GOSSIP_PUBLISH_REFUSED', `issuedAt outside the time window: ${time.code}`, {
          details: { code: time.code, issuedAt, now: t, skewMs, maxAgeMs },
        });
      }
      const build = (seq: number): UnsignedEnvelope => ({
        sfr: '1.0',
        type,
        issuer: member as Hex,
        seq,
        issuedAt,
        ...(options.scope === undefined
          ? {}
          : { scope: { poolId: options.scope.poolId as Hex, epoch: options.scope.epoch } }),
        ...(options.domain === undefined ? {} : { domain: options.domain as EnvelopeDomain }),
        payload: (options.payloadAt?.(seq) ?? payload) as UnsignedEnvelope['payload'],
      });
      if (isMultisigSigner(signer)) {
        // node.md#multisig-members: held until the owners co-sign; `deliver` publishes it then.
        const proposal = await signer.propose(store, build, ownHead.nextSeqAtLeast(), options.vault);
        options.onProposal?.(proposal);
        // What `deliver` returned for it (the signer hands on the result of the node's publish path).
        return (await signer.outcome(proposal.id)) as PublishResult;
      }
      return deliver(await signer.signNext(store, build, ownHead.nextSeqAtLeast()));
    },
    onAccepted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    usePoolRules(rules) {
      poolRules = rules;
      return () => {
        if (poolRules === rules) poolRules = judgedAgainstNothing;
      };
    },
    joinPool(poolId) {
      const t = stringifyTopic({ kind: 'pool', poolId });
      if (!topics.includes(t)) topics.push(t);
      if (started) router.subscribe(t);
    },
    connectedPeers: connectedPeerIds,
    nudgePeers() {
      for (const peer of libp2p.getPeers())
        sync
          .nudge(peer)
          .catch((err: unknown) =>
            log?.debug({ peer: peer.toString(), code: (err as { code?: string }).code }, 'nudge not taken'),
          );
    },
    judgeOwnProtocol: announced.judge,
    setMembers(members, memberAddresses = []) {
      membership.setMembers([...members, member]);
      const known = new Map(memberAddrs.map((a) => [a.ma.toString(), a]));
      memberAddrs = memberAddresses.map((a) => known.get(multiaddr(a).toString()) ?? parseMemberAddr(a));
      if (started) redial();
    },
  };
  return node;
}

/** Stored messages of the given types, each type in store order (to rebuild the pipeline's side state). */
async function* storedOfTypes(
  store: Store,
  types: readonly string[],
): AsyncIterable<{ id: string; wire: Uint8Array }> {
  for (const type of types) {
    let after = 0;
    for (;;) {
      const page = await store.queryMessages({ type, after, limit: 500 });
      if (!page.ok) return;
      yield* page.messages;
      if (page.nextCursor === null) break;
      after = page.nextCursor;
    }
  }
}

/** Why `store` takes no append now, in the form the pipeline hands on (`STORE_<CODE>: detail`). */
function appendRefusalOf(store: Store): string | undefined {
  if (store.isHealthy()) return undefined;
  const issue = store.health().issues[0];
  return `${issue?.code ?? 'STORE_UNHEALTHY'}: ${issue?.detail ?? 'the store takes no appends'}`;
}
