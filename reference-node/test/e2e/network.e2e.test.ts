/**
 * End-to-end over real processes: 5 `sfr node start` processes on loopback TCP.
 * - an alert submitted over HTTP at one node is accepted by all others;
 * - invalid messages injected by a peer are refused at the first hop, never reach another node, and
 *   lower the sending peer's score;
 * - a node that was down catches up through sync when it comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { canonicalize, type MemberKey, messageIdOf } from '../../src/envelope/index.js';
import { stringifyTopic } from '../../src/network/topics.js';
import { type Attacker, startAttacker } from '../network/attacker.js';
import { INVALID_KINDS_ATTACKER, invalidKinds } from '../network/invalidKinds.js';
import { alertPayload, testKeys, waitFor } from '../node/fixtures.js';
import { api, createProcNetwork, metricValue, type ProcNetwork } from './processNetwork.js';

const N = 5;
const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
/** Short windows so that a replay can outlive the gossip seen-cache (maxAge + 2·skew = 10 s) in the test. */
const TIME = { skewMs: 1_000, maxAgeMs: 8_000 };

async function everywhere(net: ProcNetwork, id: string, nodes = net.nodes): Promise<boolean> {
  const r = await Promise.all(
    nodes.map((n) => api(n, 'GET', `/v1/messages/${id}`).catch(() => ({ status: 0 }))),
  );
  return r.every((x) => x.status === 200);
}

