/**
 * `attachLiveness(p)`: a started node's liveness (node.md#liveness). It announces the node
 * (`NodeAnnouncement` through the node's one publish path) at once, again whenever its addresses
 * change, and re-signs the announcement with a `heartbeat` every interval; it tracks every member's
 * heartbeats, marks members silent and back, pushes `member_silent` / `member_back` notices, logs
 * each transition and serves the liveness gauges. The node's `stop()` stops it first.
 *
 * Idle cost (issue 13: 45 node processes on 2 cores): silence is checked by one timer armed for the
 * earliest live member's bound, none while no member is live, instead of every second; the gauges are
 * sampled when scraped (`setMetricSources`), not reset and re-set for every member each second and on
 * each heartbeat.
 *
 *   const liveness = await attachLiveness({ node, protocol: 'aave-v3', capabilities, notify });
 *   liveness.view(); // MemberListResponse
 */
import type { Address, MemberListResponse, NodeAnnouncement } from '@sfr/schemas';
import { toChecksumAddress } from '../envelope/index.js';
import type { Logger } from '../logging/index.js';
import { type Metrics, setMetricSources } from '../metrics/index.js';
import { announcementOf, type SfrNode } from '../node/index.js';
import { createLivenessTracker, type LivenessTransition } from './livenessTracker.js';

/** [sfr] Default heartbeat interval (NodeConfig liveness.heartbeatIntervalMs): 30 s. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 30_000;
/** [sfr] Default intervals missed before silence (liveness.missedHeartbeats): 2, so ≤ 3 intervals. */
export const DEFAULT_MISSED_HEARTBEATS = 2;
/** setTimeout's largest delay (2^31 − 1 ms); a later bound is re-armed when this one fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A notice for the node's webhooks and notice stream (the contagion responder's `push`). */
export interface LivenessNotice {
  readonly event: 'member_silent' | 'member_back';
  readonly messageId: string;
  readonly body: Record<string, unknown>;
}

