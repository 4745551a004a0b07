/**
 * Webhook sender against a real HTTP receiver on 127.0.0.1: signed headers, retry schedule, dead
 * letters, and the durable outbox surviving a restart (a new sender over the same data dir).
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { createWebhookSender, openOutbox, type WebhookTarget } from '../../src/contagion/index.js';

interface Received {
  readonly at: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const SECRET = 'test-secret-0123456789abcdef';

async function receiver(statuses: number[]): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      got.push({ at: performance.now(), headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hook`, got, server };
}

describe('webhook sender', () => {
  let dir: string;
  let server: Server | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-contagion-wh-'));
  });
  afterEach(async () => {
    await new Promise<void>((ok) => (server === undefined ? ok() : server.close(() => ok())));
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('signs each attempt, retries 503 on the backoff schedule with the same delivery id, then stops', async () => {
    const r = await receiver([503, 503, 200]);
    server = r.server;
    const target: WebhookTarget = {
      url: r.url,
      secret: Buffer.from(SECRET),
      events: ['alert'],
      minSeverity: 'low',
    };
    const sender = createWebhookSender({
      outbox: await openOutbox(dir),
      targets: [target],
      retry: { baseMs: 60, capMs: 1000, maxAttempts: 5 },
    });
    await sender.enqueue(target, 'alert', '0xabc', { hello: 'wörld' });
    await waitFor(() => r.got.length === 3 && sender.pending() === 0, TIMEOUTS.event, 'webhook delivery');
    const ids = new Set(r.got.map((g) => g.headers['sfr-delivery-id']));
    expect(ids.size).toBe(1);
    expect(r.got.map((g) => g.headers['sfr-attempt'])).toEqual(['1', '2', '3']);
    expect(r.got[0]!.headers['idempotency-key']).toBe(r.got[0]!.headers['sfr-delivery-id']);
    // gaps follow the schedule: ≥ 60 ms then ≥ 120 ms
    expect(r.got[1]!.at - r.got[0]!.at).toBeGreaterThanOrEqual(55);
    expect(r.got[2]!.at - r.got[1]!.at).toBeGreaterThanOrEqual(115);
    for (const g of r.got) {
      // independent check of the signature: HMAC-SHA256(secret, timestamp + "." + raw body)
      const mac = createHmac('sha256', SECRET)
        .update(`${g.headers['sfr-timestamp']}.${g.body}`)
        .digest('hex');
      expect(g.headers['sfr-signature']).toBe(`v1=${mac}`);
      expect(JSON.parse(g.body)).toMatchObject({ event: 'alert', hello: 'wörld' });
    }
    expect(await readdir(path.join(dir, 'contagion', 'outbox'))).toEqual(['dead']);
    await sender.stop();
  });

  it('a 400 is final: buried in dead/ without retry; exhaustion is buried too', async () => {
    const r = await receiver([400, 500, 500]);
    server = r.server;
    const target: WebhookTarget = {
      url: r.url,
      secret: Buffer.from(SECRET),
      events: ['alert'],
      minSeverity: 'low',
    };
    const sender = createWebhookSender({
      outbox: await openOutbox(dir),
      targets: [target],
      retry: { baseMs: 20, capMs: 20, maxAttempts: 2 },
    });
    await sender.enqueue(target, 'alert', '0x01', {});
    await waitFor(() => sender.pending() === 0, TIMEOUTS.event, 'webhook delivery');
    await sender.enqueue(target, 'alert', '0x02', {});
    await waitFor(() => r.got.length === 3 && sender.pending() === 0, TIMEOUTS.event, 'webhook delivery');
    expect((await readdir(path.join(dir, 'contagion', 'outbox', 'dead'))).length).toBe(2);
    await sender.stop();
  });

  it('the outbox survives a restart: a delivery pending at stop is delivered by the next sender, once', async () => {
    const r = await receiver([503]);
    server = r.server;
    const target: WebhookTarget = {
      url: r.url,
      secret: Buffer.from(SECRET),
      events: ['alert'],
      minSeverity: 'low',
    };
    const first = createWebhookSender({
      outbox: await openOutbox(dir),
      targets: [target],
      retry: { baseMs: 60_000, capMs: 60_000, maxAttempts: 5 },
    });
    await first.enqueue(target, 'alert', '0xfeed', { n: 1 });
    await waitFor(() => r.got.length === 1, TIMEOUTS.event, 'webhook delivery');
    await waitFor(() => first.pending() === 1, TIMEOUTS.event, 'webhook delivery');
    // The server has the request, but the sender may not have its answer yet (stop() would abort that
    // attempt and leave it unrecorded): wait until the outbox records the failed first attempt.
    const outDir = path.join(dir, 'contagion', 'outbox');
    const recordedAttempts = async () => {
      const file = (await readdir(outDir)).find((f) => f.endsWith('.json'));
      if (file === undefined) return 0;
      return (JSON.parse(await readFile(path.join(outDir, file), 'utf8')) as { attempts: number }).attempts;
    };
    await waitFor(
      async () => (await recordedAttempts()) === 1,
      TIMEOUTS.event,
      'the failed attempt recorded',
    );
    await first.stop(); // the next attempt was a minute away: it stays in the outbox
    // A torn temporary file from a crash is ignored; a garbage entry is buried.
    await writeFile(path.join(outDir, '.deadbeef.json.tmp'), '{"partial');
    await writeFile(path.join(outDir, `${'e'.repeat(64)}.json`), 'not json');
    const second = createWebhookSender({
      outbox: await openOutbox(dir),
      targets: [target],
      // the stored nextAttemptAt is a minute away and is kept across the restart: run this sender a minute ahead
      now: () => Date.now() + 61_000,
    });
    await second.resume();
    await waitFor(() => r.got.length === 2 && second.pending() === 0, TIMEOUTS.event, 'webhook delivery');
    expect(r.got[1]!.headers['sfr-delivery-id']).toBe(r.got[0]!.headers['sfr-delivery-id']);
    expect(r.got[1]!.headers['sfr-attempt']).toBe('2');
    expect(r.got[1]!.body).toBe(r.got[0]!.body);
    expect((await readdir(outDir)).sort()).toEqual(['dead']);
    expect(await readdir(path.join(outDir, 'dead'))).toEqual([`${'e'.repeat(64)}.json`]);
    await second.stop();
  });
});
