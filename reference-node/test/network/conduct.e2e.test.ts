/**
 * Conduct penalties (spec/v1/p2p.md#conduct; issue 13 finding 3): a peer that floods what gossipsub
 * drops without scoring — messages on a topic the node does not subscribe to, frames that do not
 * decode or are over the decode limits, IHAVE spam, messages the node IGNOREs — is penalised, then
 * disconnected and denied by the graylist enforcer, while honest delivery goes on. Without the
 * penalties none of these attackers is ever cut off.
 */
import type { GossipSub } from '@libp2p/gossipsub';
import type { PeerId } from '@libp2p/interface';
import { hexToBytes } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { createMemorySigningJournal, signEnvelope, type UnsignedEnvelope } from '../../src/envelope/index.js';
import { createLibp2pNode, type SfrLibp2p } from '../../src/network/createLibp2pNode.js';
import { PeerDenylist } from '../../src/network/denylist.js';
import { createGossipsubRouter } from '../../src/network/gossip/gossipsubRouter.js';
import { WRAPPED_GOSSIPSUB_METHODS } from '../../src/network/gossip/peerConduct.js';
import { SCORE_THRESHOLDS } from '../../src/network/gossip/scoringParams.js';
import { fixedTopicStrings, stringifyTopic } from '../../src/network/topics.js';
import type { SfrNode } from '../../src/node/index.js';
import {
  alertPayload,
  startNetwork,
  type TestNetwork,
  testKeys,
  waitFor,
  waitForMesh,
} from '../node/fixtures.js';

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
/** A frame whose bytes are no protobuf RPC: the victim's decoder refuses it (conduct: undecodable). */
const UNDECODABLE_FRAME = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);

/** What the attacker uses of its own gossipsub beyond the public interface. */
interface AttackerInternals {
  sendRpc(id: string, rpc: unknown): boolean;
  readonly streamsOutbound: Map<string, { push(bytes: Uint8Array): void }>;
}

