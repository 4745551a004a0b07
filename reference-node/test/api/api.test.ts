import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validate } from '@sfr/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Api, createApi, generateOpenApi, publishProblem, ROUTES } from '../../src/api/index.js';
import { DASHBOARD_ROUTES } from '../../src/dashboard/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { NodeError } from '../../src/node/index.js';
import type { Store } from '../../src/store/index.js';
import { cli } from '../cli/captureCli.js';
import { example, MEMBER, startApiNode, TOKEN } from './startApiNode.js';

let api: Api;
let url: string;
let store: Store;
let cleanup: () => Promise<void>;

async function start(
  options: { bodyLimit?: number; rateLimit?: { windowMs?: number; reads?: number; writes?: number } } = {},
) {
  const local = await startApiNode();
  store = local.store;
  cleanup = local.cleanup;
  api = await createApi({
    node: local.node,
    token: TOKEN,
    version: '0.1.0',
    metrics: createMetrics({ processMetrics: false }),
    ...options,
  });
  url = await api.listen();
}

beforeEach(async () => {
  await start();
});
afterEach(async () => {
  await api.close();
  await cleanup();
});

const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const post = (path: string, body: unknown, headers: Record<string, string> = auth) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const event = () => ({ payload: example('RecoveryEvent', 'aave-v3-reserve-paused') });
const alert = (expiresAt = Date.now() + 3_600_000) => ({
  payload: { ...example('ContagionAlert', 'usdc-depeg'), expiresAt },
});

describe('publishing', () => {
  it('signs, stores and answers a SubmitResponse; the message is then readable by id and in lists', async () => {
    const res = await post('/v1/events', event());
    expect(res.status).toBe(201);
    const body = (await res.json()) as { messageId: string; seq: number; envelope: { issuer: string } };
    expect(validate('SubmitResponse', body).ok).toBe(true);
    expect(body.seq).toBe(0);
    expect(body.envelope.issuer.toLowerCase()).toBe(MEMBER.address.toLowerCase());
    expect((await store.getMessage(body.messageId))?.source).toBe('local');

    const one = await fetch(`${url}/v1/messages/${body.messageId}`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as { messageId: string }).messageId).toBe(body.messageId);

    const second = await post('/v1/alerts', alert());
    expect(second.status).toBe(201);
    const list = (await (await fetch(`${url}/v1/messages?type=ContagionAlert`)).json()) as {
      items: unknown[];
    };
    expect(validate('MessageListResponse', list).ok).toBe(true);
    expect(list.items).toHaveLength(1);
    const active = (await (await fetch(`${url}/v1/alerts/active`)).json()) as { items: unknown[] };
    expect(active.items).toHaveLength(1);
  });

  it('returns the first result for a repeated idempotency key instead of publishing twice', async () => {
    const body = { ...event(), idempotencyKey: 'adapter-aave-42' };
    const [a, b] = await Promise.all([post('/v1/events', body), post('/v1/events', body)]);
    const [ja, jb] = (await Promise.all([a.json(), b.json()])) as [
      { messageId: string },
      { messageId: string },
    ];
    expect(ja.messageId).toBe(jb.messageId);
    expect(store.lastCursor).toBe(1);
  });

  it('signs with the issuedAt of the request (the real node, not a stand-in)', async () => {
    const issuedAt = Date.now() - 60_000;
    const res = await post('/v1/events', { ...event(), issuedAt });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { messageId: string; envelope: { issuedAt: number } };
    expect(body.envelope.issuedAt).toBe(issuedAt);
    const stored = await store.getMessage(body.messageId);
    expect(stored?.issuedAt).toBe(issuedAt);
  });

  it('paginates with an opaque cursor', async () => {
    for (let i = 0; i < 5; i++) expect((await post('/v1/events', event())).status).toBe(201);
    const seqs: number[] = [];
    let next: string | undefined;
    for (let page = 0; page < 5; page++) {
      const q = `/v1/messages?issuer=${MEMBER.address}&limit=2${next ? `&cursor=${next}` : ''}`;
      const r = (await (await fetch(`${url}${q}`)).json()) as {
        items: { envelope: { seq: number } }[];
        nextCursor?: string;
      };
      seqs.push(...r.items.map((i) => i.envelope.seq));
      next = r.nextCursor;
      if (next === undefined) break;
    }
    expect(seqs).toEqual([0, 1, 2, 3, 4]);
  });
});

