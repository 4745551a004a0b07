/**
 * Two real nodes on loopback sharing one pool (a quorum of one other member), each with a pool
 * service that votes by hand only (no auto-attest), and each with its HTTP API mounted with the
 * pool routes and its `/metrics` sampling the pool service as `sfr node start` does: the setup of
 * the pool API and CLI tests.
 */
import type { EvidenceRef } from '@sfr/schemas/types';
import { type Api, apiNodeOf, createApi } from '../../src/api/index.js';
import { createMetrics, setMetricSources } from '../../src/metrics/index.js';
import { createPoolService, type PoolService, samplePoolMetrics } from '../../src/poolsNode/index.js';
import { startNetwork, type TestNetwork, waitForMesh } from '../node/fixtures.js';
import { charterFor, POOL_ID } from './poolHarness.js';

export const TOKEN = 'pool-test-token-0123456789';

/** A log reference of the right shape (no verifier runs in these tests: votes are manual). */
export const EVIDENCE: EvidenceRef = {
  type: 'log',
  chain: 'eip155:31337',
  blockNumber: 10,
  blockHash: `0x${'cd'.repeat(32)}`,
  txHash: `0x${'ab'.repeat(32)}`,
  logIndex: 0,
  emitter: '0x0000000000000000000000000000000000000abc',
  topic0: `0x${'0f'.repeat(32)}`,
} as EvidenceRef;

export interface TwoNodePool {
  net: TestNetwork;
  services: PoolService[];
  apis: Api[];
  urls: string[];
  stop(): Promise<void>;
}

export async function startTwoNodePool(): Promise<TwoNodePool> {
  const net = await startNetwork({ n: 2, overrides: () => ({ pools: [POOL_ID] }) });
  const services: PoolService[] = [];
  const apis: Api[] = [];
  const urls: string[] = [];
  const stop = async () => {
    await Promise.allSettled(apis.map((a) => a.close()));
    await Promise.allSettled(services.map((s) => s.stop()));
    await net.stop();
  };
  try {
    for (const node of net.nodes) {
      const s = createPoolService({
        node,
        pools: [{ poolId: POOL_ID }],
        tickMs: 200,
        decisionStaggerMs: 200,
      });
      await s.start();
      services.push(s);
      const metrics = createMetrics();
      setMetricSources(metrics, { pools: () => samplePoolMetrics(s) });
      const api = await createApi({
        node: apiNodeOf(node, { protocol: 'pool-test', version: '0.1.0' }),
        token: TOKEN,
        version: '0.1.0',
        pools: s,
        metrics,
      });
      apis.push(api);
      urls.push(await api.listen());
    }
    await waitForMesh(net.nodes, `/sfr/1/pool/${POOL_ID.slice(2)}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { net, services, apis, urls, stop };
}

export function twoMemberCharter(net: TestNetwork, now = Date.now()) {
  return charterFor(
    net.keys.map((k) => k.address),
    now,
    { quorum: { weightBps: 5000, minMembers: 1 } },
  );
}
