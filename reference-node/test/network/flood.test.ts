/**
 * A peer flooding invalid messages is disconnected and denied within seconds, while honest delivery
 * between the other nodes stays at 100 % (spec/v1/p2p.md#graylisting). The nodes' periodic graylist
 * pass is set to 10 minutes, so the denial can only come from judging the peer when it is penalised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { createMemorySigningJournal, signEnvelope, type UnsignedEnvelope } from '../../src/envelope/index.js';
import { createLibp2pNode, type SfrLibp2p } from '../../src/network/createLibp2pNode.js';
import { PeerDenylist } from '../../src/network/denylist.js';
import { createGossipsubRouter } from '../../src/network/gossip/gossipsubRouter.js';
import { IDONTWANT_MIN_DATA_BYTES } from '../../src/network/gossip/scoringParams.js';
import { fixedTopicStrings, stringifyTopic } from '../../src/network/topics.js';
import {
  alertPayload,
  startNetwork,
  type TestNetwork,
  testKeys,
  waitFor,
  waitForMesh,
} from '../node/fixtures.js';

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });

describe('flooding peer', () => {
  let net: TestNetwork;
  let attacker: SfrLibp2p;

  beforeAll(async () => {
    net = await startNetwork({ n: 4, degree: 3, overrides: () => ({ graylist: { intervalMs: 600_000 } }) });
    await waitForMesh(net.nodes, ALERTS);
    // The attacker runs the same router configuration, without validation (it relays anything).
    attacker = await createLibp2pNode({
      denylist: new PeerDenylist(),
      gossip: { topics: fixedTopicStrings(), asyncValidation: false, score: { ipColocationWeight: 0 } },
    });
    await attacker.start();
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await attacker?.stop();
    await net?.stop();
  });

  it('is disconnected and denied within seconds; honest messages still reach every node', async () => {
    const victim = net.nodes[0]!;
    const router = createGossipsubRouter(attacker.services.pubsub);
    router.subscribe(ALERTS);
    await attacker.dial(victim.libp2p.getMultiaddrs()[0]!);
    await waitFor(
      () => victim.router.getSubscribers(ALERTS).includes(attacker.peerId.toString()),
      TIMEOUTS.event,
      'attacker subscribed',
    );

    // Pre-sign the flood: valid signatures by a NON-member (REJECT GOSSIP_NOT_MEMBER, cheap to detect).
    const outsider = testKeys(1, 'sfr-e1-outsider')[0]!;
    const journal = createMemorySigningJournal();
    const flood: Uint8Array[] = [];
    const now = Date.now();
    for (let seq = 0; seq < 400; seq++) {
      const unsigned: UnsignedEnvelope = {
        sfr: '1.0',
        type: 'ContagionAlert',
        issuer: outsider.address,
        seq,
        issuedAt: now,
        payload: alertPayload(now, seq) as UnsignedEnvelope['payload'],
      };
      flood.push((await signEnvelope({ privateKey: outsider.privateKey, unsigned, guard: journal })).wire);
    }

    const received = net.nodes.map(() => new Set<string>());
    net.nodes.forEach((n, i) => {
      n.onAccepted((m) => received[i]!.add(m.id));
    });

    const t0 = Date.now();
    let sent = 0;
    const flooding = (async () => {
      for (const wire of flood) {
        if (attacker.getConnections(victim.libp2p.peerId).length === 0) break;
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
      () => victim.denylist.isDenied(attacker.peerId.toString()),
      TIMEOUTS.event,
      'attacker denied',
    );
    const deniedAfterMs = Date.now() - t0;
    await waitFor(
      () => victim.libp2p.getConnections(attacker.peerId).length === 0,
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
    // The victim refuses the attacker's re-dial.
    // The victim's gater refuses the attacker's re-dial: whatever the dialler sees first, no connection
    // survives on either side.
    await attacker
      .dial(victim.libp2p.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(5_000) })
      .catch(() => {});
    await waitFor(
      () => attacker.getConnections(victim.libp2p.peerId).length === 0,
      TIMEOUTS.event,
      'redial closed',
    );
    expect(victim.libp2p.getConnections(attacker.peerId).length).toBe(0);
    const score = victim.router.getScore(attacker.peerId.toString());
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
    const slow = await createLibp2pNode({
      denylist: new PeerDenylist(),
      gossip: { topics: fixedTopicStrings(), asyncValidation: false, score: { ipColocationWeight: 0 } },
    });
    await slow.start();
    try {
      const router = createGossipsubRouter(slow.services.pubsub);
      router.subscribe(ALERTS);
      await slow.dial(victim.libp2p.getMultiaddrs()[0]!);
      const id = slow.peerId.toString();
      await waitFor(() => victim.router.getSubscribers(ALERTS).includes(id), TIMEOUTS.event, 'subscribed');
      const outsider = testKeys(1, 'sfr-e1-outsider-slow')[0]!;
      const journal = createMemorySigningJournal();
      let rejects = 0;
      for (let seq = 0; seq < 20 && !victim.denylist.isDenied(id); seq++) {
        const now = Date.now();
        const unsigned: UnsignedEnvelope = {
          sfr: '1.0',
          type: 'ContagionAlert',
          issuer: outsider.address,
          seq,
          issuedAt: now,
          payload: alertPayload(now, seq) as UnsignedEnvelope['payload'],
        };
        const wire = (await signEnvelope({ privateKey: outsider.privateKey, unsigned, guard: journal })).wire;
        const before = victim.router.getScore(id);
        await router.publish(ALERTS, wire);
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
    } finally {
      await slow.stop();
    }
  });

  it('a peer is cut off by the REJECTs of its first RPC, not at a heartbeat (p2p.md#graylisting)', async () => {
    // One RPC carrying 4 invalid alerts, written straight to the stream as the netns sybils do; the
    // victim's periodic pass is 10 minutes away, so only judging the peer on its penalties can cut it.
    const victim = net.nodes[2]!;
    const sybil = await createLibp2pNode({
      denylist: new PeerDenylist(),
      gossip: { topics: fixedTopicStrings(), asyncValidation: false, score: { ipColocationWeight: 0 } },
    });
    await sybil.start();
    try {
      const router = createGossipsubRouter(sybil.services.pubsub);
      router.subscribe(ALERTS);
      await sybil.dial(victim.libp2p.getMultiaddrs()[0]!);
      const id = sybil.peerId.toString();
      const victimId = victim.libp2p.peerId.toString();
      await waitFor(() => victim.router.getSubscribers(ALERTS).includes(id), TIMEOUTS.event, 'subscribed');
      const outsider = testKeys(1, 'sfr-e1-outsider-rpc')[0]!;
      const journal = createMemorySigningJournal();
      const messages: { topic: string; data: Uint8Array }[] = [];
      for (let seq = 0; seq < 4; seq++) {
        const now = Date.now();
        const unsigned: UnsignedEnvelope = {
          sfr: '1.0',
          type: 'ContagionAlert',
          issuer: outsider.address,
          seq,
          issuedAt: now,
          payload: alertPayload(now, seq) as UnsignedEnvelope['payload'],
        };
        const wire = (await signEnvelope({ privateKey: outsider.privateKey, unsigned, guard: journal })).wire;
        messages.push({ topic: ALERTS, data: wire });
      }
      const pubsub = sybil.services.pubsub as unknown as {
        sendRpc(id: string, rpc: { subscriptions: []; messages: typeof messages }): boolean;
      };
      const t0 = Date.now();
      expect(pubsub.sendRpc(victimId, { subscriptions: [], messages })).toBe(true);
      await waitFor(() => victim.denylist.isDenied(id), TIMEOUTS.event, 'denied after one RPC');
      const deniedMs = Date.now() - t0;
      await waitFor(
        () => victim.libp2p.getConnections(sybil.peerId).length === 0,
        TIMEOUTS.event,
        'disconnected after one RPC',
      );
      const score = victim.router.getScore(id);
      console.log(
        `[flood] one RPC of 4 invalid alerts: denied in ${deniedMs} ms, score ${Math.round(score)}`,
      );
      expect(score).toBeLessThan(-16_000);
    } finally {
      await sybil.stop();
    }
  });
});
