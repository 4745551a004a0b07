/**
 * Releasing what the rate limit held back (settlement.md#releasing-held-back-payouts): once a claim is
 * settled with something unpaid, its approvers' nodes take turns (turns.ts) to call the vault's
 * `release(poolId, claimId)` at the start of each next rate window, until nothing is due. The pool
 * service drives the releaser from a background pass, as it does registrations.
 */
import type { Address, Client, Hex } from 'viem';
import { getBlock, simulateContract } from 'viem/actions';
import type { Logger } from '../logging/index.js';
import type { ClaimView, PoolView } from '../pools/index.js';
import { sfrVault, toVaultError } from '../settlement/index.js';
import type { PoolVault } from './createPoolSettlement.js';
import { approversOf, type OnChainClaim, paidBy } from './settleClaims.js';
import { beforeTurn, claimOnChain, rankOf, rankSigners, turnAt, turnsOf } from './turns.js';

/** What this node knows of a claim's held-back payout (the pool view's `onChain.claims[].release`). */
export type ReleaseState = {
  state: 'waiting' | 'done' | 'refused';
  /** Chain time (ms) from which the next tranche can be released: the start of a rate window. */
  nextReleaseAt?: number | undefined;
  /** This node's clock when it saw chain time reach `nextReleaseAt` (its turns count from there). */
  dueSeenAt?: number | undefined;
  /** What the vault held back when this node last looked (base units). */
  unpaid?: string;
  /** This node's last mined `release` and how many of its releases of the claim were mined. */
  hash?: Hex;
  released?: number;
  /** The vault's refusal (or why it waits): a VAULT_* code and its arguments. */
  code?: string;
  args?: string[];
  /** This node's rank among the round's approvers (0 releases first). */
  rank?: number;
};

/** Refusals that mean "not yet" (looked at again each pass). */
const RELEASE_WAITS = new Set(['VAULT_RPC_UNAVAILABLE', 'VAULT_TX_PENDING']);

const lower = (s: string) => s.toLowerCase();

/** Chain time: the latest block's timestamp, in ms (the clock the vault's rate windows run on). */
async function chainNow(client: Client): Promise<number> {
  return Number((await getBlock(client, { blockTag: 'latest' })).timestamp) * 1000;
}

/**
 * When the claim's next tranche can be released, by the vault's own answer at the latest block: due
 * now (the current window's start), `VAULT_RATE_LIMITED(room, nextWindowAt)`, or nothing due.
 */
async function nextRelease(
  vault: PoolVault,
  poolId: string,
  claimId: string,
  windowMs: number,
): Promise<{ at: number } | { nothingDue: true }> {
  try {
    await simulateContract(vault.client, {
      address: vault.vault,
      abi: sfrVault.abi,
      functionName: 'release',
      args: [poolId as Hex, claimId as Hex],
      account: (vault.sender.address ?? vault.vault) as Address,
    });
  } catch (error) {
    const e = toVaultError(error, 'release') as { code?: string; args?: readonly unknown[] };
    if (e.code === 'VAULT_RATE_LIMITED') return { at: Number(e.args![1]) };
    if (e.code === 'VAULT_NOTHING_DUE') return { nothingDue: true };
    throw e;
  }
  const now = await chainNow(vault.client);
  return { at: now - (now % windowMs) };
}

export interface PayoutReleaser {
  /** One pass over a pool's settled claims with something unpaid (the follower's `onChain.claims`). */
  tick(poolId: string, view: PoolView, vault: PoolVault, claims: readonly OnChainClaim[]): Promise<void>;
  /** This node's release state of a claim, if it looked at one. */
  stateOf(claimId: string): ReleaseState | undefined;
}