const problemOf = async (res: Response) => {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const p = await res.json();
  expect(validate('Problem', p).ok).toBe(true);
  return p;
};

describe('the documented example alert is active whenever the docs are read (issue 11 item 5)', () => {
  const ROOT = path.resolve(import.meta.dirname, '../../..');
  /** The one line of `file` (from the repository's root) that contains `marker`, as written. */
  const documented = (file: string, marker: string): string => {
    const lines = readFileSync(path.join(ROOT, file), 'utf8')
      .split('\n')
      .filter((l) => l.includes(marker));
    expect(lines, `${file}: one line with ${marker}`).toHaveLength(1);
    return lines[0]!.trim();
  };
  const activeIds = async () =>
    ((await (await fetch(`${url}/v1/alerts/active`)).json()) as { items: { messageId: string }[] }).items.map(
      (i) => i.messageId,
    );
  // The example's own times are past: sent without ttlMs it is signed expired and never active.
  const exampleRequest = () =>
    readFileSync(path.join(ROOT, 'schemas/v1/examples/SubmitAlertRequest/valid/depeg.json'), 'utf8');

  it('api.md: the curl command, played against a real node, publishes an alert active now', async () => {
    const command = documented('spec/v1/api.md', "curl -sS -X POST 'http://127.0.0.1:7410/v1/alerts?ttlMs=");
    const route = /'http:\/\/127\.0\.0\.1:7410(\/v1\/alerts\?[^']+)'/.exec(command)?.[1];
    const file = /--data-binary @(\S+)/.exec(command)?.[1];
    expect({ route, file }).toEqual({
      route: expect.stringMatching(/^\/v1\/alerts\?ttlMs=\d+$/),
      file: expect.any(String),
    });
    const before = Date.now();
    const res = await post(route!, readFileSync(path.join(ROOT, file!), 'utf8'));
    expect(res.status).toBe(201);
    const { messageId, envelope } = (await res.json()) as {
      messageId: string;
      envelope: { payload: { observedAt: number; expiresAt: number } };
    };
    const ttlMs = Number(new URLSearchParams(route!.split('?')[1]).get('ttlMs'));
    expect(envelope.payload.observedAt).toBeGreaterThanOrEqual(before);
    expect(envelope.payload.expiresAt).toBe(envelope.payload.observedAt + ttlMs);
    expect(await activeIds()).toEqual([messageId]);

    // Without it, the same request is signed as written: expired before it was published.
    const stale = await post('/v1/alerts', exampleRequest());
    expect(stale.status).toBe(201);
    expect(await activeIds()).toEqual([messageId]);
  });

  it('README: `sfr alert publish … --ttl 6h`, played against a real node, publishes an alert active now', async () => {
    const command = documented('reference-node/README.md', 'sfr alert publish');
    const argv = command.replace(/^npx sfr /, '').split(/\s+/);
    const fileAt = argv.indexOf('--file') + 1;
    argv[fileAt] = path.join(ROOT, argv[fileAt]!);
    const saved = process.env['SFR_API_TOKEN'];
    process.env['SFR_API_TOKEN'] = TOKEN;
    try {
      const r = await cli(...argv, '--api', url, '--json');
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const { messageId, expiresAt } = JSON.parse(r.stdout) as { messageId: string; expiresAt: number };
      expect(expiresAt).toBeGreaterThan(Date.now() + 6 * 3_600_000 - 60_000);
      expect(await activeIds()).toEqual([messageId]);
    } finally {
      if (saved === undefined) delete process.env['SFR_API_TOKEN'];
      else process.env['SFR_API_TOKEN'] = saved;
    }
  });

  it('refuses a bad ttlMs with its field and bounds, signing nothing; a retry with its key gets the first alert', async () => {
    const bad = await post('/v1/alerts?ttlMs=0', exampleRequest());
    expect(bad.status).toBe(400);
    expect(await problemOf(bad)).toMatchObject({
      code: 'API_BAD_PARAMETER',
      field: 'ttlMs',
      expected: 'an integer 1 … 2592000000',
    });
    expect(
      ((await problemOf(await post('/v1/events?ttlMs=60000', event()))) as { field: string }).field,
    ).toBe('ttlMs');
    expect(store.headSeq(MEMBER.address)).toBeUndefined();
    expect(
      (await cli('alert', 'publish', '--file', 'x.json', '--ttl', '6 hours', '--api', url)).stderr,
    ).toContain('--ttl must be a duration such as 6h');

    const body = { ...JSON.parse(exampleRequest()), idempotencyKey: 'depeg-ttl' };
    const first = (await (await post('/v1/alerts?ttlMs=60000', body)).json()) as { messageId: string };
    const again = await post('/v1/alerts?ttlMs=60000', {
      ...body,
      payload: { ...body.payload, observedAt: 1 },
    });
    expect(((await again.json()) as { messageId: string }).messageId).toBe(first.messageId);
    expect((await post('/v1/alerts?ttlMs=120000', body)).status).toBe(409);
  });
});

