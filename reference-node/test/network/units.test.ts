import type { MultiaddrConnection } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import { createDenylistGater, PeerDenylist } from '../../src/network/denylist.js';
import { TopicQueue } from '../../src/network/gossip/topicQueue.js';
import { parseTopic, stringifyTopic, topicForEnvelope } from '../../src/network/topics.js';
import { PeerRateLimiter } from '../../src/sync/rateLimiter.js';
import { Membership } from '../../src/validation/membership.js';

const POOL = 'ab'.repeat(32);

describe('topics', () => {
  it('round-trips every topic kind', () => {
    for (const kind of ['contagion_alerts', 'recovery_events', 'evidence', 'announcements'] as const) {
      const s = stringifyTopic({ kind });
      expect(s).toBe(`/sfr/1/${kind}`);
      expect(parseTopic(s)).toEqual({ ok: true, topic: { kind } });
    }
    expect(stringifyTopic({ kind: 'pool', poolId: `0x${POOL}` })).toBe(`/sfr/1/pool/${POOL}`);
    expect(parseTopic(`/sfr/1/pool/${POOL}`)).toEqual({ ok: true, topic: { kind: 'pool', poolId: POOL } });
  });

  it('refuses anything else with a code, never throwing', () => {
    for (const bad of [
      '',
      '/sfr/1/',
      '/sfr/1/alerts',
      `/sfr/1/pool/${POOL.toUpperCase()}`,
      '/sfr/01/evidence',
      'x'.repeat(10_000),
    ]) {
      expect(parseTopic(bad)).toEqual({ ok: false, code: 'GOSSIP_UNKNOWN_TOPIC' });
    }
    expect(parseTopic('/sfr/2/contagion_alerts')).toEqual({
      ok: false,
      code: 'GOSSIP_UNSUPPORTED_TOPIC_VERSION',
    });
    expect(topicForEnvelope('FundClaim', undefined)).toBeUndefined();
    expect(topicForEnvelope('FundClaim', `0x${POOL}`)).toEqual({ kind: 'pool', poolId: POOL });
    expect(topicForEnvelope('Nope', undefined)).toBeUndefined();
  });
});

describe('TopicQueue', () => {
  it('tail-drops beyond capacity, keeps FIFO order, and hands stale items to onStale', async () => {
    let t = 0;
    const done: number[] = [];
    const stale: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const q = new TopicQueue<number>({
      capacity: 3,
      maxWaitMs: 100,
      now: () => t,
      worker: async (n) => {
        if (n === 0) await gate;
        done.push(n);
      },
      onStale: (n) => stale.push(n),
    });
    expect(q.offer(0)).toBe(true); // taken by the worker at once
    expect([q.offer(1), q.offer(2), q.offer(3), q.offer(4)]).toEqual([true, true, true, false]);
    expect(q.dropped).toBe(1);
    t = 50;
    release();
    await q.onIdle();
    expect(done).toEqual([0, 1, 2, 3]);
    // Staleness: items older than maxWaitMs when their turn comes are not worked.
    let release2!: () => void;
    const gate2 = new Promise<void>((r) => {
      release2 = r;
    });
    const q2 = new TopicQueue<number>({
      capacity: 10,
      maxWaitMs: 100,
      now: () => t,
      worker: async (n) => {
        if (n === 10) await gate2;
        done.push(n);
      },
      onStale: (n) => stale.push(n),
    });
    q2.offer(10);
    q2.offer(11);
    t = 500;
    release2();
    await q2.onIdle();
    expect(stale).toEqual([11]);
    expect(q2.stop()).toEqual([]);
    expect(q2.offer(12)).toBe(false);
  });
});

describe('TopicQueue per issuer (p2p.md#queues)', () => {
  it("serves issuers round-robin and, when full, pushes out the busiest issuer's newest message", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const done: string[] = [];
    const evicted: string[] = [];
    const q = new TopicQueue<string>({
      capacity: 4,
      maxWaitMs: 60_000,
      keyOf: (m) => m.slice(0, 1),
      onEvicted: (m) => evicted.push(m),
      worker: async (m) => {
        if (m === 's0') await gate;
        done.push(m);
      },
      onStale: () => {},
    });
    expect(q.offer('s0')).toBe(true); // taken by the worker at once
    // The spammer fills the queue; a further spam message is refused (its own issuer is the busiest)...
    expect(['s1', 's2', 's3', 's4', 's5'].map((m) => q.offer(m))).toEqual([true, true, true, true, false]);
    // ...while an honest message pushes out the spammer's newest one instead of being tail-dropped.
    expect(q.offer('h1')).toBe(true);
    expect(evicted).toEqual(['s4']);
    expect(q.dropped).toBe(2);
    release();
    await q.onIdle();
    // Round-robin: the honest message is served after one spam message, not after the whole flood.
    expect(done).toEqual(['s0', 's1', 'h1', 's2', 's3']);
  });
});

