import type { Address, Hex, TransactionReceipt } from 'viem';
import { type VaultClient, writeVault } from './writeVault.js';

/** Pays the next tranche of a settled claim the rate limit held back (settlement.md#rate-limit). */
export function release(p: {
  client: VaultClient;
  vault: Address;
  poolId: Hex;
  claimId: Hex;
}): Promise<TransactionReceipt> {
  return writeVault({
    client: p.client,
    address: p.vault,
    functionName: 'release',
    args: [p.poolId, p.claimId],
  });
}
