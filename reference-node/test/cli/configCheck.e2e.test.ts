/**
 * Errors an operator met at start (issue 11 item 5, "Errors a user met"), each coded and reported
 * before the node opens its store or joins the network, and `sfr config check`, which reports them
 * all without starting: a port in use (API and p2p) with its address, a data directory held by a
 * running node, a missing key file with its resolved path, an adapter on a chain without a
 * `chains[]` entry, a pool's vault `fromBlock` on a chain without one or above its head (anvil).
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startAnvil } from '@sfr/adapter-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeFromConfig } from '../../src/cli/nodeStart.js';
import { deriveTestKey, saveMemberKey } from '../../src/envelope/index.js';
import { POOL_ID } from '../settlement/fixtures.js';
import { cli as captureCli } from './captureCli.js';

let dir: string;
let blocker: Server;
let busy: number;
const key = deriveTestKey('sfr-config-check');
const aave = {
  chainId: 31337,
  pool: '0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2',
  poolConfigurator: '0x64b761D848206f447Fe2dd461b0c635Ec39EbB27',
  reserves: [{ address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', symbol: 'USDC', decimals: 6 }],
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-config-check-'));
  await saveMemberKey(path.join(dir, 'member.key.json'), key);
  blocker = createServer();
  await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
  busy = (blocker.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((ok) => blocker.close(ok));
  await rm(dir, { recursive: true, force: true });
});

/** The parts of a NodeConfig these tests edit. */
interface Config {
  identity: { keyFile: string; protocol: string };
  dataDir: string;
  network: { listen: string[]; members: unknown[] };
  http: { host: string; port: number };
  logging: { level: string };
  adapters?: unknown[];
  chains?: unknown[];
  pools?: unknown[];
}

async function writeConfig(name: string, edit: (c: Config) => void = () => {}): Promise<string> {
  const file = path.join(dir, `${name}.json`);
  const c: Config = {
    identity: { keyFile: 'member.key.json', protocol: 'aave-v3' },
    dataDir: `data-${name}`,
    network: { listen: ['/ip4/127.0.0.1/tcp/0'], members: [] },
    http: { host: '127.0.0.1', port: 0 },
    logging: { level: 'silent' },
  };
  edit(c);
  await writeFile(file, JSON.stringify(c));
  return file;
}

