import type { Amount, EvidenceRef, FundClaim, PoolCharter, UsdValue } from '@sfr/schemas/types';
import {
  evidenceKey,
  type FeedRound,
  feedKey,
  feedOf,
  sameAsset,
  valueClaim,
  valueFromRounds,
} from '../pools/index.js';
import type { OwnProtocolVerdict } from '../validation/announcedProtocols.js';

/** One loss an adapter re-derived from a piece of evidence (the kit's `DerivedLoss`). */
export type DerivedLoss = {
  kind: FundClaim['coveredKind'];
  amount:
    | { asset: FundClaim['losses'][number]['amount']['asset']; value: string }
    | { usd: { value: string; decimals: number } }
    | null;
  derivation: string;
};

/**
 * One loss counted, as the attestation carries it in its `sfr.derivation` extension
 * (pools.md#re-derivation): the evidence index, the kind, the amount or USD value, how it was read.
 */
export type DerivationEntry = {
  index: number;
  kind: FundClaim['coveredKind'];
  amount?: Amount;
  usdValue?: UsdValue;
  method: string;
};

/** The extension namespace an attestation's derivation travels in (pools.md#re-derivation). */
export const DERIVATION_EXTENSION = 'sfr.derivation';

/** A cited RecoveryEvent as the attester's store holds it, or null when it holds none with that id. */
export type CitedRecoveryEvent = {
  issuer: string;
  kind: string;
  evidence: readonly EvidenceRef[];
  /**
   * Whether it is about its issuer's own protocol, judged on the announcements the attester holds
   * when it checks the claim (messages.md#recoveryevent); `unknown` when it holds none before it.
   */
  ownProtocol: OwnProtocolVerdict;
  /**
   * Whether its issuer retracted it, or it is itself a retraction, on the retractions the attester
   * holds when it checks the claim (messages.md#retraction); absent is false.
   */
  retracted?: boolean;
} | null;

export type JudgeLossParameters = {
  /** The claim's snapshot charter (its valuation rule). */
  charter: PoolCharter;
  claim: FundClaim;
  claimant: string;
  /** What each cited evidence reference proves, in the claim's order (every reference verified). */
  derived: readonly (readonly DerivedLoss[])[];
  /** The claim's `recoveryEvents`, looked up in the attester's store, in the claim's order. */
  recoveryEvents: readonly CitedRecoveryEvent[];
  /**
   * The rounds of each feed `feedsToRead` names, read from chain by this node (key `feedKey`): a
   * loss whose feed is missing here has no price (`CLAIM_VALUATION_MISSING`).
   */
  feedRounds?: ReadonlyMap<string, readonly FeedRound[]>;
};

type PriceFeed = NonNullable<PoolCharter['valuation']['feeds']>[number];

/** Whether a token loss is valued from its feed's on-chain rounds (pools.md#feed-rounds). */
function pricedByFeed(charter: PoolCharter, asset: Amount['asset']): boolean {
  const rule = charter.valuation;
  return (
    (rule.method === 'pre_incident_median' || rule.method === 'pre_incident_twap') &&
    !sameAsset(asset, rule.unitAsset)
  );
}

/**
 * The charter feeds whose rounds an attester reads to value the losses of the covered kind the
 * evidence proves (pools.md#feed-rounds), de-duplicated; the caller reads each and passes the
 * rounds to `judgeLoss`.
 */
export function feedsToRead(
  charter: PoolCharter,
  claim: FundClaim,
  derived: readonly (readonly DerivedLoss[])[],
): PriceFeed[] {
  const feeds = new Map<string, PriceFeed>();
  for (const loss of derived.flat()) {
    if (loss.kind !== claim.coveredKind || loss.amount === null || 'usd' in loss.amount) continue;
    if (!pricedByFeed(charter, loss.amount.asset)) continue;
    const feed = feedOf(charter.valuation, loss.amount.asset);
    if (feed !== undefined) feeds.set(feedKey(feed), feed);
  }
  return [...feeds.values()];
}

/**
 * pools.md#re-derivation step 2: the earliest time an attester may refuse a claim for a cited
 * RecoveryEvent its store lacks — half a challenge window before the round's close as it stands
 * (the claim and the events it cites travel on different topics and may arrive in either order).
 */
export function missingEventRefusableAt(closesAt: number, challengeMs: number): number {
  return closesAt - Math.floor(challengeMs / 2);
}

export type JudgeLossReturnType =
  | { ok: true; value: bigint; derivation: DerivationEntry[] }
  | { ok: false; code: string };

