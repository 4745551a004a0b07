/**
 * Catch-up sync between real nodes on loopback TCP: a node cut off while the others publish catches up
 * after the partition heals — nothing missing, nothing duplicated — even though the partition outlasted
 * gossipsub's message cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { HEARTBEAT_INTERVAL_MS, MCACHE_LENGTH } from '../../src/network/gossip/scoringParams.js';
import { stringifyTopic } from '../../src/network/topics.js';
import { alertPayload, startNetwork, type TestNetwork, waitFor, waitForMesh } from '../node/fixtures.js';

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });

describe('partition → catch-up via sync', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    // A full mesh of 4: every node bootstraps to every earlier one.
    net = await startNetwork({ n: 4, degree: 3 });
    await waitForMesh(net.nodes, ALERTS);
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await net?.stop();
  });

  it('the cut-off node ends with every message exactly once, fetched by sync', async () => {
    const [a, b, c, d] = net.nodes as [
      (typeof net.nodes)[0],
      (typeof net.nodes)[0],
      (typeof net.nodes)[0],
      (typeof net.nodes)[0],
    ];
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
      async () => (await Promise.all(ids.map((id) => c.store.getMessage(id)))).every((m) => m !== undefined),
      TIMEOUTS.event,
      'the connected side has everything',
    );
    for (const id of ids) expect(await d.store.getMessage(id)).toBeUndefined();
    // Outlast gossipsub's message cache, so gossip alone cannot repair the partition.
    await new Promise((r) => setTimeout(r, (MCACHE_LENGTH + 1) * HEARTBEAT_INTERVAL_MS));

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
