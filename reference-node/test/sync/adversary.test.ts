/**
 * A hostile sync responder (spec/v1/p2p.md#sync-sessions, issue 13 finding 2): a peer with no key that
 * advertises a huge head for a member and answers every range page with messages the node already holds
 * or IGNOREs. Before the session rules it kept the node's session looping (1 682 range requests and
 * 22 CPU-seconds in 40 s, never penalized); now each session ends after at most two pages, the peer is
 * backed off, and its third offence disconnects and denies it.
 */
import type { Stream } from '@libp2p/interface';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { createLibp2pNode, type SfrLibp2p } from '../../src/network/createLibp2pNode.js';
import { PeerDenylist } from '../../src/network/denylist.js';
import { fixedTopicStrings } from '../../src/network/topics.js';
import { encodeJson, readOneFrame, writeKindFrame } from '../../src/sync/framing.js';
import {
  FRAME_MESSAGE,
  FRAME_STATUS,
  MAX_RANGE_PAGE,
  MAX_REQUEST_BYTES,
  STATUS_PROTOCOL,
  SYNC_RANGE_PROTOCOL,
} from '../../src/sync/protocols.js';
import { createSyncService } from '../../src/sync/syncService.js';
import { SyncStrikes } from '../../src/sync/syncStrikes.js';
import { signedAlert, startNetwork, type TestNetwork, testKeys } from '../node/fixtures.js';

const HUGE_HEAD = 1_000_000_000;
const member = testKeys(1, 'sfr-e1-sync-adversary-member')[0]!;

type Serve = (fromSeq: number) => Uint8Array[];

describe('a hostile sync responder', () => {
  let net: TestNetwork;
  let attacker: SfrLibp2p;
  let held: Uint8Array;
  let serve: Serve = () => [];
  let rangeRequests = 0;

  beforeAll(async () => {
    net = await startNetwork({
      n: 1,
      extraMembers: [member.address],
      overrides: () => ({ sync: { intervalMs: 0, connectDelayMs: 3_600_000 } }),
    });
    const node = net.nodes[0]!;
    const now = Date.now();
    const signed = await signedAlert(member, 0, now);
    const r = await node.pipeline.ingest(signed.wire, { source: 'local', from: 'local' });
    if (r.outcome !== 'accept') throw new Error(`fixture refused: ${r.code}`);
    held = signed.wire;

    attacker = await createLibp2pNode({
      denylist: new PeerDenylist(),
      gossip: { topics: fixedTopicStrings(), asyncValidation: false, score: { ipColocationWeight: 0 } },
    });
    await attacker.start();
    await attacker.handle(STATUS_PROTOCOL, async (stream: Stream) => {
      const heads = [{ issuer: member.address, seq: HUGE_HEAD }];
      await writeKindFrame(stream, FRAME_STATUS, encodeJson({ heads }));
      await stream.close();
    });
    await attacker.handle(SYNC_RANGE_PROTOCOL, async (stream: Stream) => {
      rangeRequests++;
      const req = JSON.parse(new TextDecoder().decode(await readOneFrame(stream, MAX_REQUEST_BYTES))) as {
        fromSeq: number;
      };
      for (const wire of serve(req.fromSeq)) await writeKindFrame(stream, FRAME_MESSAGE, wire);
      await stream.close();
    });
    await node.libp2p.dial(attacker.getMultiaddrs()[0]!);
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await attacker?.stop();
    await net?.stop();
  });

  it('a page of copies the node already holds ends the session as SYNC_BAD_RESPONSE', async () => {
    const node = net.nodes[0]!;
    serve = () => Array.from({ length: MAX_RANGE_PAGE }, () => held);
    rangeRequests = 0;
    const report = await node.sync.syncWithPeer(attacker.peerId);
    expect(report.error).toBe('SYNC_BAD_RESPONSE');
    expect(rangeRequests).toBe(1);
    // Backed off: the next session is not even started.
    const again = await node.sync.syncWithPeer(attacker.peerId);
    expect(again.error).toBe('SYNC_PEER_BACKED_OFF');
    expect(rangeRequests).toBe(1);
  });

  it('ascending pages the node IGNOREs end the session after two barren pages; the third offence denies', async () => {
    const node = net.nodes[0]!;
    // Messages of a MAJOR the node does not speak: IGNOREd before any signature work, never stored.
    const ignored = (seq: number): Uint8Array => {
      const envelope = JSON.parse(new TextDecoder().decode(held)) as Record<string, unknown>;
      return new TextEncoder().encode(canonicalize({ ...envelope, sfr: '2.0', seq }) as string);
    };
    serve = (fromSeq) => Array.from({ length: MAX_RANGE_PAGE }, (_, i) => ignored(fromSeq + i));

    // A second service over the node's own libp2p, store and pipeline, with a clock the test moves, so
    // the back-offs can pass without waiting minutes.
    let clock = Date.now();
    const denied: string[] = [];
    const service = createSyncService({
      libp2p: {
        handle: async () => {},
        unhandle: async () => {},
        dialProtocol: (...args: Parameters<SfrLibp2p['dialProtocol']>) => node.libp2p.dialProtocol(...args),
        getPeers: () => node.libp2p.getPeers(),
        addEventListener: () => {},
        removeEventListener: () => {},
      } as never,
      store: node.store,
      pipeline: node.pipeline,
      membership: node.membership,
      maxMessageBytes: 64 * 1024,
      intervalMs: 0,
      strikes: new SyncStrikes({ now: () => clock }),
      onOffender: (peer) => denied.push(peer.toString()),
    });
    await service.start();
    try {
      for (let strike = 1; strike <= 3; strike++) {
        rangeRequests = 0;
        const report = await service.syncWithPeer(attacker.peerId);
        expect(report).toMatchObject({ error: 'SYNC_NO_PROGRESS', accepted: 0, refused: 2 * MAX_RANGE_PAGE });
        expect(rangeRequests).toBe(2);
        expect(denied).toEqual(strike < 3 ? [] : [attacker.peerId.toString()]);
        expect((await service.syncWithPeer(attacker.peerId)).error).toBe('SYNC_PEER_BACKED_OFF');
        clock += 15 * 60_000 + 1;
      }
    } finally {
      await service.stop();
    }
    expect(node.store.heads().get(member.address.toLowerCase())).toBe(0);
    // What the node itself does with an offender (createNode's onOffender): the graylist enforcer
    // denies it with its address (p2p.md#address-denial) and aborts its connections.
    const id = attacker.peerId.toString();
    expect(node.libp2p.getConnections(attacker.peerId).length).toBeGreaterThan(0);
    node.graylist.deny(id, 'sync offender');
    expect(node.denylist.isDenied(id)).toBe(true);
    await waitFor(
      () => node.libp2p.getConnections(attacker.peerId).length === 0,
      TIMEOUTS.event,
      'the offender disconnected',
    );
  });
});
