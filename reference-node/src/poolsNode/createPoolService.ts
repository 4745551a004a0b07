/**
 * `createPoolService(params)`: the node side of shared insurance pools (spec/v1/pools.md). It joins
 * the configured pool topics, folds every accepted pool message into the pure pool state of
 * `../pools` (rebuilt from the store at start, so a restart loses nothing), attests automatically
 * by policy after re-deriving each cited evidence reference, queues the rest for a manual vote,
 * publishes the `ClaimDecision` of every closed round, and checks the decisions others publish.
 * A Startable: `start()` then `stop()`.
 */

import { isPoolId, isPoolScopedType, isRegisteredReasonCode } from '@sfr/schemas';
import type {
  ClaimAttestation,
  ClaimDecision,
  EvidenceRef,
  FundClaim,
  PoolCharter,
  PoolId,
} from '@sfr/schemas/types';
import { buildEquivocationEvidence, type Envelope, type Hex, lowerHex } from '../envelope/index.js';
import type { Logger } from '../logging/index.js';
import type { PublishOptions } from '../node/index.js';
import {
  admitPoolMessage,
  applyPoolMessage,
  type ClaimView,
  charterAt,
  createPoolState,
  createVerifiedPoolState,
  expectedDomainOf,
  type FeedRound,
  type MessageInput,
  type PoolMessage,
  type PoolState,
  type PoolView,
  readStoredPoolMessage,
  verifyClaimDecision,
  viewPool,
} from '../pools/index.js';
import { VaultError } from '../settlement/index.js';
import type { Store } from '../store/index.js';
import type { ContractSignatures } from '../validation/contractSignatures.js';
import type { OwnProtocolVerdict, ValidationOutcome, WireEnvelope } from '../validation/index.js';
import type { ValidationPipeline } from '../validation/pipeline.js';
import { createClaimAttester } from './attestClaims.js';
import type { AutoAttestPolicy, EvidenceCheck, EvidenceVerdict, QueueReason } from './chooseVerdict.js';
import {
  type CreatePoolSettlementParameters,
  createPoolSettlement,
  notFollowedOf,
  type PoolVault,
  type SettlementChain,
  vaultNotFollowed,
} from './createPoolSettlement.js';
import type { FoundingText } from './foundingOf.js';
import { buildNotice } from './giveNotice.js';
import type { DerivedLoss } from './judgeLoss.js';
import { createClaimOpener } from './openClaims.js';
import { PoolServiceError } from './poolServiceError.js';
import { createPoolViews } from './poolViews.js';
import { precheckClaim } from './precheckClaim.js';
import { createDecisionPublisher } from './publishDecisions.js';
import { createCharterRegistrar } from './registerCharters.js';
import { createPayoutReleaser } from './releasePayouts.js';
import { type OnChainClaim, type SettleState, vaultDomainOf } from './settleClaims.js';
import { createCharterSigner } from './signCharters.js';
import { createClaimSettler } from './submitSettlements.js';
import { type VerifyCharterMessagesReturnType, verifyCharterMessages } from './verifyCharterMessages.js';

/** [sfr] How often closed rounds are looked for (decisions are due at `closesAt`). */
export const DEFAULT_TICK_MS = 1_000;
/**
 * [sfr] Member k (in ascending address order) publishes a closed round's decision only after
 * `k × stagger` ms and only if nobody has yet: usually one decision message per claim, never none.
 */
export const DEFAULT_DECISION_STAGGER_MS = 750;
/** Page size when rebuilding from the store (the store's MAX_PAGE). */
const REBUILD_PAGE = 1000;

/** Re-derives one evidence reference from chain (an adapter's or the adapter host's `verifyEvidence`). */
export type VerifyEvidence = (ref: EvidenceRef) => Promise<EvidenceVerdict>;
/** Verifies one evidence reference and reads what it proves (the adapter host's `deriveLoss`). */
export type DeriveLoss = (
  ref: EvidenceRef,
) => Promise<{ ok: true; losses: DerivedLoss[] } | { ok: false; code: string }>;

/**
 * Reads a charter feed's rounds from chain (the adapter host's `readFeedRounds`,
 * pools.md#feed-rounds): those updated in `[from − lookbackMs, from)` and the carried round.
 */
export type ReadFeedRounds = (
  feed: { readonly chain: string; readonly feed: string },
  window: { readonly from: number; readonly lookbackMs: number },
) => Promise<{ ok: true; rounds: FeedRound[] } | { ok: false; code: string }>;

