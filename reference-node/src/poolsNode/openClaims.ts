/**
 * Opening a claim on the vault (settlement.md#opening-a-claim): the claimant's node sends `openClaim`
 * once its claim is signed and stored, retrying what may pass later, and keeps the outcome of each
 * claim it filed (shown with the claim, and in the pool view even when refused: a claim whose open was
 * refused is on no vault log).
 */
import type { Hex } from 'viem';
import type { Logger } from '../logging/index.js';
import { type AdoptedCharter, viewPool } from '../pools/index.js';
import type { PoolSettlement } from './createPoolSettlement.js';
import type { HeldPool } from './submitSettlements.js';

/** This node's `openClaim` of one of its claims. */
export type OpenState = { state: 'opened' | 'pending' | 'refused'; hash?: Hex; code?: string };

export interface ClaimOpener {
  /** Opens the claim `claimId` this node filed under `snapshot` at `filedAt`; returns at once. */
  open(e: HeldPool, claimId: Hex, snapshot: AdoptedCharter, filedAt: number): void;
  /** The open of each claim this node filed, by claim id. */
  readonly opens: ReadonlyMap<string, OpenState>;
}

export function createClaimOpener(p: {
  now: () => number;
  /** How long a retry waits. */
  tickMs: number;
  /** The node's on-chain settlement; without it no claim is opened. */
  settlement: PoolSettlement | undefined;
  /** Whether the pool service still runs: no retry after it stopped. */
  running: () => boolean;
  /** The pool service's logger. */
  log?: Logger | undefined;
}): ClaimOpener {
  const { now, tickMs, settlement, running, log } = p;
  /** claimId → the claim's `openClaim` on the vault, for the claims this node filed. */
  const opens = new Map<string, OpenState>();

  /**
   * The claimant's node opens its claim on the vault once the claim is signed and stored
   * (settlement.md#opening-a-claim), simulated against the pending block (the next block's time is
   * the one the call will see: the latest block can be older than `filedAt`). A refusal is recorded
   * on the claim by its code; `VAULT_TOO_EARLY` (the chain's clock behind the node's), an RPC that
   * does not answer and a transaction still pending are retried, one attempt at a time, every tick
   * until the vault's hold would have ended.
   */
  function openOnChain(e: HeldPool, claimId: Hex, snapshot: AdoptedCharter, filedAt: number): void {
    const v = settlement?.vaultOf(e.poolId, viewPool(e.state, now()));
    if (v === undefined || v === null) return;
    const w = snapshot.charter.windows;
    const holdEnds = filedAt + w.votingMs + (2 * snapshot.charter.members.length + 1) * w.challengeMs;
    const attempt = async (): Promise<void> => {
      try {
        const receipt = await v.sender.send({
          key: `openClaim:${e.poolId}:${claimId}`,
          to: v.vault,
          functionName: 'openClaim',
          args: [e.poolId, claimId, BigInt(snapshot.epoch), BigInt(filedAt)],
          asMember: true,
          simulateAt: 'pending',
        });
        opens.set(claimId, { state: 'opened', hash: receipt.transactionHash });
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'VAULT_RPC_UNAVAILABLE';
        const again =
          code === 'VAULT_RPC_UNAVAILABLE' || code === 'VAULT_TX_PENDING' || code === 'VAULT_TOO_EARLY';
        opens.set(claimId, { state: again ? 'pending' : 'refused', code });
        log?.warn(
          { poolId: e.poolId, claimId, code },
          again ? 'claim not opened on the vault yet: retrying' : 'the vault refused to open the claim',
        );
        if (!again || !running() || now() > holdEnds) return;
        await new Promise<void>((resolve) => setTimeout(resolve, tickMs).unref?.());
        if (running()) return attempt();
      }
    };
    opens.set(claimId, { state: 'pending' });
    void attempt();
  }

  return { open: openOnChain, opens };
}
