/**
 * node.md#clock (issue 13 finding 8): a node whose clock is off sees it in /health. The node's two
 * peers sign 40 s behind it (accepted: the past bound is maxAgeMs, 5 min): against a 30 s tolerance the node's
 * clock check is degraded, "ahead of 2 peers". Once the peers sign on the node's time again, their
 * freshest messages agree with it and the check is ok.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { type ApiNode, apiNodeOf } from '../../src/api/index.js';
import { stringifyTopic } from '../../src/network/topics.js';
import { alertPayload, startNetwork, type TestNetwork, waitFor, waitForMesh } from '../node/fixtures.js';

const BEHIND_MS = 40_000;
/** The tolerance the check compares with: 15 s either way, far above loopback latency on a busy machine. */
const SKEW_MS = 30_000;
let net: TestNetwork;
let api0: ApiNode;

beforeAll(async () => {
  net = await startNetwork({ n: 3 });
  // The API view of node 0 observes what gossip brings from the moment it is made.
  api0 = apiNodeOf(net.nodes[0]!, { protocol: 'aave-v3', version: '0', skewMs: SKEW_MS });
  await waitForMesh(net.nodes, stringifyTopic({ kind: 'contagion_alerts' }));
}, TIMEOUTS.hook);
afterAll(async () => {
  await net?.stop();
});

async function peersPublish(offsetMs: number, k: number): Promise<void> {
  for (const i of [1, 2]) {
    const issuedAt = Date.now() - offsetMs;
    await net.nodes[i]!.publish('ContagionAlert', alertPayload(issuedAt, k + i), { issuedAt });
  }
}

const clockAtNode0 = async () => (await api0.healthChecks!()).find((c) => c.name === 'clock');

it('reports the clock degraded while peers disagree with it, and ok once they agree', async () => {
  expect(await clockAtNode0()).toEqual({ name: 'clock', status: 'ok' });
  await peersPublish(BEHIND_MS, 0);
  await waitFor(async () => (await clockAtNode0())?.status === 'degraded', TIMEOUTS.event, 'clock degraded');
  expect((await clockAtNode0())?.detail).toMatch(/^the local clock looks \d+\.\d s ahead of 2 peers'/);
  await peersPublish(0, 10);
  await waitFor(async () => (await clockAtNode0())?.status === 'ok', TIMEOUTS.event, 'clock ok again');
});
