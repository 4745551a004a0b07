/**
 * `sfr node start` with `adapters` in its config (in process, through startNodeFromConfig): a bad
 * adapter entry refuses to start with ADAPTER_CONFIG_INVALID naming the entry; a hosted adapter
 * whose RPC is down shows as a degraded `adapter:<protocol>:<chain>` check on /health.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { startNodeFromConfig } from '../../src/cli/nodeStart.js';
import { deriveTestKey, saveMemberKey } from '../../src/envelope/index.js';
import { waitFor } from '../node/fixtures.js';

let dir: string;
const key = deriveTestKey('sfr-hosting-node-start');
const aave = {
  pool: '0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2',
  poolConfigurator: '0x64b761D848206f447Fe2dd461b0c635Ec39EbB27',
  reserves: [{ address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', symbol: 'USDC', decimals: 6 }],
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-host-start-'));
  await mkdir(path.join(dir, 'data'), { recursive: true, mode: 0o700 });
  await saveMemberKey(path.join(dir, 'member.key.json'), key);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(name: string, extra: Record<string, unknown>): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(
    file,
    JSON.stringify({
      identity: { keyFile: 'member.key.json', member: key.address, protocol: 'aave-v3' },
      dataDir: 'data',
      network: { listen: ['/ip4/127.0.0.1/tcp/0'], members: [] },
      http: { host: '127.0.0.1', port: 0 },
      logging: { level: 'silent' },
      ...extra,
    }),
  );
  return file;
}

it('refuses an adapter entry the adapter rejects, naming the entry', async () => {
  const config = await writeConfig('bad.json', {
    adapters: [{ package: '@sfr/adapter-aave-v3', config: { chainId: 31337, ...aave, pool: 'nope' } }],
    chains: [{ chain: 'eip155:31337', rpcUrl: 'http://127.0.0.1:9' }],
  });
  await expect(startNodeFromConfig({ config })).rejects.toMatchObject({
    code: 'ADAPTER_CONFIG_INVALID',
    message: expect.stringMatching(/^adapters\[0\] \(@sfr\/adapter-aave-v3\): .*pool/),
  });
});

it('a hosted adapter whose RPC is down is a degraded check on /health; stop() stops it', async () => {
  const config = await writeConfig('down.json', {
    adapters: [
      {
        package: '@sfr/adapter-aave-v3',
        config: {
          chainId: 31337,
          ...aave,
          startBlock: 0,
          retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
        },
      },
    ],
    chains: [{ chain: 'eip155:31337', rpcUrl: 'http://127.0.0.1:9' }],
  });
  const running = await startNodeFromConfig({ config });
  try {
    expect(running.adapters?.status()).toMatchObject([{ protocol: 'aave-v3', chain: 'eip155:31337' }]);
    await waitFor(
      () => running.adapters?.status()[0]?.status === 'degraded',
      TIMEOUTS.event,
      'a failed scan',
    );
    const res = await fetch(`${running.apiUrl}/health`);
    const body = (await res.json()) as {
      status: string;
      checks: { name: string; status: string; detail?: string }[];
    };
    expect(body.status).toBe('degraded');
    const check = body.checks.find((c) => c.name === 'adapter:aave-v3:eip155:31337');
    expect(check).toMatchObject({ status: 'degraded' });
    expect(check?.detail).toContain('ADAPTER_RPC_UNAVAILABLE');
  } finally {
    await running.stop();
  }
  expect(running.adapters?.isStarted()).toBe(false);
});
