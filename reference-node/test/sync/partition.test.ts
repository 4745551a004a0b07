/**
 * Catch-up sync between real nodes on loopback TCP: a node cut off while the others publish catches up
 * after the partition heals — nothing missing, nothing duplicated — even though the partition outlasted
 * gossipsub's gossip windows (no IHAVE names the messages any more); and a node with no link across the cut gets the other side's messages
 * from a neighbour that caught up, which nudges it (p2p.md#catch-up), with no periodic round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { MCACHE_GOSSIP } from '../../src/network/gossip/scoringParams.js';
import { stringifyTopic } from '../../src/network/topics.js';
import {
  alertPayload,
  startNetwork,
  type TestNetwork,
  waitFor,
  waitForHeartbeats,
  waitForMesh,
} from '../node/fixtures.js';

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });

type Node = TestNetwork['nodes'][number];

/** Four in-process nodes for the enclosing describe block, a full mesh (each bootstraps to every earlier one). */
function fourNodes(): () => [Node, Node, Node, Node] {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({ n: 4, degree: 3 });
    await waitForMesh(net.nodes, ALERTS);
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await net?.stop();
  });
  return () => net.nodes as [Node, Node, Node, Node];
}

describe('partition → catch-up via sync', () => {
  const nodes = fourNodes();

  it('the cut-off node ends with every message exactly once, fetched by sync', async () => {
    const [a, b, c, d] = nodes();
    const accepted = new Map<string, string[]>();
    d.onAccepted((m) => accepted.set(m.id, [...(accepted.get(m.id) ?? []), m.source]));

    // Cut d off: every side denies the other and hangs up (the gater refuses re-dials).
    const others = [a, b, c];
    for (const o of others) {
      d.denylist.deny(o.peerId, 600_000);
      o.denylist.deny(d.peerId, 600_000);
    }
    for (const o of others) await d.libp2p.hangUp(o.libp2p.peerId);
    await waitFor(() => d.connectedPeers().length === 0, TIMEOUTS.event, 'd disconnected');

    const ids: string[] = [];
    for (let k = 0; k < 12; k++) {
      const publisher = others[k % 3]!;
      ids.push((await publisher.publish('ContagionAlert', alertPayload(Date.now(), k))).messageId);
    }
    await waitFor(
      async () =>
        (await Promise.all(others.flatMap((o) => ids.map((id) => o.store.getMessage(id))))).every(
          (m) => m !== undefined,
        ),
      TIMEOUTS.event,
      'the connected side has everything',
    );
    for (const id of ids) expect(await d.store.getMessage(id)).toBeUndefined();
    // Outlast gossipsub's gossip windows, so gossip alone cannot repair the partition.
    await waitForHeartbeats(others, MCACHE_GOSSIP);

    // Heal: lift the denials; the redial loop reconnects and sync runs on connect.
    for (const o of others) {
      d.denylist.allow(o.peerId);
      o.denylist.allow(d.peerId);
    }
    await waitFor(
      async () => (await Promise.all(ids.map((id) => d.store.getMessage(id)))).every((m) => m !== undefined),
      TIMEOUTS.event,
      'd caught up',
    );
    await new Promise((r) => setTimeout(r, 1000));
    for (const id of ids) expect(accepted.get(id)).toEqual(['sync']);
    // Nothing duplicated: each issuer's messages are stored once per seq.
    for (const o of others) {
      const issuer = o.member;
      const theirs = await o.store.rangeBySeq(issuer, 0, 1_000_000);
      const mine = await d.store.rangeBySeq(issuer, 0, 1_000_000);
      expect(mine.map((m) => m.id)).toEqual(theirs.map((m) => m.id));
    }
    expect((await d.store.stats()).messages).toBe((await a.store.stats()).messages);
  });
});

describe('partition → a node with no link across the cut catches up when its neighbour nudges it', () => {
  // a, a2 | b, c: c never connects to a or a2, so only b links it to the other side. No periodic
  // sync rounds in these nodes (fixtures: sync.intervalMs 0): only connects and nudges start sessions.
  const nodes = fourNodes();

  it("c gets a's messages from b once b caught up from a after the heal", async () => {
    const [a, a2, b, c] = nodes();
    const cut = async (x: Node, y: Node): Promise<void> => {
      x.denylist.deny(y.peerId, 600_000);
      y.denylist.deny(x.peerId, 600_000);
      await x.libp2p.hangUp(y.libp2p.peerId);
    };
    for (const x of [a, a2]) await cut(c, x);
    for (const x of [a, a2]) await cut(b, x);
    await waitFor(
      () => c.connectedPeers().length === 1 && b.connectedPeers().length === 1,
      TIMEOUTS.event,
      'b and c connected only to each other',
    );
    const accepted = new Map<string, string[]>();
    c.onAccepted((m) => accepted.set(m.id, [...(accepted.get(m.id) ?? []), m.source]));
    const ids: string[] = [];
    for (let k = 0; k < 6; k++)
      ids.push((await a.publish('ContagionAlert', alertPayload(Date.now(), k))).messageId);
    await waitFor(
      async () => (await Promise.all(ids.map((id) => a2.store.getMessage(id)))).every((m) => m !== undefined),
      TIMEOUTS.event,
      "a2 has a's messages",
    );
    // Outlast gossipsub's gossip windows, so gossip alone cannot repair the partition.
    await waitForHeartbeats([a, a2], MCACHE_GOSSIP);
    for (const id of ids) expect(await c.store.getMessage(id)).toBeUndefined();

    // Heal b's side only: b redials a and a2 and syncs on connect; c's links do not change.
    for (const x of [a, a2]) {
      b.denylist.allow(x.peerId);
      x.denylist.allow(b.peerId);
    }
    await waitFor(
      async () => (await Promise.all(ids.map((id) => c.store.getMessage(id)))).every((m) => m !== undefined),
      TIMEOUTS.event,
      "c has a's messages through b's nudge",
    );
    for (const id of ids) expect(accepted.get(id)).toEqual(['sync']);
  });
});
