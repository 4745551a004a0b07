import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { contractMembersFromConfig } from '../../src/config/index.js';

const SAFE = '0x5aFE3855358E112B5647B952709E6165e1c1eEEe';
const EOA = '0xB6fcE255a09D01E9b280e685BB08Aace6487Eeb6';
const DIGEST = `0x${'11'.repeat(32)}` as const;
const dir = mkdtempSync(path.join(tmpdir(), 'sfr-contract-members-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('builds no contract check for a config without contract members', async () => {
  expect(await contractMembersFromConfig({ network: { members: [{ member: EOA }] } }, dir)).toBeUndefined();
});

it('asks the chains[] RPC of the member’s chain, read from rpcUrlFile against the base dir', async () => {
  writeFileSync(path.join(dir, 'base.url'), 'http://rpc.base.example:8545\n');
  const asked: string[] = [];
  const contracts = await contractMembersFromConfig(
    {
      network: { members: [{ member: EOA }, { member: SAFE, contract: { chain: 'eip155:8453' } }] },
      chains: [
        { chain: 'eip155:1', rpcUrl: 'http://rpc.mainnet.example' },
        { chain: 'eip155:8453', rpcUrlFile: 'base.url' },
      ],
    },
    dir,
    {
      clientOf: (url) => ({
        readContract: async () => {
          asked.push(url);
          return '0x1626ba7e';
        },
        getBlock: async () => ({ number: 1n, timestamp: 1n }),
      }),
    },
  );
  expect(contracts!.isContract(SAFE.toLowerCase())).toBe(true);
  expect(contracts!.isContract(EOA)).toBe(false);
  expect(await contracts!.check(SAFE, DIGEST, '0x', 0)).toBe('valid');
  expect(asked).toEqual(['http://rpc.base.example:8545']);
});

it('keeps a member whose chain has no chains[] entry a contract member that cannot be checked (IGNORE)', async () => {
  const contracts = await contractMembersFromConfig(
    { network: { members: [{ member: SAFE, contract: { chain: 'eip155:10' } }] }, chains: [] },
    dir,
  );
  expect(contracts!.isContract(SAFE)).toBe(true);
  expect(await contracts!.check(SAFE, DIGEST, '0x', 0)).toBeUndefined();
});

it('refuses the start when the RPC URL file a contract member needs cannot be read', async () => {
  await expect(
    contractMembersFromConfig(
      {
        network: { members: [{ member: SAFE, contract: { chain: 'eip155:8453' } }] },
        chains: [{ chain: 'eip155:8453', rpcUrlFile: 'missing.url' }],
      },
      dir,
    ),
  ).rejects.toMatchObject({ code: 'CONFIG_INVALID', field: '/chains/0/rpcUrlFile' });
});
