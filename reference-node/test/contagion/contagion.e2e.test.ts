/**
 * Done-when of issue 6 item 4, over 5 real `sfr node start` processes on loopback:
 * - an alert about an asset in protocol B's exposure reaches B's webhook within one second of its
 *   publication at node A (latency measured here: A's `issuedAt` → receipt at the test's receiver);
 * - an alert that does not touch B's exposure never reaches B's webhook;
 * - a corroborated critical alert fires B's protective hook once, and B's signed RecoveryEvent
 *   (citing the alerts in `relatesTo`) reaches node A; an all-clear is pushed as `alert_resolved`.
 */
import { createHmac } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { type CNetwork, callApi, type Json, startContagionNetwork, waitFor } from './contagionNetwork.js';

const N = 5;
const A = 0;
const B = 1;
const SECRET = 'b-webhook-secret-0123456789abcdef';
const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';
const USDT = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
const DAI = '0x6B175474E89094C44Da98b954EedeAC495271d0F';
const MARKET = '0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2';

interface Hit {
  readonly receivedAt: number;
  readonly event: string;
  readonly body: Json;
}

const HOOK = `
import { appendFileSync, readFileSync } from 'node:fs';
const t = JSON.parse(readFileSync(0, 'utf8'));
appendFileSync(process.argv[2], JSON.stringify({ policy: t.policy, trigger: t.trigger.messageId }) + '\\n');
process.stdout.write(JSON.stringify({
  kind: 'emergency_pause',
  scope: { chain: 'eip155:1', contracts: ['${MARKET}'] },
  evidence: [{ type: 'log', chain: 'eip155:1', blockNumber: 21000000, blockHash: '0x${'ab'.repeat(32)}',
    txHash: '0x${'cd'.repeat(32)}', logIndex: 3, emitter: '${MARKET}', topic0: '0x${'ef'.repeat(32)}' }],
  summary: 'paused the USDT market',
}));
`;

function alert(
  subjectAddress: string,
  severity: string,
  confidence: number,
  extra: Record<string, unknown> = {},
) {
  const now = Date.now();
  return {
    subject: { kind: 'asset', chain: 'eip155:1', address: subjectAddress },
    indicator: 'depeg',
    severity,
    confidence,
    observedAt: now - 1000,
    expiresAt: now + 600_000,
    recommendedActions: [{ action: 'pause_market' }],
    ...extra,
  };
}

