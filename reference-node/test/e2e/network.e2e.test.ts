/**
 * End-to-end over real processes: 5 `sfr node start` processes on loopback TCP.
 * - an alert submitted over HTTP at one node is accepted by all others;
 * - invalid messages injected by a peer are refused at the first hop, never reach another node, and
 *   lower the sending peer's score;
 * - a node that was down catches up through sync when it comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalize,
  createMemorySigningJournal,
  type MemberKey,
  signEnvelope,
  type UnsignedEnvelope,
} from '../../src/envelope/index.js';
import { createLibp2pNode, type SfrLibp2p } from '../../src/network/createLibp2pNode.js';
import { PeerDenylist } from '../../src/network/denylist.js';
import { createGossipsubRouter } from '../../src/network/gossip/gossipsubRouter.js';
import { fixedTopicStrings, stringifyTopic } from '../../src/network/topics.js';
import { alertPayload, testKeys, waitFor } from '../node/fixtures.js';
import { api, createProcNetwork, metricValue, type ProcNetwork } from './processNetwork.js';

const N = 5;
const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });

async function everywhere(net: ProcNetwork, id: string, nodes = net.nodes): Promise<boolean> {
  const r = await Promise.all(
    nodes.map((n) => api(n, 'GET', `/v1/messages/${id}`).catch(() => ({ status: 0 }))),
  );
  return r.every((x) => x.status === 200);
}

describe('5 node processes on loopback', () => {
  let net: ProcNetwork;
  let attacker: SfrLibp2p | undefined;

  beforeAll(async () => {
    net = await createProcNetwork(N);
    for (let i = 0; i < N; i++) await net.start(i);
    // Every node sees at least two peers before the tests publish.
    await waitFor(
      async () => {
        const s = await Promise.all(net.nodes.map((n) => api(n, 'GET', '/v1/status')));
        return s.every((x) => x.status === 200 && x.json.peers.connected >= 2);
      },
      30_000,
      'connected network',
      250,
    );
  }, 180_000);
  afterAll(async () => {
    await attacker?.stop();
    await net?.stop();
  }, 60_000);

  it('an alert submitted over HTTP at one node is accepted by all others', async () => {
    const now = Date.now();
    const r = await api(net.nodes[0]!, 'POST', '/v1/alerts', { payload: alertPayload(now) });
    expect(r.status).toBeLessThan(300);
    const id = r.json.messageId as string;
    // Gossip meshes form over a few heartbeats; sync on connect covers anything published before.
    await waitFor(() => everywhere(net, id), 20_000, 'alert everywhere', 200);
  }, 40_000);

  it('invalid messages from a peer are refused at the first hop, reach no other node, and lower its score', async () => {
    const victim = net.nodes[0]!;
    attacker = await createLibp2pNode({
      denylist: new PeerDenylist(),
      gossip: { topics: fixedTopicStrings(), asyncValidation: false, score: { ipColocationWeight: 0 } },
    });
    await attacker.start();
    const router = createGossipsubRouter(attacker.services.pubsub);
    router.subscribe(ALERTS);
    await attacker.dial((await import('@multiformats/multiaddr')).multiaddr(victim.multiaddr));
    await new Promise((r) => setTimeout(r, 1500)); // subscriptions exchanged

    const now = Date.now();
    const member = victim.key; // a real member key: only the tampered field makes each message invalid
    const outsider = testKeys(1, 'sfr-e1-e2e-outsider')[0] as MemberKey;
    const journal = createMemorySigningJournal();
    const sign = async (key: MemberKey, over: Partial<UnsignedEnvelope>) =>
      signEnvelope({
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
      });
    const enc = new TextEncoder();
    const good = await sign(member, { seq: 1_000_001 });
    const badSignature = enc.encode(
      canonicalize({ ...good.envelope, payload: alertPayload(now, 1), seq: 1_000_002 }),
    );
    const schemaPayload = alertPayload(now, 2) as Record<string, unknown>;
    delete schemaPayload['subject'];
    const schemaViolation = (
      await sign(member, { seq: 1_000_003, payload: schemaPayload as UnsignedEnvelope['payload'] })
    ).wire;
    const farFuture = (await sign(member, { seq: 1_000_004, issuedAt: now + 3_600_000 })).wire;
    const nonMember = (await sign(outsider, { seq: 1 })).wire;
    const oversize = (
      await sign(member, {
        seq: 1_000_005,
        payload: { ...alertPayload(now, 3), summary: 'x'.repeat(70_000) } as UnsignedEnvelope['payload'],
      })
    ).wire;
    const cases = { badSignature, schemaViolation, farFuture, nonMember, oversize };
    const { messageIdOf } = await import('../../src/envelope/index.js');
    for (const wire of Object.values(cases)) await router.publish(ALERTS, wire).catch(() => {});
    // Replay: the bytes of an alert every node already accepted.
    const accepted = await api(net.nodes[1]!, 'POST', '/v1/alerts', { payload: alertPayload(Date.now(), 9) });
    await waitFor(() => everywhere(net, accepted.json.messageId), 20_000, 'honest alert everywhere', 200);
    const stored = await api(victim, 'GET', `/v1/messages/${accepted.json.messageId}`);
    expect(stored.status).toBe(200);
    const replay = enc.encode(canonicalize(stored.json.envelope));
    expect(messageIdOf(replay)).toBe(accepted.json.messageId);
    await router.publish(ALERTS, replay).catch(() => {});

    await waitFor(
      async () => (await metricValue(victim, 'sfr_validation_outcomes_total', { outcome: 'reject' })) >= 3,
      10_000,
      'victim refused them',
      200,
    );
    expect(
      await metricValue(victim, 'sfr_validation_outcomes_total', { code: 'ENVELOPE_BAD_SIGNATURE' }),
    ).toBe(1);
    expect(await metricValue(victim, 'sfr_validation_outcomes_total', { code: 'SCHEMA_REQUIRED' })).toBe(1);
    expect(await metricValue(victim, 'sfr_validation_outcomes_total', { code: 'GOSSIP_NOT_MEMBER' })).toBe(1);
    expect(await metricValue(victim, 'sfr_validation_outcomes_total', { code: 'ENVELOPE_FROM_FUTURE' })).toBe(
      1,
    );
    // Oversize data is dropped by the router's decode limit before validation: never stored.
    await new Promise((r) => setTimeout(r, 2000));
    for (const wire of Object.values(cases)) {
      const id = messageIdOf(wire);
      for (const n of net.nodes) expect((await api(n, 'GET', `/v1/messages/${id}`)).status).toBe(404);
    }
    // The sending peer's score at the first hop went negative.
    const peers = await api(victim, 'GET', '/v1/peers');
    const mine = (peers.json.peers as Array<{ peerId: string; score: number }>).find(
      (p) => p.peerId === attacker!.peerId.toString(),
    );
    expect(mine?.score).toBeLessThan(0);
    // The replay changed nothing: one copy of it at the first hop.
    const listed = await api(victim, 'GET', '/v1/messages?limit=1000');
    const copies = (listed.json.items as Array<{ messageId: string }>).filter(
      (m) => m.messageId === accepted.json.messageId,
    );
    expect(copies.length).toBe(1);
    // Other nodes never saw them: no REJECT for these codes anywhere else.
    for (const n of net.nodes.slice(1)) {
      expect(await metricValue(n, 'sfr_validation_outcomes_total', { code: 'ENVELOPE_BAD_SIGNATURE' })).toBe(
        0,
      );
      expect(await metricValue(n, 'sfr_validation_outcomes_total', { code: 'GOSSIP_NOT_MEMBER' })).toBe(0);
    }
  }, 60_000);

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
      30_000,
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
      15_000,
      'same count',
      250,
    );
    expect(await list(node)).toEqual(await list(net.nodes[0]!));
  }, 90_000);
});