/** The part of the node the service uses (`SfrNode` has it). */
export interface PoolServiceNode {
  readonly member: string;
  readonly store: Store;
  joinPool(poolId: string): void;
  onAccepted(
    listener: (m: { readonly id: string; readonly envelope: unknown; readonly source: string }) => void,
  ): () => void;
  /** Registers the pool rules the node's type rules apply before a pool message is stored or relayed. */
  usePoolRules?(rules: (envelope: WireEnvelope, id: string, poolId: string) => ValidationOutcome): () => void;
  /**
   * The node's validation pipeline: an envelope given out of band (a charter file) passes its stateless
   * rules (envelope.md#verification: contract members' signatures asked of their contracts, rotated
   * keys) before it counts. Without it such an envelope's signature is checked by ecrecover alone.
   */
  readonly pipeline?: Pick<ValidationPipeline, 'check'>;
  /** A RecoveryEvent's own-protocol verdict on the announcements held now (messages.md#recoveryevent). */
  judgeOwnProtocol(event: { issuer: string; seq: number; protocol: unknown }): OwnProtocolVerdict;
  /** The node's one publish path; what it accepts reaches `onAccepted` before it resolves. */
  publish(
    type: string,
    payload: Record<string, unknown>,
    options?: PublishOptions,
  ): Promise<{ readonly messageId: string; readonly envelope: unknown }>;
  /** Asks every connected peer to catch up from this node now (p2p.md#sync-protocols). */
  nudgePeers?(): void;
}

export interface CreatePoolServiceParameters {
  readonly node: PoolServiceNode;
  /** `pools` of the node config: the pools this node takes part in. */
  readonly pools: readonly {
    readonly poolId: PoolId;
    /**
     * Signed charter envelopes known out of band (e.g. read from `charterFile`), used until gossip brings
     * them; each passes the node's pipeline first (`verifyCharterMessages`).
     */
    readonly charterMessages?: readonly MessageInput[];
  }[];
  /** Without it, every claim is queued for a manual vote. */
  readonly verifyEvidence?: VerifyEvidence;
  /**
   * Re-derives each reference's loss (pools.md#re-derivation); without it a claim that verifies
   * waits for a manual vote, since nothing caps the amount to approve.
   */
  readonly deriveLoss?: DeriveLoss;
  /**
   * Reads the charter feeds' rounds a token loss is valued by (pools.md#feed-rounds); without it, or
   * when a read fails, a claim with such a loss waits for a manual vote.
   */
  readonly readFeedRounds?: ReadFeedRounds;
  /** `policy.autoAttest` of the node config. */
  readonly policy?: AutoAttestPolicy;
  /**
   * `policy.coSignCharters` of the node config: members whose founding charter naming this member the
   * node signs on its own (pools.md#founding). Without it a founding text waits for the operator.
   */
  readonly coSignCharters?: readonly string[];
  /**
   * `policy.coSignNotices` of the node config: co-sign other members' notice-only amendments on its own
   * (pools.md#giving-notice). Default true; false leaves them to the operator.
   */
  readonly coSignNotices?: boolean;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly tickMs?: number;
  readonly decisionStaggerMs?: number;
  /**
   * On-chain settlement (settlement.md#client): the settlement chains this node reads and where the
   * vault followers keep their cursors. Without it pools decide without on-chain money.
   */
  readonly settlement?: {
    readonly chains: readonly SettlementChain[];
    readonly dir: string;
    /** Who sends vault transactions (settlement.md#sending); absent: this node follows vaults but sends nothing. */
    readonly sending?: NonNullable<CreatePoolSettlementParameters['sending']>;
    /** `pools[].vault` of the node config: where each pool's vault follower first reads (default block 0). */
    readonly fromBlocks?: NonNullable<CreatePoolSettlementParameters['fromBlocks']>;
    /**
     * The node's contract (ERC-1271) members (node.md#contract-members): their vault signatures count
     * when their contract accepts them (settlement.md#counting-vault-signatures).
     */
    readonly contracts?: ContractSignatures;
  };
}

/** A published ClaimDecision as this node judged it. */
export type DecisionCheck = {
  messageId: string;
  issuer: string;
  /** accept: it verifies and equals this node's own decision. */
  outcome: 'accept' | 'reject' | 'pending';
  code?: string;
};

export type ManualVote = {
  verdict: ClaimAttestation['verdict'];
  /** For `approve`: the amount (unit-asset base units); default the requested amount. */
  approvedAmount?: string;
  /** For `reject`: a registered reason code; default the first failed evidence code (required when none failed). */
  reasonCode?: string;
  note?: string;
};

/** A claim as the API and CLI show it: the conformance `decide` claim shape plus this node's part. */
export type ClaimSummary = Record<string, unknown> & {
  poolId: string;
  claimId: string;
  status: string;
  myVote: ClaimAttestation['verdict'] | null;
  /** Set while the claim waits for a manual vote here. */
  pendingVote: QueueReason | null;
  evidenceChecks: EvidenceCheck[] | null;
  /**
   * The cited RecoveryEvents this node's store lacks while it waits for them before attesting
   * (pools.md#re-derivation step 2); empty when it waits for none.
   */
  awaitingEvents: string[];
  publishedDecisions: DecisionCheck[];
};

/** What a caller of a write passes on to the node's publish path. */
export type WriteOptions = Pick<PublishOptions, 'onProposal'>;

