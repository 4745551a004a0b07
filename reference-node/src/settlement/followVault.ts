import type { Cursor, CursorStore } from '@sfr/adapter-kit';
import { type Address, BlockNotFoundError, type Client, decodeEventLog, getAddress, type Hex } from 'viem';
import { getBlock, getBlockNumber } from 'viem/actions';
import type { VaultEventName, VaultLogRecord } from './foldVaultLogs.js';
import { sfrVault } from './generated/contracts.js';
import { VaultError } from './vaultError.js';

/** [sfr] Recent scan ends kept to find a reorg's common ancestor (the adapters' cursor window, adapters.md#cursor). */
export const VAULT_CURSOR_WINDOW = 64;
/** [sfr] Most blocks one `eth_getLogs` asks for (the adapters' default `maxBlocksPerPoll`). */
export const VAULT_MAX_RANGE = 2_000n;
const CURSOR_PROTOCOL = 'sfr-vault';

export type FollowVaultParameters = {
  client: Client;
  /** CAIP-2 chain id of the settlement chain, e.g. `eip155:1`. */
  chain: string;
  vault: Address;
  poolId: Hex;
  /** Blocks a log needs on top of it (itself included) before it counts; at least 1. */
  confirmations: number;
  /** Where the cursor and the confirmed logs are kept (crash-safe). */
  cursorStore: CursorStore;
  /** First block to read when no cursor is kept yet (default 0). */
  fromBlock?: bigint;
  maxRange?: bigint;
};

export type FollowVaultPollResult = {
  fromBlock: bigint;
  toBlock: bigint;
  head: bigint;
  /** Present when the last block read was no longer canonical and the logs after the ancestor were dropped. */
  reorg?: { ancestor: bigint; depth: number };
};

export interface VaultFollower {
  /** Reads the next confirmed range once and persists it; throws `VaultError` (`VAULT_REORG_TOO_DEEP`, …). */
  poll(): Promise<FollowVaultPollResult>;
  /** Polls until the confirmed head is read. */
  catchUp(): Promise<FollowVaultPollResult>;
  /** The pool's confirmed vault logs, in chain order, as of the last poll (none before the first). */
  logs(): readonly VaultLogRecord[];
  /** The last block read (null before the first). */
  syncedTo(): bigint | null;
}

type VaultCursorState = { vault: string; poolId: string; logs: VaultLogRecord[] };

/**
 * Follows one pool's events on its vault (settlement.md#following-the-vault): reads them up to
 * `head − confirmations + 1` from a durable cursor that keeps the hash of each recent scan end, so a
 * reorg is found on the next poll and the logs of the orphaned blocks are dropped before the range
 * is read again; a reorg deeper than the window is `VAULT_REORG_TOO_DEEP` and the follower stops
 * there until an operator acts (as adapters do, adapters.md#reorgs).
 */
