import {
  SYNC_BACKOFF_BASE_MS,
  SYNC_BACKOFF_MAX_MS,
  SYNC_STRIKES_BEFORE_DENY,
  SYNC_STRIKES_MAX_PEERS,
} from './protocols.js';

/**
 * Offences of sync peers (spec/v1/p2p.md#sync-sessions): a session that ends with an offence code
 * gives its peer a strike and a back-off (base × 2^(strikes − 1), capped), during which no session is
 * started with it; the `SYNC_STRIKES_BEFORE_DENY`-th strike asks the caller to disconnect and deny it.
 * A session that ends cleanly clears the peer's record. Bounded to `maxPeers` (oldest record evicted).
 */
export class SyncStrikes {
  readonly #peers = new Map<string, { strikes: number; until: number }>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Records an offence; true when the peer reached the deny threshold. */
  strike(peer: string): boolean {
    const strikes = (this.#peers.get(peer)?.strikes ?? 0) + 1;
    const backoff = Math.min(SYNC_BACKOFF_MAX_MS, SYNC_BACKOFF_BASE_MS * 2 ** (strikes - 1));
    this.#peers.delete(peer);
    this.#peers.set(peer, { strikes, until: this.#now() + backoff });
    if (this.#peers.size > SYNC_STRIKES_MAX_PEERS) {
      const oldest = this.#peers.keys().next();
      if (oldest.done !== true) this.#peers.delete(oldest.value);
    }
    return strikes >= SYNC_STRIKES_BEFORE_DENY;
  }

  clear(peer: string): void {
    this.#peers.delete(peer);
  }

  /** True while the peer's back-off runs. */
  isBackedOff(peer: string): boolean {
    const p = this.#peers.get(peer);
    return p !== undefined && p.until > this.#now();
  }

  strikesOf(peer: string): number {
    return this.#peers.get(peer)?.strikes ?? 0;
  }
}
