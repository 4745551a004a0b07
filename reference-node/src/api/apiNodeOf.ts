/**
 * `apiNodeOf(node, parameters)`: the part of a running `SfrNode` the HTTP API serves — its store, its
 * one publish path (with `issuedAt` passed through, so the node signs with it or refuses it), its
 * status and its peers. `sfr node start` and the API tests build the API on the same object, so the
 * tests drive the node that runs in production.
 */
import type { HealthResponse, PeerListResponse } from '@sfr/schemas';
import { DEFAULT_SKEW_MS, toChecksumAddress } from '../envelope/index.js';
import { type SfrNode, SPEC_VERSIONS } from '../node/index.js';
import { createClockEstimator } from './clockCheck.js';
import type { ApiNode } from './createApi.js';

/** Topics listed in the status answer (StatusResponse bounds the array). */
const STATUS_TOPICS = 64;
/** Peers listed, and addresses per peer (PeerListResponse bounds both arrays). */
const MAX_PEERS = 1000;
const MAX_ADDRESSES = 8;

export interface ApiNodeOfParameters {
  /** `identity.protocol` of the node config. */
  readonly protocol: string;
  /** Node software version. */
  readonly version: string;
  /** Unix ms the node started (default: now). */
  readonly startedAt?: number;
  /** Checks besides the store's and gossip's (the adapter host's …). */
  readonly healthChecks?: () => HealthResponse['checks'];
  /** The node's clock tolerance (`time.skewMs`), against which the clock check compares. */
  readonly skewMs?: number;
}

export function apiNodeOf(node: SfrNode, p: ApiNodeOfParameters): ApiNode {
  const startedAt = p.startedAt ?? Date.now();
  // node.md#clock: what gossip brings says whether the local clock agrees with the peers'.
  const clock = createClockEstimator({ member: node.member, skewMs: p.skewMs ?? DEFAULT_SKEW_MS });
  node.onAccepted((m) => {
    if (m.source === 'gossip') clock.observe(m.envelope.issuer, m.envelope.issuedAt, m.receivedAt);
  });
  return {
    store: node.store,
    member: node.member,
    async publish(type, payload, options) {
      const r = await node.publish(type, payload, options);
      return { messageId: r.messageId, seq: r.seq, envelope: r.envelope };
    },
    status: () => ({
      peerId: node.peerId,
      member: toChecksumAddress(node.member),
      protocol: p.protocol,
      specVersions: [...SPEC_VERSIONS],
      version: p.version,
      startedAt,
      headSeq: node.store.headSeq(node.member) ?? null,
      peers: { connected: node.connectedPeers().length, members: node.membership.members.length },
      topics: node.router
        .getTopics()
        .slice(0, STATUS_TOPICS)
        .map((topic) => ({ topic, meshPeers: node.router.getMeshPeers(topic).length })),
    }),
    peers: () => peersOf(node),
    healthChecks: () => [
      node.connectedPeers().length > 0
        ? { name: 'gossip', status: 'ok' }
        : { name: 'gossip', status: 'degraded', detail: 'no connected peers' },
      ownHeadCheck(node),
      clock.check(),
      ...(p.healthChecks?.() ?? []),
    ],
  };
}

/** node.md#own-head: down while peers hold more of this member's messages than the store. */
function ownHeadCheck(node: SfrNode): HealthResponse['checks'][number] {
  const h = node.ownHead();
  return h.behind
    ? {
        name: 'own-head',
        status: 'down',
        detail: `not signing: peers hold seq ${h.observed}, the store ${h.local}; catching up by sync`,
      }
    : { name: 'own-head', status: 'ok' };
}

function peersOf(node: SfrNode): PeerListResponse['peers'] {
  const byPeer = new Map<string, string[]>();
  for (const c of node.libp2p.getConnections()) {
    const id = c.remotePeer.toString();
    const list = byPeer.get(id) ?? [];
    if (list.length < MAX_ADDRESSES) list.push(c.remoteAddr.toString());
    byPeer.set(id, list);
  }
  return [...byPeer.entries()].slice(0, MAX_PEERS).map(([peerId, addresses]) => {
    const member = node.membership.memberOfPeer(peerId);
    return {
      peerId,
      ...(member === undefined ? {} : { member: toChecksumAddress(member) }),
      addresses,
      connected: true,
      score: node.router.getScore(peerId),
    };
  });
}
