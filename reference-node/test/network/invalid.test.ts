/**
 * Issue 4: each of the six kinds of invalid message (bad signature, schema violation, replay outside the
 * window, far-future timestamp, non-member issuer, oversize) injected by a peer is REJECTed at the first
 * hop, lowers that peer's gossipsub score there, and never reaches another node (spec/v1/p2p.md#validation).
 * Real in-process nodes on loopback TCP with short time windows (skew 500 ms, max age 2 s) so that a
 * replay can outlive the gossip seen-cache within the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import {
  canonicalize,
  createMemorySigningJournal,
  type MemberKey,
  messageIdOf,
  signEnvelope,
  type UnsignedEnvelope,
} from '../../src/envelope/index.js';
import { createLibp2pNode, type SfrLibp2p } from '../../src/network/createLibp2pNode.js';
import { PeerDenylist } from '../../src/network/denylist.js';
import { createGossipsubRouter } from '../../src/network/gossip/gossipsubRouter.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/network/gossip/scoringParams.js';
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
// Short enough that the expired replay below comes after seconds, long enough that the honest alert
// crosses two hops of a machine whose cores are busy with other work before it is too old.
const TIME = { skewMs: 1_000, maxAgeMs: 8_000 };

describe('invalid messages from a peer', () => {
  let net: TestNetwork;
  /** Two attackers, three kinds each: four REJECTs from one peer graylist it (p2p.md#graylisting). */
  const attackers: SfrLibp2p[] = [];
  /** Every gossip message id each node's router received, with the time it arrived. */
  const arrivals: Array<Map<string, number[]>> = [];

  beforeAll(async () => {
    // A line: victim (0) — 1 — 2, so anything the victim relayed would reach the others.
    net = await startNetwork({ n: 3, degree: 1, overrides: () => ({ time: TIME }) });
    await waitForMesh(net.nodes, ALERTS);
    net.nodes.forEach((n: SfrNode) => {
      const seen = new Map<string, number[]>();
      arrivals.push(seen);
      n.libp2p.services.pubsub.addEventListener('gossipsub:message', (evt) => {
        const list = seen.get(evt.detail.msgId) ?? [];
        list.push(Date.now());
        seen.set(evt.detail.msgId, list);
      });
    });
    // The attackers run the router without validation (they send anything) and forget ids quickly.
    for (let a = 0; a < 2; a++) {
      const attacker = await createLibp2pNode({
        denylist: new PeerDenylist(),
        gossip: {
          topics: fixedTopicStrings(),
          asyncValidation: false,
          seenTtlMs: 500,
          score: { ipColocationWeight: 0 },
        },
      });
      await attacker.start();
      attackers.push(attacker);
    }
  }, TIMEOUTS.hook);
  afterAll(async () => {
    for (const a of attackers) await a.stop();
    await net?.stop();
  });

  it('each kind is REJECTed at the first hop, lowers the sender score there, and reaches no other node', async () => {
    const victim = net.nodes[0]!;
    const refused: Array<{ code: string; outcome: string }> = [];
    const attackerIds = attackers.map((a) => a.peerId.toString());
    const routers = attackers.map((a) => createGossipsubRouter(a.services.pubsub));
    for (const [a, attacker] of attackers.entries()) {
      routers[a]!.subscribe(ALERTS);
      await attacker.dial(victim.libp2p.getMultiaddrs()[0]!);
      await waitFor(
        () =>
          victim.router.getSubscribers(ALERTS).includes(attackerIds[a]!) &&
          routers[a]!.getSubscribers(ALERTS).includes(victim.libp2p.peerId.toString()),
        TIMEOUTS.event,
        `attacker ${a} and victim subscribed to each other`,
      );
    }

    // A message every node accepted, to replay later: the victim's own. (Gossipsub scores only the first
    // verdict per message id for 2 minutes after a peer delivered it; the victim published this one, so it
    // holds no delivery record for it. With the default 320 s seen-cache every replay that reaches the
    // pipeline is past those 2 minutes.)
    const honest = await victim.publish('ContagionAlert', alertPayload(Date.now(), 7));
    // The victim's gossip seen-cache holds the id for maxAge + 2·skew from when its router first saw it,
    // which on a busy machine can be well after issuedAt (signing and the durable store take time).
    const honestSeenBy = Date.now();
    await waitFor(
      async () => (await net.nodes[2]!.store.getMessage(honest.messageId)) !== undefined,
      TIMEOUTS.event,
      'honest alert at the far end',
    );

    const member = net.keys[1] as MemberKey;
    const outsider = testKeys(1, 'sfr-e3-outsider')[0] as MemberKey;
    const journal = createMemorySigningJournal();
    const sign = async (key: MemberKey, over: Partial<UnsignedEnvelope>) => {
      const now = Date.now();
      return (
        await signEnvelope({
          privateKey: key.privateKey,
          guard: journal,
          unsigned: {
            sfr: '1.0',
            type: 'ContagionAlert',
            issuer: key.address,
            seq: 1_000_000,
            issuedAt: now,
            payload: alertPayload(now) as UnsignedEnvelope['payload'],
            ...over,
          },
        })
      ).wire;
    };
    const enc = new TextEncoder();
    const good = JSON.parse(new TextDecoder().decode(await sign(member, { seq: 1_000_001 })));
    const schemaPayload = alertPayload(Date.now(), 2);
    delete schemaPayload['subject'];
    const cases: Array<[string, () => Promise<Uint8Array>]> = [
      [
        'ENVELOPE_BAD_SIGNATURE',
        async () =>
          enc.encode(canonicalize({ ...good, payload: alertPayload(Date.now(), 1), seq: 1_000_002 })),
      ],
      [
        'SCHEMA_REQUIRED',
        () => sign(member, { seq: 1_000_003, payload: schemaPayload as UnsignedEnvelope['payload'] }),
      ],
      ['ENVELOPE_FAR_FUTURE', () => sign(member, { seq: 1_000_004, issuedAt: Date.now() + 3_600_000 })],
      ['GOSSIP_NOT_MEMBER', () => sign(outsider, { seq: 1 })],
      [
        'ENVELOPE_TOO_LARGE',
        () =>
          sign(member, {
            seq: 1_000_005,
            payload: {
              ...alertPayload(Date.now(), 3),
              summary: 'x'.repeat(DEFAULT_MAX_MESSAGE_BYTES),
            } as UnsignedEnvelope['payload'],
          }),
      ],
      [
        'ENVELOPE_EXPIRED',
        async () => {
          // The honest message, re-injected once it is older than maxAge + 2·skew and the victim's gossip
          // seen-cache (maxAge + 2·skew after first sight) forgot it.
          const wait = honestSeenBy + TIME.maxAgeMs + 2 * TIME.skewMs + 1_500 - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          return honest.wire;
        },
      ],
    ];

    const ids: string[] = [];
    const scores = attackerIds.map((a) => victim.router.getScore(a));
    for (const [k, [code, make]] of cases.entries()) {
      // Kinds 1-3 from the first attacker, 4-6 from the second: three REJECTs each, below the graylist.
      const a = k < 3 ? 0 : 1;
      const attackerId = attackerIds[a]!;
      const before = scores[a]!;
      const wire = await make();
      const id = messageIdOf(wire);
      ids.push(id);
      await routers[a]!.publish(ALERTS, wire);
      await waitFor(
        () => victim.router.getScore(attackerId) < before - 50,
        TIMEOUTS.event,
        `score drop for ${code}`,
      );
      const after = victim.router.getScore(attackerId);
      refused.push({ code, outcome: after < before ? 'lowered' : 'unchanged' });
      scores[a] = after;
      // The victim stored nothing new, and its pipeline remembers the verdict by id (not time codes).
      if (code !== 'ENVELOPE_EXPIRED') expect(await victim.store.getMessage(id)).toBeUndefined();
    }
    expect(refused.map((r) => r.outcome)).toEqual(cases.map(() => 'lowered'));
    for (const score of scores) expect(score).toBeLessThan(-500);
    // Neither was cut off by its three.
    for (const id of attackerIds) expect(victim.denylist.isDenied(id)).toBe(false);

    // Nothing was relayed: an alert the victim publishes now reaches the other nodes after anything it
    // relayed before (one ordered stream per link, and only the victim received the invalid ids), and
    // once it has, no other node ever received the invalid ids, and the replay did not arrive again
    // anywhere but at the victim.
    const marker = await victim.publish('ContagionAlert', alertPayload(Date.now(), 8));
    await waitFor(
      () => [1, 2].every((i) => arrivals[i]!.has(marker.messageId)),
      TIMEOUTS.event,
      "the victim's next alert at the other nodes",
    );
    const replayAt = arrivals[0]!.get(honest.messageId)?.at(-1) ?? 0;
    expect(replayAt).toBeGreaterThan(honest.envelope.issuedAt + TIME.maxAgeMs + 2 * TIME.skewMs);
    for (const i of [1, 2]) {
      for (const id of ids.slice(0, -1)) expect(arrivals[i]!.has(id)).toBe(false);
      expect((arrivals[i]!.get(honest.messageId) ?? []).every((t) => t < replayAt)).toBe(true);
      for (const id of ids.slice(0, -1)) expect(await net.nodes[i]!.store.getMessage(id)).toBeUndefined();
    }
  });
});
