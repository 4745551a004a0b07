import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { POOL_ROUTES, ROUTES } from '../../src/api/index.js';
import { waitFor } from '../node/fixtures.js';
import { claimFor, POOL_ID, U } from '../poolsNode/poolHarness.js';
import {
  EVIDENCE,
  startTwoNodePool,
  TOKEN,
  type TwoNodePool,
  twoMemberCharter,
} from '../poolsNode/twoNodePool.js';

let t: TwoNodePool;

beforeAll(async () => {
  t = await startTwoNodePool();
}, TIMEOUTS.hook);
afterAll(async () => {
  await t?.stop();
});

async function call(i: number, method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${t.urls[i]}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    // biome-ignore lint/suspicious/noExplicitAny: a problem or a view, read loosely by each assertion
    body: (await res.json()) as Record<string, any>,
  };
}

describe('pool HTTP API on two real nodes', () => {
  it('signs the charter at both nodes (token required) and shows the founded pool', async () => {
    const charter = twoMemberCharter(t.net);
    const anon = await call(0, 'POST', `/v1/pools/${POOL_ID}/charter`, charter, null);
    expect(anon.status).toBe(401);
    expect(anon.body['code']).toBe('API_UNAUTHORIZED');
    for (const i of [0, 1]) {
      const r = await call(i, 'POST', `/v1/pools/${POOL_ID}/charter`, charter);
      expect(r.status).toBe(201);
      expect(r.body['envelope']).toMatchObject({ type: 'PoolCharter', scope: { poolId: POOL_ID, epoch: 0 } });
    }
    for (const i of [0, 1])
      await waitFor(
        async () => (await call(i, 'GET', `/v1/pools/${POOL_ID}`)).body['epochs']?.length === 1,
        TIMEOUTS.event,
        `the pool founded at node ${i}`,
      );
    const pool = await call(0, 'GET', `/v1/pools/${POOL_ID}`);
    expect(pool.body['ledger']).toMatchObject({ capital: (2000n * U).toString(), paidOut: '0' });
  });

  it('files a claim, lists it as waiting for a vote, takes a manual vote and shows the decision and ledger', async () => {
    const filed = await call(
      0,
      'POST',
      `/v1/pools/${POOL_ID}/claims`,
      claimFor(EVIDENCE, 'api-1', 300n * U, Date.now()),
    );
    expect(filed.status).toBe(201);
    const claimId = filed.body['messageId'] as string;
    // The claim lists as attesting once admitted; the member's judgement that queues it for a manual
    // vote follows in the background, so the list is read once that judgement is in.
    await waitFor(
      async () =>
        (await call(1, 'GET', `/v1/claims?pool=${POOL_ID}&status=attesting`)).body['items']?.[0]
          ?.pendingVote != null,
      TIMEOUTS.event,
      'the claim queued for a manual vote at node 1',
    );
    const listed = (await call(1, 'GET', '/v1/claims')).body['items'] as Record<string, unknown>[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      claimId,
      status: 'attesting',
      myVote: null,
      pendingVote: 'manual_policy',
    });

    // The claimant cannot vote on its own claim; the other member can, once.
    const own = await call(0, 'POST', `/v1/claims/${claimId}/votes`, {
      poolId: POOL_ID,
      claimId,
      round: 0,
      verdict: 'approve',
      approvedAmount: '1',
      evidenceChecks: [],
    });
    expect(own.status).toBe(422);
    expect(own.type).toMatch(/application\/problem\+json/);
    expect(own.body).toMatchObject({ code: 'CLAIM_ATTESTER_IS_CLAIMANT', status: 422 });
    const vote = {
      poolId: POOL_ID,
      claimId,
      round: 0,
      verdict: 'approve',
      approvedAmount: (250n * U).toString(),
      evidenceChecks: [],
    };
    expect((await call(1, 'POST', `/v1/claims/${claimId}/votes`, vote, null)).status).toBe(401);
    const voted = await call(1, 'POST', `/v1/claims/${claimId}/votes`, vote);
    expect(voted.status).toBe(201);
    expect(voted.body['envelope']).toMatchObject({ type: 'ClaimAttestation' });
    expect((await call(1, 'POST', `/v1/claims/${claimId}/votes`, vote)).body['code']).toBe(
      'CLAIM_DUPLICATE_VOTE',
    );

    await waitFor(
      async () =>
        (await call(0, 'GET', `/v1/claims/${claimId}`)).body['decision'] !== null &&
        (await call(1, 'GET', `/v1/claims/${claimId}`)).body['decision'] !== null,
      TIMEOUTS.event,
    );
    const a = (await call(0, 'GET', `/v1/claims/${claimId}`)).body;
    const b = (await call(1, 'GET', `/v1/claims/${claimId}`)).body;
    expect(a['decision']).toEqual(b['decision']);
    expect(a['decision']).toMatchObject({ outcome: 'approved', approvedAmount: (250n * U).toString() });
    expect(b['myVote']).toBe('approve');
    const ledger = (await call(1, 'GET', `/v1/pools/${POOL_ID}`)).body['ledger'];
    expect(ledger['paidOut']).toBe((250n * U).toString());
    const payer = (ledger['members'] as { member: string; contributed: string }[]).find(
      (m) => m.member.toLowerCase() === t.net.nodes[1]!.member,
    );
    expect(payer?.contributed).toBe((250n * U).toString());
  });

  it('answers bad input with problem+json and a code, and changes nothing', async () => {
    // What a bad request could have created: a claim signed by node 0. (Its head seq is no measure: the pool
    // service may still be publishing the previous test's vote or decision in the background.)
    const node0 = t.net.nodes[0]!;
    const claimsOf0 = async () => {
      const r = await node0.store.queryMessages({ type: 'FundClaim', issuer: node0.member });
      return r.ok ? r.messages.map((m) => m.id) : r.code;
    };
    const before = await claimsOf0();
    const claim = claimFor(EVIDENCE, 'api-2', 10n * U, Date.now());
    const cases: [string, string, unknown, number, string][] = [
      ['POST', `/v1/pools/${POOL_ID}/claims`, '{not json', 400, 'SCHEMA_NOT_JSON'],
      ['POST', `/v1/pools/${POOL_ID}/claims`, { ...claim, requestedAmount: -1 }, 422, 'SCHEMA_TYPE'],
      [
        'POST',
        `/v1/pools/0x${'11'.repeat(32)}/claims`,
        { ...claim, poolId: `0x${'11'.repeat(32)}` },
        404,
        'POOL_NOT_FOUNDED',
      ],
      [
        'POST',
        `/v1/pools/${POOL_ID}/claims`,
        { ...claim, poolId: `0x${'11'.repeat(32)}` },
        422,
        'POOL_SCOPE_MISMATCH',
      ],
      [
        'POST',
        `/v1/pools/${POOL_ID}/claims`,
        { ...claim, coveredKind: 'oracle_failure' },
        422,
        'CLAIM_KIND_NOT_COVERED',
      ],
      ['POST', '/v1/pools/0xZZ/claims', claim, 400, 'API_BAD_PARAMETER'],
      // These nodes follow no vault: they move no money in the pool.
      ['POST', `/v1/pools/${POOL_ID}/deposits`, { amount: '1' }, 409, 'VAULT_NOT_FOLLOWED'],
      ['GET', `/v1/claims/0x${'22'.repeat(32)}`, undefined, 404, 'CLAIM_UNKNOWN'],
      ['GET', '/v1/claims?status=paid', undefined, 400, 'API_BAD_PARAMETER'],
      ['GET', '/v1/claims?color=red', undefined, 400, 'API_BAD_PARAMETER'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const r = await call(0, method, path, body);
      expect({ path, status: r.status, code: r.body['code'] }).toEqual({
        path,
        status,
        code: expect.stringMatching(code),
      });
    }
    expect(await claimsOf0()).toEqual(before);
    // settlement.md#escrow-from-the-node rule 1: the refusal says what the node lacks to follow the vault.
    const notFollowed = await call(0, 'POST', `/v1/pools/${POOL_ID}/withdrawals`, { amount: '1' });
    expect([notFollowed.status, notFollowed.body['code'], notFollowed.body['expected']]).toEqual([
      409,
      'VAULT_NOT_FOLLOWED',
      expect.stringMatching(
        /^a chains\[\] entry with an RPC for eip155:\d+, where the pool's vault 0x[0-9a-fA-F]{40} is/,
      ),
    ]);
  });

  it('describes every pool route in the served OpenAPI document', async () => {
    const doc = (await (await fetch(`${t.urls[0]}/openapi.json`)).json()) as {
      paths: Record<string, object>;
    };
    for (const r of [...ROUTES, ...POOL_ROUTES]) {
      const p = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(doc.paths[p], p).toHaveProperty(r.method.toLowerCase());
    }
  });
});
