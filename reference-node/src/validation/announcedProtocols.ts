/**
 * A member's own protocol (messages.md#recoveryevent): the `protocol` of the member's accepted
 * NodeAnnouncement with the highest `seq` below the event's. One judgment, used where a
 * RecoveryEvent is validated (envelope.md rule 33.1) and wherever a held one is read (contagion
 * delivery, claim checks: messages.md#recoveryevent "judged when read"), so that every node holding
 * the same messages reaches the same view, whatever order they arrived in.
 */

/** `own`: the announced protocol; `foreign`: another one; `unknown`: no announcement below the event's seq is held. */
export type OwnProtocolVerdict = 'own' | 'foreign' | 'unknown';

export interface AnnouncedProtocols {
  /** Records an accepted NodeAnnouncement (issuer lower-case); a non-string `protocol` is ignored. */
  record(issuer: string, seq: number, protocol: unknown): void;
  /** The protocol of the issuer's newest held announcement with a `seq` below `seq`, if any. */
  protocolOf(issuer: string, seq: number): string | undefined;
  /** Judges a RecoveryEvent's `protocol` (issuer compared case-insensitively). */
  judge(event: {
    readonly issuer: string;
    readonly seq: number;
    readonly protocol: unknown;
  }): OwnProtocolVerdict;
}

export function createAnnouncedProtocols(): AnnouncedProtocols {
  // Per member, (seq, protocol) of the accepted announcements that change the protocol, in seq order.
  const announced = new Map<string, { seq: number; protocol: string }[]>();
  const protocolOf = (issuer: string, seq: number): string | undefined => {
    const list = announced.get(issuer);
    let k = list?.length ?? 0;
    while (k > 0 && list![k - 1]!.seq >= seq) k--;
    return k === 0 ? undefined : list![k - 1]!.protocol;
  };
  return {
    record(issuer, seq, protocol) {
      if (typeof protocol !== 'string') return;
      const list = announced.get(issuer) ?? [];
      let k = list.length;
      while (k > 0 && list[k - 1]!.seq > seq) k--;
      // One entry per protocol change is enough (node.md#heartbeat-retention): an announcement naming the
      // protocol of the one below it answers no seq differently, and heartbeats would grow the list forever.
      if (list[k - 1]?.seq !== seq && list[k - 1]?.protocol !== protocol)
        list.splice(k, 0, { seq, protocol });
      announced.set(issuer, list);
    },
    protocolOf,
    judge(event) {
      const announcedProtocol = protocolOf(event.issuer.toLowerCase(), event.seq);
      if (announcedProtocol === undefined) return 'unknown';
      return event.protocol === announcedProtocol ? 'own' : 'foreign';
    },
  };
}
