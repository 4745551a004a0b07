/**
 * What operators expect of the API (issue 11 item 5, issue 13 finding 5): health and readiness,
 * budgets per route and client with probes exempt and the token apart, optional auth for reads,
 * 405 with Allow, 409 for a reused idempotency key, stream slots per client, slow stream readers cut
 * off, connection limits.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { type ClientRequest, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validate } from '@sfr/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import {
  type Api,
  type ApiNode,
  type CreateApiParameters,
  createApi,
  openIdempotencyStore,
  STREAM_MAX_BUFFERED_BYTES,
} from '../../src/api/index.js';
import { makeWire } from '../store/fixtures.js';
import { example, startApiNode, TOKEN } from './startApiNode.js';

let api: Api | undefined;
let cleanup: (() => Promise<void>) | undefined;
/** The node `start` serves (its store, to fill quickly). */
let local: Awaited<ReturnType<typeof startApiNode>> | undefined;

async function start(
  options: Partial<CreateApiParameters> = {},
  healthChecks?: ApiNode['healthChecks'],
): Promise<string> {
  local = await startApiNode();
  cleanup = local.cleanup;
  api = await createApi({
    node: healthChecks === undefined ? local.node : { ...local.node, healthChecks },
    token: TOKEN,
    version: '0.1.0',
    ...options,
  });
  return api.listen();
}

afterEach(async () => {
  await api?.close();
  await cleanup?.();
  api = undefined;
  cleanup = undefined;
  local = undefined;
});

const auth = { authorization: `Bearer ${TOKEN}` };
const json = { 'content-type': 'application/json' };
const event = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ payload: example('RecoveryEvent', 'aave-v3-reserve-paused'), ...extra });

describe('health and readiness', () => {
  it('/health is 503 when a check is degraded while /ready stays 200; both 200 when all is ok', async () => {
    let rpc: 'ok' | 'degraded' = 'degraded';
    const url = await start({}, () => [
      rpc === 'ok'
        ? { name: 'adapter:aave-v3:eip155:1', status: 'ok' }
        : { name: 'adapter:aave-v3:eip155:1', status: 'degraded', detail: 'ADAPTER_RPC_UNAVAILABLE' },
    ]);
    const health = await fetch(`${url}/health`);
    const body = await health.json();
    expect([health.status, validate('HealthResponse', body).ok]).toEqual([503, true]);
    expect(body).toMatchObject({ status: 'degraded' });
    const ready = await fetch(`${url}/ready`);
    expect([ready.status, ((await ready.json()) as { status: string }).status]).toEqual([200, 'degraded']);
    rpc = 'ok';
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
  });
});

describe('request budgets', () => {
  it('count per route and client: probes are exempt and the token holder keeps its own budget', async () => {
    // Every check ok (the gossip check of a lone node is degraded), so that /health answers 200.
    const url = await start({ rateLimit: { reads: 5, writes: 2, windowMs: 60_000 } }, () => []);
    // An anonymous flood from this address spends its read budget of /v1/status …
    const flood = await Promise.all(Array.from({ length: 8 }, () => fetch(`${url}/v1/status`)));
    expect(flood.filter((r) => r.status === 429)).toHaveLength(3);
    // … but not the other routes' budgets, and never the probes.
    expect((await fetch(`${url}/v1/peers`)).status).toBe(200);
    for (let i = 0; i < 10; i++) {
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await fetch(`${url}/ready`)).status).toBe(200);
      expect((await fetch(`${url}/metrics`)).status).toBe(200);
    }
    // The token holder (the operator, same address) reads and writes with its own budget.
    expect((await fetch(`${url}/v1/status`, { headers: auth })).status).toBe(200);
    const writes = [];
    for (let i = 0; i < 3; i++)
      writes.push(
        (await fetch(`${url}/v1/events`, { method: 'POST', headers: { ...auth, ...json }, body: event() }))
          .status,
      );
    expect(writes).toEqual([201, 201, 429]);
    const refused = (await (
      await fetch(`${url}/v1/events`, { method: 'POST', headers: { ...auth, ...json }, body: event() })
    ).json()) as { code: string; expected: string };
    expect(refused).toMatchObject({
      code: 'API_RATE_LIMITED',
      expected: 'at most 2 requests to /v1/events per 60000 ms',
    });
  });
});

