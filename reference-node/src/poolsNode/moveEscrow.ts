/**
 * `moveEscrow(params)`: the node's member deposits into or withdraws from its escrow in one pool's
 * vault, through the node's one sending account (spec/v1/settlement.md#escrow-from-the-node).
 *
 *   const r = await moveEscrow({ vault: pools.vaultOf(poolId)!, poolId, action: 'deposit', amount, key });
 *
 * A deposit is paid by the sending account: when its allowance for the vault is short it first
 * sends `approve(vault, amount)`, then `deposit(poolId, member, amount)`. A withdrawal is
 * `withdraw(poolId, amount)` from the member itself; the vault's bank-run guard refuses it in the
 * simulation, before anything is signed, as `POOL_WITHDRAWAL_LOCKED(reason, until)`. Each
 * transaction is sent under a key derived from `key`, so a repeated request sends nothing twice,
 * also after a restart; a key already used for another call is `API_IDEMPOTENCY_CONFLICT`.
 */
import { SfrError } from '@sfr/schemas';
import { type Address, encodeFunctionData, erc20Abi, type Hex, parseTransaction } from 'viem';
import { readContract } from 'viem/actions';
import { sfrVault, VaultError } from '../settlement/index.js';
import type { PoolVault } from './createPoolSettlement.js';
import type { VaultSender } from './createVaultSender.js';
import type { VaultAsset } from './vaultLedger.js';

export type EscrowAction = 'deposit' | 'withdraw';

export type MoveEscrowParameters = {
  readonly vault: PoolVault;
  readonly poolId: Hex;
  readonly action: EscrowAction;
  /** Base units of the pool asset, ≥ 1. */
  readonly amount: bigint;
  /** Names the request for good: the same key never sends a second transaction. */
  readonly key: string;
};

/** What was mined (EscrowResponse.schema.json). */
export type MoveEscrowReturnType = {
  poolId: Hex;
  action: EscrowAction;
  member: Address;
  amount: string;
  asset?: VaultAsset;
  chain: string;
  vault: Address;
  transactionHash: Hex;
  blockNumber: string;
  approvalHash?: Hex;
};

/** The call data a key was first sent with, or null when the journal has no transaction under it. */
function journaledData(sender: VaultSender, key: string): Hex | null {
  const tx = sender.transactions().findLast((t) => t.key === key);
  const first = tx?.attempts[0];
  return first === undefined ? null : (parseTransaction(first.raw).data ?? '0x');
}

function assertSameCall(sender: VaultSender, key: string, data: Hex): boolean {
  const had = journaledData(sender, key);
  if (had !== null && had !== data)
    throw new SfrError('API_IDEMPOTENCY_CONFLICT', 'this idempotency key was used with another amount', {
      section: 'api.md#idempotency',
      details: { key },
    });
  return had !== null;
}

/** A read of the settlement chain; an RPC that does not answer is `VAULT_RPC_UNAVAILABLE`. */
async function read<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (error) {
    throw new VaultError('VAULT_RPC_UNAVAILABLE', `The settlement chain's RPC did not answer ${what}.`, {
      section: 'client',
      cause: error,
    });
  }
}

async function assetOf(p: MoveEscrowParameters): Promise<{ address: Address; known: VaultAsset | null }> {
  const [address, epochs] = await read('poolOf', () =>
    readContract(p.vault.client, {
      address: p.vault.vault,
      abi: sfrVault.abi,
      functionName: 'poolOf',
      args: [p.poolId],
    }),
  );
  if (epochs === 0n)
    throw new VaultError('VAULT_POOL_UNKNOWN', `The vault has no charter of ${p.poolId} registered.`, {
      args: [p.poolId],
    });
  return { address, known: p.vault.asset };
}

export async function moveEscrow(p: MoveEscrowParameters): Promise<MoveEscrowReturnType> {
  if (p.amount < 1n)
    throw new VaultError('VAULT_INPUT_INVALID', 'amount must be at least 1 base unit.', {
      args: ['amount'],
      section: 'escrow-from-the-node',
    });
  const { sender } = p.vault;
  const member = sender.member;
  const asset = await assetOf(p);
  const call =
    p.action === 'deposit'
      ? { functionName: 'deposit', args: [p.poolId, member, p.amount] as const, asMember: false }
      : { functionName: 'withdraw', args: [p.poolId, p.amount] as const, asMember: true };
  const data = encodeFunctionData({ abi: sfrVault.abi, ...call } as never);
  const sent = assertSameCall(sender, p.key, data);

  let approvalHash: Hex | undefined;
  if (p.action === 'deposit' && !sent && sender.address !== null) {
    const payer = sender.address;
    const [balance, allowance] = await read('balanceOf and allowance', () =>
      Promise.all([
        readContract(p.vault.client, {
          address: asset.address,
          abi: erc20Abi,
          functionName: 'balanceOf',
          args: [payer],
        }),
        readContract(p.vault.client, {
          address: asset.address,
          abi: erc20Abi,
          functionName: 'allowance',
          args: [payer, p.vault.vault],
        }),
      ]),
    );
    if (balance < p.amount)
      throw new VaultError(
        'VAULT_BALANCE_INSUFFICIENT',
        `The sending account ${payer} holds ${balance} base units of the pool asset, less than ${p.amount}.`,
        { args: [payer, balance, p.amount], section: 'escrow-from-the-node' },
      );
    if (allowance < p.amount) {
      const approval = await sender.send({
        key: `${p.key}:approve`,
        to: asset.address,
        abi: erc20Abi,
        functionName: 'approve',
        args: [p.vault.vault, p.amount],
      });
      approvalHash = approval.transactionHash;
    }
  }
  const receipt = await sender.send({ key: p.key, to: p.vault.vault, ...call });
  let known = asset.known;
  if (known === null) {
    const [symbol, decimals] = await read('symbol and decimals', () =>
      Promise.all([
        readContract(p.vault.client, { address: asset.address, abi: erc20Abi, functionName: 'symbol' }),
        readContract(p.vault.client, { address: asset.address, abi: erc20Abi, functionName: 'decimals' }),
      ]),
    );
    known = { address: asset.address, symbol, decimals: Number(decimals) };
  }
  return {
    poolId: p.poolId,
    action: p.action,
    member,
    amount: p.amount.toString(),
    asset: known,
    chain: p.vault.chain,
    vault: p.vault.vault,
    transactionHash: receipt.transactionHash,
    blockNumber: receipt.blockNumber.toString(),
    ...(approvalHash === undefined ? {} : { approvalHash }),
  };
}
