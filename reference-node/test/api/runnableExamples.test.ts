/**
 * The examples a reader is told to send stay valid when read (issue 11 item 5, api.md#relative-times):
 * every `curl … -X POST …/v1/<route> … -d @<file>` of the reference node's README is sent, as written,
 * to a real node; an alert must then be active and an event held. The same alert with the fixed
 * times of its payload (without `ttlMs`) is accepted but never active: what the test would catch.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, createApi } from '../../src/api/index.js';
import { startApiNode, TOKEN } from './startApiNode.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const README = readFileSync(path.join(ROOT, 'reference-node/README.md'), 'utf8');
/** `curl -s -X POST http://…/v1/alerts … -d @path` (a command may continue on the next line). */
const REQUESTS = [
  ...README.replaceAll('\\\n', ' ').matchAll(/curl [^\n]*-X POST \S+?(\/v1\/\S+)[^\n]*-d @(\S+)/g),
].map((m) => ({ route: m[1]!, file: m[2]! }));

describe('the README examples, sent as written', () => {
  let api: Api;
  let url: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const local = await startApiNode();
    cleanup = local.cleanup;
    api = await createApi({ node: local.node, token: TOKEN, version: '0.1.0' });
    url = await api.listen();
  });
  afterAll(async () => {
    await api?.close();
    await cleanup?.();
  });

  const send = (route: string, body: unknown) =>
    fetch(`${url}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const active = async (): Promise<string[]> =>
    ((await (await fetch(`${url}/v1/alerts/active`)).json()) as { items: { messageId: string }[] }).items.map(
      (i) => i.messageId,
    );

  it('finds the alert and the event the README sends', () => {
    expect(REQUESTS.map((r) => r.route).sort()).toEqual(['/v1/alerts', '/v1/events']);
  });

  it.each(REQUESTS)('$route with $file is accepted, and an alert is active', async ({ route, file }) => {
    const body = JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;
    const res = await send(route, body);
    expect(res.status, await res.clone().text()).toBe(201);
    const { messageId, envelope } = (await res.json()) as {
      messageId: string;
      envelope: { issuedAt: number; payload: Record<string, unknown> };
    };
    expect((await fetch(`${url}/v1/messages/${messageId}`)).status).toBe(200);
    if (route !== '/v1/alerts') return;
    expect(await active()).toContain(messageId);
    expect(envelope.payload['observedAt']).toBe(envelope.issuedAt);
    expect(envelope.payload['expiresAt']).toBe(envelope.issuedAt + (body['ttlMs'] as number));

    // Without ttlMs its fixed times are signed as given: accepted, and expired before it was sent.
    const { ttlMs: _ttl, ...fixed } = body;
    const stale = await send(route, fixed);
    expect(stale.status).toBe(201);
    expect(await active()).not.toContain(((await stale.json()) as { messageId: string }).messageId);
  });
});
