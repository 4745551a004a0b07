import type { Address, Hex, TransactionReceipt } from 'viem';
import type { VaultSettlement } from './types.js';
import { type VaultClient, writeVault } from './writeVault.js';

/** Voids `signer` for a claim's round by two of its signatures over different settlements of it (settlement.md#equivocation). */
export function proveEquivocation(p: {
  client: VaultClient;
  vault: Address;
  signer: Address;
  first: { settlement: VaultSettlement; signature: Hex };
  second: { settlement: VaultSettlement; signature: Hex };
}): Promise<TransactionReceipt> {
  return writeVault({
    client: p.client,
    address: p.vault,
    functionName: 'proveEquivocation',
    args: [p.first.settlement, p.first.signature, p.second.settlement, p.second.signature, p.signer],
  });
}
