/**
 * `createPoolSettlement(params)`: the node side of on-chain settlement (spec/v1/settlement.md#client).
 * For each pool whose charter in force settles on an `eip155` chain this node has an RPC for, at a
 * vault that is not the zero address, it follows the vault's events (`followVault`: a durable,
 * reorg-safe cursor in the data directory) and puts the vault's books beside the pool ledger.
 * Pools without such a chain run as before: decisions without on-chain money.
 */
import path from 'node:path';
import { createFileCursorStore } from '@sfr/adapter-kit';
import {
  type Address,
  type Client,
  createPublicClient,
  erc20Abi,
  getAddress,
  type Hex,
  http,
  type LocalAccount,
} from 'viem';
import { readContract } from 'viem/actions';
import type { Logger } from '../logging/index.js';
import { eip155ChainId } from '../pools/amounts.js';
import { charterAt, type PoolView } from '../pools/index.js';
import { foldVaultLogs, followVault, VaultError, type VaultFollower } from '../settlement/index.js';
import { createVaultSender, type VaultSender } from './createVaultSender.js';
import { type VaultAsset, type VaultFollowStatus, vaultLedgerOf } from './vaultLedger.js';

/**
 * The refusal of a money-moving request in a pool whose vault this node does not follow
 * (settlement.md#escrow-from-the-node): `missing`, its only argument, says what the node lacks
 * (the API answers it as `expected`).
 */
export const vaultNotFollowed = (
  missing = 'a pool whose charter settles at a vault on an eip155 chain this node has an RPC for (a chains[] entry)',
): VaultError =>
  new VaultError('VAULT_NOT_FOLLOWED', "This node does not follow this pool's vault.", {
    section: 'escrow-from-the-node',
    args: [missing],
  });

/** `VAULT_NOT_FOLLOWED` for a pool whose charter in force settles nowhere this node reads: what it lacks. */
export function notFollowedOf(view: PoolView): VaultError {
  const adopted = charterAt(view.charters, view.now) ?? view.charters.at(-1) ?? null;
  if (adopted === null) return vaultNotFollowed('an adopted charter of the pool');
  const { chain, vault } = adopted.charter.settlement;
  return vaultNotFollowed(
    eip155ChainId(chain) === null
      ? `a charter that settles on an eip155 chain (it settles on ${chain})`
      : ZERO.test(vault)
        ? 'a charter that names a vault (its settlement.vault is the zero address)'
        : `a chains[] entry with an RPC for ${chain}, where the pool's vault ${getAddress(vault)} is`,
  );
}

/** The refusal of a money-moving request on a followed vault by a node that cannot send (settlement.md#sending). */
export const vaultNoSender = (member: string | null): VaultError =>
  new VaultError(
    'VAULT_NO_SENDER',
    member === null
      ? 'This node follows the vault but was given no sending account.'
      : `This node follows the vault but has no account to send from: its member ${member} is a contract and identity.sender is not set.`,
    { section: 'sending', args: member === null ? [] : [member] },
  );

/** A settlement chain this node reads (a `chains[]` entry with its RPC URL resolved). */
export type SettlementChain = { chain: string; rpcUrl: string; confirmations?: number };

/** [sfr] Confirmations when the `chains[]` entry sets none: NodeConfig's default for evidence. */
const DEFAULT_CONFIRMATIONS = 12;
const ZERO = /^0x0{40}$/i;

export interface CreatePoolSettlementParameters {
  readonly chains: readonly SettlementChain[];
  /** Folder of the followers' cursors (in the node's data directory). */
  readonly dir: string;
  /** The pools' current views (the pool service's). */
  readonly views: () => Iterable<{ poolId: string; view: PoolView }>;
  readonly logger?: Logger;
  readonly tickMs: number;
  /**
   * Who sends this node's vault transactions (settlement.md#sending): the member, and the paying
   * account (null: a contract member without `identity.sender`). Absent: the node sends nothing.
   */
  readonly sending?: { readonly member: Address; readonly account: LocalAccount | null };
  /**
   * `pools[].vault` of the node config: the block a pool's follower first reads on that chain when it
   * has no cursor yet (default 0). A kept cursor wins: a restarted node never reads before it.
   */
  readonly fromBlocks?: readonly VaultFromBlock[];
}

