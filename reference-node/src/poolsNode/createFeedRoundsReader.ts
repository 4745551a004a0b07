import { readRounds } from '@sfr/adapter-chainlink';
import { confirmationsFor } from '@sfr/adapter-kit';
import { type Address, createPublicClient, http, isAddress, type PublicClient } from 'viem';
import { eip155ChainId } from '../pools/amounts.js';
import type { ReadFeedRounds } from './createPoolService.js';
import type { SettlementChain } from './createPoolSettlement.js';

/**
 * The node's reader of charter feeds' rounds (pools.md#feed-rounds) over the `chains[]` of its
 * config: a feed on a chain without an RPC URL there, or an RPC failure, answers
 * `EVIDENCE_RPC_UNAVAILABLE` (the node cannot tell; the claim waits for a manual vote).
 */
export function createFeedRoundsReader(chains: readonly SettlementChain[]): ReadFeedRounds {
  const clients = new Map<string, { client: PublicClient; confirmations: number }>();
  const clientOf = (chain: string) => {
    const known = clients.get(chain);
    if (known !== undefined) return known;
    const entry = chains.find((c) => c.chain === chain);
    const id = eip155ChainId(chain);
    if (entry === undefined || id === null) return undefined;
    const made = {
      client: createPublicClient({ transport: http(entry.rpcUrl, { retryCount: 1, timeout: 10_000 }) }),
      confirmations: confirmationsFor(id, entry.confirmations),
    };
    clients.set(chain, made);
    return made;
  };
  return async (feed, window) => {
    const c = clientOf(feed.chain);
    if (c === undefined || !isAddress(feed.feed)) return { ok: false, code: 'EVIDENCE_RPC_UNAVAILABLE' };
    try {
      const rounds = await readRounds({ ...c, feed: feed.feed as Address, ...window });
      return {
        ok: true,
        rounds: rounds.map((r) => ({ roundId: r.roundId, answer: r.answer, updatedAt: r.updatedAt })),
      };
    } catch {
      return { ok: false, code: 'EVIDENCE_RPC_UNAVAILABLE' };
    }
  };
}
