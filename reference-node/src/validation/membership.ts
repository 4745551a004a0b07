/**
 * The member set (spec/v1/p2p.md#membership): the configured member addresses, plus the peer-id
 * bindings announced by members in signed `NodeAnnouncement`s. Addresses compare case-insensitively.
 * Bounded: at most one binding per peer id and `maxBindingsPerMember` per member.
 */
import type { Address } from '@sfr/schemas';

/** Lower case, the form members are kept in (lower-casing an `Address` keeps it one). */
const lower = (a: Address): Address => a.toLowerCase() as Address;

export class Membership {
  readonly #members: Set<Address>;
  readonly #peerToMember = new Map<string, Address>();
  readonly #memberPeers = new Map<Address, string[]>();
  readonly #maxBindingsPerMember: number;

  constructor(members: Iterable<Address>, options: { maxBindingsPerMember?: number } = {}) {
    this.#members = new Set([...members].map(lower));
    // [sfr] a member runs a handful of nodes (primary, standby, rotation): 8 bindings is ample.
    this.#maxBindingsPerMember = options.maxBindingsPerMember ?? 8;
  }

  isMember(address: string): boolean {
    return this.#members.has(address.toLowerCase() as Address);
  }

  get members(): Address[] {
    return [...this.#members];
  }

  /** Binds a peer id to a member (from an accepted NodeAnnouncement). Non-members are not bound. */
  bindPeer(peerId: string, member: Address): boolean {
    const m = lower(member);
    if (!this.#members.has(m)) return false;
    const previous = this.#peerToMember.get(peerId);
    if (previous === m) return true;
    if (previous !== undefined) {
      const list = this.#memberPeers.get(previous) ?? [];
      this.#memberPeers.set(
        previous,
        list.filter((p) => p !== peerId),
      );
    }
    const peers = this.#memberPeers.get(m) ?? [];
    peers.push(peerId);
    while (peers.length > this.#maxBindingsPerMember) {
      const dropped = peers.shift();
      if (dropped !== undefined) this.#peerToMember.delete(dropped);
    }
    this.#memberPeers.set(m, peers);
    this.#peerToMember.set(peerId, m);
    return true;
  }

  /**
   * Replaces the configured member set (a config reload, node.md#configuration): bindings of members
   * no longer listed are dropped, so their peers' messages are refused from then on.
   */
  setMembers(members: Iterable<Address>): void {
    const next = new Set([...members].map(lower));
    for (const m of this.#members) {
      if (next.has(m)) continue;
      for (const peer of this.#memberPeers.get(m) ?? []) this.#peerToMember.delete(peer);
      this.#memberPeers.delete(m);
    }
    this.#members.clear();
    for (const m of next) this.#members.add(m);
  }

  memberOfPeer(peerId: string): Address | undefined {
    return this.#peerToMember.get(peerId);
  }
}
