/**
 * Issuer budgets (spec/v1/p2p.md#issuer-budgets): a token bucket per (issuer, gossip topic) that bounds
 * how many VALID messages of one member a node stores and relays from gossip, so a member cannot use
 * the network to amplify a flood of its own correctly signed messages (issue 13 finding 4). Applied by
 * the pipeline as rule 34 of envelope.md#verification, after every rule that can refuse the message,
 * so a forged or invalid message never spends an honest member's budget; rule 21.1 looks at the same
 * bucket before the signature, without taking a token, so a message of an issuer whose budget is spent
 * costs no signature recovery or schema walk (issue 13 review). The buckets are the sync
 * responder's keyed token bucket (`PeerRateLimiter`), keyed by issuer and topic.
 */
import { PeerRateLimiter } from '../sync/rateLimiter.js';

/** [sfr] Messages of one issuer a node takes on one topic at once: a burst of 100 (p2p.md#issuer-budgets). */
export const ISSUER_BURST = 100;
/**
 * [sfr] Tokens refilled per second per (issuer, topic): 2, i.e. 7 200 messages an hour, far above what
 * one member's adapter, announcements and votes produce (an alert or event every few minutes).
 */
export const ISSUER_PER_SECOND = 2;
/** [sfr] (issuer, topic) buckets kept: members × topics stay far below; least recently used evicted. */
export const ISSUER_MAX_BUCKETS = 16_384;

export interface IssuerBudget {
  /** Messages of one issuer on one topic taken at once (bucket size). */
  readonly burst: number;
  /** Tokens refilled per second. */
  readonly perSecond: number;
}

export interface IssuerRateLimiter {
  /** Takes one token of `issuer` (lower-case) on `topic` at `now`; false when the budget is spent. */
  tryTake(issuer: string, topic: string, now: number): boolean;
  /** Whether `issuer`'s budget on `topic` holds a token at `now`; takes nothing (rule 21.1). */
  hasToken(issuer: string, topic: string, now: number): boolean;
  readonly budget: IssuerBudget;
}

export function createIssuerRateLimiter(budget: Partial<IssuerBudget> = {}): IssuerRateLimiter {
  const full: IssuerBudget = {
    burst: budget.burst ?? ISSUER_BURST,
    perSecond: budget.perSecond ?? ISSUER_PER_SECOND,
  };
  let at = 0;
  const buckets = new PeerRateLimiter({
    burst: full.burst,
    perSecond: full.perSecond,
    maxPeers: ISSUER_MAX_BUCKETS,
    now: () => at,
  });
  return {
    budget: full,
    tryTake(issuer, topic, now) {
      at = Math.max(at, now); // a bucket never refills backwards
      return buckets.tryTake(`${issuer} ${topic}`);
    },
    hasToken(issuer, topic, now) {
      at = Math.max(at, now);
      return buckets.hasToken(`${issuer} ${topic}`);
    },
  };
}
