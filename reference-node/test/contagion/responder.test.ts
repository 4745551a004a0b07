/**
 * The responder on a real in-process node (its own alerts arrive through `publish` → validation →
 * store → the responder's store feed): protective-action outcomes and codes, at most once per episode, interrupted
 * actions never re-run after a restart, refusing unreadable webhook secrets; runCommand limits.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProtectiveActionPolicy } from '@sfr/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import {
  type ContagionNotice,
  type ContagionResponder,
  createContagionResponder,
  runCommand,
} from '../../src/contagion/index.js';
import { startNetwork, type TestNetwork, waitFor } from '../node/fixtures.js';

const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';
const USDT = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
const MARKET = '0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2';
const REPORT = {
  scope: { chain: 'eip155:1', contracts: [MARKET] },
  evidence: [
    {
      type: 'log',
      chain: 'eip155:1',
      blockNumber: 1,
      blockHash: `0x${'ab'.repeat(32)}`,
      txHash: `0x${'cd'.repeat(32)}`,
      logIndex: 0,
      emitter: MARKET,
      topic0: `0x${'ef'.repeat(32)}`,
    },
  ],
  kind: 'market_frozen',
};

function alert(address: string, indicator: string, severity = 'critical') {
  const now = Date.now();
  return {
    subject: { kind: 'asset', chain: 'eip155:1', address },
    indicator,
    severity,
    confidence: 9500,
    observedAt: now - 1000,
    expiresAt: now + 600_000,
    recommendedActions: [],
  };
}

describe('contagion responder on a real node', () => {
  let net: TestNetwork;
  let dir: string;
  const script = (name: string) => path.join(dir, name);
  const policy = (name: string, indicator: string, file: string): ProtectiveActionPolicy => ({
    name,
    indicators: [indicator as ProtectiveActionPolicy['indicators'][number]],
    minSeverity: 'critical',
    minConfidenceBps: 9000,
    minIssuers: 1,
    command: [process.execPath, script(file), script('fired.log')],
    timeoutMs: 5_000,
  });

  beforeAll(async () => {
    net = await startNetwork({ n: 1 });
    dir = net.dirs[0]!;
    await writeFile(script('fail.mjs'), 'process.exit(3);');
    await writeFile(script('garbage.mjs'), "process.stdout.write('paused!');");
    await writeFile(
      script('refused.mjs'),
      `process.stdout.write(JSON.stringify({ scope: { chain: 'eip155:1', contracts: ['${MARKET}'] }, evidence: [{ type: 'log' }] }));`,
    );
    await writeFile(
      script('ok.mjs'),
      `import { appendFileSync, readFileSync } from 'node:fs';
const input = JSON.parse(readFileSync(0, 'utf8'));
appendFileSync(process.argv[2], input.trigger.messageId + '\\n');
process.stdout.write(${JSON.stringify(JSON.stringify(REPORT))});`,
    );
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await net?.stop();
  }, TIMEOUTS.hook);

  it('refuses to start when a webhook secret is missing or shorter than 16 bytes', async () => {
    const node = net.nodes[0]!;
    const base = {
      node,
      dataDir: dir,
      baseDir: dir,
      config: { identity: { keyFile: 'k', protocol: 'proto-b' } },
    };
    await expect(
      createContagionResponder({
        ...base,
        config: {
          ...base.config,
          webhooks: [{ url: 'http://127.0.0.1:9/x', secretFile: 'absent', events: ['alert'] }],
        },
      }),
    ).rejects.toMatchObject({ code: 'ALERT_WEBHOOK_SECRET_UNREADABLE', name: 'ContagionError' });
    await writeFile(script('short.secret'), 'too-short\n');
    await expect(
      createContagionResponder({
        ...base,
        config: {
          ...base.config,
          webhooks: [{ url: 'http://127.0.0.1:9/x', secretFile: 'short.secret', events: ['alert'] }],
        },
      }),
    ).rejects.toThrowError('must hold at least 16 bytes');
  });

  it('reports each firing with its outcome, fires once per episode, and publishes the RecoveryEvent', async () => {
    const node = net.nodes[0]!;
    const responder: ContagionResponder = await createContagionResponder({
      node,
      dataDir: dir,
      baseDir: dir,
      config: {
        identity: { keyFile: 'k', protocol: 'proto-b' },
        exposure: { assets: [{ chain: 'eip155:1', address: USDC, symbol: 'USDC', decimals: 6 }] },
        policy: {
          protectiveActions: [
            policy('fails', 'insolvency', 'fail.mjs'),
            policy('garbage', 'liquidity_crunch', 'garbage.mjs'),
            policy('refused', 'governance_attack', 'refused.mjs'),
            policy('freeze', 'depeg', 'ok.mjs'),
          ],
        },
      },
    });
    const notices: ContagionNotice[] = [];
    responder.onNotice((n) => notices.push(n));
    await responder.start();
    try {
      const actions = () => notices.filter((n) => n.event === 'protective_action').map((n) => n.body);
      for (const ind of ['insolvency', 'liquidity_crunch', 'governance_attack', 'depeg'])
        await node.publish('ContagionAlert', alert(USDC, ind));
      await waitFor(() => actions().length === 4, TIMEOUTS.event, 'four protective_action notices');
      await responder.idle();
      const byPolicy = Object.fromEntries(actions().map((a) => [a.policy, a]));
      expect(byPolicy['fails']).toMatchObject({ outcome: 'failed', code: 'ALERT_ACTION_FAILED' });
      expect(byPolicy['garbage']).toMatchObject({ outcome: 'failed', code: 'ALERT_ACTION_BAD_OUTPUT' });
      expect(byPolicy['refused']).toMatchObject({ outcome: 'failed', code: 'ALERT_ACTION_REPORT_REFUSED' });
      expect(byPolicy['freeze']).toMatchObject({ outcome: 'reported', corroboration: { issuers: 1 } });
      const stored = await node.store.getMessage(byPolicy['freeze'].recoveryEventId);
      const env = JSON.parse(Buffer.from(stored!.wire).toString('utf8'));
      expect(env.payload).toMatchObject({ kind: 'market_frozen', protocol: 'proto-b', scope: REPORT.scope });
      // A second alert in the same episode (a renewal by the same issuer) does not fire again.
      await node.publish('ContagionAlert', alert(USDC, 'depeg'));
      await new Promise((r) => setTimeout(r, 500));
      await responder.idle();
      expect(actions()).toHaveLength(4);
      expect((await readFile(script('fired.log'), 'utf8')).trim().split('\n')).toHaveLength(1);
      expect(
        responder
          .groups()
          .map((g) => g.indicator)
          .sort(),
      ).toEqual(['depeg', 'governance_attack', 'insolvency', 'liquidity_crunch'].sort());
    } finally {
      await responder.stop();
    }
  });

  it('an action interrupted by a crash (marker left `started`) is never run again after a restart', async () => {
    const node = net.nodes[0]!;
    const groupKey = `asset:eip155:1:${USDT.toLowerCase()}|stale_oracle`;
    const key = createHash('sha256').update(`interrupted\n${groupKey}`).digest('hex');
    const marker = path.join(dir, 'contagion', 'actions', `${key}.json`);
    const until = Date.now() + 600_000;
    const config = {
      identity: { keyFile: 'k', protocol: 'proto-b' },
      exposure: { assets: [{ chain: 'eip155:1', address: USDT, symbol: 'USDT', decimals: 6 }] },
      policy: { protectiveActions: [policy('interrupted', 'stale_oracle', 'ok.mjs')] },
    };
    // First responder creates the folders; the crash is simulated by the marker it would have left.
    const first = await createContagionResponder({ node, dataDir: dir, baseDir: dir, config });
    await writeFile(
      marker,
      JSON.stringify({
        policy: 'interrupted',
        group: groupKey,
        state: 'started',
        alertIds: [],
        until,
        startedAt: Date.now(),
      }),
    );
    const second = await createContagionResponder({ node, dataDir: dir, baseDir: dir, config });
    const notices: ContagionNotice[] = [];
    second.onNotice((n) => notices.push(n));
    await second.start();
    try {
      expect(JSON.parse(await readFile(marker, 'utf8'))).toMatchObject({
        state: 'interrupted',
        code: 'ALERT_ACTION_INTERRUPTED',
      });
      const published = await node.publish('ContagionAlert', alert(USDT, 'stale_oracle'));
      await waitFor(
        () => notices.some((n) => n.event === 'alert' && n.messageId === published.messageId),
        TIMEOUTS.event,
        'alert notice',
      );
      await new Promise((r) => setTimeout(r, 300));
      await second.idle();
      expect(notices.filter((n) => n.event === 'protective_action')).toHaveLength(0);
      expect((await readFile(script('fired.log'), 'utf8')).trim().split('\n')).toHaveLength(1); // still the earlier one
    } finally {
      await second.stop();
      await first.stop();
    }
  });
});

describe('runCommand', () => {
  it('returns stdout on exit 0 and feeds stdin', async () => {
    await expect(
      runCommand([process.execPath, '-e', 'process.stdin.pipe(process.stdout)'], 'hello', 5_000),
    ).resolves.toBe('hello');
  });
  it('non-zero exit, timeout and a missing program are ALERT_ACTION_FAILED', async () => {
    await expect(runCommand([process.execPath, '-e', 'process.exit(2)'], '', 5_000)).rejects.toMatchObject({
      code: 'ALERT_ACTION_FAILED',
    });
    const t = Date.now();
    await expect(
      runCommand([process.execPath, '-e', 'setTimeout(() => {}, 60000)'], '', 300),
    ).rejects.toThrowError('timed out after 300 ms');
    expect(Date.now() - t).toBeLessThan(5_000);
    await expect(runCommand(['/nonexistent/sfr-hook'], '', 5_000)).rejects.toMatchObject({
      code: 'ALERT_ACTION_FAILED',
    });
  });
});
