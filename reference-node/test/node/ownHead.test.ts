/**
 * The own-head rule (spec/v1/node.md#own-head, issue 13 finding 1): a node restarted on a store
 * restored from an earlier copy must not sign again at a seq its peers already hold. Before the rule it
 * signed its next message at the first seq the store had lost, and its peer published
 * EquivocationEvidence against it.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { createNode, type SfrNode } from '../../src/node/index.js';
import { alertPayload, startNetwork, type TestNetwork, testKeys, waitFor } from './fixtures.js';

const owner = testKeys(1, 'sfr-e1-own-head')[0]!;

describe('a node restarted on a rolled-back store', () => {
  let net: TestNetwork;
  let dir: string;
  let snapshot: string;
  const running: SfrNode[] = [];

  async function startOwner(connectDelayMs: number): Promise<SfrNode> {
    const peer = net.nodes[0]!;
    const node = await createNode({
      dataDir: dir,
      memberKey: owner.privateKey,
      members: [owner.address, net.keys[0]!.address],
      bootstrap: [peer.multiaddrs()[0]!],
      gossip: { score: { ipColocationWeight: 0 } },
      sync: { intervalMs: 0, connectDelayMs },
      redialIntervalMs: 1000,
    });
    await node.start();
    running.push(node);
    await waitFor(() => node.connectedPeers().includes(peer.peerId), TIMEOUTS.event, 'connected to the peer');
    return node;
  }

  async function stop(node: SfrNode): Promise<void> {
    await node.stop();
    running.splice(running.indexOf(node), 1);
  }

  const heldAtPeer = (seq: number) => net.nodes[0]!.store.getBySeq(owner.address.toLowerCase(), seq);

  beforeAll(async () => {
    net = await startNetwork({ n: 1, extraMembers: [owner.address] });
    dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-e1-own-head-'));
    snapshot = `${dir}-snapshot`;
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await Promise.allSettled(running.map((n) => n.stop()));
    await net?.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(snapshot, { recursive: true, force: true });
  });

  it('refuses to sign until sync brought back what the peer holds, then signs above it', async () => {
    // Three messages, a copy of the store, three more: the peer holds seq 0…5.
    let a = await startOwner(200);
    for (let n = 0; n < 3; n++) await a.publish('ContagionAlert', alertPayload(Date.now(), n));
    await waitFor(async () => (await heldAtPeer(2)) !== undefined, TIMEOUTS.event, 'seq 2 at the peer');
    await stop(a);
    await cp(dir, snapshot, { recursive: true });
    a = await startOwner(200);
    for (let n = 3; n < 6; n++) await a.publish('ContagionAlert', alertPayload(Date.now(), n));
    await waitFor(async () => (await heldAtPeer(5)) !== undefined, TIMEOUTS.event, 'seq 5 at the peer');
    const originalAt3 = (await heldAtPeer(3))!.id;
    await stop(a);

    // The store is restored from the copy: seq 3…5 and their journal slots are gone. No catch-up runs on
    // connect (a long connect delay), so only the own-head check stands between the node and seq 3.
    await rm(dir, { recursive: true, force: true });
    await cp(snapshot, dir, { recursive: true });
    a = await startOwner(3_600_000);
    expect(a.store.heads().get(owner.address.toLowerCase())).toBe(2);
    await expect(a.publish('ContagionAlert', alertPayload(Date.now(), 6))).rejects.toMatchObject({
      code: 'GOSSIP_OWN_HEAD_BEHIND',
    });
    expect(a.ownHead()).toMatchObject({ local: 2, observed: 5, behind: true, checked: true });

    // The status answer started a sync session with that peer; once the store holds seq 5 again the node
    // signs, above everything the peer holds.
    await waitFor(() => !a.ownHead().behind, TIMEOUTS.event, 'caught up with its own messages');
    const next = await a.publish('ContagionAlert', alertPayload(Date.now(), 7));
    expect(next.seq).toBe(6);
    await waitFor(async () => (await heldAtPeer(6)) !== undefined, TIMEOUTS.event, 'seq 6 at the peer');
    expect((await heldAtPeer(3))!.id).toBe(originalAt3);
    const evidence = await net.nodes[0]!.store.queryMessages({ type: 'EquivocationEvidence' });
    expect(evidence).toMatchObject({ ok: true, messages: [] });
  });
});
