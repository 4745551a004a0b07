/**
 * Submitting `settle` (settlement.md#settling-exactly-once steps 2-5, #taking-turns): once a claim is
 * decided, the approvers whose settlement signatures this node holds take turns; this node submits
 * when its turn comes (or at once for the API's "submit now"), simulating first, and keeps what it
 * knows of each claim's settlement for the claim and pool views, with the vault follower's record
 * merged in. The pool service drives it from its tick, as it drives the registrar
 * (registerCharters.ts) and the releaser (releasePayouts.ts); the pure rules are settleClaims.ts.
 */
import type { PoolId } from '@sfr/schemas/types';
import type { Hex } from 'viem';
import type { Logger } from '../logging/index.js';
import {
  buildClaimDecision,
  type ClaimView,
  type PoolState,
  type PoolView,
  viewPool,
} from '../pools/index.js';
import type { ContractSignatures } from '../validation/contractSignatures.js';
import type { PoolSettlement } from './createPoolSettlement.js';
import {
  heldSignatures,
  type OnChainClaim,
  paidBy,
  SETTLE_WAITS,
  type SettleState,
  settlementOf,
  settleTurns,
  vaultDomainOf,
  withOnChain,
} from './settleClaims.js';
import { beforeTurn, claimOnChain, rankOf, turnAt } from './turns.js';

/** A pool as the pool service holds it; `state` is read again at each step, as messages keep arriving. */
export type HeldPool = { readonly poolId: PoolId; readonly state: PoolState };

export interface ClaimSettler {
  /**
   * Submits the decided claim's `settle` when this node's turn has come, or at once when `submitNow`;
   * null when the claim cannot settle on a vault this node follows (or nothing to settle).
   */
  submit(e: HeldPool, poolId: Hex, c: ClaimView, submitNow: boolean): Promise<SettleState | null>;
  /** Whether this node has a settle state for the claim. */
  has(claimId: string): boolean;
  /**
   * This node's settle state of a claim with the follower's record merged in
   * (settlement.md#settling-exactly-once rule 4).
   */
  stateOf(
    e: HeldPool,
    view: PoolView,
    claimId: string,
    onChainClaims: readonly OnChainClaim[] | undefined,
  ): SettleState | undefined;
}

const lower = (s: string) => s.toLowerCase();