/** Where a pool's vault follower starts on a chain (NodeConfig `pools[].vault`). */
export type VaultFromBlock = { readonly poolId: string; readonly chain: string; readonly fromBlock: bigint };

/** Where and through what a pool's vault transactions go. */
export type PoolVault = {
  chain: string;
  vault: Address;
  sender: VaultSender;
  /** Reads the settlement chain (allowances, balances) through the follower's client. */
  client: Client;
  /** The pool asset as its ERC-20 names it; null until the follower read it. */
  asset: VaultAsset | null;
};

export interface PoolSettlement {
  start(): void;
  stop(): Promise<void>;
  /** Reads every followed vault up to its confirmed head now (tests, and `sfr pool ledger --sync`). */
  sync(): Promise<void>;
  /** The `onChain` part of a pool's view: null when the pool is not settled on a chain this node reads. */
  onChainOf(poolId: string, view: PoolView): Record<string, unknown> | null;
  /** The pool's vault and this node's sender on its chain; null when the pool settles nowhere this node reads, or it sends nothing. */
  vaultOf(poolId: string, view: PoolView): PoolVault | null;
  /**
   * `vaultOf` for a money-moving request: throws `VAULT_NOT_FOLLOWED` (args: what is missing) when the
   * node does not follow the pool's vault (no chain or vault, no RPC, not read yet, its last read
   * failed) and `VAULT_NO_SENDER` when it follows it without a sending account.
   */
  vaultFor(poolId: string, view: PoolView): PoolVault;
}

type Followed = {
  key: string;
  follower: VaultFollower;
  client: Client;
  status: VaultFollowStatus;
  assetAddress: Address;
};

