import type { Address, TransactionReceipt } from 'viem';
import type { VaultSettlement, VaultSignature } from './types.js';
import { type VaultClient, writeVault } from './writeVault.js';

/** Submits a settlement with its quorum's signatures; the vault checks every rule of settlement.md#vault-rules. */
export function settle(p: {
  client: VaultClient;
  vault: Address;
  settlement: VaultSettlement;
  signatures: readonly VaultSignature[];
}): Promise<TransactionReceipt> {
  return writeVault({
    client: p.client,
    address: p.vault,
    functionName: 'settle',
    args: [p.settlement, p.signatures],
  });
}
