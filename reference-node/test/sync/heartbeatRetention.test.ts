/**
 * Pruned heartbeats stay pruned (spec/v1/node.md#heartbeat-retention): a node that keeps 2 heartbeats
 * per member syncs from a peer that keeps them all and fetches only what it lacks, never the heartbeats
 * it pruned, and a copy of a pruned heartbeat is IGNORE ENVELOPE_SEQ_STALE, not accepted as new.
 */
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { createMemorySigningJournal, signEnvelope, type UnsignedEnvelope } from '../../src/envelope/index.js';
import { startNetwork, type TestNetwork, testKeys, waitFor } from '../node/fixtures.js';

const member = testKeys(1, 'sfr-e1-heartbeat-retention')[0]!;

describe('heartbeat retention across sync', () => {
  let net: TestNetwork;
  const wires: Uint8Array[] = [];

  beforeAll(async () => {
    net = await startNetwork({
      n: 2,
      extraMembers: [member.address],
      // Node 0 keeps 2 heartbeats per member, node 1 all of them; no session runs unless the test starts it.
      overrides: (i) => ({
        keepHeartbeats: i === 0 ? 2 : Number.POSITIVE_INFINITY,
        sync: { intervalMs: 0, connectDelayMs: 3_600_000 },
      }),
    });
    const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
    const guard = createMemorySigningJournal();
    const now = Date.now();
    for (let seq = 0; seq < 9; seq++) {
      const payload = {
        peerId,
        member: member.address,
        protocol: 'aave-v3',
        addresses: [],
        specVersions: ['1.0'],
        capabilities: ['relay', 'sync'],
        heartbeat: { uptimeMs: seq * 1000, headSeq: seq },
      };
      const signed = await signEnvelope({
        privateKey: member.privateKey,
        guard,
        unsigned: {
          sfr: '1.0',
          type: 'NodeAnnouncement',
          issuer: member.address,
          seq,
          issuedAt: now + seq,
          payload: payload as UnsignedEnvelope['payload'],
        },
      });
      wires.push(signed.wire);
    }
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await net?.stop();
  });

  it('a pruned heartbeat is refused when it comes again, and sync does not pull it back', async () => {
    const [pruning, keeping] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
    const local = { source: 'local', from: 'local' } as const;
    for (const wire of wires) expect((await keeping.pipeline.ingest(wire, local)).outcome).toBe('accept');
    for (const wire of wires.slice(0, 7))
      expect((await pruning.pipeline.ingest(wire, local)).outcome).toBe('accept');
    const issuer = member.address.toLowerCase();
    await waitFor(() => pruning.store.isPruned(issuer, 4), TIMEOUTS.event, 'seqs 1…4 pruned');
    expect((await pruning.store.rangeBySeq(issuer, 0, 100)).map((m) => m.seq)).toEqual([0, 5, 6]);

    // The same heartbeat again: the slot is pruned, so rule 30 refuses it (never stored twice).
    expect(await pruning.pipeline.ingest(wires[3]!, local)).toMatchObject({
      outcome: 'ignore',
      code: 'ENVELOPE_SEQ_STALE',
    });

    // The keeping node holds 0…8: the pruning node asks only for 7 and 8.
    await waitFor(() => pruning.connectedPeers().length > 0, TIMEOUTS.event, 'connected');
    const report = await pruning.sync.syncWithPeer(keeping.libp2p.peerId);
    expect(report).toMatchObject({ fetched: 2, accepted: 2, refused: 0 });
    expect(report.error).toBeUndefined();
    await waitFor(() => pruning.store.isPruned(issuer, 6), TIMEOUTS.event, 'seqs 5, 6 pruned');
    expect((await pruning.store.rangeBySeq(issuer, 0, 100)).map((m) => m.seq)).toEqual([0, 7, 8]);
    // A second session finds nothing to fetch.
    expect(await pruning.sync.syncWithPeer(keeping.libp2p.peerId)).toMatchObject({ fetched: 0 });
  });
});
