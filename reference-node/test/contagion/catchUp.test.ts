/**
 * The responder's catch-up checkpoint (spec/v1/contagion.md#catch-up), on a real in-process node
 * and a real webhook receiver: an alert the node stored while its responder was not running (the
 * crash between the store's append and the outbox write) is delivered when the responder starts
 * again; a responder's first start begins at the store's tail and does not replay history.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { type ContagionResponder, createContagionResponder } from '../../src/contagion/index.js';
import { startNetwork, type TestNetwork, waitFor } from '../node/fixtures.js';

const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';

function alert() {
  const now = Date.now();
  return {
    subject: { kind: 'asset', chain: 'eip155:1', address: USDC },
    indicator: 'depeg',
    severity: 'high',
    confidence: 8000,
    observedAt: now - 1000,
    expiresAt: now + 600_000,
    recommendedActions: [{ action: 'pause_market' }],
  };
}

describe('contagion catch-up after a restart', () => {
  let net: TestNetwork;
  let server: Server;
  let url: string;
  const hits: string[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    net = await startNetwork({ n: 1 });
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        hits.push((JSON.parse(body) as { alert: { messageId: string } }).alert.messageId);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/hook`;
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await net?.stop();
    await new Promise<void>((ok) => server.close(() => ok()));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }, TIMEOUTS.hook);

  async function responderIn(dir: string): Promise<ContagionResponder> {
    await writeFile(path.join(dir, 'hook.secret'), 'catch-up-secret-0123456789\n', { mode: 0o600 });
    return createContagionResponder({
      node: net.nodes[0]!,
      dataDir: dir,
      baseDir: dir,
      config: {
        identity: { keyFile: 'k', protocol: 'proto-b' },
        exposure: { assets: [{ chain: 'eip155:1', address: USDC, symbol: 'USDC', decimals: 6 }] },
        webhooks: [{ url, secretFile: 'hook.secret', events: ['alert'] }],
      },
    });
  }

  it('delivers an alert stored while the responder was down, once it starts again; history before its first start is not replayed', async () => {
    const node = net.nodes[0]!;
    const before = (await node.publish('ContagionAlert', alert())).messageId; // before any responder

    const dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-catch-up-'));
    dirs.push(dir);
    const first = await responderIn(dir);
    await first.start();
    const live = (await node.publish('ContagionAlert', alert())).messageId;
    await waitFor(() => hits.includes(live), TIMEOUTS.event, 'the live alert delivered');
    await first.stop();

    // Stored and accepted with no responder running: what a crash after the append leaves behind.
    const missed = (await node.publish('ContagionAlert', alert())).messageId;
    await new Promise((r) => setTimeout(r, 300));
    expect(hits).not.toContain(missed);

    const second = await responderIn(dir);
    await second.start();
    try {
      await waitFor(() => hits.includes(missed), TIMEOUTS.event, 'the alert stored while down delivered');
      await second.idle();
      await new Promise((r) => setTimeout(r, 300));
      expect(hits.filter((h) => h === missed)).toHaveLength(1);
      expect(hits.filter((h) => h === live)).toHaveLength(1); // handled before the checkpoint: not again
      expect(hits).not.toContain(before);
    } finally {
      await second.stop();
    }
  });
});
