/**
 * Issue 6 "Done when", end to end: five `sfr node start` processes on loopback, each hosting the
 * real pausable adapter against one anvil chain. A claim filed at one node collects attestations
 * from the others — each re-deriving the cited log from chain through its own adapter host — and
 * every node reaches the same ClaimDecision; claims citing fake or reorged evidence, or a recovery
 * event its issuer retracted, are rejected by all. Everything goes through the HTTP API
 * (token-protected mutations).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import {
  api,
  createProcNetwork,
  type Json,
  type ProcNetwork,
  waitForTopicMesh,
} from '../e2e/processNetwork.js';
import { waitFor } from '../node/fixtures.js';
import { type Chain, charterFor, claimFor, fakeEvidence, POOL_ID, startChain, U } from './poolHarness.js';

const N = 5;
/** The charter's voting window: a claim citing an event nobody holds is refused only near its end. */
const VOTING_MS = 20_000;
let chain: Chain;
let net: ProcNetwork;

beforeAll(async () => {
  chain = await startChain();
  net = await createProcNetwork(N);
  for (const node of net.nodes) {
    const config = JSON.parse(await readFile(node.configFile, 'utf8')) as Record<string, unknown>;
    Object.assign(config, {
      chains: [{ chain: 'eip155:31337', rpcUrl: chain.anvil.rpcUrl, confirmations: 1 }],
      adapters: [
        {
          package: '@sfr/adapter-pausable',
          config: {
            chainId: 31337,
            protocol: `e2e-member-${node.index}`,
            contracts: [{ address: chain.watched, name: 'vault' }],
            pollIntervalMs: 500,
          },
        },
      ],
      pools: [{ poolId: POOL_ID }],
      policy: { autoAttest: { enabled: true, maxApproveAmount: (5000n * U).toString() } },
    });
    await writeFile(node.configFile, JSON.stringify(config, null, 2));
  }
  await Promise.all(net.nodes.map((_, i) => net.start(i)));
  // A 5 s challenge window: every attester has time to re-derive the evidence before the round
  // closes, even on a loaded machine (a vote after the close would not count).
  const charter = charterFor(
    net.nodes.map((n) => n.key.address),
    Date.now(),
    { windows: { votingMs: VOTING_MS, challengeMs: 5_000, cooldownMs: 0 } },
  );
  // Wait until every node meshes on the pool topic before the founders sign.
  const topic = `/sfr/1/pool/${POOL_ID.slice(2)}`;
  await waitForTopicMesh(net, topic, TIMEOUTS.event);
  for (const n of net.nodes) {
    const r = await api(n, 'POST', `/v1/pools/${POOL_ID}/charter`, charter);
    expect(r.status).toBe(201);
  }
  await waitFor(
    async () => {
      for (const n of net.nodes)
        if (((await api(n, 'GET', `/v1/pools/${POOL_ID}`)).json as Json).epochs?.length !== 1) return false;
      return true;
    },
    TIMEOUTS.event,
    'the pool founded at every node',
    250,
  );
}, TIMEOUTS.hook);

afterAll(async () => {
  await net?.stop();
  await chain?.stop();
});

async function decidedEverywhere(claimId: string, timeoutMs: number = TIMEOUTS.event): Promise<Json[]> {
  const out: Json[] = [];
  await waitFor(
    async () => {
      out.length = 0;
      for (const n of net.nodes) {
        const r = await api(n, 'GET', `/v1/claims/${claimId}`);
        const c = r.json as Json;
        if (r.status !== 200 || c.decision === null) return false;
        if (!(c.publishedDecisions as { outcome: string }[]).some((d) => d.outcome === 'accept'))
          return false;
        out.push(c);
      }
      return true;
    },
    timeoutMs,
    `the decision on ${claimId} at every node`,
    300,
  );
  return out;
}

