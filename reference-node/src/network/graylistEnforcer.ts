/**
 * Disconnects and denies peers whose gossipsub score fell below the graylist threshold
 * (spec/v1/p2p.md#graylisting). Gossipsub's own graylist only stops processing a peer's RPCs; the
 * frames are still read and decoded, so a flood keeps costing CPU and slows honest delivery. SFR
 * aborts its connections and refuses the peer (dial and inbound) for `denyMs`. A peer is judged as soon
 * as the router penalises it (coalesced to once per event-loop turn), and every peer each interval.
 */
import type { Libp2p } from '@libp2p/interface';
import type { PeerDenylist } from './denylist.js';
import type { GossipRouter } from './gossip/gossipRouter.js';
import { GRAYLIST_CHECK_INTERVAL_MS, GRAYLIST_DENY_MS, SCORE_THRESHOLDS } from './gossip/scoringParams.js';

export interface GraylistEnforcerOptions {
  readonly libp2p: Pick<Libp2p, 'getPeers' | 'getConnections'>;
  readonly router: Pick<GossipRouter, 'getScore' | 'onPenalised'>;
  readonly denylist: PeerDenylist;
  readonly threshold?: number;
  readonly denyMs?: number;
  readonly intervalMs?: number;
  /** Peers never denied (explicit member peers). */
  readonly protectedPeers?: ReadonlySet<string>;
  readonly onDenied?: (peerId: string, score: number) => void;
}

export interface GraylistEnforcer {
  start(): void;
  stop(): void;
  /** One pass over connected peers (exposed for tests). Returns the peers denied in this pass. */
  check(): Promise<string[]>;
}

export function createGraylistEnforcer(opts: GraylistEnforcerOptions): GraylistEnforcer {
  const threshold = opts.threshold ?? SCORE_THRESHOLDS.graylistThreshold;
  const denyMs = opts.denyMs ?? GRAYLIST_DENY_MS;
  let timer: ReturnType<typeof setInterval> | undefined;
  let unlisten: (() => void) | undefined;
  /** Peers penalised since the last turn of the event loop, judged together on the next one. */
  const penalised = new Set<string>();
  let flush: ReturnType<typeof setImmediate> | undefined;

  /**
   * Denies the peers among `peers` whose score is below the threshold and aborts their connections;
   * returns them. The interval pass aborts again a denied peer still connected; a penalty alone does not.
   */
  function judge(peers: ReturnType<typeof opts.libp2p.getPeers>, again: boolean): string[] {
    const denied: string[] = [];
    for (const peer of peers) {
      const id = peer.toString();
      if (opts.protectedPeers?.has(id) === true || (!again && opts.denylist.isDenied(id))) continue;
      const score = opts.router.getScore(id);
      if (score < threshold) {
        opts.denylist.deny(id, denyMs);
        denied.push(id);
        opts.onDenied?.(id, score);
        // Aborted, not closed: a graceful close waits (up to libp2p's 1 s close timeout) for the
        // flooding peer to end its streams, and meanwhile its frames are still read.
        for (const c of opts.libp2p.getConnections(peer)) c.abort(new Error('peer graylisted'));
      }
    }
    return denied;
  }

  async function check(): Promise<string[]> {
    return judge(opts.libp2p.getPeers(), true);
  }

  const judgePenalised = (): void => {
    flush = undefined;
    const ids = new Set(penalised);
    penalised.clear();
    judge(
      opts.libp2p.getPeers().filter((p) => ids.has(p.toString())),
      false,
    );
  };

  return {
    start() {
      if (timer !== undefined) return;
      timer = setInterval(() => void check(), opts.intervalMs ?? GRAYLIST_CHECK_INTERVAL_MS);
      unlisten = opts.router.onPenalised((id) => {
        penalised.add(id);
        flush ??= setImmediate(judgePenalised);
      });
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      unlisten?.();
      unlisten = undefined;
      if (flush !== undefined) clearImmediate(flush);
      flush = undefined;
      penalised.clear();
    },
    check,
  };
}