export interface PoolService {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The pools joined (configured or signed here). */
  poolIds(): string[];
  /** The derived view of a pool at `now` (default the service clock). */
  view(poolId: string, now?: number): PoolView;
  /**
   * The view as JSON (integers as decimal strings): epochs, claims, equivocations, refusals, ledger,
   * and `onChain` (the vault's books beside the ledger, settlement.md#following-the-vault) when the
   * pool settles on a chain this node reads.
   */
  poolJson(poolId: string): Record<string, unknown>;
  /** Reads every followed vault up to its confirmed head (tests; the service also does it every tick). */
  syncVaults(): Promise<void>;
  /**
   * The pool's vault and this node's sending account on its chain (settlement.md#sending), for the
   * operations that move money (`deposit`, `withdraw`, `settle`); null when the pool settles on no
   * chain this node reads or the node was given no sending account.
   */
  vaultOf(poolId: string): PoolVault | null;
  /**
   * `vaultOf` for a request that moves money: throws `VAULT_NOT_FOLLOWED` (its argument: what the
   * node lacks to follow the pool's vault) or `VAULT_NO_SENDER` (it follows it but cannot send).
   */
  vaultFor(poolId: string): PoolVault;
  /**
   * Submits the claim's `settle` now (settlement.md#settling-exactly-once rule 5), whatever this
   * node's rank, with the approvers' signatures it holds: the entry point of `POST
   * /v1/pools/{poolId}/claims/{claimId}/settle`. Simulated first; a claim already settled on the
   * vault sends nothing and answers its settlement. Throws `CLAIM_UNKNOWN` (no such claim in the
   * pool), `VAULT_NOT_FOLLOWED` / `VAULT_NO_SENDER` (as `vaultFor`) and
   * `VAULT_NOT_SETTLEABLE` (not decided yet, or not approved above 0); a refusal of the vault is
   * the returned state's `code`.
   */
  settleNow(poolId: string, claimId: string): Promise<SettleState>;
  listClaims(filter?: { poolId?: string }): ClaimSummary[];
  getClaim(claimId: string): ClaimSummary | undefined;
  /** Signs a charter text as this member (founding or amendment); joins its pool; nudges the peers. */
  signCharter(charter: PoolCharter, options?: WriteOptions): Promise<{ messageId: Hex; envelope: Envelope }>;
  /**
   * Founds a pool (pools.md#founding): checks the text is a founding one (epoch 0) of a pool not yet
   * founded here, then signs it like `signCharter`; the other members' nodes co-sign by their policy.
   */
  foundPool(charter: PoolCharter, options?: WriteOptions): Promise<{ messageId: Hex; envelope: Envelope }>;
  /** Every founding text of a pool held here and who signed it (pools.md#founding); [] for a pool not held. */
  founding(poolId: string): FoundingText[];
  /**
   * Gives this member's notice (pools.md#giving-notice): signs the notice-only amendment of the last
   * adopted epoch setting its `leavingAt` (default the earliest allowed); the other members' nodes
   * co-sign it by their policy. Throws as `buildNotice`, signing nothing.
   */
  giveNotice(
    poolId: string,
    leavingAt?: number,
    options?: WriteOptions,
  ): Promise<{ messageId: Hex; envelope: Envelope }>;
  /** Checks a claim against the pool rules, then signs and publishes it. */
  fileClaim(claim: FundClaim, options?: WriteOptions): Promise<{ messageId: Hex; envelope: Envelope }>;
  /** A manual vote on a claim still attesting (a queued one, or any the member has not voted on). */
  vote(
    claimId: string,
    vote: ManualVote,
    options?: WriteOptions,
  ): Promise<{ messageId: Hex; envelope: Envelope }>;
  /** Resolves when the background work queued so far (attestations, decisions) is done (tests). */
  idle(): Promise<void>;
}

type PoolEntry = {
  poolId: PoolId;
  state: PoolState;
};

const lower = (s: string) => s.toLowerCase();

/** The pool of an EquivocationEvidence: that of its first embedded envelope. */
function evidencePool(env: Envelope): PoolId | undefined {
  if (env.type !== 'EquivocationEvidence') return undefined;
  const first = (env.payload as { first?: { scope?: { poolId?: unknown } } }).first;
  return isPoolId(first?.scope?.poolId) ? first.scope.poolId : undefined;
}