describe('access', () => {
  it('readAuth requires the token on reads and streams; probes, metrics and OpenAPI stay open', async () => {
    const url = await start({ readAuth: true }, () => []);
    for (const path of ['/v1/status', '/v1/messages', '/v1/peers', '/v1/stream']) {
      const res = await fetch(`${url}${path}`);
      expect([path, res.status, ((await res.json()) as { code: string }).code]).toEqual([
        path,
        401,
        'API_UNAUTHORIZED',
      ]);
    }
    expect((await fetch(`${url}/v1/status`, { headers: auth })).status).toBe(200);
    for (const path of ['/health', '/ready', '/metrics', '/openapi.json'])
      expect([path, (await fetch(`${url}${path}`)).status]).toEqual([path, 200]);
  });

  it('answers 405 with Allow for a route served under another method, 404 for no route', async () => {
    const url = await start();
    const res = await fetch(`${url}/v1/events`);
    expect([res.status, res.headers.get('allow')]).toEqual([405, 'POST']);
    expect(await res.json()).toMatchObject({ code: 'API_METHOD_NOT_ALLOWED', expected: 'POST' });
    const byId = await fetch(`${url}/v1/messages/0x${'00'.repeat(32)}`, { method: 'POST', headers: auth });
    expect([byId.status, byId.headers.get('allow')]).toEqual([405, 'GET']);
    expect((await fetch(`${url}/v1/nothing`)).status).toBe(404);
  });
});

describe('idempotency', () => {
  it('refuses a key reused with another body with 409 API_IDEMPOTENCY_CONFLICT and signs nothing', async () => {
    const url = await start();
    const post = (body: string) =>
      fetch(`${url}/v1/events`, { method: 'POST', headers: { ...auth, ...json }, body });
    const first = await post(event({ idempotencyKey: 'k-1' }));
    expect(first.status).toBe(201);
    const { messageId } = (await first.json()) as { messageId: string };
    const again = await post(event({ idempotencyKey: 'k-1' }));
    expect([again.status, ((await again.json()) as { messageId: string }).messageId]).toEqual([
      201,
      messageId,
    ]);
    const other = await post(event({ idempotencyKey: 'k-1', issuedAt: Date.now() - 1000 }));
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({
      status: 409,
      code: 'API_IDEMPOTENCY_CONFLICT',
      field: 'idempotencyKey',
    });
    const list = (await (await fetch(`${url}/v1/messages`)).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(1);
  });
});

describe('idempotency across a restart (api.md#idempotency)', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** The real node with an API whose idempotency records live in LevelDB; `restart` reopens both records and API. */
  async function startDurable() {
    dir = await mkdtemp(path.join(tmpdir(), 'sfr-idem-'));
    const local = await startApiNode();
    cleanup = local.cleanup;
    let records = await openIdempotencyStore(path.join(dir, 'idempotency'));
    api = await createApi({ node: local.node, token: TOKEN, version: '0.1.0', idempotency: records });
    let url = await api.listen();
    return {
      local,
      records: () => records,
      url: () => url,
      async restart() {
        await api!.close();
        await records.close();
        records = await openIdempotencyStore(path.join(dir!, 'idempotency'));
        api = await createApi({ node: local.node, token: TOKEN, version: '0.1.0', idempotency: records });
        url = await api.listen();
      },
      post: (body: string) =>
        fetch(`${url}/v1/events`, { method: 'POST', headers: { ...auth, ...json }, body }),
    };
  }

  it('answers a key answered before the restart with the same message, and refuses another body with 409', async () => {
    const d = await startDurable();
    const first = await d.post(event({ idempotencyKey: 'k-2' }));
    expect(first.status).toBe(201);
    const { messageId, seq } = (await first.json()) as { messageId: string; seq: number };
    await d.restart();
    const again = await d.post(event({ idempotencyKey: 'k-2' }));
    expect([again.status, await again.json()]).toMatchObject([201, { messageId, seq }]);
    const other = await d.post(event({ idempotencyKey: 'k-2', issuedAt: Date.now() - 1000 }));
    expect(other.status).toBe(409);
    expect(d.local.store.headSeq(d.local.node.member)).toBe(seq);
  });

  it('finds a message signed and stored just before a crash, when the answer was never recorded', async () => {
    const d = await startDurable();
    const first = await d.post(event({ idempotencyKey: 'k-3' }));
    const { messageId, seq } = (await first.json()) as { messageId: string; seq: number };
    // A crash between the store's durable write and the record's `done`: the record is still pending.
    const done = await d.records().get('RecoveryEvent:k-3');
    await d.records().put('RecoveryEvent:k-3', { state: 'pending', digest: done!.digest, afterSeq: seq - 1 });
    await d.restart();
    const retry = await d.post(event({ idempotencyKey: 'k-3' }));
    expect([retry.status, await retry.json()]).toMatchObject([201, { messageId, seq }]);
    expect(d.local.store.headSeq(d.local.node.member)).toBe(seq);
    expect(await d.records().get('RecoveryEvent:k-3')).toMatchObject({ state: 'done', messageId });
  });

  it('a refused request burns no sequence number: a lone surrogate is 422 before anything is reserved', async () => {
    const d = await startDurable();
    const first = (await (await d.post(event())).json()) as { seq: number };
    const payload = { ...example('RecoveryEvent', 'aave-v3-reserve-paused'), summary: 'broken \ud800 text' };
    const refused = await d.post(JSON.stringify({ payload, idempotencyKey: 'k-4' }));
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ code: 'ENVELOPE_INVALID_INPUT' });
    expect(await d.records().get('RecoveryEvent:k-4')).toBeUndefined();
    const next = (await (await d.post(event())).json()) as { seq: number };
    expect(next.seq).toBe(first.seq + 1);
  });

  it('keeps the most recent keys up to its capacity across reopening', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sfr-idem-'));
    const where = path.join(dir, 'idempotency');
    let records = await openIdempotencyStore(where, 3);
    for (const k of ['a', 'b', 'c', 'd']) await records.put(k, { state: 'pending', digest: k, afterSeq: 0 });
    await records.close();
    records = await openIdempotencyStore(where, 3);
    await records.put('e', { state: 'pending', digest: 'e', afterSeq: 0 });
    const held = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => records.get(k)));
    await records.close();
    expect(held.map((r) => r?.digest ?? null)).toEqual([null, null, 'c', 'd', 'e']);
  });
});

