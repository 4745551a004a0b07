/**
 * Issuer budgets (spec/v1/p2p.md#issuer-budgets; issue 13 finding 4): a member pushing 5 000 VALID
 * alerts in 5 s through gossip gets at most its budget stored and relayed by each node (the rest is
 * IGNOREd GOSSIP_ISSUER_RATE_LIMITED), the peer pushing
 * them is cut off through its IGNORE budget (p2p.md#conduct), and honest alerts published meanwhile
 * reach every node. Real nodes over TCP on loopback; the flooding member runs the same gossipsub router
 * without validation, so it pushes everything it signed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { stringifyTopic } from '../../src/network/topics.js';
import { ISSUER_BURST, ISSUER_PER_SECOND } from '../../src/validation/index.js';
import {
  alertPayload,
  startNetwork,
  type TestNetwork,
  testKeys,
  waitFor,
  waitForMesh,
} from '../node/fixtures.js';
import { type Attacker, alertSigner, connectAttacker, startAttacker } from './attacker.js';

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
/** The attack of issue 13 finding 4: 5 000 valid alerts in 5 s, in batches of 50 every 50 ms. */
const FLOOD = 5_000;
const BATCH = 50;
const BATCH_EVERY_MS = 50;

describe('a member flooding valid alerts', () => {
  const spammer = testKeys(1, 'sfr-e1-spammer')[0]!;
  let net: TestNetwork;
  let attacker: Attacker;

  beforeAll(async () => {
    net = await startNetwork({ n: 4, degree: 3, extraMembers: [spammer.address] });
    await waitForMesh(net.nodes, ALERTS);
    attacker = await startAttacker();
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await attacker?.libp2p.stop();
    await net?.stop();
  });

  it('gets at most its budget stored anywhere; honest alerts still reach every node', async () => {
    const victim = net.nodes[0]!;
    const { libp2p, router } = attacker;
    await connectAttacker(attacker, victim);

    // Valid alerts signed by a member, each at its own seq: every rule but the budget accepts them.
    const sign = alertSigner(spammer);
    const flood: Uint8Array[] = [];
    const signedAt = Date.now();
    for (let seq = 0; seq < FLOOD; seq++) flood.push(await sign(seq, signedAt));

    const arrivals = net.nodes.map(() => new Map<string, number>());
    net.nodes.forEach((n, i) => {
      n.onAccepted((m) => arrivals[i]!.set(m.id, Date.now()));
    });

    const t0 = Date.now();
    let sent = 0;
    const flooding = (async () => {
      for (let k = 0; k < FLOOD && libp2p.getConnections(victim.libp2p.peerId).length > 0; k += BATCH) {
        for (const wire of flood.slice(k, k + BATCH)) {
          await router.publish(ALERTS, wire).catch(() => {});
          sent++;
        }
        await new Promise((r) => setTimeout(r, BATCH_EVERY_MS)); // the attack's pace, not a wait
      }
    })();
    const honest: Array<{ id: string; at: number; by: number }> = [];
    for (let k = 0; k < 20; k++) {
      const at = Date.now();
      const by = 1 + (k % 3);
      honest.push({
        id: (await net.nodes[by]!.publish('ContagionAlert', alertPayload(at, k))).messageId,
        at,
        by,
      });
      await new Promise((r) => setTimeout(r, 250)); // spread over the flood's 5 s
    }
    await flooding;
    const floodMs = Date.now() - t0;

    await waitFor(
      () => arrivals.every((a) => honest.every((h) => a.has(h.id))),
      TIMEOUTS.event,
      'honest delivery',
    );
    await waitFor(
      () => victim.denylist.isDenied(libp2p.peerId.toString()),
      TIMEOUTS.event,
      'flooding peer denied',
    );
    await Promise.all(net.nodes.map((n) => n.ingress.onIdle()));

    // What each node stored of the spammer: at most the bucket plus what it refilled meanwhile.
    const elapsedS = (Date.now() - t0) / 1000;
    const allowed = ISSUER_BURST + Math.ceil(elapsedS * ISSUER_PER_SECOND);
    const stored = await Promise.all(
      net.nodes.map(async (n) => (await n.store.rangeBySeq(spammer.address, 0, FLOOD, FLOOD + 1)).length),
    );
    const pct = (xs: number[], q: number): number =>
      [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? Number.NaN;
    const latencyAt = (i: number): number[] =>
      honest.filter((h) => h.by !== i).map((h) => (arrivals[i]!.get(h.id) ?? Number.NaN) - h.at);
    const victimMs = latencyAt(0);
    const othersMs = [1, 2, 3].flatMap(latencyAt);
    console.log(
      `[issuer-budget] flood ${sent}/${FLOOD} valid alerts in ${floodMs} ms; spammer messages stored per node ${stored.join(', ')} (budget ${allowed}); honest delivery ${honest.length}/${honest.length} at each of ${net.nodes.length} nodes, latency at the victim p50 ${pct(victimMs, 0.5)} / p99 ${pct(victimMs, 0.99)} ms, elsewhere p50 ${pct(othersMs, 0.5)} / p99 ${pct(othersMs, 0.99)} ms; flooding peer denied`,
    );
    for (const s of stored) expect(s).toBeLessThanOrEqual(allowed);
    expect(stored[0]).toBeGreaterThan(0);
    expect(sent).toBeGreaterThan(allowed);
  });
});
