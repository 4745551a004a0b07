import type { Address, Hex, TransactionReceipt } from 'viem';
import { type VaultClient, writeVault } from './writeVault.js';

/**
 * Withdraws the caller's escrow from one pool: refused as `POOL_WITHDRAWAL_LOCKED` before its
 * notice ran out or while a claim it is liable for is held open (settlement.md#escrow).
 */
export function withdraw(p: {
  client: VaultClient;
  vault: Address;
  poolId: Hex;
  amount: bigint;
}): Promise<TransactionReceipt> {
  return writeVault({
    client: p.client,
    address: p.vault,
    functionName: 'withdraw',
    args: [p.poolId, p.amount],
  });
}
