/**
 * Each gossip wire is parsed once on its way through a receiving node (issue 12 item 3): the pipeline
 * decodes it, and the replay state, the store, the accepted-message feed and the feed's consumers (the
 * API's clock estimate, liveness, pools, contagion) carry that decoded envelope instead of parsing the
 * bytes again. Counted by watching `JSON.parse` for the wire's text while a raw gossipsub peer (no SFR
 * code of its own) delivers one alert to the node. Likewise each wire is hashed once: gossipsub's
 * `msgIdFn` takes keccak256 of it and the pipeline uses that id instead of hashing again (counted by
 * wrapping the crypto backend's keccak256).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { apiNodeOf } from '../../src/api/apiNodeOf.js';
import { createMemorySigningJournal, deriveTestKey, signEnvelope } from '../../src/envelope/index.js';
import { attachLiveness, type Liveness } from '../../src/liveness/index.js';
import { createLibp2pNode, type SfrLibp2p } from '../../src/network/createLibp2pNode.js';
import { PeerDenylist } from '../../src/network/denylist.js';
import { createGossipsubRouter } from '../../src/network/gossip/gossipsubRouter.js';
import { fixedTopicStrings, stringifyTopic } from '../../src/network/topics.js';
import { alertPayload, startNetwork, type TestNetwork, waitFor, waitForMesh } from '../node/fixtures.js';

/** Wires whose keccak256 calls are counted, and the counts. */
const hashed = vi.hoisted(() => {
  // The unit tier shares one module graph across files (isolate: false): drop the modules an earlier
  // file loaded, so that this file's imports load the mocked backend below.
  vi.resetModules();
  return { watch: undefined as Uint8Array | undefined, count: 0 };
});
vi.mock('../../src/envelope/backend.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/envelope/backend.js')>();
  return {
    ...real,
    keccak256(data: Uint8Array): Uint8Array {
      const w = hashed.watch;
      if (w !== undefined && data.length === w.length && Buffer.from(data).equals(w)) hashed.count++;
      return real.keccak256(data);
    },
  };
});

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
const AUTHOR = deriveTestKey('sfr-parse-once-author');

describe('a gossip wire on its way through a node', () => {
  let net: TestNetwork;
  let peer: SfrLibp2p;
  let liveness: Liveness;
  beforeAll(async () => {
    net = await startNetwork({ n: 1, extraMembers: [AUTHOR.address] });
    const node = net.nodes[0]!;
    apiNodeOf(node, { protocol: 'test', version: '0' });
    liveness = await attachLiveness({ node, protocol: 'test', capabilities: [] });
    peer = await createLibp2pNode({
      denylist: new PeerDenylist(),
      gossip: { topics: fixedTopicStrings(), asyncValidation: false, score: { ipColocationWeight: 0 } },
    });
    await peer.start();
    peer.services.pubsub.subscribe(ALERTS);
    await peer.dial(node.libp2p.getMultiaddrs()[0]!);
    await waitForMesh([node], ALERTS);
    const router = createGossipsubRouter(peer.services.pubsub);
    await waitFor(() => router.getMeshPeers(ALERTS).length > 0, TIMEOUTS.mesh, 'the peer in the mesh');
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await liveness?.stop();
    await peer?.stop();
    await net?.stop();
  });

  const signAlert = async (seq: number) => {
    const now = Date.now();
    return signEnvelope({
      privateKey: AUTHOR.privateKey,
      guard: createMemorySigningJournal(),
      unsigned: {
        sfr: '1.0',
        type: 'ContagionAlert',
        issuer: AUTHOR.address,
        seq,
        issuedAt: now,
        payload: alertPayload(now) as never,
      },
    });
  };
  const deliver = async (wire: Uint8Array): Promise<void> => {
    const node = net.nodes[0]!;
    const accepted: string[] = [];
    const stored: string[] = [];
    const stopAccepted = node.onAccepted((m) => accepted.push(m.id));
    const stopStored = node.store.onAppend((m) => stored.push(m.id));
    try {
      await peer.services.pubsub.publish(ALERTS, wire);
      await waitFor(() => accepted.length > 0 && stored.length > 0, TIMEOUTS.event, 'accepted and stored');
    } finally {
      stopAccepted();
      stopStored();
    }
  };

  it('is parsed once: by the pipeline', async () => {
    const { wire } = await signAlert(0);
    const text = Buffer.from(wire).toString('utf8');
    let parses = 0;
    const parse = JSON.parse;
    JSON.parse = ((t: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      if (t === text) parses++;
      return parse(t, reviver);
    }) as typeof JSON.parse;
    try {
      await deliver(wire);
      expect(parses).toBe(1);
    } finally {
      JSON.parse = parse;
    }
  });

  it('is hashed once: by gossipsub, whose id the pipeline takes as the message id', async () => {
    const { wire, messageId } = await signAlert(1);
    const node = net.nodes[0]!;
    hashed.watch = wire;
    hashed.count = 0;
    try {
      await deliver(wire);
      // The raw peer publishing it shares this process: its gossipsub hashes the wire once too.
      expect(hashed.count).toBe(2);
    } finally {
      hashed.watch = undefined;
    }
    // The id the node accepted and stored it under is still the wire's keccak256.
    expect((await node.store.getMessage(messageId))?.id).toBe(messageId);
  });
});
