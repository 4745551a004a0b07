import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  type PublicClient,
  parseAbiItem,
} from 'viem';
import { aggregatorAbi } from './abi.js';

const answerUpdated = parseAbiItem(
  'event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt)',
);

export interface ReadRoundsParameters {
  readonly client: PublicClient;
  /** The charter's feed: an aggregator proxy (its `aggregator()` is read) or the aggregator itself. */
  readonly feed: Address;
  /** The incident window's start (unix ms). */
  readonly from: number;
  readonly lookbackMs: number;
  /** Blocks a log needs (head − block + 1) to be read. */
  readonly confirmations: number;
  /** First block searched for logs; default 0. */
  readonly fromBlock?: bigint;
}

/** One `AnswerUpdated` log: a round as spec/v1/pools.md#feed-rounds reads it. */
export interface FeedRoundLog {
  roundId: string;
  answer: string;
  /** unix seconds */
  updatedAt: number;
  blockNumber: bigint;
  logIndex: number;
}

/**
 * The feed's rounds a pool values a loss by (spec/v1/pools.md#feed-rounds step 2): the
 * `AnswerUpdated` logs of the aggregator behind the feed (its proxy's `aggregator()` at the
 * confirmed head; the feed itself when it answers none) in blocks with `confirmations`, those updated
 * in `[from − lookbackMs, from)` plus the carried round (the latest updated before the window).
 * Throws viem's error when the RPC fails.
 */
export async function readRounds(p: ReadRoundsParameters): Promise<FeedRoundLog[]> {
  const head = await p.client.getBlockNumber({ cacheTime: 0 });
  const safe = head - BigInt(p.confirmations) + 1n;
  if (safe < 0n) return [];
  const aggregator = await p.client
    .readContract({ address: p.feed, abi: aggregatorAbi, functionName: 'aggregator', blockNumber: safe })
    .catch((error: unknown) => {
      // A feed without `aggregator()` (the aggregator itself) reverts; an RPC failure is thrown.
      const reverted =
        error instanceof BaseError &&
        error.walk(
          (e) => e instanceof ContractFunctionRevertedError || e instanceof ContractFunctionZeroDataError,
        ) !== null;
      if (reverted) return p.feed;
      throw error;
    });
  const logs = await p.client.getLogs({
    address: aggregator,
    event: answerUpdated,
    fromBlock: p.fromBlock ?? 0n,
    toBlock: safe,
    strict: true,
  });
  const start = p.from - p.lookbackMs;
  const rounds = logs
    .map((l) => ({
      roundId: l.args.roundId.toString(),
      answer: l.args.current.toString(),
      updatedAt: Number(l.args.updatedAt),
      blockNumber: l.blockNumber,
      logIndex: l.logIndex,
    }))
    .filter((r) => r.updatedAt * 1000 < p.from);
  const before = rounds.filter((r) => r.updatedAt * 1000 < start);
  const carriedAt = Math.max(...before.map((r) => r.updatedAt));
  return rounds.filter((r) => r.updatedAt * 1000 >= start || r.updatedAt === carriedAt);
}
