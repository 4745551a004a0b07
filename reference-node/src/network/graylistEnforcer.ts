/**
 * Disconnects and denies peers whose gossipsub score fell below the graylist threshold
 * (spec/v1/p2p.md#graylisting). Gossipsub's own graylist only stops processing a peer's RPCs; the
 * frames are still read and decoded, so a flood keeps costing CPU and slows honest delivery. SFR
 * aborts its connections and refuses the peer (dial and inbound) for `denyMs`. A peer is judged as soon
 * as the router penalises it (once the code that penalised it returns: the penalties of one RPC are
 * judged together, before the event loop reads anything else), and every peer each interval.
 */
import type { Libp2p } from '@libp2p/interface';
import { ipOf, type PeerDenylist } from './denylist.js';
import type { GossipRouter } from './gossip/gossipRouter.js';
import { GRAYLIST_CHECK_INTERVAL_MS, GRAYLIST_DENY_MS, SCORE_THRESHOLDS } from './gossip/scoringParams.js';

export interface GraylistEnforcerOptions {
  readonly libp2p: Pick<Libp2p, 'getConnections'>;
  readonly router: Pick<GossipRouter, 'getScore' | 'onPenalised'>;
  readonly denylist: PeerDenylist;
  readonly threshold?: number;
  readonly denyMs?: number;
  readonly intervalMs?: number;
  /** Peers never denied (explicit member peers). */
  readonly protectedPeers?: ReadonlySet<string>;
  /**
   * A peer was denied, with its score and how long since its first penalty that this enforcer saw
   * (undefined when it saw none: the periodic pass found the score low).
   */
  readonly onDenied?: (peerId: string, score: number, offendingMs: number | undefined) => void;
  /**
   * An address was denied with this peer's denial (p2p.md#address-denial), and `aborted` other peers'
   * connections there were aborted.
   */
  readonly onAddressDenied?: (address: string, peerId: string, aborted: number) => void;
}

/** [sfr] Peers whose first penalty is remembered (for `offendingMs`); the oldest is forgotten first. */
const FIRST_PENALTY_PEERS = 4096;

export interface GraylistEnforcer {
  start(): void;
  stop(): void;
  /** One pass over connected peers (exposed for tests). Returns the peers denied in this pass. */
  check(): Promise<string[]>;
  /**
   * Denies and disconnects `peerId` for an offence another rule counted (p2p.md#sync-sessions: the
   * third sync offence), as a graylisted peer is, its address included; `why` goes with the abort.
   */
  deny(peerId: string, why: string): void;
}

export function createGraylistEnforcer(opts: GraylistEnforcerOptions): GraylistEnforcer {
  const threshold = opts.threshold ?? SCORE_THRESHOLDS.graylistThreshold;
  const denyMs = opts.denyMs ?? GRAYLIST_DENY_MS;
  let timer: ReturnType<typeof setInterval> | undefined;
  let unlisten: (() => void) | undefined;
  /** Peers penalised since the last judgement, judged together in the next one. */
  const penalised = new Set<string>();
  /** When each peer was first penalised (since its last denial), for `onDenied`'s `offendingMs`. */
  const firstPenalty = new Map<string, number>();
  /**
   * A judgement is queued as a microtask, not for the next turn of the event loop (setImmediate): by then
   * a busy node had read every other readable socket first, and the 30-node sybil scenario measured
   * 0.3 s median, 1.3 s at most, from a peer's first penalty to its denial.
   */
  let queued = false;
  let running = false;

  /**
   * Denies the connected peers among `ids` whose score is below the threshold and aborts their
   * connections; returns them. The interval pass aborts again a denied peer still connected; a penalty
   * alone does not. Peers by their connections' strings: `getPeers()` rebuilds a PeerId per peer.
   */
  function judge(ids: ReadonlySet<string> | undefined, again: boolean): string[] {
    const connections = new Map<string, ReturnType<typeof opts.libp2p.getConnections>>();
    for (const c of opts.libp2p.getConnections()) {
      const id = c.remotePeer.toString();
      if (ids !== undefined && !ids.has(id)) continue;
      const list = connections.get(id);
      if (list === undefined) connections.set(id, [c]);
      else list.push(c);
    }
    const denied: string[] = [];
    for (const [id, list] of connections) {
      if (opts.protectedPeers?.has(id) === true || (!again && opts.denylist.isDenied(id))) continue;
      const score = opts.router.getScore(id);
      if (score < threshold) {
        denied.push(id);
        const first = firstPenalty.get(id);
        firstPenalty.delete(id);
        opts.onDenied?.(id, score, first === undefined ? undefined : Date.now() - first);
        cutOff(id, list, 'peer graylisted');
      }
    }
    return denied;
  }

  /**
   * Denies `id` for `denyMs` with the address of its connections `list` and aborts them; when that
   * denial denies the address (p2p.md#address-denial), aborts the other peers there too. Aborted, not
   * closed: a graceful close waits (up to libp2p's 1 s close timeout) for the flooding peer to end its
   * streams, and meanwhile its frames are still read.
   */
  function cutOff(id: string, list: ReturnType<typeof opts.libp2p.getConnections>, why: string): void {
    const address = list[0] === undefined ? undefined : ipOf(list[0].remoteAddr);
    const addressDenied = opts.denylist.deny(id, denyMs, address);
    for (const c of list) c.abort(new Error(why));
    if (addressDenied && address !== undefined) {
      const aborted = abortAt(address);
      opts.onAddressDenied?.(address, id, aborted);
    }
  }

  /** Aborts the connections of every unprotected peer at a denied address; returns how many peers. */
  function abortAt(address: string): number {
    const peers = new Set<string>();
    for (const c of opts.libp2p.getConnections()) {
      const id = c.remotePeer.toString();
      if (opts.protectedPeers?.has(id) === true || ipOf(c.remoteAddr) !== address) continue;
      peers.add(id);
      c.abort(new Error('address denied'));
    }
    return peers.size;
  }

  async function check(): Promise<string[]> {
    return judge(undefined, true);
  }

  const judgePenalised = (): void => {
    queued = false;
    if (!running) return;
    const ids = new Set(penalised);
    penalised.clear();
    judge(ids, false);
  };

  return {
    start() {
      if (timer !== undefined) return;
      running = true;
      timer = setInterval(() => void check(), opts.intervalMs ?? GRAYLIST_CHECK_INTERVAL_MS);
      unlisten = opts.router.onPenalised((id) => {
        if (!firstPenalty.has(id)) {
          firstPenalty.set(id, Date.now());
          if (firstPenalty.size > FIRST_PENALTY_PEERS) firstPenalty.delete(firstPenalty.keys().next().value!);
        }
        penalised.add(id);
        if (!queued) {
          queued = true;
          queueMicrotask(judgePenalised);
        }
      });
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      unlisten?.();
      unlisten = undefined;
      running = false;
      penalised.clear();
      firstPenalty.clear();
    },
    check,
    deny(peerId, why) {
      cutOff(
        peerId,
        opts.libp2p.getConnections().filter((c) => c.remotePeer.toString() === peerId),
        why,
      );
    },
  };
}