describe('conduct penalties', () => {
  let net: TestNetwork;
  let victim: SfrNode;

  beforeAll(async () => {
    net = await startNetwork({ n: 3, degree: 2 });
    victim = net.nodes[0]!;
    await waitForMesh(net.nodes, ALERTS);
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await net?.stop();
  });

  it('the installed gossipsub still has every method the conduct wrapper needs', () => {
    const pubsub = victim.libp2p.services.pubsub as unknown as Record<string, unknown>;
    for (const name of WRAPPED_GOSSIPSUB_METHODS) expect(typeof pubsub[name]).toBe('function');
  });

  /** A fresh attacker connected to the victim, subscribed to the alerts topic so both streams are open. */
  async function connectAttacker(): Promise<{
    node: SfrLibp2p;
    pubsub: GossipSub & AttackerInternals;
    victimId: string;
  }> {
    const node = await createLibp2pNode({
      denylist: new PeerDenylist(),
      gossip: { topics: fixedTopicStrings(), asyncValidation: false, score: { ipColocationWeight: 0 } },
    });
    await node.start();
    const router = createGossipsubRouter(node.services.pubsub);
    router.subscribe(ALERTS);
    // The victim refuses a host's sixth inbound connection within a second (libp2p's
    // inboundConnectionThreshold, 5): the attackers of consecutive cases all come from 127.0.0.1, and
    // since penalties cut them off in ~30-110 ms (0e7bcba) the next one can dial within that second
    // (CI run /tmp/ci14: ECONNRESET). Dial until the victim takes the connection.
    await waitFor(
      () =>
        node.dial(victim.libp2p.getMultiaddrs()[0]!).then(
          () => true,
          () => false,
        ),
      TIMEOUTS.event,
      'the victim accepting the attacker',
      250,
    );
    const victimId = victim.libp2p.peerId.toString();
    const pubsub = node.services.pubsub as unknown as GossipSub & AttackerInternals;
    await waitFor(
      () =>
        victim.router.getSubscribers(ALERTS).includes(node.peerId.toString()) &&
        pubsub.streamsOutbound.has(victimId),
      TIMEOUTS.event,
      'attacker subscribed, stream open',
    );
    return { node, pubsub, victimId };
  }

  /** Runs `attack` in a loop until the victim denies the attacker; returns how many rounds it took. */
  async function attackUntilDenied(
    attacker: { node: SfrLibp2p; victimId: string },
    attack: () => void | Promise<void>,
  ): Promise<{ rounds: number; ms: number }> {
    const attackerId = attacker.node.peerId.toString();
    const t0 = Date.now();
    let rounds = 0;
    let stop = false;
    const loop = (async () => {
      while (!stop && attacker.node.getConnections(victim.libp2p.peerId as PeerId).length > 0) {
        await attack();
        rounds++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      await waitFor(() => victim.denylist.isDenied(attackerId), TIMEOUTS.event, 'attacker denied');
      await waitFor(
        () => victim.libp2p.getConnections(attacker.node.peerId).length === 0,
        TIMEOUTS.event,
        'attacker disconnected',
      );
    } finally {
      stop = true;
      await loop;
      await attacker.node.stop();
    }
    return { rounds, ms: Date.now() - t0 };
  }

  /** Ids the victim holds: advertised in IHAVE, they make it ask for nothing (no broken promises). */
  async function heldIds(): Promise<Uint8Array[]> {
    return (await victim.store.readFrom(0, 16)).messages.map((m) => hexToBytes(m.id as `0x${string}`));
  }

  /** `count` RPCs from the attacker, each one IHAVE of `held`. */
  function sendIhaves(
    a: { pubsub: AttackerInternals; victimId: string },
    held: Uint8Array[],
    count: number,
  ): void {
    const control = {
      ihave: [{ topicID: ALERTS, messageIDs: held }],
      iwant: [],
      graft: [],
      prune: [],
      idontwant: [],
    };
    for (let i = 0; i < count; i++)
      a.pubsub.sendRpc(a.victimId, { subscriptions: [], messages: [], control });
  }

  async function honestStillDelivered(k: number): Promise<void> {
    const { messageId } = await net.nodes[1]!.publish('ContagionAlert', alertPayload(Date.now(), 1000 + k));
    await waitFor(
      async () =>
        (await Promise.all(net.nodes.map((n) => n.store.getMessage(messageId)))).every(
          (m) => m !== undefined,
        ),
      TIMEOUTS.event,
      'honest alert everywhere',
    );
  }

  it('messages on a topic the node does not subscribe to', async () => {
    const a = await connectAttacker();
    const messages = Array.from({ length: 64 }, (_, i) => ({
      topic: '/sfr/1/not-a-topic',
      data: new TextEncoder().encode(`junk ${i} ${'x'.repeat(1024)}`),
    }));
    const r = await attackUntilDenied(a, () => {
      a.pubsub.sendRpc(a.victimId, { subscriptions: [], messages });
    });
    console.log(`[conduct] unknown topic: denied after ${r.rounds} RPCs of 64 messages, ${r.ms} ms`);
    expect(victim.router.getScore(a.node.peerId.toString())).toBeLessThan(-16_000);
    await honestStillDelivered(1);
  });

  it('frames that do not decode, or exceed the decode limits', async () => {
    const a = await connectAttacker();
    let n = 0;
    const r = await attackUntilDenied(a, () => {
      n++;
      if (n % 2 === 0) a.pubsub.streamsOutbound.get(a.victimId)?.push(UNDECODABLE_FRAME);
      else {
        // 300 messages: over the 256 of DECODE_RPC_LIMITS, refused by the decoder.
        const messages = Array.from({ length: 300 }, (_, i) => ({
          topic: ALERTS,
          data: new Uint8Array([i & 0xff]),
        }));
        a.pubsub.sendRpc(a.victimId, { subscriptions: [], messages });
      }
    });
    console.log(`[conduct] undecodable frames: denied after ${r.rounds} frames, ${r.ms} ms`);
    await honestStillDelivered(2);
  });

  it('a frame over the transport limit', async () => {
    const a = await connectAttacker();
    const r = await attackUntilDenied(a, () => {
      a.pubsub.streamsOutbound.get(a.victimId)?.push(new Uint8Array(1024 * 1024));
    });
    console.log(`[conduct] oversize frame: denied after ${r.rounds} frames of 1 MiB, ${r.ms} ms`);
    await honestStillDelivered(5);
  });

  it('IHAVE spam beyond the per-heartbeat limit', async () => {
    // Advertising ids the victim already holds: it asks for nothing, so gossipsub's broken-promise
    // penalty never applies and only the per-heartbeat limit can tell the spam.
    await honestStillDelivered(30);
    const held = await heldIds();
    expect(held.length).toBeGreaterThan(0);
    const a = await connectAttacker();
    const r = await attackUntilDenied(a, () => {
      sendIhaves(a, held, 5);
    });
    console.log(`[conduct] IHAVE spam: denied after ${r.rounds * 5} IHAVE RPCs, ${r.ms} ms`);
    await honestStillDelivered(3);
  });

  it('IHAVE spam from a peer the router already ignores (score below the gossip threshold), a few RPCs a heartbeat', async () => {
    // Gossipsub drops the IHAVEs of a peer below gossipThreshold unread and stops counting them, so a
    // flood paced at a few excess RPCs per heartbeat once stalled there, never cut off (a stress run of
    // the case above, where a busy machine slowed the attacker: 'timed out ... waiting for attacker denied').
    await honestStillDelivered(31);
    const held = await heldIds();
    const a = await connectAttacker();
    const attackerId = a.node.peerId.toString();
    // Three undecodable frames (penalty 24): below the gossip threshold (-4 000), above the graylist (-16 000).
    for (let i = 0; i < 3; i++) a.pubsub.streamsOutbound.get(a.victimId)?.push(UNDECODABLE_FRAME);
    await waitFor(
      () => victim.router.getScore(attackerId) < SCORE_THRESHOLDS.gossipThreshold,
      TIMEOUTS.event,
      'attacker below the gossip threshold',
    );
    expect(victim.denylist.isDenied(attackerId)).toBe(false);
    const heartbeat = (): Promise<void> =>
      new Promise((r) =>
        victim.libp2p.services.pubsub.addEventListener('gossipsub:heartbeat', () => r(), { once: true }),
      );
    // Fifteen IHAVE RPCs a heartbeat: five over the limit, about three heartbeats to the graylist.
    const r = await attackUntilDenied(a, async () => {
      sendIhaves(a, held, 15);
      await heartbeat();
    });
    console.log(
      `[conduct] IHAVE spam below the gossip threshold: denied after ${r.rounds} heartbeats, ${r.ms} ms`,
    );
    await honestStillDelivered(32);
  });

  it('a flood of messages the node IGNOREs (issued 15 s in the future)', async () => {
    const a = await connectAttacker();
    const router = createGossipsubRouter(a.node.services.pubsub);
    const outsider = testKeys(1, 'sfr-conduct-outsider')[0]!;
    const journal = createMemorySigningJournal();
    let seq = 0;
    const r = await attackUntilDenied(a, async () => {
      for (let i = 0; i < 20; i++) {
        const issuedAt = Date.now() + 15_000;
        const unsigned: UnsignedEnvelope = {
          sfr: '1.0',
          type: 'ContagionAlert',
          issuer: outsider.address,
          seq: seq++,
          issuedAt,
          payload: alertPayload(issuedAt, seq) as UnsignedEnvelope['payload'],
        };
        const { wire } = await signEnvelope({ privateKey: outsider.privateKey, unsigned, guard: journal });
        await router.publish(ALERTS, wire).catch(() => {});
      }
    });
    console.log(`[conduct] IGNORE flood: denied after ${seq} future-dated messages, ${r.ms} ms`);
    // The budget (256) was spent before any penalty, and nothing was stored.
    expect(seq).toBeGreaterThan(256);
    await honestStillDelivered(4);
    expect(victim.store.headSeq(outsider.address)).toBeUndefined();
  });
});
