/**
 * Heartbeat retention in the store (spec/v1/node.md#heartbeat-retention): the latest K announcements
 * of a member are kept, older heartbeats pruned durably and remembered as ranges, and a restart keeps
 * the record, never reuses a pruned cursor and finds the log intact.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RangeSet } from '../../src/store/heartbeatPruning.js';
import { computeMessageId, openStore, type Store } from '../../src/store/index.js';
import { ISSUER_A, ISSUER_B, makeWire } from './fixtures.js';

let dir: string;
let store: Store | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sfr-prune-'));
});
afterEach(async () => {
  await store?.close();
  store = undefined;
  await rm(dir, { recursive: true, force: true });
});

const heartbeat = (seq: number, extra: Record<string, unknown> = {}, issuer = ISSUER_A): Uint8Array =>
  makeWire({
    seq,
    issuer,
    type: 'NodeAnnouncement',
    payload: { member: issuer, protocol: 'aave-v3', heartbeat: { uptimeMs: seq, headSeq: seq }, ...extra },
  });

async function prunedKeys(): Promise<string[]> {
  const db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  await db.open();
  try {
    return (await db.iterator({ gte: 'k:', lt: 'k;' }).all()).map(([k, v]) => `${k}=${v}`);
  } finally {
    await db.close();
  }
}

describe('RangeSet', () => {
  it('merges contiguous values into one range and says which stored ranges it replaced', () => {
    const set = new RangeSet();
    expect(set.add(5)).toEqual({ removed: [], range: [5, 5] });
    expect(set.add(7)).toEqual({ removed: [], range: [7, 7] });
    expect(set.add(6)).toEqual({ removed: [5, 7], range: [5, 7] });
    expect(set.add(6)).toBeNull();
    expect(set.add(4)).toEqual({ removed: [5], range: [4, 7] });
    expect(set.add(8)).toEqual({ removed: [4], range: [4, 8] });
    expect([set.has(3), set.has(4), set.has(8), set.has(9)]).toEqual([false, true, true, false]);
    expect([set.covers(4, 8), set.covers(3, 5), set.count(), set.max()]).toEqual([true, false, 5, 8]);
  });
});

describe('heartbeat pruning', () => {
  it('keeps the newest K, the lowest, rotations and protocol changes; prunes the rest durably', async () => {
    store = await openStore(dir, { keepHeartbeats: 2 });
    const rotation = { keyRotation: { newKey: ISSUER_B, effectiveFromSeq: 3, newKeySignature: '0x00' } };
    const wires = [
      heartbeat(0),
      heartbeat(1),
      heartbeat(2, rotation),
      heartbeat(3),
      makeWire({ seq: 4 }), // a RecoveryEvent: never pruned
      heartbeat(5),
      heartbeat(6, { protocol: 'aave-v3-eth' }),
      heartbeat(7, { protocol: 'aave-v3-eth' }),
      heartbeat(8, { protocol: 'aave-v3-eth' }),
    ];
    for (const wire of wires) expect((await store.append({ wire })).status).toBe('appended');

    const held = (await store.rangeBySeq(ISSUER_A, 0, 100)).map((m) => m.seq);
    expect(held).toEqual([0, 2, 4, 6, 7, 8]);
    for (const seq of [1, 3, 5]) {
      expect(store.isPruned(ISSUER_A, seq)).toBe(true);
      expect(await store.holdsSeq(ISSUER_A, seq)).toBe(true);
      expect(await store.getMessage(computeMessageId(wires[seq]!))).toBeUndefined();
    }
    expect(store.isPruned(ISSUER_A, 4)).toBe(false);
    expect(await store.holdsSeq(ISSUER_A, 9)).toBe(false);
    const announcements = await store.queryMessages({ type: 'NodeAnnouncement' });
    expect(announcements.ok && announcements.messages.map((m) => m.seq)).toEqual([0, 2, 6, 7, 8]);
    expect(await store.stats()).toMatchObject({ messages: 6, pruned: 3, lastCursor: 9 });

    // Restart: the record is kept, the log (with its gaps) checks intact, no cursor is handed out again.
    await store.close();
    store = await openStore(dir, { keepHeartbeats: 2 });
    expect((await store.verify({ full: true })).healthy).toBe(true);
    for (const seq of [1, 3, 5]) expect(store.isPruned(ISSUER_A, seq)).toBe(true);
    expect(await store.append({ wire: heartbeat(9, { protocol: 'aave-v3-eth' }) })).toMatchObject({
      status: 'appended',
      cursor: 10,
    });
    // 7 is now older than the newest two and names the protocol of 6: pruned.
    expect(store.isPruned(ISSUER_A, 7)).toBe(true);
    expect((await store.rebuildDerived()).records).toBe(6);
    expect(store.isHealthy()).toBe(true);
  });

  it('remembers a run of pruned heartbeats as one range, and never reuses a pruned newest cursor', async () => {
    store = await openStore(dir, { keepHeartbeats: 2 });
    for (const seq of [0, 1, 2, 3, 5, 6, 7, 8, 9]) await store.append({ wire: heartbeat(seq, {}, ISSUER_B) });
    // Seq 4 arrives late: older than the newest two, so it is pruned as it is stored (cursor 10).
    expect(await store.append({ wire: heartbeat(4, {}, ISSUER_B) })).toMatchObject({
      status: 'appended',
      cursor: 10,
    });
    expect((await store.rangeBySeq(ISSUER_B, 0, 100)).map((m) => m.seq)).toEqual([0, 8, 9]);
    await store.close();
    store = undefined;
    const b = ISSUER_B.toLowerCase();
    expect(await prunedKeys()).toEqual([
      'k:c:0000000000000002=7',
      'k:c:000000000000000a=10',
      `k:s:${b}:0000000000000001=7`,
    ]);
    store = await openStore(dir, { keepHeartbeats: 2 });
    expect(store.isHealthy()).toBe(true);
    expect(store.lastCursor).toBe(10);
    expect(await store.append({ wire: makeWire({ seq: 10, issuer: ISSUER_B }) })).toMatchObject({
      cursor: 11,
    });
  });

  it('prunes what a lower keepHeartbeats drops when the store opens', async () => {
    store = await openStore(dir, { keepHeartbeats: Number.POSITIVE_INFINITY });
    for (let seq = 0; seq < 6; seq++) await store.append({ wire: heartbeat(seq) });
    expect((await store.stats()).pruned).toBe(0);
    await store.close();
    store = await openStore(dir, { keepHeartbeats: 2 });
    expect((await store.rangeBySeq(ISSUER_A, 0, 100)).map((m) => m.seq)).toEqual([0, 4, 5]);
    expect(await store.stats()).toMatchObject({ messages: 3, pruned: 3 });
  });
});
