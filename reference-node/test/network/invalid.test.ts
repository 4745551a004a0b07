/**
 * Issue 4: each of the six kinds of invalid message (bad signature, schema violation, replay outside the
 * window, far-future timestamp, non-member issuer, oversize) injected by a peer is REJECTed at the first
 * hop, lowers that peer's gossipsub score there, and never reaches another node (spec/v1/p2p.md#validation).
 * Real in-process nodes on loopback TCP with short time windows (skew 1 s, max age 8 s) so that a replay
 * can outlive the gossip seen-cache within the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { type MemberKey, messageIdOf } from '../../src/envelope/index.js';
import { stringifyTopic } from '../../src/network/topics.js';
import type { SfrNode } from '../../src/node/index.js';
import {
  alertPayload,
  startNetwork,
  type TestNetwork,
  testKeys,
  waitFor,
  waitForMesh,
} from '../node/fixtures.js';
import { type Attacker, connectAttacker, startAttacker } from './attacker.js';
import { INVALID_KINDS_ATTACKER, invalidKinds } from './invalidKinds.js';

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
// Short enough that the expired replay below comes after seconds, long enough that the honest alert
// crosses two hops of a machine whose cores are busy with other work before it is too old.
const TIME = { skewMs: 1_000, maxAgeMs: 8_000 };

describe('invalid messages from a peer', () => {
  let net: TestNetwork;
  /** Two attackers, three kinds each: four REJECTs from one peer graylist it (p2p.md#graylisting). */
  const attackers: Attacker[] = [];
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
    for (let a = 0; a < 2; a++) attackers.push(await startAttacker(INVALID_KINDS_ATTACKER));
  }, TIMEOUTS.hook);
  afterAll(async () => {
    for (const a of attackers) await a.libp2p.stop();
    await net?.stop();
  });

  it('each kind is REJECTed at the first hop, lowers the sender score there, and reaches no other node', async () => {
    const victim = net.nodes[0]!;
    const refused: Array<{ code: string; outcome: string }> = [];
    const attackerIds = attackers.map((a) => a.libp2p.peerId.toString());
    for (const [a, attacker] of attackers.entries()) await connectAttacker(attacker, victim, `attacker ${a}`);

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

    const cases = await invalidKinds({
      member: net.keys[1] as MemberKey,
      outsider: testKeys(1, 'sfr-e3-outsider')[0] as MemberKey,
      expiredReplay: async () => {
        const wait = honestSeenBy + TIME.maxAgeMs + 2 * TIME.skewMs + 1_500 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        return honest.wire;
      },
    });

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
      await attackers[a]!.router.publish(ALERTS, wire);
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