describe('streams', () => {
  it('one client cannot take every slot: per-address share, and the token holder has its own slots', async () => {
    const url = await start({ streams: { max: 3, perClient: 2, authenticated: 1 } });
    const controllers: AbortController[] = [];
    const open = async (headers: Record<string, string> = {}) => {
      const ac = new AbortController();
      controllers.push(ac);
      return fetch(`${url}/v1/stream`, { headers, signal: ac.signal });
    };
    try {
      expect((await open()).status).toBe(200);
      expect((await open()).status).toBe(200);
      const third = await open();
      expect(third.status).toBe(503);
      expect(await third.json()).toMatchObject({
        code: 'API_TOO_MANY_STREAMS',
        expected: 'at most 2 open streams per client address',
      });
      expect((await open(auth)).status).toBe(200);
      expect((await open(auth)).status).toBe(503);
    } finally {
      for (const ac of controllers) ac.abort();
    }
  });

  it('all of loopback is one client: other 127.x source addresses get no further slots (issue 13 finding 5)', async () => {
    // Any local process can send from 127.0.0.2, 127.0.0.3, …: before, each was a client of its own, and
    // from 8 of them one process held all 64 anonymous slots.
    const url = new URL(await start({ streams: { max: 8, perClient: 2, authenticated: 1 } }));
    const requests: ClientRequest[] = [];
    const openFrom = (localAddress: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          { host: url.hostname, port: url.port, path: '/v1/stream', localAddress },
          (res) => resolve(res.statusCode ?? 0),
        );
        req.on('error', reject);
        req.end();
        requests.push(req);
      });
    try {
      expect(await openFrom('127.0.0.2')).toBe(200);
      expect(await openFrom('127.0.0.3')).toBe(200);
      expect(await openFrom('127.0.0.4')).toBe(503);
      expect(await openFrom('127.0.0.1')).toBe(503);
    } finally {
      for (const r of requests) r.destroy();
    }
  });
});

