/**
 * Attack 4a (issue 13 finding 4, "one member floods valid alerts"): an attacker holding a member's key
 * pushes 5 000 valid alerts signed with it, each at its own seq, in 5 s (RPCs of 50 every 50 ms written
 * straight to its gossipsub stream) into one node of a 3-node network of `sfr node start` processes,
 * while the three nodes' operators publish 20 honest alerts through their APIs. The member has no node
 * here (the attacker took its key): a node's own key in an attacker's hands would also make that node
 * see its own sequence ahead and stop signing (node.md#own-head), which is not this attack.
 * Measured: how many of the member's alerts each node stored, whether every honest alert reached every
 * node, and the honest delay from the origin's store to each other node's, under the flood and, before
 * it, without one.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { deriveTestKey } from '../../reference-node/src/envelope/index.js';
import { stringifyTopic } from '../../reference-node/src/network/topics.js';
import { ISSUER_BURST, ISSUER_PER_SECOND } from '../../reference-node/src/validation/index.js';
import { api, type ProcNetwork, waitForTopicMesh } from '../../reference-node/test/e2e/processNetwork.js';
import { alertsAt, quantile } from '../../reference-node/test/netns/netnsNetwork.js';
import { alertSigner, startAttacker } from '../../reference-node/test/network/attacker.js';
import { alertPayload } from '../../reference-node/test/node/fixtures.js';
import { TIMEOUTS, waitFor } from '../testTimeouts.js';
import { type AttackOptions, crashCheck, type Figures, sleep, startVictims, storedOf } from './common.js';

/** Issue 13 finding 4: "one member pushed 5,000 valid alerts in 5 s; all were stored on every node, an honest alert was tail-dropped at the queue with them, honest p99 rose to 2.4 s". */
const BEFORE = { flood: 5_000, floodS: 5, storedPerNode: 5_000, honestLost: 1, honestP99Ms: 2_400 };

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
const NODES = 3;
const BATCH = 50;
const BATCH_EVERY_MS = 50;
/** Honest alerts per phase, one every `HONEST_EVERY_MS`, from each node in turn. */
const HONEST = 20;
const HONEST_EVERY_MS = 250;
/** After honest delivery, how long the nodes are left to settle before their stores are counted. */
const SETTLE_MS = 5_000;

interface Published {
  readonly id: string;
  readonly origin: number;
}

/** HONEST alerts through the nodes' APIs, in turn; the ids of those the API accepted. */
async function publishHonest(
  net: ProcNetwork,
  kBase: number,
): Promise<{ published: Published[]; refused: number }> {
  const published: Published[] = [];
  let refused = 0;
  for (let k = 0; k < HONEST; k++) {
    const origin = k % NODES;
    const r = await api(net.nodes[origin]!, 'POST', '/v1/alerts', {
      payload: alertPayload(Date.now(), kBase + k),
    });
    if (r.status === 201) published.push({ id: r.json.messageId as string, origin });
    else refused++;
    await sleep(HONEST_EVERY_MS);
  }
  return { published, refused };
}

/** Waits (up to TIMEOUTS.event) for every published alert at every node; delivery and delays then. */
async function delivery(net: ProcNetwork, published: readonly Published[]): Promise<Figures> {
  let held: Map<string, number>[] = [];
  const count = (): number =>
    published.reduce((n, p) => n + held.filter((h, i) => i !== p.origin && h.has(p.id)).length, 0);
  const expected = published.length * (NODES - 1);
  await waitFor(
    async () => {
      held = await Promise.all(net.nodes.map((n) => alertsAt(n)));
      return count() === expected;
    },
    TIMEOUTS.event,
    'honest alerts everywhere',
    500,
  ).catch(() => undefined);
  const delays: number[] = [];
  for (const p of published) {
    const at = held[p.origin]!.get(p.id)!;
    held.forEach((h, i) => {
      const t = h.get(p.id);
      if (i !== p.origin && t !== undefined) delays.push(Math.max(0, t - at));
    });
  }
  delays.sort((a, b) => a - b);
  return {
    delivered: count(),
    expected,
    p50Ms: quantile(delays, 0.5),
    p99Ms: quantile(delays, 0.99),
    maxMs: delays.at(-1) ?? null,
  };
}

export async function issuerFlood(opts: AttackOptions): Promise<Figures> {
  const member = deriveTestKey('sfr-attacks-compromised-member');
  const net = await startVictims(NODES, { extraMembers: [member.address] });
  const attacker = await startAttacker();
  try {
    const victim = net.nodes[0]!;
    await waitForTopicMesh(net, ALERTS, TIMEOUTS.mesh);
    const baseline = await delivery(net, (await publishHonest(net, 0)).published);

    // The flood, signed up front (signing is not what the attack is measured by).
    const sign = alertSigner(member);
    const flood: Uint8Array[] = [];
    const signedAt = Date.now();
    for (let seq = 0; seq < BEFORE.flood; seq++) flood.push(await sign(seq, signedAt));
    const pubsub = attacker.libp2p.services.pubsub as unknown as {
      sendRpc(id: string, rpc: unknown): boolean;
      readonly streamsOutbound: Map<string, unknown>;
    };
    const victimId = peerIdFromString(victim.peerId);
    await attacker.libp2p.dial(multiaddr(victim.multiaddr));
    await waitFor(
      () =>
        attacker.router.getSubscribers(ALERTS).includes(victim.peerId) &&
        pubsub.streamsOutbound.has(victim.peerId),
      TIMEOUTS.event,
      "the victim's subscription at the attacker",
    );

    const t0 = Date.now();
    let sent = 0;
    let cutAfterMs: number | undefined;
    let floodMs = 0;
    const flooding = (async () => {
      for (let k = 0; k < BEFORE.flood; k += BATCH) {
        if (attacker.libp2p.getConnections(victimId).length === 0) {
          cutAfterMs = Date.now() - t0;
          break;
        }
        const messages = flood.slice(k, k + BATCH).map((data) => ({ topic: ALERTS, data }));
        if (pubsub.sendRpc(victim.peerId, { subscriptions: [], messages })) sent += messages.length;
        await sleep(BATCH_EVERY_MS);
      }
      floodMs = Date.now() - t0;
    })();
    const honest = await publishHonest(net, 1_000);
    await flooding;
    if (cutAfterMs === undefined)
      await waitFor(() => attacker.libp2p.getConnections(victimId).length === 0, TIMEOUTS.event, 'cut off')
        .then(() => {
          cutAfterMs = Date.now() - t0;
        })
        .catch(() => undefined);
    const underFlood = await delivery(net, honest.published);
    await sleep(Math.round(SETTLE_MS * opts.scale));
    const stored = await Promise.all(net.nodes.map((n) => storedOf(n, member.address)));
    return {
      before: BEFORE,
      after: {
        flood: BEFORE.flood,
        floodHandedToStream: sent,
        floodMs,
        attackerCutAfterMs: cutAfterMs ?? null,
        storedPerNode: stored,
        issuerBudget: { burst: ISSUER_BURST, perSecond: ISSUER_PER_SECOND },
        honestRefusedByApi: honest.refused,
        honestUnderFlood: underFlood,
        honestWithoutFlood: baseline,
      },
      node: Object.fromEntries(net.nodes.map((n) => [`node${n.index}`, crashCheck(n)])),
    };
  } finally {
    await attacker.libp2p.stop();
    await net.stop();
  }
}
