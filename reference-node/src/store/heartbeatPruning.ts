/**
 * Heartbeat pruning (spec/v1/node.md#heartbeat-retention): which of a member's held `NodeAnnouncement`s
 * the store may drop, and the ranges it remembers having dropped. Pure bookkeeping in memory; the
 * store writes what it decides in the same batch as the append that caused it.
 *
 *   const pruner = createHeartbeatPruner(3);
 *   pruner.hold('0xab…', { seq: 7, cursor: 42, protocol: 'aave-v3', pinned: false }); // → the entries to drop
 */

/**
 * [sfr] Default heartbeats kept per member (NodeConfig `liveness.keepHeartbeats`): 3, the last one
 * tracking needs plus the two a silence bound spans at the default `missedHeartbeats` (node.md#liveness).
 */
export const DEFAULT_KEEP_HEARTBEATS = 3;

/**
 * A set of integers held as disjoint, non-adjacent closed ranges `[from, to]`, sorted: contiguous
 * values merge, so a member's pruned heartbeats take one range between two messages that are kept.
 */
export class RangeSet {
  private readonly froms: number[] = [];
  private readonly tos: number[] = [];

  /** Index of the range with the largest `from ≤ v`, or −1. */
  private floor(v: number): number {
    let lo = 0;
    let hi = this.froms.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.froms[mid]! <= v) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  has(v: number): boolean {
    const k = this.floor(v);
    return k >= 0 && this.tos[k]! >= v;
  }

  /** Whether every value of `[from, to]` is in the set. */
  covers(from: number, to: number): boolean {
    const k = this.floor(from);
    return k >= 0 && this.tos[k]! >= to;
  }

  /** The range holding `v`, if any. */
  rangeOf(v: number): readonly [number, number] | undefined {
    const k = this.floor(v);
    return k >= 0 && this.tos[k]! >= v ? [this.froms[k]!, this.tos[k]!] : undefined;
  }

  /** Largest value held, or undefined when empty. */
  max(): number | undefined {
    return this.tos.at(-1);
  }

  /** How many values are held. */
  count(): number {
    let n = 0;
    for (let k = 0; k < this.froms.length; k++) n += this.tos[k]! - this.froms[k]! + 1;
    return n;
  }

  /** Adds a stored range as it was written (at load). */
  load(from: number, to: number): void {
    const k = this.floor(from) + 1;
    this.froms.splice(k, 0, from);
    this.tos.splice(k, 0, to);
  }

  /**
   * Adds `v`; answers the ranges (by `from`) that stop existing and the one that now holds `v`, for
   * the caller to write; null when `v` was held already.
   */
  add(v: number): { readonly removed: number[]; readonly range: readonly [number, number] } | null {
    const k = this.floor(v);
    if (k >= 0 && this.tos[k]! >= v) return null;
    const joinsLeft = k >= 0 && this.tos[k] === v - 1;
    const joinsRight = k + 1 < this.froms.length && this.froms[k + 1] === v + 1;
    const removed: number[] = [];
    if (joinsLeft && joinsRight) {
      removed.push(this.froms[k]!, this.froms[k + 1]!);
      this.tos[k] = this.tos[k + 1]!;
      this.froms.splice(k + 1, 1);
      this.tos.splice(k + 1, 1);
      return { removed, range: [this.froms[k]!, this.tos[k]!] };
    }
    if (joinsLeft) {
      removed.push(this.froms[k]!);
      this.tos[k] = v;
      return { removed, range: [this.froms[k]!, v] };
    }
    if (joinsRight) {
      removed.push(this.froms[k + 1]!);
      this.froms[k + 1] = v;
      return { removed, range: [v, this.tos[k + 1]!] };
    }
    this.froms.splice(k + 1, 0, v);
    this.tos.splice(k + 1, 0, v);
    return { removed, range: [v, v] };
  }
}

/** A held announcement as the pruner tracks it. */
export interface HeldAnnouncement {
  readonly seq: number;
  readonly cursor: number;
  readonly id: string;
  /** Its payload's `protocol` (rule 33.1 reads the one below an event). */
  readonly protocol: string | undefined;
  /** Never pruned: it carries a key rotation (node.md#rotation reads them at start). */
  readonly pinned: boolean;
}

export interface HeartbeatPruner {
  /**
   * Records a newly held announcement of `issuer` (lower-case); answers the held ones to prune now, in
   * seq order: all but the newest `keep`, except the issuer's lowest held one, one whose `protocol`
   * differs from the next lower held one's, and a pinned one, so that the protocol any seq reads
   * (rule 33.1: the announcement with the highest seq below it) is the same with or without them.
   */
  hold(issuer: string, a: HeldAnnouncement): HeldAnnouncement[];
}

export function createHeartbeatPruner(keep: number): HeartbeatPruner {
  const held = new Map<string, HeldAnnouncement[]>();
  return {
    hold(issuer, a) {
      const list = held.get(issuer) ?? [];
      held.set(issuer, list);
      let k = list.length;
      while (k > 0 && list[k - 1]!.seq > a.seq) k--;
      if (list[k - 1]?.seq === a.seq) return [];
      list.splice(k, 0, a);
      const pruned: HeldAnnouncement[] = [];
      const kept: HeldAnnouncement[] = [];
      const older = list.length - keep;
      for (let i = 0; i < list.length; i++) {
        const e = list[i]!;
        const prunable = i > 0 && i < older && !e.pinned && e.protocol === list[i - 1]!.protocol;
        (prunable ? pruned : kept).push(e);
      }
      held.set(issuer, kept);
      return pruned;
    },
  };
}