export interface AttachLivenessParameters {
  readonly node: Pick<
    SfrNode,
    'publish' | 'onAccepted' | 'peerId' | 'member' | 'multiaddrs' | 'store' | 'connectedPeers' | 'membership'
  > & {
    stop(): Promise<void>;
    readonly libp2p?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  };
  /** `identity.protocol`. */
  readonly protocol: string;
  readonly capabilities: NodeAnnouncement['capabilities'];
  /**
   * Whether this node announces itself and signs heartbeats (default true). A multisig member's node
   * does not: its owners would have to co-sign each one (node.md#multisig-members); it still tracks.
   */
  readonly announces?: boolean;
  readonly intervalMs?: number;
  readonly missedHeartbeats?: number;
  /** Delivers a notice (webhooks, SSE); resolves once it is durably enqueued. */
  readonly notify?: (n: LivenessNotice) => Promise<void>;
  readonly metrics?: Metrics;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export interface Liveness {
  /** `GET /v1/members`. */
  view(): MemberListResponse;
  /** A reload changed the member list (the node's `membership` already holds the new one). */
  membersChanged(): void;
  /** Publishes an announcement now (start, address change); resolves when it is stored and sent. */
  announce(): Promise<void>;
  stop(): Promise<void>;
}

export async function attachLiveness(p: AttachLivenessParameters): Promise<Liveness> {
  const { node, metrics } = p;
  const now = p.now ?? Date.now;
  const log = p.logger?.child({ component: 'liveness' });
  const intervalMs = p.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const missedHeartbeats = p.missedHeartbeats ?? DEFAULT_MISSED_HEARTBEATS;
  const startedAt = now();
  let stopped = false;
  const tracker = createLivenessTracker({
    self: node.member,
    members: node.membership.members,
    intervalMs,
    missedHeartbeats,
    startedAt,
  });
  const pending = new Set<Promise<unknown>>();
  const track = (t: Promise<unknown>): void => {
    pending.add(t);
    t.finally(() => pending.delete(t)).catch(() => {});
  };

  const announcementFields = (a: Record<string, unknown>) => ({
    ...(typeof a['protocol'] === 'string' ? { protocol: a['protocol'] } : {}),
    ...(typeof a['peerId'] === 'string' ? { peerId: a['peerId'] } : {}),
  });

  // What the store already holds: each member's latest announcement (in store order; the tracker keeps the latest).
  for (let after = 0; ; ) {
    const page = await node.store.queryMessages({ type: 'NodeAnnouncement', after, limit: 500 });
    if (!page.ok) break;
    for (const m of page.messages) {
      // A stored message: validated at admission, so its issuer is an `Address`.
      const env = JSON.parse(new TextDecoder().decode(m.wire)) as {
        issuer: Address;
        issuedAt: number;
        payload: Record<string, unknown>;
      };
      tracker.observe(
        {
          member: env.issuer,
          messageId: m.id,
          issuedAt: env.issuedAt,
          receivedAt: m.receivedAt,
          ...announcementFields(env.payload),
        },
        startedAt,
      );
    }
    if (page.nextCursor === null) break;
    after = page.nextCursor;
  }

  const pushTransition = (t: LivenessTransition): void => {
    const member = toChecksumAddress(t.member);
    const who = {
      member,
      ...(t.protocol === undefined ? {} : { protocol: t.protocol }),
      ...(t.peerId === undefined ? {} : { peerId: t.peerId }),
    };
    metrics?.livenessTransitions.inc({ kind: t.kind });
    if (t.kind === 'silent') {
      log?.warn(
        {
          member,
          protocol: t.protocol,
          lastHeartbeatAt: t.lastHeartbeatAt,
          silentForMs: t.at - t.lastHeartbeatAt,
        },
        'member silent',
      );
    } else {
      log?.info({ member, protocol: t.protocol, silentSince: t.silentSince }, 'member back');
    }
    // node.md#liveness: no notice about the node's own member (its operator watches the node itself).
    if (p.notify === undefined || t.member === node.member.toLowerCase()) return;
    const body =
      t.kind === 'silent'
        ? {
            createdAt: t.at,
            member: who,
            lastHeartbeatId: t.messageId,
            lastHeartbeatAt: t.lastHeartbeatAt,
            silentSince: t.silentSince,
            missedHeartbeats: Math.floor((t.at - t.lastHeartbeatAt) / intervalMs),
            heartbeatIntervalMs: intervalMs,
          }
        : {
            createdAt: t.at,
            member: who,
            heartbeatId: t.messageId,
            lastHeartbeatAt: t.lastHeartbeatAt,
            silentSince: t.silentSince,
            silentForMs: t.at - t.silentSince,
            heartbeatIntervalMs: intervalMs,
          };
    track(
      p
        .notify({
          event: t.kind === 'silent' ? 'member_silent' : 'member_back',
          messageId: t.messageId,
          body,
        })
        .catch((err: unknown) => log?.error({ err: String(err), member }, 'liveness notice not delivered')),
    );
  };

  // node.md#liveness rule 6: the gauges, sampled at each scrape.
  if (metrics !== undefined) setMetricSources(metrics, { liveness: () => tracker.view(now()) });

  // One timer, armed for the earliest live member's bound; a member cannot turn silent before it.
  let checkTimer: ReturnType<typeof setTimeout> | undefined;
  let checkAt: number | undefined;
  const arm = (): void => {
    const next = tracker.nextCheckAt();
    if (next === checkAt) return;
    if (checkTimer !== undefined) clearTimeout(checkTimer);
    checkTimer = undefined;
    checkAt = next;
    if (next === undefined || stopped) return;
    checkTimer = setTimeout(check, Math.min(MAX_TIMER_MS, Math.max(0, next - now())));
  };
  const check = (): void => {
    checkTimer = undefined;
    checkAt = undefined;
    for (const t of tracker.check(now())) pushTransition(t);
    arm();
  };

  const unsubscribe = node.onAccepted((m) => {
    if (m.envelope.type !== 'NodeAnnouncement') return;
    const back = tracker.observe(
      {
        member: m.envelope.issuer,
        messageId: m.id,
        issuedAt: m.envelope.issuedAt,
        receivedAt: m.receivedAt,
        ...announcementFields(m.envelope.payload),
      },
      now(),
    );
    if (back !== null) pushTransition(back);
    arm();
  });

  let inFlight: Promise<void> | undefined;
  let announcedAddresses = '';
  const publishAnnouncement = async (): Promise<void> => {
    const addresses = JSON.stringify(node.multiaddrs());
    await node.publish(
      'NodeAnnouncement',
      {},
      {
        // node.md#liveness: headSeq is the announcement's own seq, the member's highest issued.
        payloadAt: (seq) =>
          announcementOf({
            node,
            protocol: p.protocol,
            capabilities: p.capabilities,
            heartbeat: { uptimeMs: now() - startedAt, headSeq: seq, peers: node.connectedPeers().length },
          }) as unknown as Record<string, unknown>,
      },
    );
    announcedAddresses = addresses;
  };
  const announce = (): Promise<void> => {
    if (stopped || p.announces === false) return Promise.resolve();
    if (inFlight !== undefined) return inFlight;
    inFlight = publishAnnouncement()
      .catch((err: unknown) => {
        const e = err as { code?: string; details?: { code?: string } };
        log?.warn({ code: e.details?.code ?? e.code, err: String(err) }, 'heartbeat not published');
      })
      .finally(() => {
        inFlight = undefined;
      });
    track(inFlight);
    return inFlight;
  };
  // node.md#liveness: re-announce when the node's addresses change.
  const onSelfUpdate = (): void => {
    if (JSON.stringify(node.multiaddrs()) !== announcedAddresses) void announce();
  };
  node.libp2p?.addEventListener('self:peer:update', onSelfUpdate);

  const heartbeatTimer = setInterval(() => void announce(), intervalMs);
  arm();
  void announce();

  const liveness: Liveness = {
    view: () => ({
      heartbeatIntervalMs: intervalMs,
      missedHeartbeats,
      items: tracker.view(now()).map((m) => ({ ...m, member: toChecksumAddress(m.member) })),
    }),
    membersChanged() {
      tracker.setMembers(node.membership.members, now());
      arm();
    },
    announce,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(heartbeatTimer);
      if (checkTimer !== undefined) clearTimeout(checkTimer);
      checkTimer = undefined;
      unsubscribe();
      node.libp2p?.removeEventListener('self:peer:update', onSelfUpdate);
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
  const stopNode = node.stop.bind(node);
  node.stop = async () => {
    await liveness.stop();
    await stopNode();
  };
  return liveness;
}
