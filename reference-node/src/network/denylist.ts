/**
 * Time-bounded peer denylist and the libp2p connection gater that enforces it
 * (spec/v1/p2p.md#graylisting). Bounded: beyond `maxEntries` the entry expiring first is evicted.
 */
import type { ConnectionGater, PeerId } from '@libp2p/interface';
import { DENYLIST_MAX_ENTRIES } from './gossip/scoringParams.js';

export class PeerDenylist {
  readonly #until = new Map<string, number>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: { maxEntries?: number; now?: () => number } = {}) {
    this.#maxEntries = options.maxEntries ?? DENYLIST_MAX_ENTRIES;
    this.#now = options.now ?? Date.now;
  }

  /** Denies `peerId` until now + `ms`. */
  deny(peerId: string, ms: number): void {
    this.#until.delete(peerId);
    this.#until.set(peerId, this.#now() + ms);
    if (this.#until.size > this.#maxEntries) this.#evict();
  }

  /** Lifts a denial early (operator action, tests). */
  allow(peerId: string): void {
    this.#until.delete(peerId);
  }

  isDenied(peerId: string): boolean {
    const until = this.#until.get(peerId);
    if (until === undefined) return false;
    if (until <= this.#now()) {
      this.#until.delete(peerId);
      return false;
    }
    return true;
  }

  get size(): number {
    return this.#until.size;
  }

  /** Peers currently denied, with the time (ms) their denial ends. */
  entries(): Array<{ peerId: string; until: number }> {
    const now = this.#now();
    return [...this.#until].filter(([, u]) => u > now).map(([peerId, until]) => ({ peerId, until }));
  }

  #evict(): void {
    const now = this.#now();
    for (const [id, until] of this.#until) if (until <= now) this.#until.delete(id);
    while (this.#until.size > this.#maxEntries) {
      let first: string | undefined;
      let min = Number.POSITIVE_INFINITY;
      for (const [id, until] of this.#until) {
        if (until < min) {
          min = until;
          first = id;
        }
      }
      if (first === undefined) break;
      this.#until.delete(first);
    }
  }
}

/** A connection gater refusing dials to and connections from denied peers. */
export function createDenylistGater(denylist: PeerDenylist): ConnectionGater {
  const denied = (peerId: PeerId): boolean => denylist.isDenied(peerId.toString());
  return {
    denyDialPeer: denied,
    denyInboundEncryptedConnection: denied,
    denyOutboundEncryptedConnection: denied,
    denyInboundUpgradedConnection: denied,
    denyOutboundUpgradedConnection: denied,
    // Loopback and private addresses are allowed: SFR members often run on private networks.
    denyDialMultiaddr: () => false,
  };
}
