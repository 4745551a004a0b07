/**
 * attachLiveness's timers and gauges on a fake node and fake timers (node.md#liveness): interval
 * 30 000 ms and 2 misses make the silence bound 75 000 ms. Silence is checked by one timer armed for
 * the earliest live member's bound (none while no member is live), so a member turns silent at its
 * bound, not at the next periodic check; the gauges are sampled at each scrape (issue 13, idle CPU).
 */
import type { Address } from '@sfr/schemas';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type AttachLivenessParameters,
  attachLiveness,
  type LivenessNotice,
} from '../../src/liveness/index.js';
import { collectMetrics, createMetrics } from '../../src/metrics/index.js';
import type { AcceptedMessage } from '../../src/node/index.js';
import type { Store } from '../../src/store/index.js';

const SELF = '0x00000000000000000000000000000000000000aa' as Address;
const A = '0x00000000000000000000000000000000000000bb' as Address;
const T0 = 1_000_000;
const BOUND_MS = 75_000;

function fakeNode() {
  const listeners: ((m: AcceptedMessage) => void)[] = [];
  const store = {
    queryMessages: async () => ({ ok: true, messages: [], nextCursor: null }),
    stats: async () => ({ messages: 0, approximateBytes: 0 }),
    isHealthy: () => true,
  };
  const node = {
    peerId: '12D3KooWfake',
    member: SELF,
    multiaddrs: () => [],
    connectedPeers: () => [],
    membership: { members: new Set([SELF, A]) },
    store,
    publish: async () => {
      throw new Error('not announcing');
    },
    onAccepted(listener: (m: AcceptedMessage) => void) {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
    stop: async () => {},
  };
  const heartbeat = (member: Address, id: string): void => {
    const m = {
      id,
      cursor: 0,
      envelope: {
        type: 'NodeAnnouncement',
        issuer: member,
        issuedAt: Date.now(),
        payload: { protocol: 'p-a' },
      },
      wire: new Uint8Array(),
      source: 'gossip',
      from: 'peer',
      receivedAt: Date.now(),
    } as unknown as AcceptedMessage;
    for (const l of [...listeners]) l(m);
  };
  return {
    node: node as unknown as AttachLivenessParameters['node'],
    store: store as unknown as Store,
    heartbeat,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('attachLiveness timers and gauges', () => {
  it('checks silence at the earliest live bound, with no check timer while no member is live', async () => {
    vi.useFakeTimers({ now: T0 });
    const { node, store, heartbeat } = fakeNode();
    const notices: LivenessNotice[] = [];
    const metrics = createMetrics({ processMetrics: false });
    const liveness = await attachLiveness({
      node,
      protocol: 'p-self',
      capabilities: [],
      announces: false,
      intervalMs: 30_000,
      missedHeartbeats: 2,
      metrics,
      notify: async (n) => {
        notices.push(n);
      },
    });
    // The heartbeat interval only: nobody is live, so nothing can turn silent.
    expect(vi.getTimerCount()).toBe(1);

    await vi.advanceTimersByTimeAsync(500);
    heartbeat(A, '0x01');
    expect(vi.getTimerCount()).toBe(2);
    expect(await collectMetrics(metrics, store)).toMatch(
      new RegExp(`^sfr_liveness_member_live\\{member="${A}"\\} 1$`, 'm'),
    );

    await vi.advanceTimersByTimeAsync(BOUND_MS - 1);
    expect(notices).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(notices.map((n) => n.event)).toEqual(['member_silent']);
    expect(notices[0]!.body['createdAt']).toBe(T0 + 500 + BOUND_MS);
    // Silent: no bound left to wait for.
    expect(vi.getTimerCount()).toBe(1);
    const text = await collectMetrics(metrics, store);
    expect(text).toMatch(new RegExp(`^sfr_liveness_member_live\\{member="${A}"\\} 0$`, 'm'));
    expect(text).toMatch(/^sfr_liveness_members\{status="silent"\} 1$/m);

    heartbeat(A, '0x02');
    expect(notices.map((n) => n.event)).toEqual(['member_silent', 'member_back']);
    expect(vi.getTimerCount()).toBe(2);
    await liveness.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
