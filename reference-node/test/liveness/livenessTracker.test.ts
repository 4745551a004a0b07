/**
 * node.md#liveness on the pure tracker, times written by hand: interval 1 000 ms and 2 misses make
 * the silence bound (2 + ½) × 1 000 = 2 500 ms after the last heartbeat (or the start of tracking).
 */
import type { Address } from '@sfr/schemas';
import { describe, expect, it } from 'vitest';
import { createLivenessTracker } from '../../src/liveness/index.js';

const SELF = '0x00000000000000000000000000000000000000aa';
const A = '0x00000000000000000000000000000000000000bb';
const B = '0x00000000000000000000000000000000000000cc';
const T0 = 1_000_000;

const tracker = () =>
  createLivenessTracker({
    self: SELF,
    members: [A, B],
    intervalMs: 1_000,
    missedHeartbeats: 2,
    startedAt: T0,
  });
const hb = (member: Address, issuedAt: number, receivedAt = issuedAt, id = `0x${issuedAt}`) => ({
  member,
  messageId: id,
  issuedAt,
  receivedAt,
  protocol: 'p-a',
});

describe('liveness tracker (node.md#liveness)', () => {
  it('bounds silence at (missed + ½) intervals: 2 500 ms', () => {
    expect(tracker().silentAfterMs).toBe(2_500);
  });

  it('members start unknown, own member first; a heartbeat makes a member live', () => {
    const t = tracker();
    expect(t.view(T0).map((m) => [m.member, m.status, m.self])).toEqual([
      [SELF, 'unknown', true],
      [A, 'unknown', false],
      [B, 'unknown', false],
    ]);
    expect(t.observe(hb(A, T0 + 100), T0 + 100)).toBeNull();
    expect(t.view(T0 + 100)[1]).toMatchObject({ member: A, status: 'live', lastHeartbeatAt: T0 + 100 });
  });

  it('marks a member silent at last heartbeat + 2 500 ms, not a millisecond before, and back on its next heartbeat', () => {
    const t = tracker();
    t.observe(hb(A, T0 + 100, T0 + 100, '0xlast'), T0 + 100);
    expect(t.check(T0 + 2_599)).toEqual([]);
    expect(t.view(T0 + 2_599)[1]).toMatchObject({ status: 'live', missedHeartbeats: 2 });
    expect(t.check(T0 + 2_600)).toEqual([
      {
        kind: 'silent',
        member: A,
        protocol: 'p-a',
        messageId: '0xlast',
        lastHeartbeatAt: T0 + 100,
        silentSince: T0 + 2_600,
        at: T0 + 2_600,
      },
    ]);
    expect(t.check(T0 + 5_000)).toEqual([]); // once per silence
    expect(t.observe(hb(A, T0 + 9_000, T0 + 9_000, '0xback'), T0 + 9_000)).toEqual({
      kind: 'back',
      member: A,
      protocol: 'p-a',
      messageId: '0xback',
      lastHeartbeatAt: T0 + 9_000,
      silentSince: T0 + 2_600,
      at: T0 + 9_000,
    });
    expect(t.view(T0 + 9_000)[1]).toMatchObject({ status: 'live', missedHeartbeats: 0 });
  });

  it('counts a heartbeat at its receipt (the issuer clock and a slow signature do not move it), a late one (sync) at its issuedAt', () => {
    const t = tracker();
    t.observe(hb(A, T0 + 10_000, T0 + 100), T0 + 100); // clock ahead: counts at receipt
    expect(t.view(T0 + 100)[1]).toMatchObject({ lastHeartbeatAt: T0 + 100 });
    t.observe(hb(A, T0 - 2_000, T0 + 400), T0 + 400); // 2 400 ms from issue to receipt < 2 500
    expect(t.view(T0 + 400)[1]).toMatchObject({ lastHeartbeatAt: T0 + 400 });
    t.observe(hb(A, T0 + 1_000, T0 + 3_500), T0 + 3_500); // 2 500 ms late: counts at its issuedAt
    expect(t.view(T0 + 3_500)[1]).toMatchObject({ lastHeartbeatAt: T0 + 1_000 });
    expect(t.check(T0 + 3_499)).toEqual([]);
    expect(t.check(T0 + 3_500).map((x) => x.member)).toEqual([A]);
  });

  it("counts the node's own heartbeats when it stored them, however long its publish path took (a busy machine showed its own member '2 missed', or silent at start)", () => {
    const t = tracker();
    // Signed at T0, stored 3 000 ms later (validation and the durable write on a loaded machine): ≥ the
    // 2 500 ms bound, which for another member's heartbeat means fetched late by sync.
    expect(t.observe(hb(SELF, T0, T0 + 3_000), T0 + 3_000)).toBeNull();
    expect(t.view(T0 + 3_000)[0]).toMatchObject({
      self: true,
      status: 'live',
      lastHeartbeatAt: T0 + 3_000,
      missedHeartbeats: 0,
    });
    expect(t.observe(hb(SELF, T0 + 3_200, T0 + 6_000), T0 + 6_000)).toBeNull();
    expect(t.view(T0 + 6_000)[0]).toMatchObject({
      status: 'live',
      lastHeartbeatAt: T0 + 6_000,
      missedHeartbeats: 0,
    });
    expect(t.check(T0 + 8_499)).toEqual([]);
    // Another member's heartbeat as late still counts at its issuedAt.
    t.observe(hb(A, T0 + 3_200, T0 + 6_000), T0 + 6_000);
    expect(t.view(T0 + 6_000)[1]).toMatchObject({ member: A, status: 'silent', lastHeartbeatAt: T0 + 3_200 });
  });

  it('a stale heartbeat (sync) does not bring a silent member back; an older one is ignored', () => {
    const t = tracker();
    t.observe(hb(A, T0 + 100), T0 + 100);
    t.check(T0 + 2_600);
    expect(t.observe(hb(A, T0 + 200), T0 + 3_000)).toBeNull(); // 200 + 2 500 ≤ 3 000
    expect(t.view(T0 + 3_000)[1]).toMatchObject({ status: 'silent', lastHeartbeatAt: T0 + 200 });
    expect(t.observe(hb(A, T0 + 150), T0 + 3_000)).toBeNull();
    expect(t.view(T0 + 3_000)[1]).toMatchObject({ lastHeartbeatAt: T0 + 200 });
  });

  it('a member never heard from stays unknown (no notice); one whose first held heartbeat is old is silent without a transition', () => {
    const t = tracker();
    expect(t.check(T0 + 100_000)).toEqual([]);
    expect(t.observe(hb(B, T0 - 50_000), T0 + 100_000)).toBeNull();
    expect(t.view(T0 + 100_000)[2]).toMatchObject({ member: B, status: 'silent', silentSince: T0 + 100_000 });
    // Its return is not a `back`: no `silent` was pushed for it.
    expect(t.observe(hb(B, T0 + 100_500), T0 + 100_500)).toBeNull();
    expect(t.view(T0 + 100_500)[2]).toMatchObject({ member: B, status: 'live' });
  });

  it('gives every member a full bound from the start of tracking', () => {
    const t = tracker();
    t.observe(hb(A, T0 - 2_000), T0); // stored before a restart, still within the bound
    expect(t.check(T0 + 2_499)).toEqual([]);
    expect(t.check(T0 + 2_500).map((x) => x.member)).toEqual([A]);
  });

  it('ignores non-members; a reload adds members as unknown and forgets removed ones', () => {
    const t = tracker();
    expect(t.observe(hb('0x00000000000000000000000000000000000000dd', T0), T0)).toBeNull();
    t.setMembers([B, '0x00000000000000000000000000000000000000DD'], T0 + 10);
    expect(t.view(T0 + 10).map((m) => [m.member, m.status])).toEqual([
      [SELF, 'unknown'],
      [B, 'unknown'],
      ['0x00000000000000000000000000000000000000dd', 'unknown'],
    ]);
  });
});