describe('slow readers (api.md#limits rule 3)', () => {
  /** Messages stored or appended, each padded: ≈ 13.5 MB of SSE, far above what two sockets buffer. */
  const COUNT = 3_000;
  const PADDING = 'x'.repeat(4_000);
  const STALL_MS = 1_000;

  /** Appends envelope-shaped messages `from` … `to - 1` straight to the node's store (it checks no signature). */
  async function fill(from = 0, to = COUNT): Promise<void> {
    for (let at = from; at < to; at += 250) {
      const wires = Array.from({ length: Math.min(250, to - at) }, (_, i) =>
        makeWire({
          seq: at + i,
          payload: { kind: 'emergency_pause', protocol: 'aave-v3', severity: 'high', summary: PADDING },
        }),
      );
      const results = await Promise.all(wires.map((wire) => local!.store.append({ wire })));
      expect(results.filter((r) => r.status !== 'appended')).toEqual([]);
    }
  }

  /** Reads an SSE response until the event with id `lastId` has arrived: the bytes read and the first id. */
  async function readUntil(res: Response, lastId: number): Promise<{ bytes: number; firstId: number }> {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const marker = `id: ${lastId}\n`;
    let tail = '';
    let bytes = 0;
    let firstId: number | undefined;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before event ${lastId}`);
        bytes += value.byteLength;
        tail = (tail + decoder.decode(value, { stream: true })).slice(-65_536);
        const first = firstId === undefined ? /^id: (\d+)\n/m.exec(tail) : null;
        if (first !== null) firstId = Number(first[1]);
        if (tail.includes(marker)) return { bytes, firstId: firstId ?? Number.NaN };
      }
    } finally {
      await reader.cancel();
    }
  }

  /**
   * Opens `/v1/stream` on a raw connection that reads nothing once `ready` holds of what it has read, and
   * finds the server's side of it: `held.writableLength` is what the node buffers for the client above the
   * kernel's socket buffers, sampled into `peakBuffered()` until the node lets go (`closedAt`).
   */
  async function openStalled(url: URL, ready: (read: string) => boolean = () => true) {
    const accepted = new Map<number, Socket>();
    const onConnection = (s: Socket): void => {
      accepted.set(s.remotePort!, s);
    };
    api!.app.server.on('connection', onConnection);
    const client = connect(Number(url.port), url.hostname);
    client.on('error', () => {}); // the node resets the connection
    let read = '';
    const onData = (d: Buffer): void => {
      read += d.toString('latin1');
      if (ready(read)) client.pause();
    };
    await once(client, 'connect');
    if (ready(read)) client.pause();
    else client.on('data', onData);
    client.write(`GET /v1/stream HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    const sentAt = performance.now();
    await waitFor(() => accepted.has(client.localPort!), TIMEOUTS.event, 'the server side of the connection');
    api!.app.server.off('connection', onConnection);
    await waitFor(() => ready(read), TIMEOUTS.event, 'the client to have read what it reads');
    client.off('data', onData);
    const held = accepted.get(client.localPort!)!;
    // 'close' only: `once` would reject on an 'error' the reset may raise first.
    const closedAt = new Promise<number>((resolve) => held.once('close', () => resolve(performance.now())));
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, held.writableLength);
    }, 5);
    void closedAt.then(() => clearInterval(sampler));
    return {
      client,
      held,
      sentAt,
      closedAt,
      peakBuffered: () => Math.max(peak, held.writableLength),
      /** Reads the rest of what reached the client, to its end: everything it was sent it never read. */
      async drain(): Promise<string> {
        let rest = read;
        client.on('data', (d: Buffer) => {
          rest += d.toString('latin1');
        });
        const gone = once(client, 'close');
        client.resume();
        await gone;
        return rest;
      },
    };
  }

  /** `p`, or a rejection naming `what` once `ms` have passed. */
  async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let giveUp: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        p,
        new Promise<never>((_, reject) => {
          giveUp = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
        }),
      ]);
    } finally {
      clearTimeout(giveUp);
    }
  }

  it('disconnects a replay client that stops reading after stallMs, buffering little meanwhile; others read on', async () => {
    const url = new URL(await start({ streams: { stallMs: STALL_MS } }, () => []));
    await fill();
    // A client that asks for the whole replay and never reads a byte of it.
    const stalled = await openStalled(url);
    try {
      await waitFor(
        () => stalled.held.writableNeedDrain || stalled.held.destroyed,
        TIMEOUTS.event,
        'the replay to fill the socket',
      );

      // Meanwhile the node answers others: /health, and a client that reads the whole replay.
      expect((await fetch(`${url.origin}/health`)).status).toBe(200);
      const good = await fetch(`${url.origin}/v1/stream`);
      expect(good.status).toBe(200);
      const replay = await readUntil(good, COUNT);
      expect(replay.firstId).toBe(1);

      const bound = STALL_MS + TIMEOUTS.event;
      const closeMs =
        (await within(
          stalled.closedAt,
          bound - (performance.now() - stalled.sentAt),
          'the node to close the stalled connection',
        )) - stalled.sentAt;
      expect(closeMs).toBeGreaterThanOrEqual(STALL_MS);
      expect(closeMs).toBeLessThanOrEqual(bound);
      // The node never held the replay for it: its buffer stayed under the live bound, and is released.
      expect(stalled.peakBuffered()).toBeLessThan(STREAM_MAX_BUFFERED_BYTES);
      expect([stalled.held.destroyed, stalled.held.writableLength]).toEqual([true, 0]);

      // What reached the client before the reset is a small part of the replay …
      const text = await stalled.drain();
      expect(text).toMatch(/^HTTP\/1\.1 200/);
      expect(text.length).toBeLessThan(replay.bytes / 4);
      // … and it resumes after the last whole event it took (rules 6 and 7).
      const lastId = Number(
        [...text.matchAll(/^id: (\d+)\nevent: message\ndata: .*\n\n/gm)].at(-1)?.[1] ?? 0,
      );
      expect(lastId).toBeLessThan(COUNT);
      const resumed = await fetch(`${url.origin}/v1/stream`, {
        headers: { 'last-event-id': String(lastId) },
      });
      expect((await readUntil(resumed, lastId + 1)).firstId).toBe(lastId + 1);
    } finally {
      stalled.client.destroy();
    }
  });

  it('disconnects a live client more than 1 MiB behind at once, without waiting for stallMs', async () => {
    // The stall timer far off, so only the buffer bound can close the connection.
    const url = new URL(await start({ streams: { stallMs: 600_000 } }, () => []));
    // Live once the (empty) replay is done: the client has read the headers and the `retry:` line.
    const behind = await openStalled(url, (read) => read.includes('retry: 2000\n\n'));
    try {
      // Messages arrive a few at a time while it reads nothing: the kernel's buffers fill, then the node's.
      // (Not all at once: a burst written in one tick is buffered by the node before the kernel takes any.)
      for (let at = 0; at < COUNT && !behind.held.destroyed; at += 10) await fill(at, at + 10);
      await within(behind.closedAt, TIMEOUTS.event, 'the node to close the connection of a client behind');
      // Bounded by 1 MiB and the frame that crossed it.
      expect(behind.peakBuffered()).toBeLessThan(STREAM_MAX_BUFFERED_BYTES + 8_192);
      expect([behind.held.destroyed, behind.held.writableLength]).toEqual([true, 0]);
      expect((await fetch(`${url.origin}/health`)).status).toBe(200);
      expect((await behind.drain()).length).toBeLessThan(COUNT * PADDING.length);
    } finally {
      behind.client.destroy();
    }
  });
});

describe('connections', () => {
  it('closes a connection that never finishes its headers after headersMs', async () => {
    const url = new URL(await start({ timeouts: { headersMs: 300, requestMs: 600 } }));
    const socket = connect(Number(url.port), url.hostname);
    socket.write('GET /v1/status HTTP/1.1\r\nHost: x\r\n');
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString();
    });
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // Node answers 408 before it closes a request that timed out.
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('accepts at most maxConnections at once and closes the next at accept', async () => {
    const url = new URL(await start({ maxConnections: 2 }));
    const held = [connect(Number(url.port), url.hostname), connect(Number(url.port), url.hostname)];
    try {
      await Promise.all(held.map((s) => new Promise((ok) => s.once('connect', ok))));
      // A request on a held connection is answered: the cap does not break its holders.
      held[0]!.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((ok) => held[0]!.once('data', ok));
      const third = connect(Number(url.port), url.hostname);
      third.on('error', () => {});
      third.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      let answered = false;
      third.on('data', () => {
        answered = true;
      });
      await new Promise<void>((ok) => third.once('close', () => ok()));
      expect(answered).toBe(false);
    } finally {
      for (const s of held) s.destroy();
    }
  });
});
