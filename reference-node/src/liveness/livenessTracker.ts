/**
 * `createLivenessTracker(p)`: each member's liveness from the heartbeats (NodeAnnouncements) this
 * node accepts, as node.md#liveness states it. Pure: it reads no clock and publishes nothing; the
 * caller passes the time and acts on the transitions it returns.
 *
 * - A heartbeat counts when it is received, so neither the issuer's clock nor a slow signature
 *   (a node's first publish waits for its own-head check) moves it; another member's received more
 *   than the silence bound after its `issuedAt` (fetched late by sync) counts at its `issuedAt`. The
 *   node's own count when it stored them, however long its publish path took.
 * - A member is silent once no heartbeat counted for `(missedHeartbeats + ½) × intervalMs`, measured
 *   from its last heartbeat or from when tracking began, whichever is later.
 * - `unknown` until an announcement of the member is held; a member silent from the start (its first
 *   held announcement is already too old) is silent without a transition, and turns live again
 *   without one: every `back` follows a `silent`.
 */
import type { Address, MemberListResponse } from '@sfr/schemas';
import { lowerHex } from '../envelope/index.js';

export type LivenessStatus = MemberListResponse['items'][number]['status'];
export type MemberLiveness = MemberListResponse['items'][number];

export interface LivenessHeartbeat {
  readonly member: Address;
  readonly messageId: string;
  readonly issuedAt: number;
  readonly receivedAt: number;
  readonly protocol?: string;
  readonly peerId?: string;
}

export interface LivenessTransition {
  readonly kind: 'silent' | 'back';
  readonly member: Address;
  readonly protocol?: string;
  readonly peerId?: string;
  /** The heartbeat before the silence (`silent`) or the one that ended it (`back`). */
  readonly messageId: string;
  readonly lastHeartbeatAt: number;
  /** `silent`: when the member was marked silent; `back`: when it had been (its silence began). */
  readonly silentSince: number;
  readonly at: number;
}

export interface CreateLivenessTrackerParameters {
  /** This node's member (listed with `self: true`). */
  readonly self: Address;
  readonly members: Iterable<Address>;
  readonly intervalMs: number;
  readonly missedHeartbeats: number;
  /** When tracking began: every member gets one full bound from here before it can turn silent. */
  readonly startedAt: number;
}

export interface LivenessTracker {
  /** Counts a heartbeat; returns the `back` transition when it ends a silence. Non-members are ignored. */
  observe(h: LivenessHeartbeat, now: number): LivenessTransition | null;
  /** Marks silent every live member whose bound has passed; returns those transitions. */
  check(now: number): LivenessTransition[];
  /** When the next live member's bound passes (the next `check` that can mark one silent); undefined when none is live. */
  nextCheckAt(): number | undefined;
  /** Replaces the member list (a reload): new members start `unknown`, removed ones are forgotten. */
  setMembers(members: Iterable<Address>, now: number): void;
  /** Every member's liveness, own member first, then by address. */
  view(now: number): MemberLiveness[];
  /** Time without a heartbeat after which a member is silent. */
  readonly silentAfterMs: number;
}

interface Entry {
  status: LivenessStatus;
  lastHeartbeatAt?: number;
  messageId?: string;
  protocol?: string;
  peerId?: string;
  silentSince?: number;
  /** Whether the current silence was a `silent` transition (else it ends without a `back`). */
  silentByTransition?: boolean;
  /** From when the bound runs when no later heartbeat counted (tracking start or the member's addition). */
  since: number;
}

