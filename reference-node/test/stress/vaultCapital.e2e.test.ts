/**
 * `sfr stress --rpc`: capital read from a real vault on anvil with a real ERC-20 (pools.md#stress):
 * each member's capital is what the vault can pay now, min(commitment − contributed, escrow).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PoolCharter } from '@sfr/schemas/types';
import { keccak256, toHex } from 'viem';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import {
  deposit,
  registerCharter,
  signForVault,
  testToken,
  toVaultCharter,
  type VaultClient,
} from '../../src/settlement/index.js';
import { readVaultCapital } from '../../src/stress/index.js';
import { charterFor, U } from '../poolsNode/poolHarness.js';
import { memberAccount, POOL_ID, startVaultChain, type VaultChain } from '../settlement/fixtures.js';

let chain: VaultChain;
let dir: string;
let charter: PoolCharter;
const m = [0, 1, 2, 3].map(memberAccount);
const ESCROW = [1000n, 200n, 500n, 1500n].map((v) => v * U); // member 3 deposited more than it committed

beforeAll(async () => {
  chain = await startVaultChain();
  dir = await mkdtemp(path.join(tmpdir(), 'sfr-stress-vault-'));
  const asset = { chain: `eip155:${chain.anvil.chainId}`, address: chain.token, symbol: 'USDC', decimals: 6 };
  charter = charterFor(
    m.map((a) => a.address),
    60_000,
    {
      poolId: POOL_ID,
      payoutAssets: [asset],
      claimDeposit: { asset, value: '0' },
      valuation: {
        unitAsset: asset,
        method: 'pre_incident_median',
        lookbackMs: 3_600_000,
        maxDeviationBps: 200,
      },
      settlement: { chain: asset.chain, vault: chain.vault },
    },
  );
  charter = {
    ...charter,
    members: charter.members.map((x, i) => ({
      ...x,
      commitments: [{ asset, value: String([1000n, 1000n, 500n, 500n][i]! * U) }],
    })),
  };
  const terms = toVaultCharter(charter, keccak256(toHex('stress charter')));
  const client = chain.anvil.client as unknown as VaultClient;
  const signatures = await Promise.all(
    m.map(async (a) => {
      const { signer, signature } = await signForVault(a, chain.domain, { charter: terms });
      return { signer, signature };
    }),
  );
  await registerCharter({ client, vault: chain.vault, charter: terms, signatures });
  await chain.anvil.write(chain.token, testToken.abi, 'mint', [
    chain.anvil.client.account.address,
    10_000n * U,
  ]);
  for (const [i, a] of m.entries())
    await deposit({ client, vault: chain.vault, poolId: POOL_ID, member: a.address, amount: ESCROW[i]! });
});
afterAll(async () => {
  await chain?.anvil.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("reads each member's capital from the vault: its escrow, never more than its commitment", async () => {
  const capital = await readVaultCapital({ client: chain.anvil.client, charter });
  expect([...capital.values()]).toEqual([1000n * U, 200n * U, 500n * U, 500n * U]);
});

it('sfr stress --rpc runs the scenarios on the capital the vault holds', async () => {
  const pool = path.join(dir, 'charter.json');
  const scenarios = path.join(dir, 'scenarios.json');
  await writeFile(pool, JSON.stringify(charter));
  await writeFile(
    scenarios,
    JSON.stringify({
      scenarios: [{ name: 'one', events: [{ member: m[0]!.address, loss: String(2000n * U) }] }],
    }),
  );
  let stdout = '';
  let stderr = '';
  const run = (...extra: string[]) => {
    stdout = '';
    stderr = '';
    return runCli(['stress', '--pool', pool, '--scenarios', scenarios, '--json', ...extra], {
      stdout: (s) => {
        stdout += s;
      },
      stderr: (s) => {
        stderr += s;
      },
    });
  };
  expect(await run()).toBe(0);
  // From the charter: the others committed 1 000 + 500 + 500, so the 2 000 is paid in full.
  expect(JSON.parse(stdout)).toMatchObject({
    capital: String(3000n * U),
    capitalSource: 'charter',
    results: [{ paid: String(2000n * U), coverageBps: 10_000 }],
  });
  expect(await run('--rpc', chain.anvil.rpcUrl)).toBe(0);
  // From the vault: the others can pay 200 + 500 + 500 (member 3's extra 1 000 backs nothing): 1 200 of 2 000.
  expect(JSON.parse(stdout)).toMatchObject({
    capital: String(2200n * U),
    capitalSource: 'vault',
    results: [
      { paid: String(1200n * U), shortfall: String(800n * U), coverageBps: 6000, shortfallBps: 4000 },
    ],
  });
  expect(stderr).toBe('');
});

it('refuses an RPC of another chain: VAULT_NOT_SETTLEABLE', async () => {
  const other = { ...charter, settlement: { ...charter.settlement, chain: 'eip155:1' } };
  await expect(readVaultCapital({ client: chain.anvil.client, charter: other })).rejects.toMatchObject({
    code: 'VAULT_NOT_SETTLEABLE',
  });
});
