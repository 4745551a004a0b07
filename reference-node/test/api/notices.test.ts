/**
 * GET /v1/notices (spec/v1/api.md, spec/v1/contagion.md#event-stream): the contagion notices the
 * node pushes to its protocol, as server-sent events, from a real contagion responder over a real
 * store; resumption by Last-Event-ID while the notices are still held, `reset` when they are not;
 * and the served OpenAPI document describes every route the server mounts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { type Api, createApi, NOTICE_ROUTES, ROUTES } from '../../src/api/index.js';
import { type ContagionResponder, createContagionResponder } from '../../src/contagion/index.js';
import { retractionPayload } from '../../src/envelope/index.js';
import { waitFor } from '../node/fixtures.js';
import { example, startApiNode, TOKEN } from './startApiNode.js';

const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';
const DAI = '0x6B175474E89094C44Da98b954EedeAC495271d0F';

let api: Api;
let url: string;
let responder: ContagionResponder;
let publishAlert: (asset: string) => Promise<string>;
let local: Awaited<ReturnType<typeof startApiNode>>;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  local = await startApiNode();
  const dir = await mkdtemp(path.join(tmpdir(), 'sfr-notices-'));
  publishAlert = async (asset) => {
    const payload = {
      ...example('ContagionAlert', 'usdc-depeg'),
      subject: { kind: 'asset', chain: 'eip155:1', address: asset, name: 'token' },
      expiresAt: Date.now() + 60_000,
    };
    return (await local.node.publish('ContagionAlert', payload, {})).messageId;
  };
  responder = await createContagionResponder({
    node: local.sfr,
    config: {
      identity: { keyFile: 'unused', protocol: 'aave-v3' },
      exposure: { assets: [{ chain: 'eip155:1', address: USDC, symbol: 'USDC', decimals: 6 }] },
    },
    dataDir: dir,
  });
  await responder.start();
  api = await createApi({ node: local.node, token: TOKEN, version: '0.1.0', notices: responder });
  url = await api.listen();
  cleanup = async () => {
    await api.close();
    await responder.stop();
    await local.cleanup();
    await rm(dir, { recursive: true, force: true });
  };
});
afterEach(async () => {
  await cleanup();
});

interface Notice {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

/** An open SSE connection whose events accumulate in `events`. */
async function open(headers: Record<string, string> = {}) {
  const ac = new AbortController();
  const res = await fetch(`${url}/v1/notices`, { headers, signal: ac.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: Notice[] = [];
  const reader = res.body!.getReader();
  const pump = (async () => {
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buf += new TextDecoder().decode(value);
      for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((l) => l.includes(': ') && !l.startsWith(':'))
            .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
        );
        if (fields['event'] !== undefined)
          events.push({ id: fields['id'], event: fields['event'], data: JSON.parse(fields['data']!) });
      }
    }
  })();
  return {
    events,
    async close() {
      ac.abort();
      await pump;
    },
  };
}

