/**
 * Taking turns (settlement.md#taking-turns) on the node: the rule (ranks and times, no chain) is
 * settlement/turnOrder.ts; here, before acting in its turn, a node looks for the effect on chain and
 * for another candidate's transaction pending. Registration (registerCharters.ts), settlement
 * (settleClaims.ts) and release (releasePayouts.ts) all take their turns here.
 */
import type { Address, Client, Hex } from 'viem';
import { getTransactionCount, readContract } from 'viem/actions';
import { sfrVault, VaultError } from '../settlement/index.js';

export {
  rankOf,
  rankSigners,
  type TurnEffect,
  type Turns,
  turnAt,
  turnsOf,
} from '../settlement/turnOrder.js';

/** What a node finds before acting in its turn: the effect done, possibly under way, or neither. */
export type BeforeTurn = 'seen' | 'pending' | 'clear';

/**
 * Before acting in its turn (settlement.md#taking-turns rule 3): `seen` when the effect is on chain
 * at the latest block (`done` reads it); `pending` when another candidate's account has a
 * transaction waiting in the mempool (its pending nonce above its latest: that may be the effect,
 * mined in a moment); else `clear`. A read the RPC does not answer is `VAULT_RPC_UNAVAILABLE`
 * (a wait: the turn is tried again).
 */
export async function beforeTurn(
  client: Client,
  done: () => Promise<boolean>,
  others: readonly string[],
): Promise<BeforeTurn> {
  try {
    return await lookBeforeTurn(client, done, others);
  } catch (cause) {
    throw new VaultError('VAULT_RPC_UNAVAILABLE', 'The settlement chain did not answer before a turn.', {
      cause,
      section: 'taking-turns',
    });
  }
}

async function lookBeforeTurn(
  client: Client,
  done: () => Promise<boolean>,
  others: readonly string[],
): Promise<BeforeTurn> {
  if (await done()) return 'seen';
  const waiting = await Promise.all(
    others.map(async (address) => {
      const at = (blockTag: 'latest' | 'pending') =>
        getTransactionCount(client, { address: address as Address, blockTag });
      const [latest, pending] = await Promise.all([at('latest'), at('pending')]);
      return pending > latest;
    }),
  );
  return waiting.some(Boolean) ? 'pending' : 'clear';
}

/** A claim on the vault at the latest block (`claimOf`): settled, and what its rate limit still holds back. */
export async function claimOnChain(
  client: Client,
  vault: Address,
  poolId: string,
  claimId: string,
): Promise<{ settled: boolean; unpaid: bigint }> {
  const [, , , settled, unpaid] = (await readContract(client, {
    address: vault,
    abi: sfrVault.abi,
    functionName: 'claimOf',
    args: [poolId as Hex, claimId as Hex],
  })) as readonly [Address, bigint, bigint, boolean, bigint];
  return { settled, unpaid };
}

/** Whether the vault holds an epoch of a pool's charter at the latest block (`charterHashOf` not zero). */
export async function epochOnChain(
  client: Client,
  vault: Address,
  poolId: string,
  epoch: number,
): Promise<boolean> {
  const hash = (await readContract(client, {
    address: vault,
    abi: sfrVault.abi,
    functionName: 'charterHashOf',
    args: [poolId as Hex, BigInt(epoch)],
  })) as Hex;
  return !/^0x0{64}$/.test(hash);
}
