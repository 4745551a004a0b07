import { afterEach, beforeEach, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { type Api, createApi } from '../../src/api/index.js';
import { example, startApiNode, TOKEN } from './startApiNode.js';

let api: Api;
let url: string;
let cleanup: () => Promise<void>;
let publishEvent: () => Promise<void>;
let publishAlert: () => Promise<void>;

beforeEach(async () => {
  const local = await startApiNode();
  cleanup = local.cleanup;
  api = await createApi({ node: local.node, token: TOKEN, version: '0.1.0' });
  url = await api.listen();
  publishEvent = async () => {
    await local.node.publish('RecoveryEvent', example('RecoveryEvent', 'aave-v3-reserve-paused'), {});
  };
  publishAlert = async () => {
    await local.node.publish(
      'ContagionAlert',
      { ...example('ContagionAlert', 'usdc-depeg'), expiresAt: Date.now() + 60_000 },
      {},
    );
  };
});
afterEach(async () => {
  await api.close();
  await cleanup();
});

interface Sse {
  id: string;
  event: string;
  data: { messageId: string; envelope: { seq: number; type: string } };
}

/** Opens the stream and collects events until `count` arrived (or the deadline). */
async function collect(
  path: string,
  count: number,
  headers: Record<string, string> = {},
  during?: () => Promise<void>,
) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), TIMEOUTS.event);
  const res = await fetch(`${url}${path}`, { headers, signal: ac.signal });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.getReader();
  const events: Sse[] = [];
  let buf = '';
  let started = false;
  try {
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      let end = buf.indexOf('\n\n');
      while (end >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((l) => l !== '' && !l.startsWith(':') && l.includes(': '))
            .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
        );
        if (fields['event'] === 'message') {
          events.push({ id: fields['id']!, event: fields['event'], data: JSON.parse(fields['data']!) });
        }
        end = buf.indexOf('\n\n');
      }
      if (!started && during !== undefined) {
        started = true;
        void during();
      }
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return events;
}

it('replays stored messages, then streams live ones, and resumes after Last-Event-ID', async () => {
  for (let i = 0; i < 3; i++) await publishEvent();
  const first = await collect('/v1/stream', 5, {}, async () => {
    await publishAlert();
    await publishEvent();
  });
  expect(first.map((e) => [e.id, e.data.envelope.seq])).toEqual([
    ['1', 0],
    ['2', 1],
    ['3', 2],
    ['4', 3],
    ['5', 4],
  ]);
  await publishEvent();
  const resumed = await collect('/v1/stream', 2, { 'last-event-id': '4' });
  expect(resumed.map((e) => e.id)).toEqual(['5', '6']);
  const alertsOnly = await collect('/v1/stream?type=ContagionAlert', 1);
  expect(alertsOnly.map((e) => [e.id, e.data.envelope.type])).toEqual([['4', 'ContagionAlert']]);
  const bad = await fetch(`${url}/v1/stream`, { headers: { 'last-event-id': 'yesterday' } });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { field: string }).field).toBe('Last-Event-ID');
});