export function createPoolService(params: CreatePoolServiceParameters): PoolService {
  const log = params.logger?.child({ component: 'pools' });
  const now = params.now ?? Date.now;
  const me = lower(params.node.member);
  const tickMs = params.tickMs ?? DEFAULT_TICK_MS;
  const stagger = params.decisionStaggerMs ?? DEFAULT_DECISION_STAGGER_MS;
  const pools = new Map<string, PoolEntry>();
  /** claimId → why it waits for a manual vote. */
  const queued = new Map<string, QueueReason>();
  /** claimId → the evidence checks this node made. */
  const checks = new Map<string, EvidenceCheck[]>();
  /** claimId → the published decisions, judged. */
  const decisionChecks = new Map<string, Map<string, DecisionCheck>>();
  /** Claims being attested / decisions being published right now (no double work). */
  const busy = new Set<string>();
  /** Equivocations whose evidence is out (ours or another node's). */
  const gossiped = new Set<string>();
  let work: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setInterval> | undefined;
  let unsubscribe: (() => void) | undefined;
  let running = false;
  const settlement =
    params.settlement === undefined
      ? undefined
      : createPoolSettlement({
          ...params.settlement,
          views: () => [...pools.values()].map((e) => ({ poolId: e.poolId, view: viewPool(e.state, now()) })),
          ...(params.logger === undefined ? {} : { logger: params.logger }),
          tickMs,
        });

  const entryOf = (poolId: string): PoolEntry => {
    const e = pools.get(lower(poolId));
    if (e === undefined)
      throw new PoolServiceError('POOL_NOT_FOUNDED', `this node does not take part in pool ${poolId}`, {
        details: { poolId },
      });
    return e;
  };

  /** Joins a pool, with the out-of-band charter envelopes `verifyCharterMessages` read. */
  const addPool = (poolId: PoolId, charters?: VerifyCharterMessagesReturnType): PoolEntry => {
    const key = lowerHex(poolId);
    let e = pools.get(key);
    if (e === undefined) {
      e = {
        poolId: key,
        state: createVerifiedPoolState(charters?.messages ?? [], charters?.refused ?? []),
      };
      pools.set(key, e);
      params.node.joinPool(key);
    }
    return e;
  };

  const fold = (poolId: string, message: PoolMessage): void => {
    const e = pools.get(lower(poolId));
    if (e === undefined) return;
    e.state = applyPoolMessage(e.state, message);
  };

  /**
   * Publishes one pool message through the node. The node's accepted-message event folds it into the
   * pool state before this resolves; a refusal is a PoolServiceError with the pipeline's reason code.
   */
  const publish = async (
    type: 'PoolCharter' | 'FundClaim' | 'ClaimAttestation' | 'ClaimDecision' | 'EquivocationEvidence',
    payload: object,
    // The charter's domain, or null when it settles on no eip155 chain (pools.md#charter).
    { domain, ...options }: Omit<PublishOptions, 'domain'> & { domain?: PublishOptions['domain'] | null },
  ): Promise<{ messageId: Hex; envelope: Envelope }> => {
    try {
      const r = await params.node.publish(type, payload as Record<string, unknown>, {
        ...options,
        ...(domain ? { domain } : {}),
      });
      return { messageId: r.messageId as Hex, envelope: r.envelope as Envelope };
    } catch (error) {
      const e = error as { code?: string; details?: { code?: unknown } };
      const code = isRegisteredReasonCode(e.details?.code) ? e.details.code : e.code;
      if (!isRegisteredReasonCode(code)) throw error;
      throw new PoolServiceError(code, `own ${type} refused: ${code}`, {
        details: { ...(e.details ?? {}) },
        section: 'envelope.md#verification',
        cause: error,
      });
    }
  };

  const enqueue = (job: () => Promise<void>): void => {
    work = work.then(job).catch((err: unknown) => {
      log?.warn(
        { err: { message: (err as Error).message, code: (err as { code?: string }).code } },
        'pool job failed',
      );
    });
  };

  const claimViews = (e: PoolEntry, t = now()): { view: PoolView; claims: ClaimView[] } => {
    const view = viewPool(e.state, t);
    return { view, claims: view.claims };
  };

  const myVoteOn = (e: PoolEntry, claimId: string): ClaimAttestation['verdict'] | null => {
    for (const m of e.state.messages.values()) {
      if (m.envelope.type !== 'ClaimAttestation' || lower(m.envelope.issuer) !== me) continue;
      const p = m.envelope.payload as unknown as ClaimAttestation;
      if (p.claimId === claimId && p.round === 0) return p.verdict;
    }
    return null;
  };

  const isEligible = (c: ClaimView, t: number): boolean => {
    if (lower(c.claim.claimant) === me) return false;
    const m = c.claim.snapshot.charter.members.find((x) => lower(x.member) === me);
    return m !== undefined && (m.leavingAt === undefined || m.leavingAt > c.claim.filedAt) && c.closesAt >= t;
  };

  const domainFor = (e: PoolEntry, t: number) => {
    const adopted = charterAt(viewPool(e.state, t).charters, t);
    return adopted === null ? null : { adopted, domain: expectedDomainOf(adopted.charter) };
  };

  /** Attests the claims received, and waits for their cited events (pools.md#re-derivation). */
  const attester = createClaimAttester({
    params,
    now,
    pools,
    claimViews,
    isEligible,
    myVoteOn,
    publish,
    enqueue,
    running: () => running,
    busy,
    queued,
    checks,
    log,
  });

  /** Judges a published decision: `verifyClaimDecision` from the decision alone, then against our own. */
  function judgeDecision(e: PoolEntry, m: PoolMessage, view: PoolView = viewPool(e.state, now())): void {
    const d = m.envelope.payload as unknown as ClaimDecision;
    const map = decisionChecks.get(d.claimId) ?? new Map<string, DecisionCheck>();
    decisionChecks.set(d.claimId, map);
    const record = (outcome: DecisionCheck['outcome'], code?: string) => {
      map.set(m.messageId, {
        messageId: m.messageId,
        issuer: lower(m.envelope.issuer),
        outcome,
        ...(code === undefined ? {} : { code }),
      });
      if (outcome === 'reject')
        log?.warn({ messageId: m.messageId, claimId: d.claimId, code }, 'decision refused');
    };
    const claim = view.claims.find((c) => c.claim.claimId === d.claimId);
    if (claim === undefined) {
      record('reject', 'CLAIM_UNKNOWN');
      return;
    }
    const v = verifyClaimDecision(d, {
      charter: claim.claim.snapshot.charter,
      claim: claim.claim.message.envelope,
      held: e.state.messages, // a contract member's attestation verifies as the message held here
    });
    const refusal = view.refused.find((r) => r.messageId === m.messageId);
    if (v.outcome === 'reject') record('reject', v.code);
    else if (refusal?.code === 'CLAIM_DECISION_NOT_CLOSED') record('pending', refusal.code);
    else if (refusal !== undefined) record('reject', refusal.code);
    else record('accept');
  }

  /**
   * Gossips the evidence of every equivocation the view holds that no EquivocationEvidence message
   * carries yet (pools.md#equivocation: nodes MUST keep the two envelopes and gossip them).
   */
  async function publishEquivocations(e: PoolEntry, view: PoolView): Promise<void> {
    for (const q of view.equivocations) {
      const key = `equivocation:${q.first.messageId}:${q.second.messageId}`;
      if (busy.has(key) || gossiped.has(key)) continue;
      const known = [...e.state.messages.values()].some((m) => {
        if (m.envelope.type !== 'EquivocationEvidence') return false;
        const p = m.envelope.payload as { offender?: string };
        return lower(p.offender ?? '') === lower(q.offender);
      });
      if (known) {
        gossiped.add(key);
        continue;
      }
      const payload = buildEquivocationEvidence(q.first, q.second);
      if (payload === null) continue;
      busy.add(key);
      try {
        const r = await publish('EquivocationEvidence', payload, {});
        gossiped.add(key);
        log?.warn(
          { offender: q.offender, claimId: q.claimId, messageId: r.messageId },
          'equivocation evidence gossiped',
        );
      } finally {
        busy.delete(key);
      }
    }
  }

  /** The member's own key, when it can sign for the vault (an EOA member whose node holds its key). */
  const vaultSigner =
    params.settlement?.sending?.account != null &&
    lower(params.settlement.sending.account.address) === lower(params.settlement.sending.member)
      ? params.settlement.sending.account
      : null;
  /**
   * A contract member's node (node.md#multisig-members rule 11): its owners sign the vault structs, each
   * through a two-step proposal, since the node holds no key.
   */
  const vaultThroughOwners = vaultSigner === null && params.settlement?.contracts?.isContract(me) === true;
  /** Whether its owners sign for a vault on `chain`: only their contract's own chain can count it. */
  const ownersSignOn = (chain: string): boolean =>
    vaultThroughOwners && params.settlement?.contracts?.chainOf(me) === chain;
  /** Submits `settle` in turns (settlement.md#settling-exactly-once). */
  const settler = createClaimSettler({ me, now, settlement, contracts: params.settlement?.contracts, log });
  /** Publishes the decisions of decided claims, the signed one first, and takes the `settle` turns. */
  const decisions = createDecisionPublisher({
    me,
    stagger,
    publish,
    settler,
    vaultSigner,
    ownersSignOn,
    log,
  });
  /** Opens the claims this node files on the vault (settlement.md#opening-a-claim). */
  const opener = createClaimOpener({ now, tickMs, settlement, running: () => running, log });

  /** Registers each adopted epoch on the vault when this node's turn comes (settlement.md#registering-on-adoption). */
  const registrar =
    settlement === undefined
      ? null
      : createCharterRegistrar({
          me,
          settlement,
          contracts: params.settlement?.contracts,
          now,
          ...(params.logger ? { logger: params.logger } : {}),
        });
  /** Releases what the rate limit held back of a settled payout, in turns (settlement.md#releasing-held-back-payouts). */
  const releaser =
    settlement === undefined
      ? null
      : createPayoutReleaser({ me, now, ...(params.logger ? { logger: params.logger } : {}) });
  async function registerAdopted(): Promise<void> {
    for (const e of pools.values()) {
      const view = viewPool(e.state, now());
      await registrar
        ?.tick(e.poolId, view, (id) => e.state.messages.get(id) ?? e.state.charterMessages.get(id))
        .catch((err: unknown) =>
          log?.warn({ poolId: e.poolId, err: { message: (err as Error).message } }, 'charter not registered'),
        );
      const v = view.charters.length === 0 ? null : (settlement?.vaultOf(e.poolId, view) ?? null);
      const claims = (settlement?.onChainOf(e.poolId, view) as { claims?: OnChainClaim[] } | null)?.claims;
      if (releaser !== null && v !== null && claims !== undefined)
        await releaser.tick(e.poolId, view, v, claims);
    }
  }

  /**
   * One registration pass at a time, outside the tick's queue: a registration waiting to be mined (an
   * unfunded sending account, a slow chain) must not hold up attestations and decisions
   * (settlement.md#registering-on-adoption step 3).
   */
  let registering: Promise<void> | null = null;
  function registerInBackground(): void {
    if (registrar === null || registering !== null || !running) return;
    registering = registerAdopted().finally(() => {
      registering = null;
    });
  }

  /** Publishes the decisions of closed rounds nobody has published yet (staggered by member rank). */
  async function publishDecisions(): Promise<void> {
    const t = now();
    for (const e of pools.values()) {
      const view = viewPool(e.state, t);
      if (view.poolId === null) continue;
      await publishEquivocations(e, view).catch((err: unknown) =>
        log?.warn({ err: { message: (err as Error).message } }, 'equivocation evidence not gossiped'),
      );
      for (const c of view.claims) {
        // Re-judge decisions that arrived before the round closed here.
        for (const dc of decisionChecks.get(c.claim.claimId)?.values() ?? [])
          if (dc.outcome === 'pending') {
            const m = e.state.messages.get(dc.messageId as Hex);
            if (m !== undefined) judgeDecision(e, m);
          }
        if (c.decision === null) continue;
        queued.delete(c.claim.claimId);
        await decisions.onDecided(e, view.poolId, c, t);
      }
    }
  }

  /** Founding and co-signing (pools.md#founding, #giving-notice). */
  const charters = createCharterSigner({
    params,
    me,
    now,
    pools,
    addPool,
    rebuild,
    publish,
    vaultSigner,
    ownersSignOn,
    busy,
    log,
  });
  /** What the API and the CLI read. */
  const views = createPoolViews({
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
  });

  function react(poolId: string, m: PoolMessage): void {
    const type = m.envelope.type;
    if (type === 'PoolCharter' && charters.namesMe(m.envelope)) enqueue(() => charters.coSign(lower(poolId)));
    if (type === 'PoolCharter' && (m.envelope.payload as { epoch?: unknown }).epoch !== 0) {
      enqueue(() => charters.coSignNotice(lower(poolId)));
      enqueue(() => charters.giveNoticeAgain(lower(poolId)));
    }
    if (type === 'FundClaim') enqueue(() => attester.attest(poolId, m.messageId));
    else if (type === 'ClaimDecision') {
      const e = pools.get(lower(poolId));
      if (e !== undefined) judgeDecision(e, m);
    }
  }

  /** Pools whose founding charter text in the store lists this member. */
  async function foundingPoolsInStore(): Promise<Set<PoolId>> {
    const out = new Set<PoolId>();
    let after = 0;
    for (;;) {
      const r = await params.node.store.queryMessages({ type: 'PoolCharter', after, limit: REBUILD_PAGE });
      if (!r.ok) throw new PoolServiceError(r.code, r.detail);
      for (const s of r.messages) {
        const read = readStoredPoolMessage(s.wire);
        if (read.ok && charters.namesMe(read.message.envelope))
          out.add(lowerHex((read.message.envelope.payload as unknown as PoolCharter).poolId));
      }
      if (r.nextCursor === null) break;
      after = r.nextCursor;
    }
    return out;
  }

  async function rebuild(e: PoolEntry): Promise<number> {
    let after = 0;
    let n = 0;
    for (;;) {
      const r = await params.node.store.queryMessages({ poolId: e.poolId, after, limit: REBUILD_PAGE });
      if (!r.ok) throw new PoolServiceError(r.code, r.detail);
      for (const s of r.messages) {
        const read = readStoredPoolMessage(s.wire);
        if (read.ok) {
          e.state = applyPoolMessage(e.state, read.message);
          n++;
        } else log?.warn({ id: s.id, code: read.refusal.code }, 'stored pool message unreadable: left out');
      }
      if (r.nextCursor === null) break;
      after = r.nextCursor;
    }
    // EquivocationEvidence is not pool-scoped on the wire: take the ones about this pool.
    after = 0;
    for (;;) {
      const r = await params.node.store.queryMessages({
        type: 'EquivocationEvidence',
        after,
        limit: REBUILD_PAGE,
      });
      if (!r.ok) throw new PoolServiceError(r.code, r.detail);
      for (const s of r.messages) {
        const read = readStoredPoolMessage(s.wire);
        if (read.ok && lower(evidencePool(read.message.envelope) ?? '') === e.poolId) {
          e.state = applyPoolMessage(e.state, read.message);
          n++;
        }
      }
      if (r.nextCursor === null) break;
      after = r.nextCursor;
    }
    return n;
  }

  const service: PoolService = {
    async start() {
      if (running) return;
      running = true;
      for (const p of params.pools) {
        // Out of band, these never passed the node's verification: its pipeline checks them now.
        const charters = await verifyCharterMessages(p.charterMessages ?? [], params.node.pipeline);
        for (const r of charters.refused)
          log?.warn(
            { poolId: p.poolId, messageId: r.messageId, code: r.code },
            'charter file envelope left out',
          );
        addPool(p.poolId, charters);
      }
      // pools.md#founding: the pools whose founding text in the store lists this member.
      for (const poolId of await foundingPoolsInStore()) addPool(poolId);
      // pools.md#gossip-admission: the node judges each pool message against the pool as held here.
      const noPool = createPoolState([]);
      const stopRules = params.node.usePoolRules?.((envelope, id, poolId) =>
        admitPoolMessage(
          pools.get(lower(poolId))?.state ?? noPool,
          { envelope: envelope as unknown as Envelope, messageId: id as Hex },
          now(),
        ),
      );
      const stopFeed = params.node.onAccepted((a) => {
        const env = a.envelope as Envelope;
        // Queued behind any attestation in flight, so a claim it marks as waiting is seen here.
        if (env.type === 'RecoveryEvent') enqueue(() => attester.rejudgeAwaiting(lower(a.id)));
        const poolId = env.scope?.poolId ?? evidencePool(env);
        if (poolId !== undefined && !pools.has(lower(poolId)) && charters.namesMe(env)) {
          enqueue(() => charters.takePart(poolId));
          return;
        }
        if (
          poolId === undefined ||
          !(isPoolScopedType(env.type) || env.type === 'EquivocationEvidence') ||
          !pools.has(lower(poolId))
        )
          return;
        const m: PoolMessage = { envelope: env, messageId: a.id as Hex };
        fold(poolId, m);
        react(poolId, m);
      });
      unsubscribe = () => {
        stopFeed();
        stopRules?.();
      };
      let total = 0;
      for (const e of pools.values()) total += await rebuild(e);
      // Claims that arrived while the node was down, or before a restart finished attesting.
      for (const e of pools.values()) {
        const t = now();
        enqueue(() => charters.coSignNotice(e.poolId)); // a notice given while this node was down
        enqueue(() => charters.giveNoticeAgain(e.poolId)); // its own notice superseded while it was down
        const { view, claims } = claimViews(e, t);
        for (const c of claims)
          if (c.status === 'attesting') enqueue(() => attester.attest(e.poolId, c.claim.claimId));
        // Each held decision judged once against that one view of the pool (it was judged once per claim,
        // each time deriving the pool again: claims × decisions derivations, 45 s for 200 messages).
        for (const m of e.state.messages.values())
          if (m.envelope.type === 'ClaimDecision') judgeDecision(e, m, view);
      }
      timer = setInterval(
        () =>
          enqueue(async () => {
            await attester.rejudgeAwaiting();
            await publishDecisions();
            registerInBackground();
          }),
        tickMs,
      );
      timer.unref?.();
      settlement?.start();
      log?.info({ pools: pools.size, rebuilt: total }, 'pool service started');
    },
    async stop() {
      if (!running) return;
      running = false;
      if (timer !== undefined) clearInterval(timer);
      attester.stop();
      unsubscribe?.();
      await settlement?.stop(); // ends the senders' waits, so the queue and a registration pass finish
      await work;
      await registering;
    },
    poolIds: () => [...pools.keys()],
    view: (poolId, t) => viewPool(entryOf(poolId).state, t ?? now()),
    poolJson: (poolId) => views.poolJson(poolId),
    syncVaults: async () => settlement?.sync(),
    async settleNow(poolId, claimId) {
      const e = entryOf(poolId);
      const view = viewPool(e.state, now());
      const c = view.claims.find((x) => lower(x.claim.claimId) === lower(claimId));
      if (c === undefined || view.poolId === null)
        throw new PoolServiceError('CLAIM_UNKNOWN', `no admitted claim ${claimId} in pool ${e.poolId}`);
      if (settlement === undefined) throw notFollowedOf(view);
      settlement.vaultFor(e.poolId, view);
      if (vaultDomainOf(c) === null)
        throw vaultNotFollowed('a claim filed under a charter that settles at a vault on an eip155 chain');
      const r = c.decision === null ? null : await settler.submit(e, view.poolId, c, true);
      if (r === null)
        throw new VaultError(
          'VAULT_NOT_SETTLEABLE',
          c.decision === null
            ? `claim ${claimId} is not decided yet (its round closes at ${new Date(c.closesAt).toISOString()})`
            : `claim ${claimId} was not approved for an amount above 0: nothing to settle`,
          { section: 'settling-exactly-once', args: c.decision === null ? [c.closesAt] : [] },
        );
      return r;
    },
    vaultFor(poolId) {
      const e = entryOf(poolId);
      const view = viewPool(e.state, now());
      if (settlement === undefined) throw notFollowedOf(view);
      return settlement.vaultFor(e.poolId, view);
    },
    vaultOf(poolId) {
      const e = entryOf(poolId);
      return settlement?.vaultOf(e.poolId, viewPool(e.state, now())) ?? null;
    },
    listClaims: (filter) => views.listClaims(filter),
    getClaim: (claimId) => views.getClaim(claimId),
    signCharter: (charter, options) => charters.signCharter(charter, options),
    foundPool: (charter, options) => charters.foundPool(charter, options),
    async giveNotice(poolId, leavingAt, options = {}) {
      const e = entryOf(poolId);
      return service.signCharter(buildNotice(viewPool(e.state, now()), me, now(), leavingAt), options);
    },
    founding: (poolId) => views.founding(poolId),
    async fileClaim(claim, options = {}) {
      const e = entryOf(claim.poolId);
      const t = now();
      const at = domainFor(e, t);
      if (at === null)
        throw new PoolServiceError('CLAIM_POOL_NOT_ACTIVE', 'no charter of this pool is in force now', {
          details: { poolId: claim.poolId },
          section: 'pools.md#filing',
        });
      // The pool rules, judged before signing: a refusal here is one every node would make.
      const refusal = precheckClaim(viewPool(e.state, t), at.adopted, claim, me, t);
      if (refusal !== null)
        throw new PoolServiceError(refusal, `the pool rules refuse this claim: ${refusal}`, {
          section: 'pools.md#filing',
        });
      const r = await publish('FundClaim', claim, {
        ...options,
        scope: { poolId: e.poolId, epoch: at.adopted.epoch },
        domain: at.domain,
      });
      opener.open(e, r.messageId, at.adopted, r.envelope.issuedAt);
      return r;
    },
    async vote(claimId, v, options = {}) {
      // pools.md#attesting: a vote by hand that meets this node's automatic judgement of the claim in
      // flight (evidence read from chain, slow under load) waits for it, then is answered as any vote:
      // CLAIM_DUPLICATE_VOTE only if the judgement voted. From here to `busy.add` nothing awaits.
      await attester.judgementOf(claimId);
      let found: { e: PoolEntry; c: ClaimView } | undefined;
      const t = now();
      for (const e of pools.values()) {
        const c = claimViews(e, t).claims.find((x) => x.claim.claimId === claimId);
        if (c !== undefined) found = { e, c };
      }
      if (found === undefined)
        throw new PoolServiceError('CLAIM_UNKNOWN', 'no admitted claim has this id', {
          details: { claimId },
        });
      const { e, c } = found;
      if (lower(c.claim.claimant) === me)
        throw new PoolServiceError(
          'CLAIM_ATTESTER_IS_CLAIMANT',
          'the claimant does not vote on its own claim',
          {
            section: 'pools.md#attesting',
          },
        );
      if (!c.claim.snapshot.charter.members.some((x) => lower(x.member) === me))
        throw new PoolServiceError('CLAIM_ATTESTER_NOT_MEMBER', 'this member is not eligible on the claim', {
          section: 'pools.md#attesting',
        });
      if (c.status !== 'attesting')
        throw new PoolServiceError('CLAIM_VOTE_LATE', `the round is closed (${c.status})`, {
          details: { closesAt: c.closesAt },
          section: 'pools.md#timing',
        });
      if (myVoteOn(e, claimId) !== null || busy.has(claimId))
        throw new PoolServiceError('CLAIM_DUPLICATE_VOTE', 'this member has already voted on this claim', {
          section: 'pools.md#attesting',
        });
      const reasonCode = v.reasonCode ?? (checks.get(claimId) ?? []).find((x) => x.code !== undefined)?.code;
      if (v.verdict === 'reject' && reasonCode === undefined)
        throw new PoolServiceError(
          'POOL_INPUT_INVALID',
          'a reject needs a reasonCode (no evidence check failed here)',
          {
            section: 'pools.md#attesting',
          },
        );
      busy.add(claimId);
      try {
        return await attester.publishAttestation(
          e,
          c,
          v.verdict,
          {
            ...(v.approvedAmount === undefined ? {} : { approvedAmount: BigInt(v.approvedAmount) }),
            ...(reasonCode === undefined ? {} : { reasonCode }),
            ...(v.note === undefined ? {} : { note: v.note }),
          },
          options,
        );
      } finally {
        busy.delete(claimId);
      }
    },
    async idle() {
      let seen: Promise<void> | undefined;
      while (seen !== work) {
        seen = work;
        await work;
      }
    },
  };
  return service;
}