describe('GET /v1/notices', () => {
  it('streams the alerts that touch the exposure, with recommended actions and corroboration; not the others', async () => {
    const stream = await open();
    const ignored = await publishAlert(DAI);
    const matched = await publishAlert(USDC);
    await waitFor(() => stream.events.length >= 1, TIMEOUTS.event, 'a notice');
    await responder.idle();
    await new Promise((r) => setTimeout(r, 200));
    await stream.close();
    expect(stream.events).toHaveLength(1);
    const [n] = stream.events as [Notice];
    expect(n.event).toBe('alert');
    expect(n.id).toMatch(/^[0-9]+\.1$/);
    expect((n.data['alert'] as { messageId: string }).messageId).toBe(matched);
    expect(n.data['recommendedActions']).toEqual(
      example('ContagionAlert', 'usdc-depeg')['recommendedActions'],
    );
    expect(n.data['corroboration']).toMatchObject({ issuers: 1, alertIds: [matched] });
    expect(JSON.stringify(stream.events)).not.toContain(ignored);
  });

  it('resumes after Last-Event-ID with what it missed, and says reset when it cannot', async () => {
    const first = await open();
    await publishAlert(USDC);
    await waitFor(() => first.events.length === 1, TIMEOUTS.event, 'first notice');
    const lastId = first.events[0]!.id!;
    await first.close();

    const missed = await publishAlert(USDC);
    await responder.idle();
    const resumed = await open({ 'last-event-id': lastId });
    await waitFor(() => resumed.events.length === 1, TIMEOUTS.event, 'the missed notice replayed');
    const live = await publishAlert(USDC);
    await waitFor(() => resumed.events.length === 2, TIMEOUTS.event, 'a live notice after the replay');
    await resumed.close();
    expect(resumed.events.map((e) => e.event)).toEqual(['alert', 'alert']);
    expect(resumed.events.map((e) => (e.data['alert'] as { messageId: string }).messageId)).toEqual([
      missed,
      live,
    ]);

    // An id of an earlier run (another epoch): the held notices cannot be known to follow it.
    const epoch = lastId.split('.')[0]!;
    const stale = await open({ 'last-event-id': `${Number(epoch) - 1}.7` });
    await waitFor(() => stale.events.length >= 1, TIMEOUTS.event, 'reset');
    await stale.close();
    expect(stale.events[0]).toMatchObject({ event: 'reset', data: { epoch } });
  });

  it('an event retracted by its issuer: one event_retracted notice, its retraction on GET, the ?retracted filter', async () => {
    const stream = await open();
    const now = Date.now();
    const payload: Record<string, unknown> = {
      ...example('RecoveryEvent', 'aave-v3-reserve-paused'),
      occurredAt: now - 60_000,
      detectedAt: now - 1_000,
    };
    const kept = (await local.node.publish('RecoveryEvent', { ...payload, correlationId: 'kept' }, {}))
      .messageId;
    const event = await local.node.publish('RecoveryEvent', payload, {});
    const retraction = await local.node.publish(
      'RecoveryEvent',
      retractionPayload(payload, event.messageId, payload['evidence'] as unknown[], now, 41n),
      {},
    );
    await waitFor(
      () => stream.events.some((e) => e.event === 'event_retracted'),
      TIMEOUTS.event,
      'the event_retracted notice',
    );
    await responder.idle();
    await stream.close();
    const notices = stream.events.filter((e) => e.event === 'event_retracted');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.data).toMatchObject({
      event: { messageId: event.messageId, payload: { kind: payload['kind'] } },
      retraction: { messageId: retraction.messageId, ancestorBlock: '41' },
      exposure: { matched: [{ kind: 'asset', chain: 'eip155:1', address: USDC.toLowerCase() }] },
    });
    const issuedAt = (retraction.envelope as { issuedAt: number }).issuedAt;

    const one = (await (await fetch(`${url}/v1/messages/${event.messageId}/retraction`)).json()) as {
      messageId: string;
      envelope: { issuedAt: number };
    };
    expect(one.messageId).toBe(retraction.messageId);
    expect(one.envelope.issuedAt).toBe(issuedAt);
    for (const id of [kept, retraction.messageId, `0x${'ab'.repeat(32)}`]) {
      const res = await fetch(`${url}/v1/messages/${id}/retraction`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'API_NOT_FOUND' });
    }

    const list = async (q: string) =>
      (
        (await (await fetch(`${url}/v1/messages?${q}`)).json()) as { items: { messageId: string }[] }
      ).items.map((i) => i.messageId);
    expect(await list('retracted=true')).toEqual([event.messageId]);
    expect(await list('retracted=false&type=RecoveryEvent')).toEqual([kept, retraction.messageId]);
    expect(await list('retracted=true&limit=1')).toEqual([event.messageId]);
    for (const [q, expected] of [
      ['retracted=yes', 'true | false'],
      ['retracted=true&type=ContagionAlert', 'only with type RecoveryEvent (or no type)'],
    ] as const) {
      const res = await fetch(`${url}/v1/messages?${q}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'API_BAD_PARAMETER', field: 'retracted', expected });
    }
  });

  describe('an alert whose every source event is retracted is void (contagion.md#void-alerts)', () => {
    const eventPayload = (correlationId: string): Record<string, unknown> => {
      const now = Date.now();
      return {
        ...example('RecoveryEvent', 'aave-v3-reserve-paused'),
        occurredAt: now - 60_000,
        detectedAt: now - 1_000,
        correlationId,
      };
    };
    const publishEvent = async (payload: Record<string, unknown>) =>
      (await local.node.publish('RecoveryEvent', payload, {})).messageId;
    const retract = async (payload: Record<string, unknown>, id: string) =>
      (
        await local.node.publish(
          'RecoveryEvent',
          retractionPayload(payload, id, payload['evidence'] as unknown[], Date.now(), 41n),
          {},
        )
      ).messageId;
    const publishCiting = async (sourceEvents: string[]) =>
      (
        await local.node.publish(
          'ContagionAlert',
          {
            ...example('ContagionAlert', 'usdc-depeg'),
            expiresAt: Date.now() + 60_000,
            ...(sourceEvents.length === 0 ? {} : { sourceEvents }),
          },
          {},
        )
      ).messageId;
    const active = async () =>
      (
        (await (await fetch(`${url}/v1/alerts/active`)).json()) as { items: { messageId: string }[] }
      ).items.map((i) => i.messageId);
    const counted = () => responder.groups().flatMap((g) => g.alerts.map((a) => a.id));

    it('counted first: voided by the retraction that completes its sources, named in that notice', async () => {
      const stream = await open();
      const [p1, p2] = [eventPayload('one'), eventPayload('two')];
      const [e1, e2] = [await publishEvent(p1), await publishEvent(p2)];
      const alertId = await publishCiting([e1, e2]);
      await waitFor(() => stream.events.some((e) => e.event === 'alert'), TIMEOUTS.event, 'the alert notice');
      await responder.idle();
      expect(counted()).toEqual([alertId]);

      await retract(p1, e1); // one of two sources: still live
      await waitFor(
        () => stream.events.filter((e) => e.event === 'event_retracted').length === 1,
        TIMEOUTS.event,
        'the first event_retracted notice',
      );
      await responder.idle();
      expect(counted()).toEqual([alertId]);
      expect(await active()).toEqual([alertId]);

      await retract(p2, e2);
      await waitFor(
        () => stream.events.filter((e) => e.event === 'event_retracted').length === 2,
        TIMEOUTS.event,
        'the second event_retracted notice',
      );
      await responder.idle();
      await stream.close();
      const notices = stream.events.filter((e) => e.event === 'event_retracted');
      expect(
        notices.map((n) => [(n.data['event'] as { messageId: string }).messageId, n.data['voids']]),
      ).toEqual([
        [e1, []],
        [e2, [alertId]],
      ]);
      expect(counted()).toEqual([]);
      expect(await active()).toEqual([]);
    });

    it('retracted first: void on arrival, never counted nor delivered; an alert citing nothing is live', async () => {
      const stream = await open();
      const payload = eventPayload('gone');
      const eventId = await publishEvent(payload);
      await retract(payload, eventId);
      await waitFor(
        () => stream.events.some((e) => e.event === 'event_retracted'),
        TIMEOUTS.event,
        'the event_retracted notice',
      );
      const voidId = await publishCiting([eventId]);
      const liveId = await publishCiting([]);
      await waitFor(
        () => stream.events.some((e) => e.event === 'alert'),
        TIMEOUTS.event,
        'the live alert’s notice',
      );
      await responder.idle();
      await stream.close();
      expect(
        stream.events
          .filter((e) => e.event === 'alert')
          .map((e) => (e.data['alert'] as { messageId: string }).messageId),
      ).toEqual([liveId]);
      expect(counted()).toEqual([liveId]);
      expect(await active()).toEqual([liveId]);
      expect(voidId).not.toBe(liveId);
    });
  });

  it('refuses a malformed Last-Event-ID with a coded problem', async () => {
    const res = await fetch(`${url}/v1/notices`, { headers: { 'last-event-id': 'yesterday' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('API_BAD_PARAMETER');
  });

  it('is described, with every other mounted route, in the served OpenAPI document', async () => {
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, object> };
    for (const r of [...ROUTES, ...NOTICE_ROUTES]) {
      const p = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(doc.paths[p], p).toHaveProperty(r.method.toLowerCase());
    }
  });
});