describe('TopicQueue concurrency', () => {
  it('starts items in arrival order, never more than `concurrency` at once, and is idle only when all finished', async () => {
    const started: number[] = [];
    const gates = new Map<number, () => void>();
    let running = 0;
    let peak = 0;
    const q = new TopicQueue<number>({
      capacity: 100,
      maxWaitMs: 60_000,
      concurrency: 3,
      worker: async (n) => {
        started.push(n);
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => gates.set(n, r));
        running--;
      },
      onStale: () => {},
    });
    for (let i = 0; i < 7; i++) q.offer(i);
    expect(started).toEqual([0, 1, 2]); // three waiting on "the store" together
    let idle = false;
    void q.onIdle().then(() => {
      idle = true;
    });
    for (let i = 0; i < 7; i++) {
      await new Promise((r) => setTimeout(r, 0));
      gates.get(i)?.();
    }
    await q.onIdle();
    expect(idle).toBe(true);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(3);
  });
});

describe('bounded maps', () => {
  it('PeerDenylist expires entries and evicts the soonest-expiring beyond capacity', () => {
    let t = 0;
    const d = new PeerDenylist({ maxEntries: 2, now: () => t });
    d.deny('a', 100);
    d.deny('b', 300);
    d.deny('c', 200);
    expect(d.size).toBe(2);
    expect([d.isDenied('a'), d.isDenied('b'), d.isDenied('c')]).toEqual([false, true, true]);
    t = 250;
    expect([d.isDenied('b'), d.isDenied('c')]).toEqual([true, false]);
    d.allow('b');
    expect(d.isDenied('b')).toBe(false);
  });

  it('PeerDenylist denies an address once `threshold` peers denied there are still denied (p2p.md#address-denial)', () => {
    let t = 0;
    const d = new PeerDenylist({
      now: () => t,
      addressPolicy: { threshold: 3, exempt: new Set(['10.0.0.9']) },
    });
    expect(d.deny('a', 100, '10.0.0.1')).toBe(false);
    expect(d.deny('b', 300, '10.0.0.1')).toBe(false);
    // Another address, and a peer with no address known, do not count.
    expect(d.deny('x', 500, '10.0.0.2')).toBe(false);
    expect(d.deny('y', 500)).toBe(false);
    expect(d.deny('c', 200, '10.0.0.1')).toBe(true);
    expect(d.isAddressDenied('10.0.0.1')).toBe(true);
    // A further peer there is denied, and extends nothing but the address's end: not a new denial.
    expect(d.deny('d', 250, '10.0.0.1')).toBe(false);
    expect(d.isAddressDenied('10.0.0.2')).toBe(false);
    // Until the latest of the denials there ends.
    t = 299;
    expect(d.isAddressDenied('10.0.0.1')).toBe(true);
    t = 300;
    expect(d.isAddressDenied('10.0.0.1')).toBe(false);
    // Peers whose denials ended no longer count: a, b, c, d are over at t = 300.
    expect(d.deny('e', 100, '10.0.0.1')).toBe(false);
    // An exempt address (P6's whitelist) is never denied; without a policy no address ever is.
    for (const id of ['p', 'q', 'r', 's']) d.deny(id, 100, '10.0.0.9');
    expect(d.isAddressDenied('10.0.0.9')).toBe(false);
    const plain = new PeerDenylist();
    for (const id of ['p', 'q', 'r', 's', 't', 'u']) expect(plain.deny(id, 100, '10.0.0.1')).toBe(false);
    expect(plain.isAddressDenied('10.0.0.1')).toBe(false);
  });

  it('the gater refuses a new peer at a denied address once it is known, unless protected', async () => {
    const d = new PeerDenylist({ addressPolicy: { threshold: 1 } });
    d.deny('12D3KooWBZTQJfwfWPpLhRgLVN4RKM6LBgtXVxrgBKbvyH3KxBTP', 60_000, '10.0.0.1');
    const member = '12D3KooWDurP12frFepj1gRizR2bP9jqf8ovSJVMrimizJxsiFDx';
    const fresh = '12D3KooWD2kVXoAUSPV3vjwLu47pWJK3ZGDRkewFnVUev5XhrS19';
    const gater = createDenylistGater(d, (id) => id === member);
    const at = (ip: string) => ({ remoteAddr: multiaddr(`/ip4/${ip}/tcp/4001`) }) as MultiaddrConnection;
    expect(await gater.denyInboundEncryptedConnection!(peerIdFromString(fresh), at('10.0.0.1'))).toBe(true);
    expect(await gater.denyOutboundEncryptedConnection!(peerIdFromString(fresh), at('10.0.0.1'))).toBe(true);
    expect(await gater.denyInboundUpgradedConnection!(peerIdFromString(fresh), at('10.0.0.1'))).toBe(true);
    expect(await gater.denyInboundEncryptedConnection!(peerIdFromString(fresh), at('10.0.0.2'))).toBe(false);
    expect(await gater.denyInboundEncryptedConnection!(peerIdFromString(member), at('10.0.0.1'))).toBe(false);
  });

  it('PeerRateLimiter refills at its rate and tracks a bounded number of peers', () => {
    let t = 0;
    const r = new PeerRateLimiter({ burst: 2, perSecond: 1, maxPeers: 2, now: () => t });
    expect([r.tryTake('p'), r.tryTake('p'), r.tryTake('p')]).toEqual([true, true, false]);
    t = 1000;
    expect(r.tryTake('p')).toBe(true);
    r.tryTake('q');
    r.tryTake('s');
    expect(r.size).toBe(2);
  });

  it('Membership compares addresses case-insensitively and binds at most N peers per member', () => {
    const m = new Membership(['0xAbC0000000000000000000000000000000000001'], { maxBindingsPerMember: 2 });
    expect(m.isMember('0xabc0000000000000000000000000000000000001')).toBe(true);
    expect(m.bindPeer('p1', '0xABC0000000000000000000000000000000000001')).toBe(true);
    expect(m.bindPeer('p2', '0xabc0000000000000000000000000000000000001')).toBe(true);
    expect(m.bindPeer('p3', '0xabc0000000000000000000000000000000000001')).toBe(true);
    expect(m.memberOfPeer('p1')).toBeUndefined();
    expect(m.memberOfPeer('p3')).toBe('0xabc0000000000000000000000000000000000001');
    expect(m.bindPeer('p4', '0x0000000000000000000000000000000000000009')).toBe(false);
  });
});

