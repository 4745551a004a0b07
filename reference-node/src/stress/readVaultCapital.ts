import type { PoolCharter } from '@sfr/schemas/types';
import { type Address, type Client, getAddress, type Hex } from 'viem';
import { getChainId } from 'viem/actions';
import { addrKey, eip155ChainId, unitCommitment } from '../pools/amounts.js';
import { readBalances } from '../settlement/readBalances.js';
import { VaultError } from '../settlement/vaultError.js';

/**
 * Each member's capital as the vault can pay it now (pools.md#stress): its charter commitment
 * less what it already contributed on-chain, and at most its escrow (the vault refuses a share its
 * escrow does not cover, settlement.md#settling rule 10; an escrow above the commitment backs
 * nothing more, the split follows commitments). Lower-case address → base units of the pool asset.
 * The client must be on the charter's settlement chain (else `VAULT_NOT_SETTLEABLE`).
 */
export async function readVaultCapital(p: {
  client: Client;
  charter: PoolCharter;
}): Promise<Map<string, bigint>> {
  const chainId = eip155ChainId(p.charter.settlement.chain);
  const got = await getChainId(p.client);
  if (chainId === null || chainId !== got) {
    throw new VaultError(
      'VAULT_NOT_SETTLEABLE',
      `The charter settles on ${p.charter.settlement.chain}, the RPC serves eip155:${got}.`,
      { section: 'from-the-decision', args: [p.charter.settlement.chain, got] },
    );
  }
  const balances = await readBalances({
    client: p.client,
    vault: getAddress(p.charter.settlement.vault),
    poolId: p.charter.poolId as Hex,
    members: p.charter.members.map((m) => getAddress(m.member) as Address),
  });
  const capital = new Map<string, bigint>();
  for (const [i, m] of p.charter.members.entries()) {
    const b = balances[i]!;
    const committed = unitCommitment(p.charter, m);
    const left = committed > b.contributed ? committed - b.contributed : 0n;
    capital.set(addrKey(m.member), left < b.escrow ? left : b.escrow);
  }
  return capital;
}
