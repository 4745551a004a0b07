import type { Address, Hex, TransactionReceipt } from 'viem';
import { type VaultClient, writeVault } from './writeVault.js';

/** The claimant holds the pool for its claim, so liable members cannot withdraw meanwhile (settlement.md#opening-a-claim). */
export function openClaim(p: {
  client: VaultClient;
  vault: Address;
  poolId: Hex;
  claimId: Hex;
  epoch: bigint;
  filedAt: bigint;
}): Promise<TransactionReceipt> {
  return writeVault({
    client: p.client,
    address: p.vault,
    functionName: 'openClaim',
    args: [p.poolId, p.claimId, p.epoch, p.filedAt],
  });
}
