/**
 * Issue 5, done when: killing the hosting node mid-stream and restarting it yields no duplicate and
 * no missed event. The hosting node is a real `sfr node start` process with the Aave v3 adapter in its
 * config (RPC from `chains[]`); transactions keep coming while it is SIGKILLed and restarted; a
 * second, in-process node counts what it receives.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { deriveTestKey, saveMemberKey } from '../../src/envelope/index.js';
import { OUTPUT_LOG_FILE } from '../../src/hosting/index.js';
import { createNode, type SfrNode } from '../../src/node/index.js';
import { waitFor } from '../node/fixtures.js';
import { type AaveChain, startAaveChain, WBTC, WETH } from './fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const MAIN = path.join(ROOT, 'reference-node/src/cli/main.ts');
const TXS = 14;

let chain: AaveChain;
let other: SfrNode;
let dir: string;
let child: ChildProcess | undefined;
const hostKey = deriveTestKey('sfr-hosting-crash-host');
const otherKey = deriveTestKey('sfr-hosting-crash-other');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-host-crash-'));
  chain = await startAaveChain();
  other = await createNode({
    dataDir: path.join(dir, 'other'),
    memberKey: otherKey.privateKey,
    members: [hostKey.address],
    listen: ['/ip4/127.0.0.1/tcp/0'],
    gossip: { score: { ipColocationWeight: 0 } },
    sync: { intervalMs: 1_000, connectDelayMs: 200 },
  });
  await other.start();
}, TIMEOUTS.hook);

afterAll(async () => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await other?.stop();
  await chain?.anvil.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}, TIMEOUTS.hook);

/** Starts the hosting node process; resolves once it logged "node ready". */
function startHost(config: string): Promise<{ proc: ChildProcess; exited: Promise<number | null> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'node', 'start', '--config', config], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '' },
  });
  child = proc;
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hosting node not ready: ${err}`)), TIMEOUTS.start);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"msg":"node ready"')) {
        clearTimeout(timer);
        resolve({ proc, exited });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hosting node exited with ${code}: ${err}`));
    });
  });
}

it(`kill -9 of the hosting node mid-stream, then a restart: each of ${TXS} on-chain events arrives once`, async () => {
  const got: Array<{ id: string; tx: string }> = [];
  other.onAccepted((m) => {
    if (m.envelope.type !== 'RecoveryEvent') return;
    const evidence = m.envelope.payload['evidence'] as Array<{ txHash: string }>;
    got.push({ id: m.id, tx: evidence[0]!.txHash });
  });
  const keyFile = path.join(dir, 'host', 'member.key.json');
  await mkdir(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  await saveMemberKey(keyFile, hostKey);
  const { rpcUrl, ...adapterConfig } = await chain.adapterConfig({ pollIntervalMs: 100 });
  const config = path.join(dir, 'host', 'node.json');
  await writeFile(
    config,
    JSON.stringify({
      identity: { keyFile: 'member.key.json', member: hostKey.address, protocol: 'aave-v3' },
      dataDir: 'data',
      network: {
        listen: ['/ip4/127.0.0.1/tcp/0'],
        members: [
          {
            member: otherKey.address,
            peerId: other.peerId,
            addresses: [other.multiaddrs()[0]!.replace(/\/p2p\/.*$/, '')],
          },
        ],
      },
      http: { enabled: false },
      gossip: { scoring: { ipColocationFactorWeight: 0 } },
      chains: [{ chain: 'eip155:31337', rpcUrl }],
      adapters: [{ package: '@sfr/adapter-aave-v3', config: adapterConfig }],
      logging: { level: 'info' },
    }),
  );

  const first = await startHost(config);
  const cfg = chain.abi('MockPoolConfigurator');
  const sent: string[] = [];
  const sending = (async () => {
    for (let i = 0; i < TXS; i++) {
      const asset = i % 2 === 0 ? WETH : WBTC;
      const freeze = Math.floor(i / 2) % 2 === 0;
      const r = await chain.anvil.write(chain.configurator, cfg, 'setReserveFreeze', [asset, freeze]);
      sent.push(r.transactionHash);
      await new Promise((ok) => setTimeout(ok, 150));
    }
  })();
  await waitFor(() => got.length >= 3, TIMEOUTS.event, 'the first events at the other node');
  first.proc.kill('SIGKILL');
  await first.exited;
  const atKill = got.length;
  await sending;
  expect(atKill).toBeLessThan(TXS); // it really was killed mid-stream

  const second = await startHost(config);
  await waitFor(() => got.length >= TXS, TIMEOUTS.event, `all ${TXS} events at the other node`, 50);
  await new Promise((ok) => setTimeout(ok, 1_500)); // room for a duplicate to show up
  second.proc.kill('SIGTERM');
  expect(await second.exited).toBe(0);

  expect(got).toHaveLength(TXS);
  expect(new Set(got.map((g) => g.id)).size).toBe(TXS);
  expect(got.map((g) => g.tx).sort()).toEqual([...sent].sort());
  const lines = (await readFile(path.join(dir, 'host', 'data', 'adapters', OUTPUT_LOG_FILE), 'utf8'))
    .trim()
    .split('\n')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as { k: string; s: string }];
      } catch {
        return [];
      }
    });
  expect(new Set(lines.filter((l) => l.s === 'done').map((l) => l.k)).size).toBe(TXS);
  expect(lines.filter((l) => l.s === 'done')).toHaveLength(TXS);
});
