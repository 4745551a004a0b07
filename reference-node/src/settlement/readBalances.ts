import type { Address, Client, Hex } from 'viem';
import { readContract } from 'viem/actions';
import { sfrVault } from './generated/contracts.js';

export type VaultBalance = { member: Address; escrow: bigint; contributed: bigint };

/** Each member's escrow in one pool and what it has contributed to payouts, read from the vault. */
export async function readBalances(p: {
  client: Client;
  vault: Address;
  poolId: Hex;
  members: readonly Address[];
}): Promise<VaultBalance[]> {
  const read = (functionName: 'escrowOf' | 'contributedOf', member: Address) =>
    readContract(p.client, { address: p.vault, abi: sfrVault.abi, functionName, args: [p.poolId, member] });
  return Promise.all(
    p.members.map(async (member) => ({
      member,
      escrow: await read('escrowOf', member),
      contributed: await read('contributedOf', member),
    })),
  );
}