describe('refusals are problem+json, carry the code, and change nothing', () => {
  it('requires the bearer token on mutations', async () => {
    const none = await post('/v1/events', event(), { 'content-type': 'application/json' });
    const wrong = await post('/v1/events', event(), {
      ...auth,
      authorization: 'Bearer not-the-token-at-all',
    });
    expect(none.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(await problemOf(none)).toMatchInlineSnapshot(`
      {
        "code": "API_UNAUTHORIZED",
        "expected": "Authorization: Bearer <token from http.tokenFile>",
        "status": 401,
        "title": "Missing or wrong bearer token",
        "type": "https://sfr.dev/problems/API_UNAUTHORIZED",
      }
    `);
    await problemOf(wrong);
    expect(store.lastCursor).toBe(0);
  });

  it('refuses an issuedAt outside the time window with its envelope code, before signing anything', async () => {
    const cases = [
      [Date.now() + 15_000, 'ENVELOPE_FROM_FUTURE'],
      [Date.now() + 3_600_000, 'ENVELOPE_FAR_FUTURE'],
      [Date.now() - 315_000, 'ENVELOPE_TOO_OLD'],
      [Date.now() - 86_400_000, 'ENVELOPE_EXPIRED'],
    ] as const;
    for (const [issuedAt, code] of cases) {
      const res = await post('/v1/events', { ...event(), issuedAt });
      expect(res.status).toBe(422);
      expect(await problemOf(res)).toMatchObject({
        status: 422,
        code,
        type: `https://sfr.dev/problems/${code}`,
      });
    }
    expect(store.lastCursor).toBe(0);
    // No sequence number was burnt: the next message is seq 0.
    const ok = (await (await post('/v1/events', event())).json()) as { seq: number };
    expect(ok.seq).toBe(0);
  });

  it('names the schema violation with its code, pointer and expectation', async () => {
    const payload = { ...example('RecoveryEvent', 'aave-v3-reserve-paused'), severity: 'apocalyptic' };
    const res = await post('/v1/events', { payload });
    expect(res.status).toBe(422);
    expect(await problemOf(res)).toMatchInlineSnapshot(`
      {
        "code": "SCHEMA_ENUM",
        "detail": "must be one of the allowed values",
        "expected": ""unknown" | "info" | "low" | "medium" | "high" | "critical"",
        "issues": [
          {
            "code": "SCHEMA_ENUM",
            "expected": ""unknown" | "info" | "low" | "medium" | "high" | "critical"",
            "message": "must be one of the allowed values",
            "pointer": "/payload/severity",
          },
        ],
        "pointer": "/payload/severity",
        "status": 422,
        "title": "The request body does not match its schema",
        "type": "https://sfr.dev/problems/SCHEMA_ENUM",
      }
    `);
    const missing = await post('/v1/alerts', { payload: { indicator: 'depeg' } });
    expect(missing.status).toBe(422);
    expect(((await problemOf(missing)) as { code: string; pointer: string }).code).toBe('SCHEMA_REQUIRED');
    expect(store.lastCursor).toBe(0);
  });

  it('refuses non-JSON, the wrong media type, oversized bodies, and a prototype-polluting body', async () => {
    const notJson = await post('/v1/events', '{"payload": ');
    expect(notJson.status).toBe(400);
    expect(((await problemOf(notJson)) as { code: string }).code).toBe('SCHEMA_NOT_JSON');
    const text = await post('/v1/events', JSON.stringify(event()), {
      authorization: auth.authorization,
      'content-type': 'text/plain',
    });
    expect(text.status).toBe(415);
    expect(((await problemOf(text)) as { code: string }).code).toBe('API_UNSUPPORTED_MEDIA_TYPE');
    const big = await post('/v1/events', { payload: { summary: 'x'.repeat(70_000) } });
    expect(big.status).toBe(413);
    expect(await problemOf(big)).toMatchInlineSnapshot(`
      {
        "code": "API_BODY_TOO_LARGE",
        "expected": "at most 65536 bytes",
        "status": 413,
        "title": "The request body is too large",
        "type": "https://sfr.dev/problems/API_BODY_TOO_LARGE",
      }
    `);
    const proto = await post('/v1/events', '{"payload": {"__proto__": {"polluted": true}}}');
    expect([400, 422]).toContain(proto.status);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(store.lastCursor).toBe(0);
  });

  it('checks query and path parameters', async () => {
    const bad = await fetch(`${url}/v1/messages?limit=5000`);
    expect(bad.status).toBe(400);
    expect(await problemOf(bad)).toMatchInlineSnapshot(`
      {
        "code": "API_BAD_PARAMETER",
        "expected": "an integer 1 … 1000",
        "field": "limit",
        "status": 400,
        "title": "A query or path parameter is invalid",
        "type": "https://sfr.dev/problems/API_BAD_PARAMETER",
      }
    `);
    expect(((await problemOf(await fetch(`${url}/v1/messages?cursor=abc`))) as { field: string }).field).toBe(
      'cursor',
    );
    expect(((await problemOf(await fetch(`${url}/v1/messages?colour=red`))) as { field: string }).field).toBe(
      'colour',
    );
    expect(((await problemOf(await fetch(`${url}/v1/messages/0x1234`))) as { field: string }).field).toBe(
      'id',
    );
    const unknown = await fetch(`${url}/v1/messages/0x${'00'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(((await problemOf(unknown)) as { code: string }).code).toBe('API_NOT_FOUND');
    expect((await fetch(`${url}/v2/nothing`)).status).toBe(404);
  });

  it('answers 503 and refuses to publish once the store is unusable', async () => {
    await store.close();
    const res = await post('/v1/events', event());
    expect(res.status).toBe(503);
    expect(((await problemOf(res)) as { code: string }).code).toBe('API_STORE_UNHEALTHY');
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(503);
    const h = await health.json();
    expect(validate('HealthResponse', h).ok).toBe(true);
    expect(h).toMatchObject({
      status: 'down',
      checks: [
        { name: 'store', status: 'down' },
        { name: 'gossip', status: 'degraded' },
        { name: 'own-head', status: 'ok' },
        { name: 'clock', status: 'ok' },
      ],
    });
  });
});

describe('rate limit', () => {
  it('answers 429 API_RATE_LIMITED past the limit', async () => {
    await api.close();
    await cleanup();
    await start({ rateLimit: { reads: 3, windowMs: 60_000 } });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${url}/v1/status`)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const p = (await (await fetch(`${url}/v1/status`)).json()) as { code: string; expected: string };
    expect([p.code, p.expected]).toEqual([
      'API_RATE_LIMITED',
      'at most 3 requests to /v1/status per 60000 ms',
    ]);
  });
});

describe('observation', () => {
  it('serves status, peers, health and metrics in their schemas', async () => {
    await post('/v1/events', event());
    const status = await (await fetch(`${url}/v1/status`)).json();
    expect(validate('StatusResponse', status)).toEqual({ ok: true, value: status });
    expect(status).toMatchObject({ headSeq: 0, store: { messages: 1 } });
    const peers = await (await fetch(`${url}/v1/peers`)).json();
    expect(validate('PeerListResponse', peers).ok).toBe(true);
    // A node alone on loopback: serving (ready), but gossip reaches nobody (not healthy).
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    const health = await fetch(`${url}/health`);
    expect([health.status, await health.json()]).toEqual([
      503,
      {
        status: 'degraded',
        checks: [
          { name: 'store', status: 'ok' },
          { name: 'gossip', status: 'degraded', detail: 'no connected peers' },
          { name: 'own-head', status: 'ok' },
          { name: 'clock', status: 'ok' },
        ],
      },
    ]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain(
      'sfr_http_requests_total{route="/v1/events",method="POST",status="2xx",code=""} 1',
    );
    expect(metrics).toMatch(/sfr_store_messages 1/);
  });

  it('serves an OpenAPI 3.1 document whose every $ref resolves inside it', async () => {
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as Record<string, unknown>;
    expect(doc).toEqual(generateOpenApi({ version: '0.1.0', routes: [...ROUTES, ...DASHBOARD_ROUTES] }));
    expect(doc['openapi']).toBe('3.1.0');
    const refs: string[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (typeof n === 'object' && n !== null) {
        for (const [k, v] of Object.entries(n)) {
          if (k === '$ref' && typeof v === 'string') refs.push(v);
          else walk(v);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(50);
    const unresolved = refs.filter((ref) => {
      let node: unknown = doc;
      for (const t of ref.slice(2).split('/')) {
        node = (node as Record<string, unknown> | undefined)?.[t.replace(/~1/g, '/').replace(/~0/g, '~')];
      }
      return node === undefined || !ref.startsWith('#/');
    });
    expect(unresolved).toEqual([]);
    const paths = doc['paths'] as Record<string, Record<string, { security?: unknown }>>;
    expect(Object.keys(paths).sort()).toMatchInlineSnapshot(`
      [
        "/",
        "/dashboard",
        "/dashboard/{file}",
        "/health",
        "/metrics",
        "/openapi.json",
        "/ready",
        "/v1/alerts",
        "/v1/alerts/active",
        "/v1/events",
        "/v1/messages",
        "/v1/messages/{id}",
        "/v1/messages/{id}/retraction",
        "/v1/peers",
        "/v1/status",
        "/v1/stream",
      ]
    `);
    expect(paths['/v1/events']?.['post']?.security).toEqual([{ bearer: [] }]);
  });
});

describe('publish refusals', () => {
  it('answer with the most specific reason code the node gives', () => {
    const refused = new NodeError('GOSSIP_PUBLISH_REFUSED', 'own message refused: ENVELOPE_TOO_OLD', {
      details: { code: 'ENVELOPE_TOO_OLD' },
    });
    expect(publishProblem(refused).problem).toMatchInlineSnapshot(`
      {
        "code": "ENVELOPE_TOO_OLD",
        "detail": "own message refused: ENVELOPE_TOO_OLD",
        "status": 422,
        "title": "The node refused the message",
        "type": "https://sfr.dev/problems/ENVELOPE_TOO_OLD",
      }
    `);
    expect(
      publishProblem(Object.assign(new Error('disk gone'), { code: 'STORE_WRITE_FAILED' })).problem,
    ).toMatchObject({
      status: 503,
      code: 'API_STORE_UNHEALTHY',
      detail: 'STORE_WRITE_FAILED: disk gone',
    });
    // The first refusal on a full disk: the store failed under the node's own message (issue 13 finding 8:
    // it was 422). It is the node's trouble, 503, naming the store's code.
    const full = new NodeError('GOSSIP_PUBLISH_REFUSED', 'own message refused: GOSSIP_STORE_UNAVAILABLE', {
      details: { code: 'GOSSIP_STORE_UNAVAILABLE', storeCode: 'STORE_NO_SPACE' },
    });
    expect(publishProblem(full).problem).toMatchObject({
      status: 503,
      code: 'API_STORE_UNHEALTHY',
      detail: 'STORE_NO_SPACE: own message refused: GOSSIP_STORE_UNAVAILABLE',
    });
    expect(
      publishProblem(Object.assign(new Error('The disk is full'), { code: 'STORE_NO_SPACE' })).problem,
    ).toMatchObject({ status: 503, code: 'API_STORE_UNHEALTHY', detail: 'STORE_NO_SPACE: The disk is full' });
    expect(publishProblem(new TypeError('x is undefined')).problem).toEqual({
      type: 'https://sfr.dev/problems/API_PUBLISH_FAILED',
      title: 'The node could not publish the message',
      status: 500,
      code: 'API_PUBLISH_FAILED',
    });
  });
});
