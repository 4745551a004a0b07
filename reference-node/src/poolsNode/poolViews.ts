/**
 * The pool service's views (what the API and the CLI read): a pool as JSON with its founding texts,
 * notices and on-chain books, each claim with this node's part in it (its vote, the manual-vote queue,
 * the evidence checks, the events it waits for, the decisions judged, its open and settle on the
 * vault), and a pool's founding texts.
 */
import type { ClaimAttestation } from '@sfr/schemas/types';
import {
  type ClaimView,
  type PoolView,
  serializeClaim,
  serializePoolView,
  viewPool,
} from '../pools/index.js';
import type { ClaimAttester } from './attestClaims.js';
import type { EvidenceCheck, QueueReason } from './chooseVerdict.js';
import type { ClaimSummary, DecisionCheck, PoolService } from './createPoolService.js';
import type { PoolSettlement } from './createPoolSettlement.js';
import { foundingOf } from './foundingOf.js';
import { noticesOf } from './giveNotice.js';
import type { ClaimOpener } from './openClaims.js';
import type { CharterRegistrar } from './registerCharters.js';
import type { PayoutReleaser } from './releasePayouts.js';
import type { OnChainClaim } from './settleClaims.js';
import type { ClaimSettler, HeldPool } from './submitSettlements.js';

type PoolEntry = HeldPool;

const lower = (s: string) => s.toLowerCase();

export type PoolViews = Pick<PoolService, 'poolJson' | 'listClaims' | 'getClaim' | 'founding'>;

export function createPoolViews(p: {
  now: () => number;
  /** The pools this node takes part in, by lower-case pool id. */
  pools: ReadonlyMap<string, PoolEntry>;
  /** The pool's entry, or POOL_NOT_FOUNDED. */
  entryOf: (poolId: string) => PoolEntry;
  claimViews: (e: PoolEntry, t?: number) => { view: PoolView; claims: ClaimView[] };
  myVoteOn: (e: PoolEntry, claimId: string) => ClaimAttestation['verdict'] | null;
  /** claimId → why it waits for a manual vote (the service's). */
  queued: ReadonlyMap<string, QueueReason>;
  /** claimId → the evidence checks this node made (the service's). */
  checks: ReadonlyMap<string, EvidenceCheck[]>;
  /** claimId → the published decisions, judged (the service's). */
  decisionChecks: ReadonlyMap<string, ReadonlyMap<string, DecisionCheck>>;
  attester: Pick<ClaimAttester, 'awaitingOf'>;
  settlement: PoolSettlement | undefined;
  settler: Pick<ClaimSettler, 'has' | 'stateOf'>;
  opener: Pick<ClaimOpener, 'opens'>;
  registrar: Pick<CharterRegistrar, 'statesOf'> | null;
  releaser: Pick<PayoutReleaser, 'stateOf'> | null;
}): PoolViews {
  const {
    now,
    pools,
    entryOf,
    claimViews,
    myVoteOn,
    queued,
    checks,
    decisionChecks,
    attester,
    settlement,
    settler,
    opener,
    registrar,
    releaser,
  } = p;

  /** The claims the follower read on the pool's vault (undefined when the node follows none). */
  const onChainClaimsOf = (e: PoolEntry, view: PoolView): readonly OnChainClaim[] | undefined =>
    (settlement?.onChainOf(e.poolId, view) as { claims?: OnChainClaim[] } | null | undefined)?.claims;

  const summarize = (
    e: PoolEntry,
    view: PoolView,
    c: ClaimView,
    onChainClaims: readonly OnChainClaim[] | undefined,
  ): ClaimSummary => ({
    poolId: e.poolId,
    ...serializeClaim(c),
    claimId: c.claim.claimId,
    status: c.status,
    myVote: myVoteOn(e, c.claim.claimId),
    pendingVote: c.status === 'attesting' ? (queued.get(c.claim.claimId) ?? null) : null,
    evidenceChecks: checks.get(c.claim.claimId) ?? null,
    awaitingEvents: attester.awaitingOf(c.claim.claimId),
    publishedDecisions: [...(decisionChecks.get(c.claim.claimId)?.values() ?? [])].sort((a, b) =>
      a.messageId < b.messageId ? -1 : 1,
    ),
    ...(opener.opens.has(c.claim.claimId) ? { vaultOpen: opener.opens.get(c.claim.claimId) } : {}),
    ...(settler.has(c.claim.claimId)
      ? { vaultSettle: settler.stateOf(e, view, c.claim.claimId, onChainClaims) }
      : {}),
  });

  return {
    poolJson(poolId) {
      const e = entryOf(poolId);
      const view = viewPool(e.state, now());
      const onChain = settlement?.onChainOf(e.poolId, view) ?? null;
      // pools.md#founding: every founding text held and each member's signature of it.
      const founding = foundingOf(e.state.messages.values(), e.poolId).map((t) => ({
        payloadHash: t.payloadHash,
        complete: t.complete,
        members: t.members,
      }));
      if (onChain !== null && Array.isArray(onChain['claims']))
        onChain['claims'] = (onChain['claims'] as { claimId: string }[]).map((x) => {
          const mine = settler.stateOf(e, view, x.claimId, onChain['claims'] as OnChainClaim[]);
          const release = releaser?.stateOf(x.claimId);
          return {
            ...x,
            ...(mine === undefined ? {} : { submission: mine }),
            ...(release === undefined ? {} : { release }),
          };
        });
      if (onChain !== null && registrar !== null) onChain['registrations'] = registrar.statesOf(e.poolId);
      // settlement.md#opening-a-claim rule 3: this node's opens of its own claims, the refused ones included
      // (a claim whose open was refused is on no vault log, so the follower's claims cannot show it).
      if (onChain !== null) {
        const inPool = new Set(view.claims.map((c) => lower(c.claim.claimId)));
        onChain['opens'] = [...opener.opens]
          .filter(([id]) => inPool.has(lower(id)))
          .map(([claimId, o]) => ({ claimId, ...o }));
      }
      // pools.md#giving-notice: the next epoch's amendments read as notices, and the adopted notices.
      const notices = noticesOf(e.state.messages.values(), view).map(({ charter: _c, ...n }) => n);
      return { ...serializePoolView(view), founding, notices, ...(onChain === null ? {} : { onChain }) };
    },
    listClaims(filter = {}) {
      const out: ClaimSummary[] = [];
      const t = now();
      for (const e of pools.values()) {
        if (filter.poolId !== undefined && e.poolId !== lower(filter.poolId)) continue;
        const { view, claims } = claimViews(e, t);
        if (claims.length === 0) continue;
        const onChainClaims = onChainClaimsOf(e, view);
        for (const c of claims) out.push(summarize(e, view, c, onChainClaims));
      }
      return out.sort(
        (a, b) => Number(a['filedAt']) - Number(b['filedAt']) || (a.claimId < b.claimId ? -1 : 1),
      );
    },
    getClaim(claimId) {
      const t = now();
      for (const e of pools.values()) {
        const { view, claims } = claimViews(e, t);
        const c = claims.find((x) => x.claim.claimId === claimId);
        if (c !== undefined) return summarize(e, view, c, onChainClaimsOf(e, view));
      }
      return undefined;
    },
    founding: (poolId) => {
      const e = pools.get(lower(poolId));
      return e === undefined ? [] : foundingOf(e.state.messages.values(), e.poolId);
    },
  };
}
