import { RATE_LIMIT_BURST, RATE_LIMIT_MAX_PEERS, RATE_LIMIT_PER_SECOND } from './protocols.js';

/** Token bucket per peer, bounded to `maxPeers` (least recently used evicted). */
export class PeerRateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #burst: number;
  readonly #perSecond: number;
  readonly #maxPeers: number;
  readonly #now: () => number;

  constructor(options: { burst?: number; perSecond?: number; maxPeers?: number; now?: () => number } = {}) {
    this.#burst = options.burst ?? RATE_LIMIT_BURST;
    this.#perSecond = options.perSecond ?? RATE_LIMIT_PER_SECOND;
    this.#maxPeers = options.maxPeers ?? RATE_LIMIT_MAX_PEERS;
    this.#now = options.now ?? Date.now;
  }

  /** Takes one token for `peer`; false when its bucket is empty. */
  tryTake(peer: string): boolean {
    const t = this.#now();
    const b = this.#buckets.get(peer) ?? { tokens: this.#burst, at: t };
    this.#buckets.delete(peer);
    b.tokens = Math.min(this.#burst, b.tokens + ((t - b.at) / 1000) * this.#perSecond);
    b.at = t;
    this.#buckets.set(peer, b);
    if (this.#buckets.size > this.#maxPeers) {
      const oldest = this.#buckets.keys().next();
      if (oldest.done !== true) this.#buckets.delete(oldest.value);
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Whether `peer`'s bucket holds a token now, without taking it or touching its recency. */
  hasToken(peer: string): boolean {
    const b = this.#buckets.get(peer);
    if (b === undefined) return this.#burst >= 1;
    return Math.min(this.#burst, b.tokens + ((this.#now() - b.at) / 1000) * this.#perSecond) >= 1;
  }

  get size(): number {
    return this.#buckets.size;
  }
}
