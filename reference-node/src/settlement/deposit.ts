import { type Address, erc20Abi, type Hex, type TransactionReceipt } from 'viem';
import { readContract } from 'viem/actions';
import { sfrVault } from './generated/contracts.js';
import { type VaultClient, writeVault } from './writeVault.js';

export type DepositParameters = {
  client: VaultClient;
  vault: Address;
  poolId: Hex;
  /** The member whose escrow in this pool the deposit backs (the caller pays). */
  member: Address;
  amount: bigint;
};

/**
 * Approves the vault for the pool's asset when needed, then deposits `amount` into `member`'s
 * escrow of `poolId` only (settlement.md#escrow).
 */
export async function deposit(p: DepositParameters): Promise<TransactionReceipt> {
  const [asset] = await readContract(p.client, {
    address: p.vault,
    abi: sfrVault.abi,
    functionName: 'poolOf',
    args: [p.poolId],
  });
  const allowance = await readContract(p.client, {
    address: asset,
    abi: erc20Abi,
    functionName: 'allowance',
    args: [p.client.account.address, p.vault],
  });
  if (allowance < p.amount) {
    await writeVault({
      client: p.client,
      address: asset,
      abi: erc20Abi,
      functionName: 'approve',
      args: [p.vault, p.amount],
    });
  }
  return writeVault({
    client: p.client,
    address: p.vault,
    functionName: 'deposit',
    args: [p.poolId, p.member, p.amount],
  });
}
