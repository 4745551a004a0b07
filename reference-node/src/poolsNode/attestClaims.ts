/**
 * Attesting claims (pools.md#attesting, #re-derivation): the node re-derives each cited evidence
 * reference through its adapters, reads the charter feeds' rounds, looks the cited RecoveryEvents up in
 * its store, and attests automatically by policy (chooseVerdict), or queues the claim for a manual
 * vote. A claim citing an event its store lacks waits for it until the round is about to close
 * (step 2), re-judged when a cited event is accepted and at `refusableAt` itself. The pool service
 * calls `attest` for each claim it receives, `rejudgeAwaiting` on its tick and on each accepted
 * RecoveryEvent, and `publishAttestation` for a manual vote.
 */
import type { ClaimAttestation, EvidenceRef, FundClaim, PoolCharter } from '@sfr/schemas/types';
import { type Envelope, type Hex, retractedIdOf } from '../envelope/index.js';
import type { Logger } from '../logging/index.js';
import type { PublishOptions } from '../node/index.js';
import { type ClaimView, expectedDomainOf, type FeedRound, feedKey, type PoolView } from '../pools/index.js';
import {
  chooseVerdict,
  type EvidenceCheck,
  type EvidenceVerdict,
  evidenceCheckOf,
  type QueueReason,
} from './chooseVerdict.js';
import type { CreatePoolServiceParameters, VerifyEvidence, WriteOptions } from './createPoolService.js';
import {
  type CitedRecoveryEvent,
  DERIVATION_EXTENSION,
  type DerivedLoss,
  feedsToRead,
  type JudgeLossReturnType,
  judgeLoss,
  missingEventRefusableAt,
} from './judgeLoss.js';
import type { HeldPool } from './submitSettlements.js';

type PoolEntry = HeldPool;

/** The longest delay setTimeout takes (2^31 − 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

const lower = (s: string) => s.toLowerCase();

/** The pool service's publish path for an attestation (a refusal is a PoolServiceError). */
export type PublishAttestation = (
  type: 'ClaimAttestation',
  payload: object,
  options: Omit<PublishOptions, 'domain'> & { domain?: PublishOptions['domain'] | null },
) => Promise<{ messageId: Hex; envelope: Envelope }>;

export interface ClaimAttester {
  /** Automatic attestation of one claim (persist-then-sign through the publisher). */
  attest(poolId: string, claimId: string): Promise<void>;
  /** Signs and publishes this member's vote on the claim (automatic or manual). */
  publishAttestation(
    e: PoolEntry,
    c: ClaimView,
    verdict: ClaimAttestation['verdict'],
    extra: { approvedAmount?: bigint; reasonCode?: string; note?: string },
    options?: WriteOptions,
  ): Promise<{ messageId: Hex; envelope: Envelope }>;
  /**
   * Re-judges the claims waiting for cited RecoveryEvents: those citing `acceptedId` (an event just
   * accepted), or, without it, those whose round is about to close (then refused if still missing).
   */
  rejudgeAwaiting(acceptedId?: string): Promise<void>;
  /** The cited RecoveryEvent ids the claim waits for here (empty when it waits for none). */
  awaitingOf(claimId: string): string[];
  /**
   * Resolves once this node's automatic judgement of the claim in flight (if any) has ended: it may
   * have voted, queued the claim for a manual vote or found nothing to do (pools.md#attesting).
   */
  judgementOf(claimId: string): Promise<void>;
  /** Clears the wake at `refusableAt` (the service stops). */
  stop(): void;
}

