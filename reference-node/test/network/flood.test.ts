/**
 * A peer flooding invalid messages is disconnected and denied within seconds, while honest delivery
 * between the other nodes stays at 100 % (spec/v1/p2p.md#graylisting). The nodes' periodic graylist
 * pass is set to 10 minutes, so the denial can only come from judging the peer when it is penalised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { IDONTWANT_MIN_DATA_BYTES } from '../../src/network/gossip/scoringParams.js';
import { stringifyTopic } from '../../src/network/topics.js';
import type { SfrNode } from '../../src/node/index.js';
import { alertPayload, startNetwork, type TestNetwork, waitFor, waitForMesh } from '../node/fixtures.js';
import { type Attacker, connectAttacker, outsiderAlerts, startAttacker } from './attacker.js';

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });

/** A fresh attacker the victim has never seen, connected to it for `run` and stopped after. */
async function withFreshAttacker(
  victim: SfrNode,
  run: (attacker: Attacker, id: string) => Promise<void>,
): Promise<void> {
  const attacker = await startAttacker();
  try {
    await connectAttacker(attacker, victim);
    await run(attacker, attacker.libp2p.peerId.toString());
  } finally {
    await attacker.libp2p.stop();
  }
}

describe('flooding peer', () => {
  let net: TestNetwork;
  let attacker: Attacker;

  beforeAll(async () => {
    net = await startNetwork({ n: 4, degree: 3, overrides: () => ({ graylist: { intervalMs: 600_000 } }) });
    await waitForMesh(net.nodes, ALERTS);
    // The attacker runs the same router configuration, without validation (it relays anything).
    attacker = await startAttacker();
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await attacker?.libp2p.stop();
    await net?.stop();
  });

  it('is disconnected and denied within seconds; honest messages still reach every node', async () => {
    const victim = net.nodes[0]!;
    const { libp2p, router } = attacker;
    await connectAttacker(attacker, victim);

    // Pre-sign the flood: valid signatures by a NON-member (REJECT GOSSIP_NOT_MEMBER, cheap to detect).
    const sign = outsiderAlerts('sfr-e1-outsider');
    const flood: Uint8Array[] = [];
    const now = Date.now();
    for (let seq = 0; seq < 400; seq++) flood.push(await sign(seq, now));

    const received = net.nodes.map(() => new Set<string>());
    net.nodes.forEach((n, i) => {
      n.onAccepted((m) => received[i]!.add(m.id));
    });

    const t0 = Date.now();
    let sent = 0;
    const flooding = (async () => {
      for (const wire of flood) {
        if (libp2p.getConnections(victim.libp2p.peerId).length === 0) break;
        await router.publish(ALERTS, wire).catch(() => {});
        sent++;
        if (sent % 20 === 0) await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const honest: string[] = [];
    for (let k = 0; k < 20; k++) {
      honest.push(
        (await net.nodes[1 + (k % 3)]!.publish('ContagionAlert', alertPayload(Date.now(), k))).messageId,
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(
      () => victim.denylist.isDenied(libp2p.peerId.toString()),
      TIMEOUTS.event,
      'attacker denied',
    );
    const deniedAfterMs = Date.now() - t0;
    await waitFor(
      () => victim.libp2p.getConnections(libp2p.peerId).length === 0,
      TIMEOUTS.event,
      'attacker disconnected',
    );
    await flooding;

    // Honest delivery stays 100 %.
    await waitFor(
      () => received.every((r) => honest.every((id) => r.has(id))),
      TIMEOUTS.event,
      'honest delivery',
    );
    // No flood message was accepted or relayed anywhere.
    for (const n of net.nodes) expect((await n.store.stats()).messages).toBe(honest.length);
    // The victim's gater refuses the attacker's re-dial: whatever the dialler sees first, no connection
    // survives on either side.
    await libp2p
      .dial(victim.libp2p.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(5_000) })
      .catch(() => {});
    await waitFor(
      () => libp2p.getConnections(victim.libp2p.peerId).length === 0,
      TIMEOUTS.event,
      'redial closed',
    );
    expect(victim.libp2p.getConnections(libp2p.peerId).length).toBe(0);
    const score = victim.router.getScore(libp2p.peerId.toString());
    console.log(
      `[flood] attacker denied ${deniedAfterMs} ms after its first message, having sent ${sent}; its score at the victim ${Math.round(score)}; honest delivery ${honest.length}/${honest.length} at each of ${net.nodes.length} nodes`,
    );
    expect(score).toBeLessThan(-16_000);
    expect(sent).toBeGreaterThan(4);
  });

  it('a peer is denied at its 4th REJECT, counted one message at a time (p2p.md#graylisting)', async () => {
    // A fresh attacker and a victim that has never seen it; one invalid message, then its verdict, then
    // the next: the denial must come from the count of REJECTs, not from a burst being read at once.
    const victim = net.nodes[1]!;
    await withFreshAttacker(victim, async (slow, id) => {
      const sign = outsiderAlerts('sfr-e1-outsider-slow');
      let rejects = 0;
      for (let seq = 0; seq < 20 && !victim.denylist.isDenied(id); seq++) {
        const wire = await sign(seq);
        const before = victim.router.getScore(id);
        await slow.router.publish(ALERTS, wire);
        await waitFor(
          () => victim.denylist.isDenied(id) || victim.router.getScore(id) < before - 100,
          TIMEOUTS.event,
          `verdict on invalid message ${seq}`,
        );
        rejects++;
      }
      console.log(
        `[flood] one at a time: denied at REJECT ${rejects}, score ${Math.round(victim.router.getScore(id))}`,
      );
      expect(victim.denylist.isDenied(id)).toBe(true);
      expect(rejects).toBe(4);
      // gossipsub sends IDONTWANT before validating, to every mesh peer: not for messages of this size.
      const opts = (victim.libp2p.services.pubsub as unknown as { opts: { idontwantMinDataSize: number } })
        .opts;
      expect(opts.idontwantMinDataSize).toBe(IDONTWANT_MIN_DATA_BYTES);
      expect(IDONTWANT_MIN_DATA_BYTES).toBeGreaterThan(4 * 1024);
    });
  });

  it('a peer is cut off by the REJECTs of its first RPC, not at a heartbeat (p2p.md#graylisting)', async () => {
    // One RPC carrying 4 invalid alerts, written straight to the stream as the netns sybils do; the
    // victim's periodic pass is 10 minutes away, so only judging the peer on its penalties can cut it.
    const victim = net.nodes[2]!;
    await withFreshAttacker(victim, async (sybil, id) => {
      const victimId = victim.libp2p.peerId.toString();
      const sign = outsiderAlerts('sfr-e1-outsider-rpc');
      const messages: { topic: string; data: Uint8Array }[] = [];
      for (let seq = 0; seq < 4; seq++) messages.push({ topic: ALERTS, data: await sign(seq) });
      const pubsub = sybil.libp2p.services.pubsub as unknown as {
        sendRpc(id: string, rpc: { subscriptions: []; messages: typeof messages }): boolean;
      };
      const t0 = Date.now();
      expect(pubsub.sendRpc(victimId, { subscriptions: [], messages })).toBe(true);
      await waitFor(() => victim.denylist.isDenied(id), TIMEOUTS.event, 'denied after one RPC');
      const deniedMs = Date.now() - t0;
      await waitFor(
        () => victim.libp2p.getConnections(sybil.libp2p.peerId).length === 0,
        TIMEOUTS.event,
        'disconnected after one RPC',
      );
      const score = victim.router.getScore(id);
      console.log(
        `[flood] one RPC of 4 invalid alerts: denied in ${deniedMs} ms, score ${Math.round(score)}`,
      );
      expect(score).toBeLessThan(-16_000);
    });
  });

  it('refuses a non-member message as it arrives, before the queue (p2p.md#queues)', async () => {
    // Rules 1–19 run on arrival: the victim's queue holds everything past them (its workers all wait
    // here), and the sybil is still cut off by its first RPC. Before, its invalid alerts waited in the
    // queue behind the workers like any message, and no verdict came until they were free.
    const victim = net.nodes[3]!;
    const sign = outsiderAlerts('sfr-e1-outsider-screen');
    const messages: { topic: string; data: Uint8Array }[] = [];
    for (let seq = 0; seq < 4; seq++) messages.push({ topic: ALERTS, data: await sign(seq) });
    const invalid = new Set(messages.map((m) => Buffer.from(m.data).toString('hex')));
    const admit = victim.pipeline.admit;
    // Only the sybil's messages count: anything else the victim receives meanwhile waits at the gate too.
    let admitted = 0;
    let release = (): void => {};
    const gate = new Promise<void>((r) => (release = r));
    victim.pipeline.admit = async (...args: Parameters<typeof admit>) => {
      if (invalid.has(Buffer.from(args[0]).toString('hex'))) admitted++;
      await gate;
      return admit(...args);
    };
    try {
      await withFreshAttacker(victim, async (sybil, id) => {
        const pubsub = sybil.libp2p.services.pubsub as unknown as {
          sendRpc(id: string, rpc: { subscriptions: []; messages: typeof messages }): boolean;
        };
        expect(pubsub.sendRpc(victim.libp2p.peerId.toString(), { subscriptions: [], messages })).toBe(true);
        await waitFor(() => victim.denylist.isDenied(id), TIMEOUTS.event, 'denied with its queue held');
        expect(admitted).toBe(0);
      });
    } finally {
      release();
      victim.pipeline.admit = admit;
    }
  });
});