export function createPoolSettlement(p: CreatePoolSettlementParameters): PoolSettlement {
  const log = p.logger?.child({ component: 'settlement' });
  const clients = new Map<string, Client>();
  /** poolId → its follower (replaced when an amendment moves the pool to another chain or vault). */
  const followed = new Map<string, Followed>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let running: Promise<void> = Promise.resolve();
  /** chain → this node's one sender there (its journal in the data directory). */
  const senders = new Map<string, { sender: VaultSender; started: Promise<void> }>();

  const senderOf = (c: SettlementChain): VaultSender | null => {
    if (p.sending === undefined) return null;
    let s = senders.get(c.chain);
    if (s === undefined) {
      const who = (p.sending.account?.address ?? p.sending.member).toLowerCase();
      const sender = createVaultSender({
        chain: c.chain,
        rpcUrl: c.rpcUrl,
        account: p.sending.account,
        member: p.sending.member,
        file: path.join(p.dir, `sender-${c.chain.replace(':', '-')}-${who}.json`),
        ...(p.logger === undefined ? {} : { logger: p.logger }),
      });
      s = { sender, started: sender.start() };
      s.started.catch((error: unknown) =>
        log?.error(
          { chain: c.chain, err: { message: (error as Error).message } },
          'vault sender journal unreadable',
        ),
      );
      senders.set(c.chain, s);
    }
    return s.sender;
  };

  const clientOf = (c: SettlementChain): Client => {
    let client = clients.get(c.chain);
    if (client === undefined) {
      client = createPublicClient({ transport: http(c.rpcUrl, { retryCount: 1, timeout: 10_000 }) });
      clients.set(c.chain, client);
    }
    return client;
  };

  /** The follower of a pool's charter in force, created on first need; null when it settles nowhere here. */
  const followerOf = (poolId: string, view: PoolView): Followed | null => {
    const adopted = charterAt(view.charters, view.now) ?? view.charters.at(-1) ?? null;
    if (adopted === null) return null;
    const { chain, vault } = adopted.charter.settlement;
    const rpc = p.chains.find((c) => c.chain === chain);
    if (eip155ChainId(chain) === null || rpc === undefined || ZERO.test(vault)) return null;
    const key = `${chain}:${vault.toLowerCase()}`;
    const had = followed.get(poolId);
    if (had?.key === key) return had;
    const client = clientOf(rpc);
    const fromBlock = p.fromBlocks?.find(
      (b) => b.chain === chain && b.poolId.toLowerCase() === poolId.toLowerCase(),
    )?.fromBlock;
    const f: Followed = {
      key,
      client,
      follower: followVault({
        client,
        chain,
        vault: getAddress(vault),
        poolId: poolId as Hex,
        confirmations: rpc.confirmations ?? DEFAULT_CONFIRMATIONS,
        ...(fromBlock === undefined ? {} : { fromBlock }),
        cursorStore: createFileCursorStore(
          path.join(p.dir, `${chain.replace(':', '-')}-${vault.toLowerCase()}-${poolId}.json`),
        ),
      }),
      status: { chain, vault: getAddress(vault), asset: null, syncedToBlock: null, error: null },
      assetAddress: getAddress(adopted.charter.valuation.unitAsset.address),
    };
    followed.set(poolId, f);
    return f;
  };

  async function readAsset(f: Followed): Promise<VaultAsset> {
    const read = <T>(functionName: 'symbol' | 'decimals') =>
      readContract(f.client, { address: f.assetAddress, abi: erc20Abi, functionName }) as Promise<T>;
    return {
      address: f.assetAddress,
      symbol: await read<string>('symbol'),
      decimals: Number(await read<number>('decimals')),
    };
  }

  async function syncAll(): Promise<void> {
    for (const { poolId, view } of p.views()) {
      const f = followerOf(poolId, view);
      if (f === null) continue;
      try {
        f.status.asset ??= await readAsset(f);
        const r = await f.follower.catchUp();
        if (r.reorg !== undefined)
          log?.warn({ poolId, ...r.reorg }, 'settlement chain reorg: vault logs rewound');
        f.status.error = null;
      } catch (error) {
        const e = error as { code?: string; message?: string };
        const code = e.code ?? 'VAULT_RPC_UNAVAILABLE';
        if (f.status.error?.code !== code)
          log?.warn({ poolId, code, err: { message: e.message?.split('\n')[0] } }, 'vault not followed');
        f.status.error = { code, message: (e.message ?? String(error)).split('\n')[0]! };
      }
      f.status.syncedToBlock = f.follower.syncedTo()?.toString() ?? null;
    }
  }

  const sync = (): Promise<void> => {
    running = running.then(syncAll, syncAll);
    return running;
  };

  const vaultOf = (poolId: string, view: PoolView): PoolVault | null => {
    const f = followerOf(poolId, view);
    const rpc = f === null ? undefined : p.chains.find((c) => c.chain === f.status.chain);
    const sender = rpc === undefined ? null : senderOf(rpc);
    return f === null || sender === null
      ? null
      : {
          chain: f.status.chain,
          vault: getAddress(f.status.vault),
          sender,
          client: f.client,
          asset: f.status.asset,
        };
  };

  return {
    start() {
      if (timer !== undefined) return;
      timer = setInterval(() => void sync(), p.tickMs);
      timer.unref?.();
      void sync();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running;
      await Promise.all(
        [...senders.values()].map(async (s) =>
          s.started.then(
            () => s.sender.stop(),
            () => undefined,
          ),
        ),
      );
    },
    sync,
    onChainOf(poolId, view) {
      const f = followerOf(poolId, view);
      if (f === null) return null;
      return vaultLedgerOf(view, foldVaultLogs(f.follower.logs()), f.status);
    },
    vaultFor(poolId, view) {
      const f = followerOf(poolId, view);
      if (f === null) throw notFollowedOf(view);
      const where = `the vault ${f.status.vault} on ${f.status.chain}`;
      if (f.status.error !== null)
        throw vaultNotFollowed(`a read of ${where} that succeeds (the last failed: ${f.status.error.code})`);
      if (f.follower.syncedTo() === null) throw vaultNotFollowed(`a first read of ${where} (retry shortly)`);
      const v = vaultOf(poolId, view);
      if (v === null) throw vaultNoSender(null);
      if (v.sender.address === null) throw vaultNoSender(v.sender.member);
      return v;
    },
    vaultOf,
  };
}