export function createLivenessTracker(p: CreateLivenessTrackerParameters): LivenessTracker {
  const self = lowerHex(p.self);
  // node.md#liveness: `missedHeartbeats` whole intervals plus half an interval of grace for delivery.
  const silentAfterMs = Math.round((p.missedHeartbeats + 0.5) * p.intervalMs);
  const entries = new Map<Address, Entry>();
  const add = (m: Address, now: number): void => {
    const key = lowerHex(m);
    if (!entries.has(key)) entries.set(key, { status: 'unknown', since: now });
  };
  for (const m of [...p.members, self]) add(m, p.startedAt);
  const deadline = (e: Entry): number => Math.max(e.lastHeartbeatAt ?? 0, e.since) + silentAfterMs;
  const transition = (
    kind: LivenessTransition['kind'],
    member: Address,
    e: Entry,
    at: number,
  ): LivenessTransition => ({
    kind,
    member,
    ...(e.protocol === undefined ? {} : { protocol: e.protocol }),
    ...(e.peerId === undefined ? {} : { peerId: e.peerId }),
    messageId: e.messageId!,
    lastHeartbeatAt: e.lastHeartbeatAt!,
    silentSince: e.silentSince ?? at,
    at,
  });

  return {
    silentAfterMs,
    observe(h, now) {
      const member = lowerHex(h.member);
      const e = entries.get(member);
      if (e === undefined) return null;
      // The node's own heartbeats count when it stored them: only its own publish path (validation,
      // the durable write) lies between signing and storing, and on a busy machine that took longer
      // than the bound, so counting them at `issuedAt` showed a running node's own member "2 missed"
      // or silent. Sync's lateness rule is for other members' heartbeats.
      const late = member !== self && h.receivedAt - h.issuedAt >= silentAfterMs;
      const at = late ? h.issuedAt : h.receivedAt;
      if (e.lastHeartbeatAt !== undefined && at <= e.lastHeartbeatAt) return null;
      e.lastHeartbeatAt = at;
      e.messageId = h.messageId;
      if (h.protocol !== undefined) e.protocol = h.protocol;
      if (h.peerId !== undefined) e.peerId = h.peerId;
      const fresh = now < at + silentAfterMs;
      if (e.status === 'live' || (e.status === 'silent' && !fresh)) return null;
      if (e.status === 'unknown') {
        // First announcement held: live if recent, else silent from now without a transition.
        e.status = fresh ? 'live' : 'silent';
        if (!fresh) e.silentSince = now;
        return null;
      }
      const back = e.silentByTransition === true ? transition('back', member, e, now) : null;
      e.status = 'live';
      delete e.silentSince;
      delete e.silentByTransition;
      return back;
    },
    check(now) {
      const out: LivenessTransition[] = [];
      for (const [member, e] of entries) {
        if (e.status !== 'live' || now < deadline(e)) continue;
        e.status = 'silent';
        e.silentSince = now;
        e.silentByTransition = true;
        out.push(transition('silent', member, e, now));
      }
      return out;
    },
    nextCheckAt() {
      let next: number | undefined;
      for (const e of entries.values()) {
        if (e.status !== 'live') continue;
        const d = deadline(e);
        if (next === undefined || d < next) next = d;
      }
      return next;
    },
    setMembers(members, now) {
      const keep = new Set([...members, self].map(lowerHex));
      for (const m of entries.keys()) if (!keep.has(m)) entries.delete(m);
      for (const m of keep) add(m, now);
    },
    view(now) {
      return [...entries.entries()]
        .sort(([a], [b]) => Number(b === self) - Number(a === self) || a.localeCompare(b))
        .map(([member, e]) => ({
          member,
          ...(e.protocol === undefined ? {} : { protocol: e.protocol }),
          status: e.status,
          self: member === self,
          ...(e.peerId === undefined ? {} : { peerId: e.peerId }),
          ...(e.lastHeartbeatAt === undefined
            ? {}
            : {
                lastHeartbeatAt: e.lastHeartbeatAt,
                missedHeartbeats: Math.max(0, Math.floor((now - e.lastHeartbeatAt) / p.intervalMs)),
              }),
          ...(e.silentSince === undefined ? {} : { silentSince: e.silentSince }),
        }));
    },
  };
}