export function followVault(p: FollowVaultParameters): VaultFollower {
  const confirmations = BigInt(Math.max(1, p.confirmations));
  const maxRange = p.maxRange ?? VAULT_MAX_RANGE;
  let cache: Cursor | undefined;

  const rpc = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (error) {
      throw new VaultError('VAULT_RPC_UNAVAILABLE', `The settlement chain did not answer ${what}.`, {
        args: [p.chain, what],
        cause: error,
        section: 'client',
      });
    }
  };

  async function load(): Promise<Cursor> {
    if (cache !== undefined) return cache;
    const stored = await p.cursorStore.load();
    const state = stored?.state as Partial<VaultCursorState> | undefined;
    if (
      stored !== undefined &&
      stored.protocol === CURSOR_PROTOCOL &&
      stored.chain === p.chain &&
      state?.vault?.toLowerCase() === p.vault.toLowerCase() &&
      state.poolId?.toLowerCase() === p.poolId.toLowerCase() &&
      Array.isArray(state.logs)
    ) {
      cache = stored;
    } else {
      const state: VaultCursorState = { vault: p.vault, poolId: p.poolId, logs: [] };
      cache = {
        version: 1,
        protocol: CURSOR_PROTOCOL,
        chain: p.chain,
        nextBlock: (p.fromBlock ?? 0n).toString(),
        recent: [],
        state,
      };
    }
    return cache;
  }

  async function poll(): Promise<FollowVaultPollResult> {
    const head = await rpc('eth_blockNumber', () => getBlockNumber(p.client, { cacheTime: 0 }));
    const cursor = structuredClone(await load());
    const state = cursor.state as VaultCursorState;
    let reorg: FollowVaultPollResult['reorg'];
    const last = cursor.recent.at(-1);
    if (last !== undefined) {
      // A block the chain no longer has (it got shorter) is not canonical; an RPC failure is an error.
      const canonical = async (e: { number: string; hash: Hex }) =>
        (
          await rpc('eth_getBlockByNumber', () =>
            getBlock(p.client, { blockNumber: BigInt(e.number) }).catch((error: unknown) => {
              if (error instanceof BlockNotFoundError) return undefined;
              throw error;
            }),
          )
        )?.hash === e.hash;
      if (!(await canonical(last))) {
        let index = -1;
        for (let i = cursor.recent.length - 2; i >= 0; i--)
          if (await canonical(cursor.recent[i]!)) {
            index = i;
            break;
          }
        if (index < 0)
          throw new VaultError(
            'VAULT_REORG_TOO_DEEP',
            `The settlement chain reorganized deeper than the last ${cursor.recent.length} blocks read.`,
            { args: [p.chain, last.number], section: 'following-the-vault' },
          );
        const ancestor = BigInt(cursor.recent[index]!.number);
        reorg = { ancestor, depth: Number(BigInt(last.number) - ancestor) };
        cursor.recent = cursor.recent.slice(0, index + 1);
        cursor.nextBlock = (ancestor + 1n).toString();
        state.logs = state.logs.filter((l) => BigInt(l.blockNumber) <= ancestor);
      }
    }
    const fromBlock = BigInt(cursor.nextBlock);
    const safeHead = head - confirmations + 1n;
    const toBlock = safeHead < fromBlock + maxRange - 1n ? safeHead : fromBlock + maxRange - 1n;
    if (toBlock < fromBlock) {
      if (reorg !== undefined) await commit(cursor);
      return { fromBlock, toBlock: fromBlock - 1n, head, ...(reorg === undefined ? {} : { reorg }) };
    }
    const raw = await rpc('eth_getLogs', () =>
      p.client.request({
        method: 'eth_getLogs',
        params: [
          {
            address: p.vault,
            fromBlock: `0x${fromBlock.toString(16)}`,
            toBlock: `0x${toBlock.toString(16)}`,
            // Every vault event has the pool id as its first indexed argument.
            topics: [null, p.poolId.toLowerCase() as Hex],
          },
        ],
      }),
    );
    const hashes = new Map<bigint, Hex>();
    const hashOf = async (n: bigint): Promise<Hex> => {
      let h = hashes.get(n);
      if (h === undefined) {
        h = (await rpc('eth_getBlockByNumber', () => getBlock(p.client, { blockNumber: n }))).hash;
        hashes.set(n, h);
      }
      return h;
    };
    const end = await hashOf(toBlock);
    const fresh: VaultLogRecord[] = [];
    for (const l of raw) {
      if (l.removed === true) continue;
      const blockNumber = BigInt(l.blockNumber ?? '0x0');
      // A log of a block that is no longer the one read: the chain moved during the scan, read again.
      if ((await hashOf(blockNumber)) !== l.blockHash)
        throw new VaultError('VAULT_RPC_UNAVAILABLE', 'The settlement chain changed during a read.', {
          args: [p.chain, blockNumber.toString()],
          section: 'following-the-vault',
        });
      let decoded: { eventName: string; args: Record<string, unknown> };
      try {
        decoded = decodeEventLog({
          abi: sfrVault.abi,
          topics: l.topics as [Hex, ...Hex[]],
          data: l.data as Hex,
          strict: true,
        }) as unknown as typeof decoded;
      } catch {
        continue; // not one of the vault's events
      }
      const args: Record<string, string> = {};
      for (const [k, v] of Object.entries(decoded.args))
        args[k] =
          typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v) ? getAddress(v) : String(v as bigint);
      fresh.push({
        eventName: decoded.eventName as VaultEventName,
        args,
        blockNumber: blockNumber.toString(),
        blockHash: l.blockHash as Hex,
        logIndex: Number(BigInt(l.logIndex ?? '0x0')),
        txHash: l.transactionHash as Hex,
      });
    }
    fresh.sort((a, b) =>
      a.blockNumber === b.blockNumber
        ? a.logIndex - b.logIndex
        : BigInt(a.blockNumber) < BigInt(b.blockNumber)
          ? -1
          : 1,
    );
    state.logs = [...state.logs, ...fresh];
    cursor.nextBlock = (toBlock + 1n).toString();
    cursor.recent = [...cursor.recent, { number: toBlock.toString(), hash: end }].slice(-VAULT_CURSOR_WINDOW);
    await commit(cursor);
    return { fromBlock, toBlock, head, ...(reorg === undefined ? {} : { reorg }) };
  }

  async function commit(next: Cursor): Promise<void> {
    await p.cursorStore.save(next);
    cache = next;
  }

  return {
    poll,
    async catchUp() {
      let reorg: FollowVaultPollResult['reorg'];
      for (;;) {
        const r = await poll();
        reorg ??= r.reorg;
        if (r.toBlock >= r.head - confirmations + 1n || r.toBlock < r.fromBlock)
          return { ...r, ...(reorg === undefined ? {} : { reorg }) };
      }
    },
    logs() {
      return (cache?.state as VaultCursorState | undefined)?.logs ?? [];
    },
    syncedTo() {
      const last = cache?.recent.at(-1);
      return last === undefined ? null : BigInt(last.number);
    },
  };
}