describe(`pools end to end: ${N} node processes, anvil, the pausable adapter hosted by each node`, () => {
  it('the old claim — bad_debt of 1 000 USDC for emergency_pause on a real Paused log and a made-up recovery event — is refused by every other node', async () => {
    // Before issue 10 this claim was approved in full: evidence was only checked to exist. Each
    // attester now re-derives it through its hosted adapter (pools.md#re-derivation): the log is
    // real, but the cited RecoveryEvent is in no store.
    const ref = await chain.realEvidence();
    const filed = await api(
      net.nodes[0]!,
      'POST',
      `/v1/pools/${POOL_ID}/claims`,
      claimFor(ref, 'e2e-real', 1000n * U, Date.now()),
    );
    expect(filed.status).toBe(201);
    const claimId = (filed.json as Json).messageId as string;
    // Every attester waits for the made-up event until the round is about to close
    // (pools.md#re-derivation step 2), then refuses.
    const views = await decidedEverywhere(claimId, VOTING_MS + TIMEOUTS.event);
    expect(new Set(views.map((v) => JSON.stringify(v.decision))).size).toBe(1);
    expect(views[0].decision).toMatchObject({ outcome: 'rejected', approvedAmount: '0' });
    for (const [i, v] of views.entries()) {
      expect(v.publishedDecisions.every((d: { outcome: string }) => d.outcome === 'accept')).toBe(true);
      if (i === 0 || v.myVote === null) continue; // null: the round closed before this node attested
      expect(v.myVote).toBe('reject');
      expect(v.evidenceChecks).toEqual([{ index: 0, result: 'verified' }]);
    }
    // The decision lists the counted attestations by id: each one's signed reason.
    const reasons: unknown[] = [];
    for (const id of views[0].decision.attestations as string[]) {
      const m = await api(net.nodes[0]!, 'GET', `/v1/messages/${id}`);
      reasons.push((m.json as Json).envelope.payload.reasonCode);
    }
    expect(reasons.length).toBeGreaterThanOrEqual(2);
    expect(new Set(reasons)).toEqual(new Set(['CLAIM_RECOVERY_EVENT_MISSING']));
  });

  it('claims citing fake or reorged evidence are rejected by every other node', async () => {
    const fake = fakeEvidence(await chain.realEvidence());
    const reorged = await chain.reorgedEvidence();
    const a = await api(
      net.nodes[1]!,
      'POST',
      `/v1/pools/${POOL_ID}/claims`,
      claimFor(fake, 'e2e-fake', 100n * U, Date.now()),
    );
    const b = await api(
      net.nodes[2]!,
      'POST',
      `/v1/pools/${POOL_ID}/claims`,
      claimFor(reorged, 'e2e-reorg', 100n * U, Date.now()),
    );
    expect([a.status, b.status]).toEqual([201, 201]);
    for (const [filer, filed, result] of [
      [1, a, 'not_found'],
      [2, b, 'reorged'],
    ] as const) {
      const views = await decidedEverywhere((filed.json as Json).messageId);
      expect(new Set(views.map((v) => JSON.stringify(v.decision))).size).toBe(1);
      expect(views[0].decision.outcome).toBe('rejected');
      for (const [i, v] of views.entries()) {
        expect(v.status).toBe('rejected');
        if (i === filer || v.myVote === null) continue; // null: closed before this node attested
        expect(v.myVote).toBe('reject');
        expect(v.evidenceChecks[0].result).toBe(result);
      }
      expect(views.filter((v) => v.myVote === 'reject').length).toBeGreaterThanOrEqual(2);
    }
  });

  it('a claim citing a recovery event its issuer retracted is refused by every other node (CLAIM_RECOVERY_EVENT_RETRACTED)', async () => {
    // Node 3's pausable adapter published an emergency_pause for a Paused log of the tests above; its
    // issuer retracts it (messages.md#retraction: what an adapter host publishes when a reorg removed
    // the evidence), then files a claim citing it. Every attester refuses it at re-derivation step 3.
    const n3 = net.nodes[3]!;
    let event: { id: string; payload: Json } | undefined;
    await waitFor(
      async () => {
        const page = (
          await api(
            n3,
            'GET',
            `/v1/messages?type=RecoveryEvent&issuer=${n3.key.address}&retracted=false&limit=100`,
          )
        ).json as Json;
        // the oldest: the Paused log of the first test, still on the canonical chain (a later one may
        // be the reorged log of the test above, which step 1 would refuse first)
        for (const item of page.items as Json[]) {
          const m = (await api(n3, 'GET', `/v1/messages/${item.messageId}`)).json as Json;
          if (m.envelope.payload.kind !== 'emergency_pause' || m.envelope.payload.extensions !== undefined)
            continue;
          event = { id: item.messageId, payload: m.envelope.payload };
          break;
        }
        return event !== undefined;
      },
      TIMEOUTS.event,
      "node 3's emergency_pause event",
      250,
    );
    const { id, payload } = event!;
    const retraction = await api(n3, 'POST', '/v1/events', {
      payload: {
        ...payload,
        severity: 'info',
        detectedAt: Date.now(),
        relatesTo: [id],
        extensions: { 'sfr.retraction': { retracts: id, reasonCode: 'EVIDENCE_REORGED' } },
      },
    });
    expect(retraction.status).toBe(201);
    await waitFor(
      async () => {
        for (const n of net.nodes)
          if ((await api(n, 'GET', `/v1/messages/${id}/retraction`)).status !== 200) return false;
        return true;
      },
      TIMEOUTS.event,
      'the retraction held at every node',
      250,
    );
    const claim = {
      ...claimFor(payload.evidence[0], 'e2e-retracted', 100n * U, Date.now()),
      recoveryEvents: [id],
      evidence: payload.evidence,
    };
    const filed = await api(n3, 'POST', `/v1/pools/${POOL_ID}/claims`, claim);
    expect(filed.status).toBe(201);
    const views = await decidedEverywhere((filed.json as Json).messageId);
    expect(new Set(views.map((v) => JSON.stringify(v.decision))).size).toBe(1);
    expect(views[0].decision).toMatchObject({ outcome: 'rejected', approvedAmount: '0' });
    const reasons: unknown[] = [];
    for (const attestation of views[0].decision.attestations as string[]) {
      const m = await api(n3, 'GET', `/v1/messages/${attestation}`);
      reasons.push((m.json as Json).envelope.payload.reasonCode);
    }
    expect(reasons.length).toBeGreaterThanOrEqual(2);
    expect(new Set(reasons)).toEqual(new Set(['CLAIM_RECOVERY_EVENT_RETRACTED']));
  });
});
