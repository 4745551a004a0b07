/**
 * Time-bounded peer denylist and the libp2p connection gater that enforces it
 * (spec/v1/p2p.md#graylisting). Bounded: beyond `maxEntries` the entry expiring first is evicted.
 *
 * Peer ids cost nothing to make, so with an address policy the list also denies an IP address once
 * `threshold` distinct peers denied there are still denied (p2p.md#address-denial): the address is
 * denied until the latest of their denials ends. Addresses the policy exempts (P6's whitelist) never are.
 */
import type { ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import { DENYLIST_MAX_ENTRIES } from './gossip/scoringParams.js';

/** When an address is denied for the peers denied there (p2p.md#address-denial). */
export interface AddressDenialPolicy {
  /** Distinct peers denied at one address, their denials running, that deny the address. */
  readonly threshold: number;
  /** Addresses never denied (P6's colocation whitelist: members behind one NAT). */
  readonly exempt?: ReadonlySet<string>;
}

interface Denial {
  readonly until: number;
  /** The IP address the peer was connected from, when known. */
  readonly address?: string;
}

export class PeerDenylist {
  readonly #until = new Map<string, Denial>();
  readonly #addresses = new Map<string, number>();
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #policy: AddressDenialPolicy | undefined;

  constructor(
    options: { maxEntries?: number; now?: () => number; addressPolicy?: AddressDenialPolicy } = {},
  ) {
    this.#maxEntries = options.maxEntries ?? DENYLIST_MAX_ENTRIES;
    this.#now = options.now ?? Date.now;
    this.#policy = options.addressPolicy;
  }

  /**
   * Denies `peerId` until now + `ms`. With the `address` it was connected from and an address policy,
   * the address is denied too once `threshold` peers denied there are still denied; returns true when
   * this denial is the one that denied it (a further peer there only extends the address's denial).
   */
  deny(peerId: string, ms: number, address?: string): boolean {
    const until = this.#now() + ms;
    this.#until.delete(peerId);
    this.#until.set(peerId, address === undefined ? { until } : { until, address });
    if (this.#until.size > this.#maxEntries) this.#evict();
    return address !== undefined && this.#judgeAddress(address);
  }

  /** Whether connections from or dials to `address` (an IP) are refused now. */
  isAddressDenied(address: string): boolean {
    const until = this.#addresses.get(address);
    if (until === undefined) return false;
    if (until <= this.#now()) {
      this.#addresses.delete(address);
      return false;
    }
    return true;
  }

  /** Addresses currently denied, with the time (ms) their denial ends. */
  addressEntries(): Array<{ address: string; until: number }> {
    const now = this.#now();
    return [...this.#addresses].filter(([, u]) => u > now).map(([address, until]) => ({ address, until }));
  }

  #judgeAddress(address: string): boolean {
    const policy = this.#policy;
    if (policy === undefined || policy.exempt?.has(address) === true) return false;
    const now = this.#now();
    let peers = 0;
    let latest = 0;
    for (const d of this.#until.values()) {
      if (d.address !== address || d.until <= now) continue;
      peers++;
      latest = Math.max(latest, d.until);
    }
    if (peers < policy.threshold) return false;
    const already = this.isAddressDenied(address);
    this.#addresses.delete(address);
    this.#addresses.set(address, latest);
    // Bounded like the peers (an address needs `threshold` of them): the oldest denial goes first.
    for (const a of this.#addresses.keys()) {
      if (this.#addresses.size <= this.#maxEntries) break;
      this.#addresses.delete(a);
    }
    return !already;
  }

  /** Lifts a denial early (operator action, tests). */
  allow(peerId: string): void {
    this.#until.delete(peerId);
  }

  isDenied(peerId: string): boolean {
    const until = this.#until.get(peerId)?.until;
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
    return [...this.#until]
      .filter(([, d]) => d.until > now)
      .map(([peerId, d]) => ({ peerId, until: d.until }));
  }

  #evict(): void {
    const now = this.#now();
    for (const [id, d] of this.#until) if (d.until <= now) this.#until.delete(id);
    while (this.#until.size > this.#maxEntries) {
      let first: string | undefined;
      let min = Number.POSITIVE_INFINITY;
      for (const [id, { until }] of this.#until) {
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

/** The IP address of a multiaddr (its ip4 or ip6 part), if it has one. */
export function ipOf(ma: Multiaddr): string | undefined {
  for (const c of ma.getComponents()) if (c.name === 'ip4' || c.name === 'ip6') return c.value;
  return undefined;
}

/**
 * A connection gater refusing dials to and connections from denied peers, and, once the peer is known
 * (the encrypted connection), peers at a denied address unless `isProtected` (explicit member peers).
 */
export function createDenylistGater(
  denylist: PeerDenylist,
  isProtected: (peerId: string) => boolean = () => false,
): ConnectionGater {
  const denied = (peerId: PeerId): boolean => denylist.isDenied(peerId.toString());
  const deniedHere = (peerId: PeerId, conn: MultiaddrConnection): boolean => {
    const id = peerId.toString();
    if (denylist.isDenied(id)) return true;
    const ip = ipOf(conn.remoteAddr);
    return ip !== undefined && denylist.isAddressDenied(ip) && !isProtected(id);
  };
  return {
    denyDialPeer: denied,
    denyInboundEncryptedConnection: deniedHere,
    denyOutboundEncryptedConnection: deniedHere,
    denyInboundUpgradedConnection: deniedHere,
    denyOutboundUpgradedConnection: deniedHere,
    // Loopback and private addresses are allowed: SFR members often run on private networks.
    denyDialMultiaddr: () => false,
  };
}