describe('libp2p node', () => {
  it('pings each connection every 30 s, not libp2p’s 10 s (idle CPU, issue 13), and waits 20 s for the answer whatever the past answers took', async () => {
    const { createLibp2pNode, CONNECTION_PING_INTERVAL_MS, CONNECTION_PING_TIMEOUT_MS } = await import(
      '../../src/network/createLibp2pNode.js'
    );
    const { fixedTopicStrings } = await import('../../src/network/topics.js');
    const node = await createLibp2pNode({
      denylist: new PeerDenylist(),
      gossip: { topics: fixedTopicStrings(), score: { ipColocationWeight: 0 } },
    });
    const monitor = (
      node as unknown as {
        components: {
          connectionMonitor?: {
            pingIntervalMs: number;
            timeout: { minTimeout: number; maxTimeout: number };
          };
        };
      }
    ).components.connectionMonitor;
    expect(CONNECTION_PING_INTERVAL_MS).toBe(30_000);
    expect(monitor?.pingIntervalMs).toBe(CONNECTION_PING_INTERVAL_MS);
    // Fixed below the interval: a timeout adapted above it would let a second ping start while the first
    // waits, which libp2p fails at once (one outbound ping stream per connection), aborting the connection.
    expect(CONNECTION_PING_TIMEOUT_MS).toBeLessThan(CONNECTION_PING_INTERVAL_MS);
    expect(monitor?.timeout).toMatchObject({
      minTimeout: CONNECTION_PING_TIMEOUT_MS,
      maxTimeout: CONNECTION_PING_TIMEOUT_MS,
    });
  });
});
