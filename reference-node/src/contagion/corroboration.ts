/**
 * Corroboration (spec/v1/contagion.md#corroboration): independent issuers alerting on the same
 * subject and indicator raise the combined confidence; one issuer never counts twice.
 *
 *   combineConfidence([9000, 5000]) // → 9500: 10 000 − ⌊(1 000 · 5 000) / 10 000⌋
 */
import type { ExposureEntry } from './matchSubject.js';
import { subjectKey } from './matchSubject.js';

/** [common.schema.json Bps] 10 000 bps = certain. */
export const BPS = 10_000;
const BPS_N = 10_000n;

/** [sfr] Severity order of common.schema.json `Severity` (unknown lowest). */
export const SEVERITY_RANK: Readonly<Record<string, number>> = {
  unknown: 0,
  info: 1,
  low: 2,
  medium: 3,
  high: 4,
  critical: 5,
};
export function severityRank(s: string): number {
  return SEVERITY_RANK[s] ?? 0;
}

/**
 * C = 10 000 − ⌊ Π(10 000 − cᵢ) / 10 000^(n−1) ⌋ over one confidence per distinct issuer; 0 when
 * n = 0. Exact integer arithmetic (bigint), so the result does not depend on the order of the inputs.
 */
export function combineConfidence(confidences: readonly number[]): number {
  if (confidences.length === 0) return 0;
  let num = 1n;
  for (const c of confidences) {
    const clamped = Math.min(BPS, Math.max(0, Math.trunc(c)));
    num *= BPS_N - BigInt(clamped);
  }
  const den = BPS_N ** BigInt(confidences.length - 1);
  return BPS - Number(num / den);
}

/** One issuer's latest active alert in a group. */
export interface IssuerAlert {
  readonly id: string;
  readonly issuer: string;
  readonly seq: number;
  readonly confidence: number;
  readonly severity: string;
  readonly expiresAt: number;
}

export interface GroupView {
  readonly key: string;
  readonly subject: ExposureEntry;
  readonly indicator: string;
  /** One active alert per distinct issuer. */
  readonly alerts: readonly IssuerAlert[];
}

/** The corroboration of a group counting only alerts at least `minSeverity`. */
export function corroborate(
  group: GroupView,
  minSeverity = 'unknown',
): { issuers: number; confidenceBps: number; alertIds: string[] } {
  const counted = group.alerts.filter((a) => severityRank(a.severity) >= severityRank(minSeverity));
  return {
    issuers: counted.length,
    confidenceBps: combineConfidence(counted.map((a) => a.confidence)),
    alertIds: counted.map((a) => a.id).sort(),
  };
}

export function groupKey(subject: ExposureEntry, indicator: string): string {
  return `${subjectKey(subject)}|${indicator}`;
}

/** [sfr] Bounds: 4 096 groups (subject × indicator) and 128 issuers each (the schema's member cap). */
export const MAX_GROUPS = 4096;
export const MAX_ISSUERS_PER_GROUP = 128;

export type ObserveResult =
  | { readonly status: 'counted'; readonly group: GroupView; readonly evicted?: string }
  | { readonly status: 'stale'; readonly group: GroupView }
  | { readonly status: 'expired' };

/**
 * The bounded corroboration state: per group, per issuer, the issuer's latest alert (highest seq).
 * Expired entries are dropped on every read; a resolution by the issuer removes its entry.
 */
export class CorroborationState {
  readonly #groups = new Map<
    string,
    { subject: ExposureEntry; indicator: string; byIssuer: Map<string, IssuerAlert> }
  >();
  readonly #maxGroups: number;
  constructor(options: { maxGroups?: number } = {}) {
    this.#maxGroups = options.maxGroups ?? MAX_GROUPS;
  }

  get size(): number {
    return this.#groups.size;
  }

  /** Records an active alert; an older (lower seq) alert of the same issuer does not replace a newer one. */
  observe(subject: ExposureEntry, indicator: string, alert: IssuerAlert, now: number): ObserveResult {
    if (alert.expiresAt <= now) return { status: 'expired' };
    const key = groupKey(subject, indicator);
    let g = this.#groups.get(key);
    let evicted: string | undefined;
    if (g === undefined) {
      this.prune(now);
      if (this.#groups.size >= this.#maxGroups) evicted = this.#evictOne();
      g = { subject, indicator, byIssuer: new Map() };
      this.#groups.set(key, g);
    }
    const prev = g.byIssuer.get(alert.issuer);
    if (prev !== undefined && prev.seq >= alert.seq) return { status: 'stale', group: this.view(key, now)! };
    if (prev === undefined && g.byIssuer.size >= MAX_ISSUERS_PER_GROUP) {
      return { status: 'stale', group: this.view(key, now)! };
    }
    g.byIssuer.set(alert.issuer, alert);
    const view = this.view(key, now)!;
    return evicted === undefined
      ? { status: 'counted', group: view }
      : { status: 'counted', group: view, evicted };
  }

  /** Removes the alert `resolvedId` if `issuer` issued it; false when it is unknown or another issuer's. */
  resolve(resolvedId: string, issuer: string): { resolved: boolean; wrongIssuer: boolean; key?: string } {
    for (const [key, g] of this.#groups) {
      for (const [iss, a] of g.byIssuer) {
        if (a.id !== resolvedId) continue;
        if (iss !== issuer) return { resolved: false, wrongIssuer: true };
        g.byIssuer.delete(iss);
        if (g.byIssuer.size === 0) this.#groups.delete(key);
        return { resolved: true, wrongIssuer: false, key };
      }
    }
    return { resolved: false, wrongIssuer: false };
  }

  view(key: string, now: number): GroupView | undefined {
    const g = this.#groups.get(key);
    if (g === undefined) return undefined;
    for (const [iss, a] of g.byIssuer) if (a.expiresAt <= now) g.byIssuer.delete(iss);
    return { key, subject: g.subject, indicator: g.indicator, alerts: [...g.byIssuer.values()] };
  }

  /** Every group with at least one active alert. */
  views(now: number): GroupView[] {
    this.prune(now);
    return [...this.#groups.keys()].map((k) => this.view(k, now)!);
  }

  /** Drops expired alerts and empty groups; returns the keys of the groups removed. */
  prune(now: number): string[] {
    const removed: string[] = [];
    for (const [key, g] of this.#groups) {
      for (const [iss, a] of g.byIssuer) if (a.expiresAt <= now) g.byIssuer.delete(iss);
      if (g.byIssuer.size === 0) {
        this.#groups.delete(key);
        removed.push(key);
      }
    }
    return removed;
  }

  #evictOne(): string | undefined {
    let victim: string | undefined;
    let soonest = Number.POSITIVE_INFINITY;
    for (const [key, g] of this.#groups) {
      let last = 0;
      for (const a of g.byIssuer.values()) last = Math.max(last, a.expiresAt);
      if (last < soonest) {
        soonest = last;
        victim = key;
      }
    }
    if (victim !== undefined) this.#groups.delete(victim);
    return victim;
  }
}