export function createClaimAttester(p: {
  params: Pick<
    CreatePoolServiceParameters,
    'node' | 'verifyEvidence' | 'deriveLoss' | 'readFeedRounds' | 'policy'
  >;
  now: () => number;
  /** The pools this node takes part in, by lower-case pool id. */
  pools: ReadonlyMap<string, PoolEntry>;
  claimViews: (e: PoolEntry, t?: number) => { view: PoolView; claims: ClaimView[] };
  isEligible: (c: ClaimView, t: number) => boolean;
  myVoteOn: (e: PoolEntry, claimId: string) => ClaimAttestation['verdict'] | null;
  publish: PublishAttestation;
  /** Queues a job on the service's work queue. */
  enqueue: (job: () => Promise<void>) => void;
  /** Whether the pool service runs: no wake after it stopped. */
  running: () => boolean;
  /** The service's claims being worked on right now (no double work). */
  busy: Set<string>;
  /** claimId → why it waits for a manual vote (the service's). */
  queued: Map<string, QueueReason>;
  /** claimId → the evidence checks this node made (the service's). */
  checks: Map<string, EvidenceCheck[]>;
  /** The pool service's logger. */
  log?: Logger | undefined;
}): ClaimAttester {
  const {
    params,
    now,
    pools,
    claimViews,
    isEligible,
    myVoteOn,
    publish,
    enqueue,
    running,
    busy,
    queued,
    checks,
    log,
  } = p;
  /** claimId → this node's re-derivation of the claim's loss. */
  const derivations = new Map<string, JudgeLossReturnType>();
  /**
   * claimId → the cited RecoveryEvent ids its store lacked when this node judged the claim: it waits
   * for them (re-judging when one is accepted) until the round is about to close (pools.md#re-derivation),
   * `refusableAt` as the claim's round stood when it was last judged.
   */
  const awaiting = new Map<string, { poolId: string; missing: Set<string>; refusableAt: number }>();
  /** claimId → the automatic judgement of the claim running now (`attest`), for a manual vote to wait on. */
  const judging = new Map<string, Promise<void>>();
  /** Wakes the service at the earliest `refusableAt` of the awaiting claims (`scheduleWake`). */
  let wake: ReturnType<typeof setTimeout> | undefined;

  /**
   * Re-derives each cited reference: its check, and what it proves (null when this node cannot
   * derive losses, or a reference did not verify).
   */
  async function checkEvidence(
    claim: FundClaim,
  ): Promise<{ checks: EvidenceCheck[]; derived: DerivedLoss[][] | null } | null> {
    const derive = params.deriveLoss;
    const verify = params.verifyEvidence;
    if (verify === undefined && derive === undefined) return null;
    const out: EvidenceCheck[] = [];
    const derived: DerivedLoss[][] = [];
    for (const [i, ref] of claim.evidence.entries()) {
      let v: EvidenceVerdict;
      try {
        if (derive !== undefined) {
          const d = await derive(ref);
          if (d.ok) derived.push(d.losses);
          v = d.ok ? { ok: true } : d;
        } else v = await (verify as VerifyEvidence)(ref);
      } catch (err) {
        log?.warn({ err: { message: (err as Error).message }, index: i }, 'evidence check threw');
        v = { ok: false, code: 'EVIDENCE_RPC_UNAVAILABLE' };
      }
      out.push(evidenceCheckOf(i, v));
    }
    return { checks: out, derived: derive !== undefined && derived.length === out.length ? derived : null };
  }

  /**
   * The rounds of every feed the claim's derived losses are valued by (pools.md#feed-rounds), or
   * null when this node cannot read one (no reader, RPC down): then it cannot value the loss.
   */
  async function readRounds(
    charter: PoolCharter,
    claim: FundClaim,
    derived: readonly (readonly DerivedLoss[])[],
  ): Promise<Map<string, FeedRound[]> | null> {
    const out = new Map<string, FeedRound[]>();
    for (const feed of feedsToRead(charter, claim, derived)) {
      const read = params.readFeedRounds;
      const r =
        read === undefined
          ? null
          : await read(feed, {
              from: claim.incidentWindow.from,
              lookbackMs: charter.valuation.lookbackMs,
            }).catch((err: unknown) => ({
              ok: false as const,
              code: String((err as Error).message).slice(0, 200),
            }));
      if (r === null || !r.ok) {
        log?.warn({ feed: feed.feed, chain: feed.chain, code: r?.code }, 'feed rounds unreadable');
        return null;
      }
      out.set(feedKey(feed), r.rounds);
    }
    return out;
  }

  /** The claim's cited RecoveryEvents as this node's store holds them (pools.md#re-derivation). */
  async function citedEvents(claim: FundClaim): Promise<CitedRecoveryEvent[]> {
    const out: CitedRecoveryEvent[] = [];
    for (const id of claim.recoveryEvents) {
      const stored = await params.node.store.getMessage(id.toLowerCase());
      const env =
        stored === undefined
          ? undefined
          : (JSON.parse(new TextDecoder().decode(stored.wire)) as {
              type?: string;
              issuer?: string;
              seq?: number;
              payload?: { kind?: string; protocol?: unknown; evidence?: EvidenceRef[] };
            });
      out.push(
        env?.type === 'RecoveryEvent' && typeof env.issuer === 'string' && typeof env.seq === 'number'
          ? {
              issuer: env.issuer,
              kind: String(env.payload?.kind),
              evidence: env.payload?.evidence ?? [],
              // Judged now, on the announcements held now, whatever order they and the event arrived in.
              ownProtocol: params.node.judgeOwnProtocol({
                issuer: env.issuer,
                seq: env.seq,
                protocol: env.payload?.protocol,
              }),
              retracted:
                retractedIdOf(env.payload) !== undefined ||
                (await params.node.store.retractedBy(id.toLowerCase(), env.issuer)) !== undefined,
            }
          : null,
      );
    }
    return out;
  }

  async function publishAttestation(
    e: PoolEntry,
    c: ClaimView,
    verdict: ClaimAttestation['verdict'],
    extra: { approvedAmount?: bigint; reasonCode?: string; note?: string },
    options: WriteOptions = {},
  ) {
    const derived = derivations.get(c.claim.claimId);
    const valuation = derived?.ok === true ? derived.value : c.claim.valuation;
    const payload: ClaimAttestation = {
      poolId: e.poolId,
      claimId: c.claim.claimId,
      round: 0,
      verdict,
      ...(verdict === 'approve'
        ? { approvedAmount: (extra.approvedAmount ?? c.claim.requestedAmount).toString() }
        : {}),
      ...(verdict === 'reject' && extra.reasonCode !== undefined ? { reasonCode: extra.reasonCode } : {}),
      evidenceChecks: checks.get(c.claim.claimId) ?? [],
      ...(valuation === null ? {} : { valuation: valuation.toString() }),
      ...(extra.note === undefined ? {} : { note: extra.note }),
      ...(derived?.ok === true
        ? { extensions: { [DERIVATION_EXTENSION]: { losses: derived.derivation } } }
        : {}),
    };
    const r = await publish('ClaimAttestation', payload, {
      ...options,
      scope: { poolId: e.poolId, epoch: c.claim.snapshot.epoch },
      domain: expectedDomainOf(c.claim.snapshot.charter),
    });
    queued.delete(c.claim.claimId);
    // A manual vote ends the wait for cited events too: the member has voted.
    awaiting.delete(c.claim.claimId);
    log?.info({ claimId: c.claim.claimId, verdict, messageId: r.messageId }, 'attested');
    return r;
  }

  /** Automatic attestation of one claim (persist-then-sign through the publisher). */
  async function attest(poolId: string, claimId: string): Promise<void> {
    const e = pools.get(lower(poolId));
    if (e === undefined || busy.has(claimId)) return;
    busy.add(claimId);
    const run = judge(e, claimId).finally(() => {
      busy.delete(claimId);
      judging.delete(claimId);
    });
    judging.set(claimId, run);
    return run;
  }

  /** One automatic judgement of a claim, under `busy` (see `attest`). */
  async function judge(e: PoolEntry, claimId: string): Promise<void> {
    const t = now();
    const c = claimViews(e, t).claims.find((x) => x.claim.claimId === claimId);
    if (c === undefined || c.status !== 'attesting' || !isEligible(c, t)) return;
    if (myVoteOn(e, claimId) !== null || queued.has(claimId)) return;
    const found = await checkEvidence(c.claim.payload);
    if (found !== null) checks.set(claimId, found.checks);
    const cited = await citedEvents(c.claim.payload);
    const feedRounds =
      found?.derived == null
        ? null
        : await readRounds(c.claim.snapshot.charter, c.claim.payload, found.derived);
    const loss =
      found?.derived == null || feedRounds === null
        ? null
        : judgeLoss({
            charter: c.claim.snapshot.charter,
            claim: c.claim.payload,
            claimant: c.claim.claimant,
            derived: found.derived,
            recoveryEvents: cited,
            feedRounds,
          });
    if (loss !== null) derivations.set(claimId, loss);
    const choice = chooseVerdict({
      policy: params.policy,
      checks: found?.checks ?? null,
      requestedAmount: c.claim.requestedAmount,
      loss,
    });
    // pools.md#re-derivation step 2: a cited event may still be on its way (another topic); refuse
    // for it only when the round is about to close, and re-judge when it is accepted meanwhile.
    if (choice.action === 'reject' && choice.reasonCode === 'CLAIM_RECOVERY_EVENT_MISSING') {
      const refusableAt = missingEventRefusableAt(c.closesAt, c.claim.snapshot.charter.windows.challengeMs);
      if (t < refusableAt) {
        const missing = new Set(
          c.claim.payload.recoveryEvents.filter((_, i) => cited[i] === null).map((id) => lower(id)),
        );
        if (!awaiting.has(claimId))
          log?.info(
            { claimId, missing: [...missing], refusableAt },
            'claim waits for its cited recovery events',
          );
        awaiting.set(claimId, { poolId: e.poolId, missing, refusableAt });
        scheduleWake();
        return;
      }
    }
    awaiting.delete(claimId);
    if (choice.action === 'queue') {
      queued.set(claimId, choice.reason);
      log?.info({ claimId, reason: choice.reason }, 'claim queued for a manual vote');
      return;
    }
    if (choice.action === 'approve')
      await publishAttestation(e, c, 'approve', { approvedAmount: choice.approvedAmount });
    else await publishAttestation(e, c, 'reject', { reasonCode: choice.reasonCode });
  }

  /**
   * Re-judges the claims waiting for cited RecoveryEvents: those citing `acceptedId` (an event just
   * accepted), or, without it, those whose round is about to close (then refused if still missing).
   */
  async function rejudgeAwaiting(acceptedId?: string): Promise<void> {
    const t = now();
    for (const [claimId, w] of [...awaiting]) {
      const e = pools.get(w.poolId);
      const c =
        e === undefined ? undefined : claimViews(e, t).claims.find((x) => x.claim.claimId === claimId);
      if (c === undefined || c.status !== 'attesting') {
        awaiting.delete(claimId);
        continue;
      }
      // The close may have moved since the claim was judged (a vote turned the standing outcome).
      w.refusableAt = missingEventRefusableAt(c.closesAt, c.claim.snapshot.charter.windows.challengeMs);
      const due = acceptedId === undefined ? t >= w.refusableAt : w.missing.has(acceptedId);
      if (!due) continue;
      await attest(w.poolId, claimId);
      // Judged at or after refusableAt and still waiting: attest returned early (this member has voted
      // or is voting by hand, or may not vote). Nothing is left to wait for, and kept, the entry's past
      // refusableAt would re-arm the wake at 0 ms until the round closed.
      if (t >= w.refusableAt && awaiting.get(claimId) === w) {
        awaiting.delete(claimId);
        log?.info({ claimId }, 'claim no longer waits for its cited recovery events: not attested here');
      }
    }
    scheduleWake();
  }

  /**
   * pools.md#re-derivation step 2: the node refuses a claim for a missing cited event at `refusableAt`
   * itself, not at its next tick. The window (half a challenge window) can be narrower than the tick:
   * one tick fell before it and the next after the close, so the attester never voted and the claim
   * expired instead of being rejected. One timer, at the earliest `refusableAt` of the awaiting claims.
   */
  function scheduleWake(): void {
    if (wake !== undefined) clearTimeout(wake);
    wake = undefined;
    if (!running() || awaiting.size === 0) return;
    let at = Number.POSITIVE_INFINITY;
    for (const w of awaiting.values()) at = Math.min(at, w.refusableAt);
    // setTimeout takes at most 2^31 − 1 ms (a longer delay fires at once); the wake re-arms itself.
    const delay = Math.min(Math.max(0, at - now()), MAX_TIMER_MS);
    wake = setTimeout(() => {
      wake = undefined;
      enqueue(() => rejudgeAwaiting());
    }, delay);
    wake.unref?.();
  }

  return {
    attest,
    publishAttestation,
    rejudgeAwaiting,
    awaitingOf: (claimId) => [...(awaiting.get(claimId)?.missing ?? [])],
    judgementOf: async (claimId) => {
      // Its failure is the automatic path's to report (the work queue logs it), not the vote's.
      await judging.get(claimId)?.catch(() => undefined);
    },
    stop() {
      if (wake !== undefined) clearTimeout(wake);
      wake = undefined;
    },
  };
}
