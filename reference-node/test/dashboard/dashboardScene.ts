/**
 * A scene for the dashboard tests: two real `sfr node start` processes on loopback (libp2p over
 * TCP), each with its HTTP API, contagion responder and one shared pool; node 0 is exposed to USDC.
 * `populate` fills it the way operators would, through the nodes' own HTTP APIs only: both sign the
 * pool charter, node 1 publishes a recovery event and files a claim, node 0 approves it, node 0
 * raises a USDC depeg alert.
 */
import type { EvidenceRef } from '@sfr/schemas/types';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { type CNetwork, type CNode, callApi, startContagionNetwork } from '../contagion/contagionNetwork.js';
import { charterFor, claimFor, POOL_ID, U, USDC } from '../poolsNode/poolHarness.js';

export { callApi, POOL_ID };

const LOG_EMITTER = '0x0000000000000000000000000000000000000abc';

/** A log reference of the right shape (votes are by hand: no verifier re-derives it). */
const EVIDENCE = {
  type: 'log',
  chain: 'eip155:31337',
  blockNumber: 10,
  blockHash: `0x${'cd'.repeat(32)}`,
  txHash: `0x${'ab'.repeat(32)}`,
  logIndex: 0,
  emitter: LOG_EMITTER,
  topic0: `0x${'0f'.repeat(32)}`,
} as EvidenceRef;

export async function startDashboardScene(): Promise<CNetwork> {
  return startContagionNetwork(2, async (i) => ({
    identity: { keyFile: 'member.key', protocol: ['aave-v3', 'gmx-v2'][i] },
    pools: [{ poolId: POOL_ID }],
    ...(i === 0 ? { exposure: { assets: [USDC] } } : {}),
  }));
}

async function ok(node: CNode, method: string, url: string, body?: unknown) {
  const r = await callApi(node, method, url, body);
  if (r.status >= 300) throw new Error(`${method} ${url} at node ${node.index}: ${JSON.stringify(r.json)}`);
  return r.json;
}

/** A ContagionAlert payload about the scene's USDC, active for six hours. */
export function usdcDepeg(now: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: { kind: 'asset', chain: USDC.chain, address: USDC.address, name: 'USDC' },
    indicator: 'depeg',
    severity: 'high',
    confidence: 7000,
    observedAt: now - 5_000,
    expiresAt: now + 6 * 3_600_000,
    recommendedActions: [{ action: 'disable_borrowing' }, { action: 'reduce_ltv' }],
    summary: 'USDC trades at 0.951 across six venues.',
    ...over,
  };
}

export async function populate(net: CNetwork): Promise<{ claimId: string }> {
  const [a, b] = net.nodes as [CNode, CNode];
  const now = Date.now();
  const charter = {
    ...charterFor(
      net.nodes.map((n) => n.key.address),
      now,
      { quorum: { weightBps: 5000, minMembers: 1 } },
    ),
    name: 'Loopback mutual',
  };
  charter.members = charter.members.map((m, i) => ({
    ...m,
    protocol: ['aave-v3', 'gmx-v2'][i]!,
    weight: [60, 40][i]!,
    commitments: [{ asset: USDC, value: ([600_000n, 400_000n][i]! * U).toString() }],
  }));
  for (const n of net.nodes) await ok(n, 'POST', `/v1/pools/${POOL_ID}/charter`, charter);
  await waitFor(
    async () => {
      const views = await Promise.all(net.nodes.map((n) => callApi(n, 'GET', `/v1/pools/${POOL_ID}`)));
      return views.every((v) => v.status === 200 && v.json.epochs.length === 1);
    },
    TIMEOUTS.event,
    'the pool founded at both nodes',
    100,
  );
  await ok(b, 'POST', '/v1/events', {
    payload: {
      kind: 'emergency_pause',
      protocol: 'gmx-v2',
      severity: 'high',
      occurredAt: now - 120_000,
      detectedAt: now - 110_000,
      scope: { chain: USDC.chain, contracts: [LOG_EMITTER], assets: [USDC] },
      mechanism: 'guardian',
      evidence: [EVIDENCE],
      summary: 'Guardian paused the USDC market after an oracle deviation.',
    },
  });
  const claim = (await ok(
    b,
    'POST',
    `/v1/pools/${POOL_ID}/claims`,
    claimFor(EVIDENCE, 'gmx-usdc-pause', 125_000n * U, now),
  )) as { messageId: string };
  await waitFor(
    async () => (await callApi(a, 'GET', `/v1/claims/${claim.messageId}`)).status === 200,
    TIMEOUTS.event,
    'the claim at node 0',
    100,
  );
  await ok(a, 'POST', `/v1/claims/${claim.messageId}/votes`, {
    poolId: POOL_ID,
    claimId: claim.messageId,
    round: 0,
    verdict: 'approve',
    approvedAmount: (125_000n * U).toString(),
    evidenceChecks: [{ index: 0, result: 'verified' }],
    valuation: (125_000n * U).toString(),
  });
  await ok(a, 'POST', '/v1/alerts', { payload: usdcDepeg(now) });
  return { claimId: claim.messageId };
}
