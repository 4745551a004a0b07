/**
 * Attack 3 (issue 13 finding 3, "unknown-topic gossip"): a libp2p peer (test/network/attacker.ts, the
 * gossipsub router without validation) sends RPCs of 256 messages of 1 KiB each on a topic the node
 * does not subscribe to, written straight to its gossipsub stream (`sendRpc`, as test/netns/sybil.ts
 * does), until 1 000 RPCs have gone out. When the node cuts it off it comes back under a fresh peer id
 * (peer ids cost nothing), until the node refuses it at connect. The victim is one node process with
 * the production scoring (IP colocation on, so it also denies an address where 5 denied peers were).
 * Measured: the node's resident memory (/proc/PID/status) before, at its peak and `SETTLE_MS` after the
 * last RPC, and how many RPCs each peer id got out before the node closed its connection, and when.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { stringifyTopic } from '../../reference-node/src/network/topics.js';
import { metricValue } from '../../reference-node/test/e2e/processNetwork.js';
import { startAttacker } from '../../reference-node/test/network/attacker.js';
import { TIMEOUTS, waitFor } from '../testTimeouts.js';
import { type AttackOptions, crashCheck, type Figures, procStats, sleep, startVictims } from './common.js';

/** Issue 13 finding 3: "1,000 RPCs of 256 × 1 KiB messages on a topic the node does not subscribe to took it from 168 to 672 MB, still 520 MB after 400 s". */
const BEFORE = { rpcs: 1_000, messagesPerRpc: 256, rssBeforeMb: 168, rssPeakMb: 672, rssAfter400sMb: 520 };

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
const UNKNOWN_TOPIC = '/sfr/1/not-a-topic';
/** One RPC every `PACE_MS` (1 000 RPCs, 270 MB, in 5 s when nothing stops it). */
const PACE_MS = 5;
/** Fresh peer ids the attacker tries at most, and how long it keeps trying to connect each one. */
const MAX_IDENTITIES = 25;
const CONNECT_TRY_MS = 5_000;
/** Memory is read this long after the last RPC (the issue read it 400 s after). */
const SETTLE_MS = 30_000;

/** The gossipsub internals an attacker writes with (gossipsub 17.x). */
interface PubsubInternals {
  sendRpc(id: string, rpc: unknown): boolean;
  readonly streamsOutbound: Map<string, unknown>;
}

export async function unknownTopic(opts: AttackOptions): Promise<Figures> {
  // One node, production scoring: the config's gossip section without createProcNetwork's loopback
  // override of IP colocation.
  const net = await startVictims(1, { configure: () => ({ gossip: { maxMessageBytes: 65_536 } }) });
  try {
    const victim = net.nodes[0]!;
    await sleep(2_000);
    const before = procStats(victim);
    let peakMb = before?.rssMb ?? 0;
    const sampler = setInterval(() => {
      const s = procStats(victim);
      if (s !== undefined) peakMb = Math.max(peakMb, s.rssMb);
    }, 100);
    const messages = Array.from({ length: BEFORE.messagesPerRpc }, (_, i) => ({
      topic: UNKNOWN_TOPIC,
      data: new TextEncoder().encode(`junk ${i} ${'x'.repeat(1024)}`),
    }));

    const victimId = peerIdFromString(victim.peerId);
    const peers: Figures[] = [];
    let total = 0;
    let refusedAtConnect: string | undefined;
    const t0 = Date.now();
    let lastRpcAt = t0;
    for (let id = 0; id < MAX_IDENTITIES && total < BEFORE.rpcs; id++) {
      const attacker = await startAttacker({ topics: [ALERTS] });
      try {
        const pubsub = attacker.libp2p.services.pubsub as unknown as PubsubInternals;
        // A host's sixth inbound connection within a second is refused (libp2p's inbound threshold):
        // dial until the node takes it, or give up and call this peer refused.
        let lastError = '';
        const connected = await waitFor(
          () =>
            attacker.libp2p.dial(multiaddr(victim.multiaddr)).then(
              () => true,
              (e: Error) => {
                lastError = `${e.name}: ${e.message.slice(0, 80)}`;
                return false;
              },
            ),
          CONNECT_TRY_MS,
          'connected',
          250,
        ).then(
          () => true,
          () => false,
        );
        if (connected)
          await waitFor(
            () => pubsub.streamsOutbound.has(victim.peerId),
            TIMEOUTS.event,
            'gossipsub stream to the victim',
          ).catch(() => undefined);
        if (!connected || !pubsub.streamsOutbound.has(victim.peerId)) {
          refusedAtConnect = `peer id ${id}: ${lastError || 'no gossipsub stream'}`;
          break;
        }
        const start = Date.now();
        let sent = 0;
        while (total < BEFORE.rpcs && attacker.libp2p.getConnections(victimId).length > 0) {
          if (pubsub.sendRpc(victim.peerId, { subscriptions: [], messages })) {
            sent++;
            total++;
            lastRpcAt = Date.now();
          }
          await sleep(PACE_MS);
        }
        const stillConnected = attacker.libp2p.getConnections(victimId).length > 0;
        peers.push({
          rpcs: sent,
          ...(stillConnected ? { stillConnected } : { cutAfterMs: Date.now() - start }),
        });
      } finally {
        await attacker.libp2p.stop();
      }
    }
    const attackMs = lastRpcAt - t0;
    const settleMs = Math.round(SETTLE_MS * opts.scale);
    await sleep(Math.max(0, lastRpcAt + settleMs - Date.now()));
    clearInterval(sampler);
    const after = procStats(victim);
    // Why the node cut the peers off (p2p.md#conduct penalties it counted, by reason).
    const penalties: Figures = {};
    for (const reason of ['unknown_topic', 'oversize_frame', 'undecodable_frame'])
      penalties[reason] = await metricValue(victim, 'sfr_gossip_conduct_penalties_total', { reason });
    return {
      before: BEFORE,
      after: {
        rpcsHandedToStream: total,
        messagesPerRpc: BEFORE.messagesPerRpc,
        peerIdsUsed: peers.length,
        perPeerId: peers,
        refusedAtConnect: refusedAtConnect ?? null,
        attackMs,
        conductPenalties: penalties,
        rssBeforeMb: before?.rssMb,
        // Sampled every 100 ms from before the first RPC; VmHWM is the process's peak since it started.
        rssPeakMb: peakMb,
        rssHighWaterMb: after?.hwmMb,
        [`rssAfter${Math.round(settleMs / 1000)}sMb`]: after?.rssMb,
      },
      node: crashCheck(victim),
    };
  } finally {
    await net.stop();
  }
}