/**
 * The attester's re-derivation of a claim's loss (pools.md#re-derivation), pure: the first refusal
 * in spec order, or the value in unit-asset base units of the losses the evidence proves for the
 * covered kind, with the derivation the attestation carries. USD-booked losses count at par
 * (one USD = one whole unit-asset token); token losses by the charter's valuation rule, those in
 * another asset than the unit asset under a median or TWAP rule at the attester's price from the
 * feed's rounds (pools.md#feed-rounds).
 */
export function judgeLoss(p: JudgeLossParameters): JudgeLossReturnType {
  const claimant = p.claimant.toLowerCase();
  const kind = p.claim.coveredKind;
  // 1. Every cited RecoveryEvent is in the attester's store.
  if (p.recoveryEvents.some((e) => e === null)) return { ok: false, code: 'CLAIM_RECOVERY_EVENT_MISSING' };
  const events = p.recoveryEvents as readonly NonNullable<CitedRecoveryEvent>[];
  // 2. ... issued by the claimant, about the claimant's own protocol.
  if (events.some((e) => e.issuer.toLowerCase() !== claimant || e.ownProtocol === 'foreign'))
    return { ok: false, code: 'CLAIM_RECOVERY_EVENT_FOREIGN' };
  // ... none retracted by its issuer, none itself a retraction.
  if (events.some((e) => e.retracted === true)) return { ok: false, code: 'CLAIM_RECOVERY_EVENT_RETRACTED' };
  // 3. One of them is of the covered kind, and they cite every piece of the claim's evidence.
  const cited = new Set(events.flatMap((e) => e.evidence.map(evidenceKey)));
  if (!events.some((e) => e.kind === kind) || !p.claim.evidence.every((r) => cited.has(evidenceKey(r))))
    return { ok: false, code: 'CLAIM_RECOVERY_EVENT_MISMATCH' };
  // 4. Some evidence proves the covered kind.
  const proving = p.derived.flatMap((losses, index) =>
    losses.filter((l) => l.kind === kind).map((l) => ({ index, loss: l })),
  );
  if (proving.length === 0) return { ok: false, code: 'CLAIM_EVIDENCE_KIND_MISMATCH' };
  // 5. It records a loss; each is valued (token losses by the charter's rule, USD at par).
  const unit = p.charter.valuation.unitAsset;
  // USD at par plus the losses valued from feed rounds, in unit-asset base units.
  let counted = 0n;
  const tokenLosses: FundClaim['losses'] = [];
  const derivation: DerivationEntry[] = [];
  for (const { index, loss } of proving) {
    const entry: DerivationEntry = { index, kind: loss.kind, method: loss.derivation.slice(0, 280) };
    if (loss.amount !== null && 'usd' in loss.amount) {
      const { value, decimals } = loss.amount.usd;
      counted += (BigInt(value) * 10n ** BigInt(unit.decimals)) / 10n ** BigInt(decimals);
      entry.usdValue = { value, decimals };
    } else if (loss.amount !== null && pricedByFeed(p.charter, loss.amount.asset)) {
      // At the attester's own price from the feed's rounds (pools.md#feed-rounds), never the claimant's.
      const feed = feedOf(p.charter.valuation, loss.amount.asset);
      const valued = valueFromRounds({
        rule: p.charter.valuation,
        loss: loss.amount,
        inputs: p.claim.valuationInputs,
        rounds: (feed && p.feedRounds?.get(feedKey(feed))) ?? [],
        from: p.claim.incidentWindow.from,
      });
      if (!valued.ok) return { ok: false, code: valued.code };
      counted += valued.value;
      entry.amount = loss.amount;
      entry.method = `${loss.derivation}; valued by ${valued.method}`.slice(0, 280);
    } else if (loss.amount !== null) {
      tokenLosses.push({ role: 'bad_debt', amount: loss.amount });
      entry.amount = loss.amount;
    }
    derivation.push(entry);
  }
  let value = counted;
  if (tokenLosses.length > 0) {
    const valued = valueClaim(p.charter, { ...p.claim, losses: tokenLosses });
    if (!valued.ok) return { ok: false, code: valued.code };
    // method `other`: no rule to value tokens by; only the USD part is certain.
    value += valued.value ?? 0n;
  }
  if (value === 0n) return { ok: false, code: 'CLAIM_LOSS_NOT_DERIVED' };
  return { ok: true, value, derivation };
}