export function createPayoutReleaser(p: { me: string; now: () => number; logger?: Logger }): PayoutReleaser {
  const log = p.logger?.child({ component: 'settlement' });
  /** claimId (lower case) → state. */
  const states = new Map<string, ReleaseState>();

  async function release(poolId: string, c: ClaimView, vault: PoolVault): Promise<void> {
    const claimId = c.claim.claimId;
    const id = lower(claimId);
    const ranked = rankSigners(approversOf(c).map((signer) => ({ signer })));
    const rank = rankOf(ranked, p.me);
    if (rank < 0) return;
    const { charter } = c.claim.snapshot;
    let had = states.get(id);
    if (had?.state === 'done') return;
    if (had?.nextReleaseAt === undefined) {
      const [next, onChain] = await Promise.all([
        nextRelease(vault, poolId, claimId, charter.payoutRateLimit.windowMs),
        claimOnChain(vault.client, vault.vault, poolId, claimId),
      ]);
      had = {
        ...had,
        ...('nothingDue' in next ? { state: 'done' } : { state: 'waiting', nextReleaseAt: next.at }),
        unpaid: onChain.unpaid.toString(),
        rank,
      };
      states.set(id, had);
      if (had.state === 'done') return;
    }
    // Rank 0 once chain time reaches nextReleaseAt; rank r ≥ 1 challengeMs × r later on this node's
    // clock, counted from when it saw the chain get there (a chain's clock can jump, or stand still)
    if (had.dueSeenAt === undefined) {
      if ((await chainNow(vault.client)) < had.nextReleaseAt!) return;
      had = { ...had, dueSeenAt: p.now() };
      states.set(id, had);
    }
    if (p.now() < turnAt(turnsOf('release', had.dueSeenAt!, charter.windows.challengeMs), rank)) return;
    // settlement.md#taking-turns rule 3: this window's tranche released already, or a release under way
    const unpaidBefore = BigInt(had.unpaid ?? '0');
    const before = await beforeTurn(
      vault.client,
      async () => (await claimOnChain(vault.client, vault.vault, poolId, claimId)).unpaid < unpaidBefore,
      ranked.filter((_, i) => i !== rank).map((s) => s.signer),
    );
    if (before === 'seen') {
      states.set(id, { ...had, nextReleaseAt: undefined, dueSeenAt: undefined }); // the next window is read again
      return;
    }
    if (before === 'pending') return;
    const n =
      1 +
      vault.sender
        .transactions()
        .filter((t) => t.key.startsWith(`release:${poolId}:${claimId}:`) && t.state === 'mined').length;
    try {
      const receipt = await vault.sender.send({
        key: `release:${poolId}:${claimId}:${n}`,
        to: vault.vault,
        functionName: 'release',
        args: [poolId, claimId],
      });
      const { paid, remaining } = paidBy(receipt, claimId);
      const next: ReleaseState =
        remaining === '0'
          ? { state: 'done', unpaid: '0', hash: receipt.transactionHash, released: n, rank }
          : { state: 'waiting', unpaid: remaining, hash: receipt.transactionHash, released: n, rank };
      states.set(id, next);
      log?.info({ poolId, claimId, paid, remaining, hash: receipt.transactionHash, rank }, 'payout released');
    } catch (error) {
      const err = error as { code?: string; args?: readonly unknown[] };
      const code = err.code ?? 'VAULT_RPC_UNAVAILABLE';
      const args = (err.args ?? []).map((a) => String(a));
      if (code === 'VAULT_NOTHING_DUE')
        states.set(id, {
          ...had,
          state: 'done',
          unpaid: '0',
          nextReleaseAt: undefined,
          dueSeenAt: undefined,
        });
      else if (code === 'VAULT_RATE_LIMITED')
        states.set(id, { ...had, state: 'waiting', nextReleaseAt: Number(args[1]), dueSeenAt: undefined }); // another claim took the window's room
      else if (RELEASE_WAITS.has(code)) states.set(id, { ...had, state: 'waiting', code, args });
      else {
        if (had.code !== code) log?.warn({ poolId, claimId, code, args }, 'the vault refused the release');
        states.set(id, {
          ...had,
          state: 'refused',
          code,
          args,
          nextReleaseAt: undefined,
          dueSeenAt: undefined,
        });
      }
    }
  }

  return {
    async tick(poolId, view, vault, claims) {
      for (const x of claims) {
        if (x.settled === null || BigInt(x.unpaid) === 0n) {
          const had = states.get(lower(x.claimId));
          if (x.settled !== null && had !== undefined && had.state !== 'done')
            states.set(lower(x.claimId), {
              ...had,
              state: 'done',
              unpaid: '0',
              nextReleaseAt: undefined,
              dueSeenAt: undefined,
            });
          continue;
        }
        const c = view.claims.find((y) => lower(y.claim.claimId) === lower(x.claimId));
        if (c === undefined || c.decision?.outcome !== 'approved') continue;
        await release(poolId, c, vault).catch((err: unknown) =>
          log?.warn(
            { poolId, claimId: x.claimId, err: { message: (err as Error).message } },
            'payout not released',
          ),
        );
      }
    },
    stateOf: (claimId) => states.get(lower(claimId)),
  };
}
