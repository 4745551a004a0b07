import { type Address, getAddress } from 'viem';
import { deployContract, waitForTransactionReceipt } from 'viem/actions';
import { sfrVault } from './generated/contracts.js';
import type { VaultClient } from './writeVault.js';

/** Deploys the vault (reference-node/contracts/SfrVault.sol) and returns its address. */
export async function deployVault({ client }: { client: VaultClient }): Promise<Address> {
  const hash = await deployContract(client, {
    abi: sfrVault.abi,
    bytecode: sfrVault.bytecode,
    account: client.account,
    chain: client.chain,
  });
  const receipt = await waitForTransactionReceipt(client, { hash, pollingInterval: 50 });
  if (!receipt.contractAddress) throw new Error(`vault deployment ${hash} created no contract`);
  return getAddress(receipt.contractAddress);
}