describe('contagion response over 5 node processes', () => {
  let net: CNetwork;
  let server: Server;
  let hookLog: string;
  const hits: Hit[] = [];
  let badSignatures = 0;

  const nodeA = () => net.nodes[A]!;
  const publish = async (i: number, payload: Record<string, unknown>) => {
    const r = await callApi(net.nodes[i]!, 'POST', '/v1/alerts', { payload });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    return r.json as { messageId: string; envelope: { issuedAt: number } };
  };
  const hitFor = (event: string, id: string) =>
    hits.find(
      (h) =>
        h.event === event &&
        (h.body.alert?.messageId === id || h.body.recoveryEventId === id || h.body.event?.messageId === id),
    );

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        const receivedAt = Date.now();
        const ts = String(req.headers['sfr-timestamp']);
        const mac = createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex');
        if (req.headers['sfr-signature'] !== `v1=${mac}`) {
          badSignatures++;
          res.writeHead(401).end();
          return;
        }
        hits.push({ receivedAt, event: String(req.headers['sfr-event']), body: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/sfr`;
    net = await startContagionNetwork(N, async (i, dir) => {
      if (i !== B) return {};
      hookLog = path.join(dir, 'hook.log');
      await writeFile(path.join(dir, 'hook.mjs'), HOOK);
      await writeFile(path.join(dir, 'webhook.secret'), `${SECRET}\n`, { mode: 0o600 });
      return {
        exposure: {
          assets: [
            { chain: 'eip155:1', address: USDC, symbol: 'USDC', decimals: 6 },
            { chain: 'eip155:1', address: USDT, symbol: 'USDT', decimals: 6 },
          ],
          protocols: ['proto-3'],
        },
        webhooks: [
          {
            url,
            secretFile: 'webhook.secret',
            events: ['alert', 'alert_resolved', 'protective_action', 'recovery_event'],
          },
        ],
        policy: {
          protectiveActions: [
            {
              name: 'pause-usdt-market',
              indicators: ['depeg'],
              minSeverity: 'critical',
              minConfidenceBps: 9000,
              minIssuers: 2,
              command: [process.execPath, path.join(dir, 'hook.mjs'), hookLog],
              timeoutMs: 10_000,
            },
          ],
        },
      };
    });
    await waitFor(
      async () => {
        const s = await Promise.all(net.nodes.map((n) => callApi(n, 'GET', '/v1/status')));
        return s.every((x) => x.status === 200 && x.json.peers.connected >= 2);
      },
      TIMEOUTS.event,
      'a connected network',
      250,
    );
    // Warm-up: one message that touches nobody reaches every node (the gossip mesh is formed).
    const warm = await publish(A, alert(DAI, 'low', 1000));
    await waitFor(
      async () =>
        (await Promise.all(net.nodes.map((n) => callApi(n, 'GET', `/v1/messages/${warm.messageId}`)))).every(
          (r) => r.status === 200,
        ),
      TIMEOUTS.event,
      'warm-up message everywhere',
      100,
    );
  }, TIMEOUTS.hook);

  afterAll(async () => {
    await net?.stop();
    await new Promise<void>((ok) => (server === undefined ? ok() : server.close(() => ok())));
  }, TIMEOUTS.hook);

  it('an alert about an asset in B’s exposure reaches B’s webhook within one second of publication at A', async () => {
    const fromIssued: number[] = [];
    const fromRequest: number[] = [];
    const acceptedAtB: number[] = [];
    const notifiedAtB: number[] = [];
    for (let k = 0; k < 5; k++) {
      const sentAt = Date.now();
      const r = await publish(A, alert(USDC, 'high', 6000));
      await waitFor(
        () => hitFor('alert', r.messageId) !== undefined,
        TIMEOUTS.event,
        `webhook for sample ${k}`,
        5,
      );
      const hit = hitFor('alert', r.messageId)!;
      fromIssued.push(hit.receivedAt - r.envelope.issuedAt);
      fromRequest.push(hit.receivedAt - sentAt);
      const atB = await callApi(net.nodes[B]!, 'GET', `/v1/messages/${r.messageId}`);
      acceptedAtB.push(atB.json.receivedAt - r.envelope.issuedAt);
      notifiedAtB.push(hit.body.createdAt - r.envelope.issuedAt);
      expect(hit.body.alert.issuer).toBe(nodeA().key.address.toLowerCase());
      expect(hit.body.exposure.matched).toEqual([
        { kind: 'asset', chain: 'eip155:1', address: USDC.toLowerCase() },
      ]);
      expect(hit.body.recommendedActions).toEqual([{ action: 'pause_market' }]);
    }
    const sorted = [...fromIssued].sort((x, y) => x - y);
    console.log(
      `[contagion e2e] alert A → B webhook latency over ${N} processes, 5 samples (ms, issuedAt at A → receipt): ${fromIssued.join(', ')}; median ${sorted[2]}, max ${sorted[4]}; from the HTTP submit at A: ${fromRequest.join(', ')}; issuedAt → stored at B: ${acceptedAtB.join(', ')}; issuedAt → matched by B's responder: ${notifiedAtB.join(', ')}`,
    );
    expect(Math.max(...fromIssued)).toBeLessThan(1000);
    expect(badSignatures).toBe(0);
  });

  it('B’s notice stream (GET /v1/notices) carries the alert B’s webhook got, with the same match and actions', async () => {
    const ac = new AbortController();
    const res = await fetch(`${net.nodes[B]!.apiUrl}/v1/notices`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const seen: Array<{ event: string; data: Json }> = [];
    const pump = (async () => {
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buf += new TextDecoder().decode(value);
        for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
          const lines = buf.slice(0, end).split('\n');
          buf = buf.slice(end + 2);
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          if (event !== undefined && data !== undefined) seen.push({ event, data: JSON.parse(data) });
        }
      }
    })();
    try {
      const r = await publish(A, alert(USDC, 'high', 6000));
      await waitFor(() => hitFor('alert', r.messageId) !== undefined, TIMEOUTS.event, 'the webhook');
      await waitFor(
        () => seen.some((n) => n.event === 'alert' && n.data.alert.messageId === r.messageId),
        TIMEOUTS.event,
        'the notice on the stream',
      );
      const notice = seen.find((n) => n.data.alert.messageId === r.messageId)!.data;
      const hook = hitFor('alert', r.messageId)!.body;
      expect(notice.exposure).toEqual(hook.exposure);
      expect(notice.recommendedActions).toEqual(hook.recommendedActions);
      expect(notice.corroboration).toEqual(hook.corroboration);
    } finally {
      ac.abort();
      await pump;
    }
  });

  it('an alert that does not touch B’s exposure never reaches B’s webhook', async () => {
    const dai = await publish(A, alert(DAI, 'critical', 9000));
    const usdc = await publish(A, alert(USDC, 'high', 6000));
    await waitFor(
      () => hitFor('alert', usdc.messageId) !== undefined,
      TIMEOUTS.event,
      'the matching alert after it',
    );
    await waitFor(
      async () => (await callApi(net.nodes[B]!, 'GET', `/v1/messages/${dai.messageId}`)).status === 200,
      TIMEOUTS.event,
      'B accepted the DAI alert',
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(hits.some((h) => JSON.stringify(h.body).includes(dai.messageId))).toBe(false);
  });

  it('a corroborated critical alert fires B’s protective hook once; B’s signed RecoveryEvent reaches A', async () => {
    const a1 = await publish(A, alert(USDT, 'critical', 8000));
    await waitFor(() => hitFor('alert', a1.messageId) !== undefined, TIMEOUTS.event, 'a1 delivered');
    expect(hitFor('alert', a1.messageId)!.body.corroboration).toMatchObject({
      issuers: 1,
      confidenceBps: 8000,
    });
    // The same issuer again is a renewal, not corroboration.
    const a2 = await publish(A, alert(USDT, 'critical', 8000));
    await waitFor(() => hitFor('alert', a2.messageId) !== undefined, TIMEOUTS.event, 'a2 delivered');
    expect(hitFor('alert', a2.messageId)!.body.corroboration).toMatchObject({
      issuers: 1,
      confidenceBps: 8000,
    });
    await new Promise((r) => setTimeout(r, 300));
    await expect(readFile(hookLog, 'utf8')).rejects.toThrow(); // not fired
    // A second, independent issuer: 10 000 − ⌊2 000 · 3 000 / 10 000⌋ = 9 400 ≥ 9 000 → fire.
    const a3 = await publish(2, alert(USDT, 'critical', 7000));
    await waitFor(() => hitFor('alert', a3.messageId) !== undefined, TIMEOUTS.event, 'a3 delivered');
    expect(hitFor('alert', a3.messageId)!.body.corroboration).toMatchObject({
      issuers: 2,
      confidenceBps: 9400,
    });
    await waitFor(
      () => hits.some((h) => h.event === 'protective_action'),
      TIMEOUTS.event,
      'protective_action notice',
    );
    const action = hits.find((h) => h.event === 'protective_action')!.body;
    expect(action).toMatchObject({
      policy: 'pause-usdt-market',
      outcome: 'reported',
      corroboration: { issuers: 2 },
    });
    const eventId: string = action.recoveryEventId;
    // A third issuer keeps the episode corroborated: no second firing.
    const a4 = await publish(3, alert(USDT, 'critical', 9000));
    await waitFor(() => hitFor('alert', a4.messageId) !== undefined, TIMEOUTS.event, 'a4 delivered');
    expect(hitFor('alert', a4.messageId)!.body.corroboration).toMatchObject({
      issuers: 3,
      confidenceBps: 9940,
    });
    await new Promise((r) => setTimeout(r, 1000));
    const fired = (await readFile(hookLog, 'utf8')).trim().split('\n');
    expect(fired).toHaveLength(1);
    expect(hits.filter((h) => h.event === 'protective_action')).toHaveLength(1);
    // Node A received B's signed report (accepted through its validation pipeline: signature, member, schema).
    await waitFor(
      async () => (await callApi(nodeA(), 'GET', `/v1/messages/${eventId}`)).status === 200,
      TIMEOUTS.event,
      'the RecoveryEvent at A',
    );
    const got = (await callApi(nodeA(), 'GET', `/v1/messages/${eventId}`)).json;
    expect(got.envelope.type).toBe('RecoveryEvent');
    expect(got.envelope.issuer.toLowerCase()).toBe(net.nodes[B]!.key.address.toLowerCase());
    expect(got.envelope.payload).toMatchObject({
      kind: 'emergency_pause',
      protocol: 'proto-1',
      severity: 'critical',
    });
    expect([...got.envelope.payload.relatesTo].sort()).toEqual([a2.messageId, a3.messageId].sort());
  });

  it('an all-clear by the alert’s issuer is pushed as alert_resolved; one by another issuer is refused', async () => {
    const usdc = await publish(2, alert(USDC, 'high', 5000));
    await waitFor(() => hitFor('alert', usdc.messageId) !== undefined, TIMEOUTS.event, 'alert delivered');
    await waitFor(
      async () => (await callApi(net.nodes[3]!, 'GET', `/v1/messages/${usdc.messageId}`)).status === 200,
      TIMEOUTS.event,
      'alert held by node 3',
    );
    // Another member's all-clear: its own node refuses it before signing it on (envelope.md rule 33.3).
    const foreign = () =>
      callApi(net.nodes[3]!, 'POST', '/v1/alerts', {
        payload: alert(USDC, 'info', 5000, { resolves: usdc.messageId }),
      });
    const refused = await foreign();
    expect([refused.status, (refused.json as { code: string }).code]).toEqual([
      422,
      'ALERT_RESOLVE_NOT_ISSUER',
    ]);
    const own = await publish(2, alert(USDC, 'info', 5000, { resolves: usdc.messageId }));
    await waitFor(
      () => hitFor('alert_resolved', own.messageId) !== undefined,
      TIMEOUTS.event,
      'all-clear delivered',
    );
    expect(hitFor('alert_resolved', own.messageId)!.body).toMatchObject({
      resolves: usdc.messageId,
      resolvedNow: true,
    });
    // A repeat by the issuer is delivered as not ending anything new; another issuer's is still refused.
    const ownAgain = await publish(2, alert(USDC, 'info', 5000, { resolves: usdc.messageId }));
    await waitFor(
      () => hitFor('alert_resolved', ownAgain.messageId) !== undefined,
      TIMEOUTS.event,
      'repeat all-clear',
    );
    expect(hitFor('alert_resolved', ownAgain.messageId)!.body).toMatchObject({ resolvedNow: false });
    expect((await foreign()).status).toBe(422);
  });

  it('a RecoveryEvent of a protocol B integrates with is pushed as recovery_event; one of another is not', async () => {
    const event = (protocol: string) => {
      const now = Date.now();
      return {
        kind: 'emergency_pause',
        protocol,
        severity: 'high',
        occurredAt: now - 2000,
        detectedAt: now - 1000,
        scope: { chain: 'eip155:1', contracts: [MARKET] },
        evidence: [
          {
            type: 'log',
            chain: 'eip155:1',
            blockNumber: 21000001,
            blockHash: `0x${'12'.repeat(32)}`,
            txHash: `0x${'34'.repeat(32)}`,
            logIndex: 0,
            emitter: MARKET,
            topic0: `0x${'56'.repeat(32)}`,
          },
        ],
      };
    };
    const other = await callApi(net.nodes[4]!, 'POST', '/v1/events', { payload: event('proto-4') });
    const integrated = await callApi(net.nodes[3]!, 'POST', '/v1/events', { payload: event('proto-3') });
    expect([other.status, integrated.status]).toEqual([201, 201]);
    await waitFor(
      () => hitFor('recovery_event', integrated.json.messageId) !== undefined,
      TIMEOUTS.event,
      'recovery_event delivered',
    );
    expect(hitFor('recovery_event', integrated.json.messageId)!.body.exposure.matched).toEqual([
      { kind: 'protocol', protocol: 'proto-3' },
    ]);
    await waitFor(
      async () =>
        (await callApi(net.nodes[B]!, 'GET', `/v1/messages/${other.json.messageId}`)).status === 200,
      TIMEOUTS.event,
      'B accepted the other event',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(hitFor('recovery_event', other.json.messageId)).toBeUndefined();
  });
});
