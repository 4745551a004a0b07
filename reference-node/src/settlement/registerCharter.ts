import type { Address, TransactionReceipt } from 'viem';
import type { VaultCharter, VaultSignature } from './types.js';
import { type VaultClient, writeVault } from './writeVault.js';

export type RegisterCharterParameters = {
  client: VaultClient;
  vault: Address;
  charter: VaultCharter;
  /** Every founder's signature (epoch 0), or a quorum of the last epoch plus every added member's. */
  signatures: readonly VaultSignature[];
};

/** Registers a charter epoch's terms on the vault (settlement.md#registering-a-charter). */
export function registerCharter(p: RegisterCharterParameters): Promise<TransactionReceipt> {
  return writeVault({
    client: p.client,
    address: p.vault,
    functionName: 'registerCharter',
    args: [p.charter, p.signatures],
  });
}
