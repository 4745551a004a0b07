import type { Abi, Account, Address, Chain, Client, TransactionReceipt, Transport } from 'viem';
import { simulateContract, waitForTransactionReceipt, writeContract } from 'viem/actions';
import { sfrVault } from './generated/contracts.js';
import { toVaultError, VaultError } from './vaultError.js';

/** A viem client with an account that pays for vault transactions. */
export type VaultClient = Client<Transport, Chain | undefined, Account>;

export type WriteVaultParameters = {
  client: VaultClient;
  address: Address;
  functionName: string;
  args: readonly unknown[];
  abi?: Abi;
};

/**
 * Sends one vault transaction the way every client function does: simulate first, so a refusal
 * surfaces as a `VaultError` named by its reason code before any gas is spent; then send and wait
 * for the receipt. A transaction that reverts once mined (the state moved meanwhile) is reported
 * as `VAULT_TX_REVERTED` with its hash, never dropped silently.
 */
export async function writeVault(p: WriteVaultParameters): Promise<TransactionReceipt> {
  const abi = p.abi ?? sfrVault.abi;
  try {
    const { request } = await simulateContract(p.client, {
      address: p.address,
      abi,
      functionName: p.functionName,
      args: p.args,
      account: p.client.account,
    } as never);
    const hash = await writeContract(p.client, request as never);
    const receipt = await waitForTransactionReceipt(p.client, { hash, pollingInterval: 50 });
    if (receipt.status !== 'success') {
      throw new VaultError('VAULT_TX_REVERTED', `${p.functionName} reverted once mined (${hash}).`, {
        args: [hash],
        section: 'client',
      });
    }
    return receipt;
  } catch (error) {
    throw toVaultError(error, p.functionName);
  }
}