export function createClaimSettler(p: {
  me: string;
  now: () => number;
  /** The node's on-chain settlement; without it nothing is settled. */
  settlement: PoolSettlement | undefined;
  /** The node's contract members, whose settlement signatures count through ERC-1271. */
  contracts?: ContractSignatures | undefined;
  /** The pool service's logger. */
  log?: Logger | undefined;
}): ClaimSettler {
  const { me, now, settlement, log } = p;
  /** claimId → this node's view of the claim's settlement (settlement.md#settling-exactly-once). */
  const settles = new Map<string, SettleState>();
  /** The `settle` sends under way, by claim (no second send of this node's for a claim). */
  const sending = new Set<string>();

  /**
   * Submits `settle` when this node's turn has come (or at once when `now` asks: the API's "submit
   * now"), simulating first; `Settled` seen or `VAULT_CLAIM_SETTLED` in simulation ends it with
   * nothing sent (settlement.md#settling-exactly-once steps 2-4).
   */
  async function submitSettlement(
    e: HeldPool,
    poolId: Hex,
    c: ClaimView,
    submitNow: boolean,
  ): Promise<SettleState | null> {
    const claimId = c.claim.claimId;
    const v = settlement?.vaultOf(e.poolId, viewPool(e.state, now()));
    const domain = vaultDomainOf(c);
    if (v === undefined || v === null || domain === null) return null;
    const had = settles.get(claimId);
    if ((had?.state === 'settled' || had?.state === 'sent') && !submitNow) return had;
    // Settled on the vault (by this node or another): the follower's record answers, nothing is sent.
    const seen = (): SettleState | undefined => {
      const onChain = settlement?.onChainOf(e.poolId, viewPool(e.state, now())) as
        | { claims?: OnChainClaim[] }
        | null
        | undefined;
      const x = onChain?.claims?.find((y) => lower(y.claimId) === lower(claimId));
      const merged = withOnChain(settles.get(claimId), x, sentHereOf(e, viewPool(e.state, now())));
      if (merged?.state === 'settled') settles.set(claimId, merged);
      return merged?.state === 'settled' ? merged : undefined;
    };
    const settled = seen();
    if (settled !== undefined) return settled;
    if (had?.state === 'settled') return had;
    const payload = buildClaimDecision(poolId, c);
    const s = payload === null ? null : settlementOf(c, payload);
    if (payload === null || s === null) return null;
    const sigs = await heldSignatures(e.state.messages.values(), c, domain, s, {
      contracts: p.contracts,
      chain: c.claim.snapshot.charter.settlement.chain,
    });
    const rank = rankOf(sigs, me);
    if (!submitNow && (rank < 0 || now() < turnAt(settleTurns(c), rank))) {
      // the rank grows as the other approvers' signatures arrive: the shown one follows it
      if (rank >= 0 && (had === undefined || (had.state === 'waiting' && had.rank !== rank)))
        settles.set(claimId, { ...had, state: 'waiting', rank });
      return settles.get(claimId) ?? null;
    }
    // The sender joins a send already under way for the key; the tick waits for its own turn.
    const key = `settle:${claimId}`;
    const mine = !sending.has(key);
    if (!mine && !submitNow) return settles.get(claimId) ?? null;
    if (mine) sending.add(key);
    try {
      // settlement.md#taking-turns rule 3: settled already at the latest block, or another approver's
      // transaction under way: nothing is sent this turn (a settle sent now would revert, gas spent).
      if (!submitNow) {
        const others = sigs.filter((_, i) => i !== rank).map((x) => x.signer);
        const before = await beforeTurn(
          v.client,
          async () => (await claimOnChain(v.client, v.vault, e.poolId, claimId)).settled,
          others,
        );
        if (before === 'seen') {
          await settlement?.sync();
          const won = seen() ?? { state: 'settled', rank };
          settles.set(claimId, won);
          return won;
        }
        if (before === 'pending') {
          const wait: SettleState = { state: 'waiting', code: 'VAULT_TX_PENDING', args: [], rank };
          settles.set(claimId, wait);
          return wait;
        }
      }
      const receipt = await v.sender.send({
        key: `settle:${e.poolId}:${claimId}:${c.round}`,
        to: v.vault,
        functionName: 'settle',
        args: [s, sigs],
        simulateAt: 'pending', // the vault judges the challenge window on the next block's time
      });
      const done: SettleState = {
        state: 'settled',
        hash: receipt.transactionHash,
        blockNumber: receipt.blockNumber.toString(),
        byThisNode: true,
        ...paidBy(receipt, claimId),
        rank,
      };
      settles.set(claimId, done);
      log?.info({ claimId, hash: receipt.transactionHash, rank }, 'claim settled on the vault');
      return done;
    } catch (error) {
      const err = error as { code?: string; args?: readonly unknown[] };
      const code = err.code ?? 'VAULT_RPC_UNAVAILABLE';
      const args = (err.args ?? []).map((a) => String(a));
      if (code === 'VAULT_CLAIM_SETTLED') {
        // another node won: not an error; its transaction is shown once the follower reads it
        await settlement?.sync();
        const won = seen();
        if (won !== undefined) return won;
      }
      const next: SettleState =
        code === 'VAULT_CLAIM_SETTLED'
          ? { state: 'settled', rank }
          : { state: SETTLE_WAITS.has(code) ? 'waiting' : 'refused', code, args, rank };
      settles.set(claimId, next);
      if (next.state === 'refused') log?.warn({ claimId, code, args }, 'the vault refused the settlement');
      return next;
    } finally {
      if (mine) sending.delete(key);
    }
  }

  /** Whether this node's sender for the pool's chain broadcast `hash` (any attempt in its journal). */
  const sentHereOf =
    (e: HeldPool, view: PoolView) =>
    (hash: Hex): boolean => {
      const sender = settlement?.vaultOf(e.poolId, view)?.sender;
      return (
        sender?.transactions().some((t) => t.attempts.some((a) => lower(a.hash) === lower(hash))) ?? false
      );
    };

  /**
   * This node's settle state of a claim with the follower's record merged in (settlement.md#settling-exactly-once
   * rule 4): `settled` as soon as the follower read `Settled`, not a tick later when the turn looks again;
   * `byThisNode` from the sender's journal, so a settle of this node's read before its send returned is its own.
   */
  const settleStateOf = (
    e: HeldPool,
    view: PoolView,
    claimId: string,
    onChainClaims: readonly OnChainClaim[] | undefined,
  ): SettleState | undefined => {
    const had = [...settles].find(([id]) => lower(id) === lower(claimId))?.[1];
    if (had === undefined) return undefined;
    return withOnChain(
      had,
      onChainClaims?.find((y) => lower(y.claimId) === lower(claimId)),
      sentHereOf(e, view),
    );
  };

  return {
    submit: submitSettlement,
    has: (claimId) => settles.has(claimId),
    stateOf: settleStateOf,
  };
}