/** `sfr <argv>` with this file's temporary folder written as `<dir>`, so outputs compare verbatim. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await captureCli(...argv);
  return {
    code: r.code,
    stdout: r.stdout.replaceAll(dir, '<dir>'),
    stderr: r.stderr.replaceAll(dir, '<dir>'),
  };
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

describe('sfr config check', () => {
  it('passes a config the node can start with', async () => {
    const file = await writeConfig('good');
    expect(await cli('config', 'check', '--config', file)).toEqual({
      code: 0,
      stdout: 'config ok: <dir>/good.json\n',
      stderr: '',
    });
  });

  it('reports every problem with its code and setting, and exits 1', async () => {
    const file = await writeConfig('bad', (c) => {
      c.identity.keyFile = 'keys/missing.json';
      c.http.port = busy;
      c.network.listen = [`/ip4/127.0.0.1/tcp/${busy}`];
      c.adapters = [{ package: '@sfr/adapter-aave-v3', config: aave }];
    });
    const r = await cli('config', 'check', '--config', file);
    expect(r.code).toBe(1);
    expect(r.stdout.replaceAll(String(busy), '<port>')).toMatchInlineSnapshot(`
      "KEY_FILE_INVALID /identity/keyFile: cannot read the key file <dir>/keys/missing.json (ENOENT)
      CONFIG_ADDRESS_IN_USE /http/port: http.port (the HTTP API) 127.0.0.1:<port> is in use by another process (another node?); stop it or choose another port
      CONFIG_ADDRESS_IN_USE /network/listen/0: network.listen[0] (libp2p) 127.0.0.1:<port> is also http.port (the HTTP API); give each its own port
      ADAPTER_CONFIG_INVALID /adapters/0: adapters[0] (@sfr/adapter-aave-v3): chainId 31337 has no chains[] entry; add {"chain": "eip155:31337", "rpcUrl" or "rpcUrlFile": …} to chains (or give the adapter its own rpcUrl)
      "
    `);
    expect(r.stderr).toBe('error KEY_FILE_INVALID: 4 problem(s) in the config\n');
    const json = await cli('config', 'check', '--config', file, '--json');
    expect(JSON.parse(json.stdout).problems.map((p: { code: string }) => p.code)).toEqual([
      'KEY_FILE_INVALID',
      'CONFIG_ADDRESS_IN_USE',
      'CONFIG_ADDRESS_IN_USE',
      'ADAPTER_CONFIG_INVALID',
    ]);
  });

  it("reports a vault fromBlock on a chain without a chains[] entry, or above that chain's head", async () => {
    const anvil = await startAnvil();
    try {
      const head = await anvil.client.getBlockNumber();
      const file = await writeConfig('vault-from', (c) => {
        c.chains = [{ chain: 'eip155:31337', rpcUrl: anvil.rpcUrl }];
        c.pools = [
          { poolId: POOL_ID, vault: { chain: 'eip155:31337', fromBlock: Number(head) } },
          {
            poolId: `0x${'ab'.repeat(32)}`,
            vault: { chain: 'eip155:31337', fromBlock: Number(head) + 1000 },
          },
          { poolId: `0x${'cd'.repeat(32)}`, vault: { chain: 'eip155:10', fromBlock: 0 } },
        ];
      });
      const r = await cli('config', 'check', '--config', file);
      expect([r.code, r.stdout]).toEqual([
        1,
        `CONFIG_BAD_VALUE /pools/1/vault/fromBlock: pools[1].vault.fromBlock ${head + 1000n} is above the head of eip155:31337 (block ${head}); expected at most ${head} (the vault's deployment block)\n` +
          'CONFIG_INVALID /pools/2/vault/chain: no chains[] entry for eip155:10: the node follows the pool\'s vault through it; add {"chain": "eip155:10", "rpcUrl" or "rpcUrlFile": …} to chains\n',
      ]);
    } finally {
      await anvil.stop();
    }
  });

  it('reports a schema error with its field, expectation and source', async () => {
    const file = await writeConfig('schema', (c) => {
      c.network.listen = [];
    });
    const r = await cli('config', 'check', '--config', file);
    expect([r.code, r.stdout]).toEqual([
      1,
      'CONFIG_INVALID /network/listen: must have at least 1 item (expected at least 1 item; from <dir>/schema.json)\n',
    ]);
  });
});

describe('sfr node start refuses before it opens anything or joins the network', () => {
  for (const [what, edit, expected] of [
    [
      'the API port in use',
      (c: Config) => {
        c.http.port = busy;
      },
      {
        code: 'CONFIG_ADDRESS_IN_USE',
        message: `http.port (the HTTP API) 127.0.0.1:${'<port>'} is in use by another process (another node?); stop it or choose another port`,
      },
    ],
    [
      'the p2p port in use',
      (c: Config) => {
        c.network.listen = [`/ip4/127.0.0.1/tcp/${busy}`];
      },
      {
        code: 'CONFIG_ADDRESS_IN_USE',
        message: `network.listen[0] (libp2p) 127.0.0.1:<port> is in use by another process (another node?); stop it or choose another port`,
      },
    ],
    [
      'an adapter on a chain without a chains[] entry',
      (c: Config) => {
        c.adapters = [{ package: '@sfr/adapter-aave-v3', config: aave }];
      },
      {
        code: 'ADAPTER_CONFIG_INVALID',
        message: expect.stringMatching(/^adapters\[0\] .*no chains\[\] entry/),
      },
    ],
  ] as const) {
    it(what, async () => {
      const name = `refused-${what.replace(/\W+/g, '-')}`;
      const file = await writeConfig(name, edit);
      const error = await startNodeFromConfig({ config: file }).then(
        () => undefined,
        (e: { code: string; message: string }) => ({
          code: e.code,
          message: e.message.replaceAll(String(busy), '<port>'),
        }),
      );
      expect(error).toMatchObject(expected);
      // Nothing was opened: not the data directory, so not the store nor libp2p.
      expect(await exists(path.join(dir, `data-${name}`))).toBe(false);
    });
  }

  it('a data directory held by a running node says it is locked, at start and in config check', async () => {
    const file = await writeConfig('locked');
    const running = await startNodeFromConfig({ config: file });
    try {
      const second = await writeConfig('locked-2', (c) => {
        c.dataDir = 'data-locked';
      });
      await expect(startNodeFromConfig({ config: second })).rejects.toMatchObject({
        code: 'STORE_OPEN_FAILED',
        message: expect.stringContaining(
          'It is locked by another process: is a node already running with this data directory?',
        ),
      });
      const r = await cli('config', 'check', '--config', second);
      expect([r.code, r.stdout.split(':')[0]]).toEqual([1, 'STORE_OPEN_FAILED /dataDir']);
      expect(r.stdout).toContain('locked by another process');
    } finally {
      await running.stop();
    }
    // Stopped, the directory opens again.
    expect((await cli('config', 'check', '--config', file)).code).toBe(0);
  });
});
