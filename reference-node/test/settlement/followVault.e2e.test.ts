/**
 * The node's vault follower (settlement.md#following-the-vault) on a real anvil with the real vault
 * and ERC-20: confirmed logs only, a durable cursor that a new follower resumes from, a shallow reorg
 * rewound to the last canonical block, a deeper one refused with VAULT_REORG_TOO_DEEP, a first read
 * at the configured fromBlock (NodeConfig `pools[].vault`) that a kept cursor overrides.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFileCursorStore } from '@sfr/adapter-kit';
import { createClient, custom, type Hex } from 'viem';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  deposit,
  foldVaultLogs,
  followVault,
  testToken,
  type VaultClient,
  VaultError,
} from '../../src/settlement/index.js';
import {
  charterTerms,
  foundPool,
  memberAccount,
  POOL_ID,
  startVaultChain,
  U,
  type VaultChain,
} from './fixtures.js';

let chain: VaultChain;
let dir: string;
let snapshot: Hex;
const m = [0, 1, 2].map(memberAccount);
const admin = () => chain.anvil.client as unknown as VaultClient;

beforeAll(async () => {
  chain = await startVaultChain();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-follow-vault-'));
  await foundPool(
    chain,
    charterTerms(
      chain,
      m.map((a) => ({ address: a.address })),
    ),
    m,
  );
});
afterAll(async () => {
  await chain?.anvil.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  snapshot = await chain.anvil.snapshot();
});
afterEach(async () => {
  await chain.anvil.revert(snapshot);
});

let files = 0;
const follower = (
  confirmations: number,
  file = path.join(dir, `cursor-${files++}.json`),
  fromBlock?: bigint,
) =>
  followVault({
    client: chain.anvil.client,
    chain: 'eip155:31337',
    vault: chain.vault,
    poolId: POOL_ID,
    confirmations,
    cursorStore: createFileCursorStore(file),
    ...(fromBlock === undefined ? {} : { fromBlock }),
  });

async function depositFor(member: Hex, amount: bigint) {
  await chain.anvil.write(chain.token, testToken.abi, 'mint', [chain.anvil.client.account.address, amount]);
  await deposit({ client: admin(), vault: chain.vault, poolId: POOL_ID, member, amount });
}

const escrowOf = (logs: Parameters<typeof foldVaultLogs>[0], member: Hex) =>
  foldVaultLogs(logs).members.get(member.toLowerCase() as Hex)?.escrow;

describe('followVault', () => {
  it("reads the pool's registration and every deposit, and counts a log only once it has its confirmations", async () => {
    const f = follower(3);
    await chain.anvil.mine(2); // the founding deposits' confirmations
    await f.catchUp();
    const state = foldVaultLogs(f.logs());
    expect(state.epochs).toEqual([{ epoch: 0, charterHash: expect.any(String), effectiveAt: 0 }]);
    for (const a of m) expect(state.members.get(a.address.toLowerCase() as Hex)?.escrow).toBe(1000n * U);
    // A deposit in the newest block has one confirmation of the three this follower waits for.
    await depositFor(m[0]!.address, 7n);
    await f.catchUp();
    expect(escrowOf(f.logs(), m[0]!.address)).toBe(1000n * U);
    await chain.anvil.mine(2);
    await f.catchUp();
    expect(escrowOf(f.logs(), m[0]!.address)).toBe(1000n * U + 7n);
  });

  it('keeps its cursor on disk: a new follower on the same file resumes where the last one stopped', async () => {
    const file = path.join(dir, 'durable.json');
    const first = follower(1, file);
    const r = await first.catchUp();
    await depositFor(m[1]!.address, 5n);
    const second = follower(1, file);
    const next = await second.poll();
    expect(next.fromBlock).toBe(r.toBlock + 1n);
    expect(second.logs().length).toBe(first.logs().length + 1);
    expect(escrowOf(second.logs(), m[1]!.address)).toBe(1000n * U + 5n);
  });

  it('rewinds a reorg to the last canonical block it read and drops the orphaned logs', async () => {
    const f = follower(1);
    await f.catchUp();
    const fork = await chain.anvil.snapshot();
    await depositFor(m[0]!.address, 100n);
    await f.catchUp();
    expect(escrowOf(f.logs(), m[0]!.address)).toBe(1000n * U + 100n);
    // The deposit's blocks are replaced by others holding a different deposit.
    await chain.anvil.revert(fork);
    await chain.anvil.mine(1);
    await depositFor(m[2]!.address, 50n);
    const r = await f.catchUp();
    expect(r.reorg?.depth).toBeGreaterThan(0);
    expect(escrowOf(f.logs(), m[0]!.address)).toBe(1000n * U);
    expect(escrowOf(f.logs(), m[2]!.address)).toBe(1000n * U + 50n);
    expect(f.logs().filter((l) => l.eventName === 'Deposited').length).toBe(4);
  });

  it("starts at the config's fromBlock when it has no cursor, and a restart resumes from its cursor, never before", async () => {
    await depositFor(m[0]!.address, 3n); // before fromBlock: never read
    const start = (await chain.anvil.client.getBlockNumber()) + 1n;
    await depositFor(m[1]!.address, 4n);
    // Every eth_getLogs the follower sends, through the anvil client.
    const ranges: { fromBlock: bigint; toBlock: bigint }[] = [];
    const client = createClient({
      transport: custom({
        request: ({ method, params }: { method: string; params?: unknown }) => {
          if (method === 'eth_getLogs') {
            const [r] = params as [{ fromBlock: Hex; toBlock: Hex }];
            ranges.push({ fromBlock: BigInt(r.fromBlock), toBlock: BigInt(r.toBlock) });
          }
          return chain.anvil.client.request({ method, params } as never);
        },
      }),
    });
    const file = path.join(dir, 'from-block.json');
    const counted = (fromBlock: bigint) =>
      followVault({
        client,
        chain: 'eip155:31337',
        vault: chain.vault,
        poolId: POOL_ID,
        confirmations: 1,
        cursorStore: createFileCursorStore(file),
        fromBlock,
      });
    const first = counted(start);
    const r = await first.catchUp();
    expect(ranges[0]!.fromBlock).toBe(start);
    expect(first.logs().map((l) => [l.eventName, l.args['member'], l.args['amount']])).toEqual([
      ['Deposited', m[1]!.address, '4'],
    ]);
    // Restarted with fromBlock 0 (a config edited meanwhile): the kept cursor wins.
    ranges.length = 0;
    await depositFor(m[2]!.address, 5n);
    const again = counted(0n);
    await again.catchUp();
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges[0]!.fromBlock).toBe(r.toBlock + 1n);
    expect(Math.min(...ranges.map((x) => Number(x.fromBlock)))).toBe(Number(r.toBlock + 1n));
    expect(again.logs().map((l) => l.args['amount'])).toEqual(['4', '5']);
  });

  it('stops with VAULT_REORG_TOO_DEEP when no block it kept is canonical any more', async () => {
    const fork = await chain.anvil.snapshot();
    const start = (await chain.anvil.client.getBlockNumber()) + 1n;
    const f = follower(1, undefined, start);
    await depositFor(m[0]!.address, 1n);
    await f.catchUp();
    await depositFor(m[0]!.address, 1n);
    await f.catchUp();
    await chain.anvil.revert(fork);
    await chain.anvil.mine(10);
    const error = await f.poll().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe('VAULT_REORG_TOO_DEEP');
  });
});
