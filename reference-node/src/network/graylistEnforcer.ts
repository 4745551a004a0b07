/**
 * Disconnects and denies peers whose gossipsub score fell below the graylist threshold
 * (spec/v1/p2p.md#graylisting). Gossipsub's own graylist only stops processing a peer's RPCs; the
 * frames are still read and decoded, so a flood keeps costing CPU and slows honest delivery. SFR
 * closes the connection and refuses the peer (dial and inbound) for `denyMs`.
 */
import type { Libp2p } from '@libp2p/interface';
import type { PeerDenylist } from './denylist.js';
import type { GossipRouter } from './gossip/gossipRouter.js';
import { GRAYLIST_CHECK_INTERVAL_MS, GRAYLIST_DENY_MS, SCORE_THRESHOLDS } from './gossip/scoringParams.js';

export interface GraylistEnforcerOptions {
  readonly libp2p: Pick<Libp2p, 'getPeers' | 'hangUp'>;
  readonly router: Pick<GossipRouter, 'getScore'>;
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
  let checking = false;

  async function check(): Promise<string[]> {
    if (checking) return [];
    checking = true;
    const denied: string[] = [];
    try {
      for (const peer of opts.libp2p.getPeers()) {
        const id = peer.toString();
        if (opts.protectedPeers?.has(id) === true) continue;
        const score = opts.router.getScore(id);
        if (score < threshold) {
          opts.denylist.deny(id, denyMs);
          denied.push(id);
          opts.onDenied?.(id, score);
          await opts.libp2p.hangUp(peer).catch(() => {});
        }
      }
    } finally {
      checking = false;
    }
    return denied;
  }

  return {
    start() {
      if (timer !== undefined) return;
      timer = setInterval(() => void check(), opts.intervalMs ?? GRAYLIST_CHECK_INTERVAL_MS);
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
    check,
  };
}