describe('5 node processes on loopback', () => {
  let net: ProcNetwork;
  /** Two attackers, three kinds each: four REJECTs from one peer graylist it (p2p.md#graylisting). */
  const attackers: Attacker[] = [];

  beforeAll(async () => {
    net = await createProcNetwork(N, { time: TIME });
    for (let i = 0; i < N; i++) await net.start(i);
    // Every node sees at least two peers before the tests publish.
    await waitFor(
      async () => {
        const s = await Promise.all(net.nodes.map((n) => api(n, 'GET', '/v1/status')));
        return s.every((x) => x.status === 200 && x.json.peers.connected >= 2);
      },
      TIMEOUTS.event,
      'connected network',
      250,
    );
  }, TIMEOUTS.hook);
  afterAll(async () => {
    for (const a of attackers) await a.libp2p.stop();
    await net?.stop();
  }, TIMEOUTS.hook);

  it('an alert submitted over HTTP at one node is accepted by all others', async () => {
    const now = Date.now();
    const r = await api(net.nodes[0]!, 'POST', '/v1/alerts', { payload: alertPayload(now) });
    expect(r.status).toBeLessThan(300);
    const id = r.json.messageId as string;
    // Gossip meshes form over a few heartbeats; sync on connect covers anything published before.
    await waitFor(() => everywhere(net, id), TIMEOUTS.event, 'alert everywhere', 200);
  });

  it('each kind of invalid message from a peer is REJECTed at the first hop, lowers its score there, and reaches no other node', async () => {
    const victim = net.nodes[0]!;
    const { multiaddr } = await import('@multiformats/multiaddr');
    for (let a = 0; a < 2; a++) {
      const attacker = await startAttacker(INVALID_KINDS_ATTACKER);
      attackers.push(attacker);
      await attacker.libp2p.dial(multiaddr(victim.multiaddr));
      await waitFor(
        () => attacker.router.getSubscribers(ALERTS).includes(victim.peerId),
        TIMEOUTS.event,
        `the victim's subscription at attacker ${a}`,
      );
    }

    // The message to replay: the victim's own alert, accepted everywhere. (Gossipsub scores only the first
    // verdict per id for 2 min after a peer delivered it to us; the victim published this one itself.)
    const accepted = await api(victim, 'POST', '/v1/alerts', { payload: alertPayload(Date.now(), 9) });
    expect(accepted.status).toBeLessThan(300);
    await waitFor(
      () => everywhere(net, accepted.json.messageId),
      TIMEOUTS.event,
      'honest alert everywhere',
      200,
    );
    const stored = await api(victim, 'GET', `/v1/messages/${accepted.json.messageId}`);
    const enc = new TextEncoder();
    const replay = enc.encode(canonicalize(stored.json.envelope));
    expect(messageIdOf(replay)).toBe(accepted.json.messageId);

    const cases = await invalidKinds({
      member: net.nodes[1]!.key as MemberKey,
      outsider: testKeys(1, 'sfr-e1-e2e-outsider')[0] as MemberKey,
      expiredReplay: async () => {
        // Re-injected once older than maxAge + 2·skew, after the victim's gossip seen-cache forgot it.
        const issuedAt = stored.json.envelope.issuedAt as number;
        const wait = issuedAt + TIME.maxAgeMs + 2 * TIME.skewMs + 1_500 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        return replay;
      },
    });
    const score = async (attackerId: string): Promise<number> => {
      const peers = await api(victim, 'GET', '/v1/peers');
      const mine = (peers.json.peers as Array<{ peerId: string; score: number }>).find(
        (p) => p.peerId === attackerId,
      );
      return mine?.score ?? Number.NaN;
    };
    const ids: string[] = [];
    for (const [i, [code, make]] of cases.entries()) {
      // Kinds 1-3 from the first attacker, 4-6 from the second: three REJECTs each, below the graylist.
      const a = i < 3 ? 0 : 1;
      const attackerId = attackers[a]!.libp2p.peerId.toString();
      const before = await score(attackerId);
      const wire = await make();
      ids.push(messageIdOf(wire));
      await attackers[a]!.router.publish(ALERTS, wire);
      // Refused at the first hop with this code, as a REJECT ...
      await waitFor(
        async () =>
          (await metricValue(victim, 'sfr_validation_outcomes_total', { outcome: 'reject', code })) === 1,
        TIMEOUTS.event,
        `victim rejected ${code}`,
        200,
      );
      // ... and the sending peer's score there went down.
      await waitFor(
        async () => (await score(attackerId)) < before,
        TIMEOUTS.event,
        `score lowered by ${code}`,
        200,
      );
    }
    for (const a of attackers) expect(await score(a.libp2p.peerId.toString())).toBeLessThan(0);

    // Never stored anywhere (the replay is only at its first copy), and no other node ever judged them.
    // An alert the victim publishes now reaches the other nodes after anything it relayed before (one
    // ordered stream per link, and only the victim received the invalid messages): once it is
    // everywhere, whatever the victim would have passed on has arrived.
    const marker = await api(victim, 'POST', '/v1/alerts', { payload: alertPayload(Date.now(), 10) });
    expect(marker.status).toBeLessThan(300);
    await waitFor(
      () => everywhere(net, marker.json.messageId),
      TIMEOUTS.event,
      "the victim's next alert everywhere",
      200,
    );
    for (const id of ids.slice(0, -1)) {
      for (const n of net.nodes) expect((await api(n, 'GET', `/v1/messages/${id}`)).status).toBe(404);
    }
    const listed = await api(victim, 'GET', '/v1/messages?limit=1000');
    const copies = (listed.json.items as Array<{ messageId: string }>).filter(
      (m) => m.messageId === accepted.json.messageId,
    );
    expect(copies.length).toBe(1);
    for (const n of net.nodes.slice(1)) {
      for (const [code] of cases) {
        expect(await metricValue(n, 'sfr_validation_outcomes_total', { outcome: 'reject', code })).toBe(0);
      }
    }
  });

  it('a node that was down catches up through sync, nothing missing and nothing duplicated', async () => {
    const late = N - 1;
    await net.kill(late, 'SIGTERM');
    const ids: string[] = [];
    for (let k = 0; k < 4; k++) {
      const r = await api(net.nodes[k % (N - 1)]!, 'POST', '/v1/alerts', {
        payload: alertPayload(Date.now(), 20 + k),
      });
      expect(r.status).toBeLessThan(300);
      ids.push(r.json.messageId);
    }
    await net.start(late);
    const node = net.nodes[late]!;
    await waitFor(
      async () =>
        (await Promise.all(ids.map((id) => api(node, 'GET', `/v1/messages/${id}`)))).every(
          (r) => r.status === 200,
        ),
      TIMEOUTS.event,
      'late node caught up',
      250,
    );
    // Nothing duplicated: the late node holds exactly what node 0 holds, issuer by issuer.
    const list = async (n: (typeof net.nodes)[0]) => {
      const r = await api(n, 'GET', '/v1/messages?limit=1000');
      return (r.json.items as Array<{ messageId: string }>).map((m) => m.messageId).sort();
    };
    await waitFor(
      async () => (await list(node)).length === (await list(net.nodes[0]!)).length,
      TIMEOUTS.event,
      'same count',
      250,
    );
    expect(await list(node)).toEqual(await list(net.nodes[0]!));
  });
});
