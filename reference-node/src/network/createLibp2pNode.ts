/**
 * The libp2p factory of the SFR node: TCP + noise + yamux, identify, ping, and the SFR gossipsub
 * configuration; a connection gater backed by the graylist denylist.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { GossipSub } from '@libp2p/gossipsub';
import type { Identify } from '@libp2p/identify';
import { identify } from '@libp2p/identify';
import type { PrivateKey } from '@libp2p/interface';
import type { Ping } from '@libp2p/ping';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { createLibp2p, type Libp2p } from 'libp2p';
import { createDenylistGater, type PeerDenylist } from './denylist.js';
import { createGossipsubService, type GossipsubServiceOptions } from './gossip/gossipsubRouter.js';

/**
 * [sfr] How often libp2p's connection monitor pings each connection, ms: 30 s instead of libp2p's 10 s.
 * Each ping is a new stream from each end (multistream negotiation, noise and yamux frames); in an idle
 * network that traffic was the largest part of a node's CPU (12 idle nodes on loopback, 8 bootstrap
 * peers each: 3.66 % of a core per node at 10 s, 2.82 % at 30 s). A dead connection is found within
 * this interval and `CONNECTION_PING_TIMEOUT_MS` (50 s).
 */
export const CONNECTION_PING_INTERVAL_MS = 30_000;

/**
 * [sfr] How long libp2p's connection monitor waits for a ping's answer before it aborts the connection,
 * ms: 20 s, where libp2p adapts it between 5 s and 60 s. A busy peer is not a dead one: a ping is a new
 * stream (multistream negotiation both ways) and an echo. While the 30 honest nodes of the 45-peer
 * namespace run started on 2 cores (before any sybil ran), answers took longer than 5 s and the nodes
 * aborted 164 connections to each other on ping timeouts, each then redialled and caught up again.
 * Fixed and below the interval: libp2p's ping allows one outbound stream per connection, so a ping sent
 * while the last one still waits fails at once (TooManyOutboundProtocolStreamsError) and aborts the
 * connection too.
 */
export const CONNECTION_PING_TIMEOUT_MS = 20_000;

export type SfrLibp2p = Libp2p<{ identify: Identify; ping: Ping; pubsub: GossipSub }>;

export interface CreateLibp2pNodeParameters {
  readonly privateKey?: PrivateKey;
  /** Listen multiaddrs; default `/ip4/127.0.0.1/tcp/0`. */
  readonly listen?: readonly string[];
  /** Addresses announced to peers instead of the listen addresses. */
  readonly announce?: readonly string[];
  readonly gossip: GossipsubServiceOptions;
  readonly denylist: PeerDenylist;
  /** Peers never refused for their address (explicit member peers, p2p.md#address-denial). */
  readonly protectedPeers?: ReadonlySet<string>;
  /**
   * Connection limit. [sfr] 300: a network of up to ~100 members fully meshed at most plus sync clients;
   * libp2p 3's default is 300 too.
   */
  readonly maxConnections?: number;
  /**
   * How often each connection is pinged (default `CONNECTION_PING_INTERVAL_MS`; tests shorten it). A ping
   * still unanswered at the next interval fails that one (see `CONNECTION_PING_TIMEOUT_MS`).
   */
  readonly pingIntervalMs?: number;
}

export async function createLibp2pNode(params: CreateLibp2pNodeParameters): Promise<SfrLibp2p> {
  return createLibp2p({
    ...(params.privateKey === undefined ? {} : { privateKey: params.privateKey }),
    addresses: {
      listen: [...(params.listen ?? ['/ip4/127.0.0.1/tcp/0'])],
      ...(params.announce === undefined ? {} : { announce: [...params.announce] }),
    },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: createDenylistGater(params.denylist, (id) => params.protectedPeers?.has(id) === true),
    connectionManager: { maxConnections: params.maxConnections ?? 300 },
    connectionMonitor: {
      pingInterval: params.pingIntervalMs ?? CONNECTION_PING_INTERVAL_MS,
      pingTimeout: { minTimeout: CONNECTION_PING_TIMEOUT_MS, maxTimeout: CONNECTION_PING_TIMEOUT_MS },
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: createGossipsubService(params.gossip),
    },
    start: false,
  });
}
