import { type Hex, hashTypedData, type LocalAccount } from 'viem';
import type { VaultCharter, VaultDomain, VaultSettlement, VaultSignature } from './types.js';
import { vaultTypedData } from './vaultTypedData.js';

/**
 * A member's EOA signature over a settlement or charter terms (65 bytes r‖s‖v, low s: viem signs
 * with RFC 6979 and normalizes s), with its digest.
 */
export async function signForVault(
  account: LocalAccount,
  domain: VaultDomain,
  message: { settlement: VaultSettlement } | { charter: VaultCharter },
): Promise<VaultSignature & { digest: Hex }> {
  const typed = vaultTypedData(domain, message);
  const signature = await account.signTypedData(typed);
  return { signer: account.address, signature, digest: hashTypedData(typed) };
}
