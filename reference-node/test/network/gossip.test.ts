import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { stringifyTopic } from '../../src/network/topics.js';
import { alertPayload, startNetwork, type TestNetwork, waitFor, waitForMesh } from '../node/fixtures.js';

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });

describe('gossip between in-process nodes on loopback TCP', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({ n: 5 });
    await waitForMesh(net.nodes, ALERTS);
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await net?.stop();
  });

  it('an alert published by one node is validated, stored and accepted by every other node', async () => {
    const seen = net.nodes.map(() => new Set<string>());
    net.nodes.forEach((n, i) => {
      n.onAccepted((m) => seen[i]!.add(m.id));
    });
    const published = await net.nodes[0]!.publish('ContagionAlert', alertPayload(Date.now()));
    expect(published.topic).toBe(ALERTS);
    expect(published.messageId).toMatch(/^0x[0-9a-f]{64}$/);
    await waitFor(
      () => seen.every((s) => s.has(published.messageId)),
      TIMEOUTS.event,
      'delivery to all nodes',
    );
    for (const n of net.nodes) {
      const stored = await n.store.getMessage(published.messageId);
      expect(stored?.seq).toBe(published.seq);
      expect(Buffer.from(stored!.wire).equals(Buffer.from(published.wire))).toBe(true);
    }
  });

  it('ten alerts from several issuers all reach every node exactly once', async () => {
    const counts = net.nodes.map(() => new Map<string, number>());
    net.nodes.forEach((n, i) => {
      n.onAccepted((m) => counts[i]!.set(m.id, (counts[i]!.get(m.id) ?? 0) + 1));
    });
    const ids: string[] = [];
    for (let k = 0; k < 10; k++) {
      const r = await net.nodes[k % net.nodes.length]!.publish('ContagionAlert', alertPayload(Date.now(), k));
      ids.push(r.messageId);
    }
    await waitFor(
      () => counts.every((c) => ids.every((id) => c.has(id))),
      TIMEOUTS.event,
      'all ten everywhere',
    );
    for (const c of counts) for (const id of ids) expect(c.get(id)).toBe(1);
  });
});
