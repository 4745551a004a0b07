import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../../src/metrics/index.js';
import { computeMessageId, openStore, type Store } from '../../src/store/index.js';
import { ISSUER_A, ISSUER_B, makeAlert, makeWire } from './fixtures.js';

let dir: string;
let store: Store | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sfr-store-'));
});
afterEach(async () => {
  await store?.close();
  store = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('append', () => {
  it('stores a message by id, by (issuer, seq) and by cursor, and reports a repeat as duplicate', async () => {
    store = await openStore(dir);
    const wire = makeWire({ seq: 0 });
    const r = await store.append({ wire, source: 'local' });
    expect(r).toEqual({ status: 'appended', id: computeMessageId(wire), cursor: 1 });
    const again = await store.append({ wire });
    expect(again).toEqual({ status: 'duplicate', id: computeMessageId(wire), cursor: 1 });
    const m = await store.getMessage(computeMessageId(wire));
    expect(m?.issuer).toBe(ISSUER_A.toLowerCase());
    expect(m?.source).toBe('local');
    expect(Buffer.from(m!.wire).equals(Buffer.from(wire))).toBe(true);
    expect((await store.getBySeq(ISSUER_A, 0))?.id).toBe(computeMessageId(wire));
    expect((await store.getByCursor(1))?.id).toBe(computeMessageId(wire));
    expect(store.headSeq(ISSUER_A)).toBe(0);
    expect(store.lastCursor).toBe(1);
    expect((await store.stats()).messages).toBe(1);
  });

  it('records append outcomes and durations in the node metrics when given them', async () => {
    const metrics = createMetrics({ processMetrics: false });
    store = await openStore(dir, { metrics });
    const wire = makeWire({ seq: 0 });
    await store.append({ wire });
    await store.append({ wire });
    await store.append({ wire: makeWire({ seq: 0, issuedAt: 7 }) });
    const text = await metrics.registry.metrics();
    expect(text).toContain('sfr_store_appends_total{outcome="appended"} 1');
    expect(text).toContain('sfr_store_appends_total{outcome="duplicate"} 1');
    expect(text).toContain('sfr_store_appends_total{outcome="conflict"} 1');
    expect(text).toContain('sfr_store_append_duration_seconds_count 1');
  });

  it('refuses a second message with the same (issuer, seq) and keeps the first', async () => {
    store = await openStore(dir);
    const first = makeWire({ seq: 5 });
    const second = makeWire({ seq: 5, issuedAt: 1 });
    expect((await store.append({ wire: first })).status).toBe('appended');
    const b = await store.append({ wire: second });
    expect(b).toEqual({
      status: 'conflict',
      code: 'STORE_SEQ_CONFLICT',
      id: computeMessageId(second),
      existingId: computeMessageId(first),
      detail: `${ISSUER_A.toLowerCase()} already has a stored message with seq 5`,
    });
    expect(await store.getMessage(computeMessageId(second))).toBeUndefined();
    expect(store.lastCursor).toBe(1);
  });

  it("keeps each issuer's highest seq as its head when one group holds many of its messages, across a reopen", async () => {
    store = await openStore(dir);
    const seqsA = [3, 9, 1, 7, 0];
    const all = [
      ...seqsA.map((seq) => makeWire({ seq })),
      ...[2, 0, 4].map((seq) => makeWire({ seq, issuer: ISSUER_B })),
    ];
    const results = await Promise.all(all.map((wire) => store!.append({ wire })));
    expect(results.map((r) => r.status)).toEqual(all.map(() => 'appended'));
    expect([store.headSeq(ISSUER_A), store.headSeq(ISSUER_B)]).toEqual([9, 4]);
    // A message at a held seq of a stored issuer is still caught once that issuer has a head (read path).
    const again = await Promise.all([
      store.append({ wire: makeWire({ seq: 7 }) }),
      store.append({ wire: makeWire({ seq: 7, issuedAt: 2 }) }),
      store.append({ wire: makeWire({ seq: 10 }) }),
    ]);
    expect(again.map((r) => r.status)).toEqual(['duplicate', 'conflict', 'appended']);
    await store.close();
    store = await openStore(dir);
    expect([store.headSeq(ISSUER_A), store.headSeq(ISSUER_B)]).toEqual([10, 4]);
    expect(store.health().healthy).toBe(true);
    await store.rebuildDerived();
    expect([store.headSeq(ISSUER_A), store.headSeq(ISSUER_B)]).toEqual([10, 4]);
  });

  it("keeps the caller's bytes as they were at append, and a header that is not ASCII, in the log and the append event", async () => {
    store = await openStore(dir);
    const seen: Array<{ wire: string; source: string | undefined }> = [];
    store.onAppend((m) => seen.push({ wire: Buffer.from(m.wire).toString('hex'), source: m.source }));
    const wires = [makeWire({ seq: 0 }), makeWire({ seq: 1 })];
    const before = wires.map((w) => Buffer.from(w).toString('hex'));
    const sources = ['12D3KooWpeer', 'pééř ✓'];
    const pending = wires.map((wire, k) => store!.append({ wire, source: sources[k]! }));
    for (const w of wires) w.fill(0x20); // changed before the group commits
    const results = await Promise.all(pending);
    expect(results.map((r) => r.status)).toEqual(['appended', 'appended']);
    expect(seen).toEqual(before.map((wire, k) => ({ wire, source: sources[k] })));
    for (const reopened of [false, true]) {
      if (reopened) {
        await store.close();
        store = await openStore(dir);
      }
      for (let k = 0; k < wires.length; k++) {
        const m = await store.getBySeq(ISSUER_A, k);
        expect([Buffer.from(m!.wire).toString('hex'), m!.source]).toEqual([before[k], sources[k]]);
      }
    }
    expect(store.health().healthy).toBe(true);
  });

  it('group-commits concurrent appends, deduplicating within one batch', async () => {
    store = await openStore(dir);
    const wires = Array.from({ length: 50 }, (_, i) => makeWire({ seq: i }));
    const results = await Promise.all(
      [...wires, wires[3]!, wires[7]!].map((wire) => store!.append({ wire })),
    );
    expect(results.filter((r) => r.status === 'appended')).toHaveLength(50);
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(2);
    const cursors = results.flatMap((r) => (r.status === 'appended' ? [r.cursor] : []));
    expect(cursors).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(store.headSeq(ISSUER_A)).toBe(49);
  });

  it('refuses bytes it cannot index, without writing anything', async () => {
    store = await openStore(dir);
    const bad = [
      new Uint8Array(0),
      new TextEncoder().encode('not json'),
      new TextEncoder().encode('{"type":"RecoveryEvent","issuer":"0x12","seq":1,"issuedAt":1}'),
      new TextEncoder().encode(
        '{"type":"RecoveryEvent","issuer":"0x1111111111111111111111111111111111111111","seq":-1,"issuedAt":1}',
      ),
    ];
    const details = [];
    for (const wire of bad) {
      const r = await store.append({ wire });
      expect(r.status).toBe('refused');
      if (r.status === 'refused') details.push(`${r.code}: ${r.detail}`);
    }
    expect(details).toMatchInlineSnapshot(`
      [
        "STORE_BAD_RECORD: wire must be non-empty bytes",
        "STORE_BAD_RECORD: wire bytes are not UTF-8 JSON",
        "STORE_BAD_RECORD: /issuer: expected an address",
        "STORE_BAD_RECORD: /seq: expected an integer 0 … 2^53−1",
      ]
    `);
    expect(store.lastCursor).toBe(0);
  });
});

describe('queries', () => {
  it('filters by type, issuer, pool and time, paginating with a cursor', async () => {
    store = await openStore(dir);
    const pool = `0x${'cd'.repeat(32)}`;
    for (let i = 0; i < 30; i++) {
      await store.append({
        wire: makeWire({
          seq: i,
          issuer: i % 2 === 0 ? ISSUER_A : ISSUER_B,
          type: i % 3 === 0 ? 'ContagionAlert' : 'RecoveryEvent',
          issuedAt: 1000 + i,
          ...(i % 5 === 0 ? { poolId: pool, type: 'FundClaim' } : {}),
        }),
      });
    }
    const all: number[] = [];
    let after = 0;
    for (let page = 0; page < 10; page++) {
      const r = await store.queryMessages({ issuer: ISSUER_B, after, limit: 4 });
      if (!r.ok) throw new Error(r.detail);
      all.push(...r.messages.map((m) => m.seq));
      if (r.nextCursor === null) break;
      after = r.nextCursor;
    }
    expect(all).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29]);

    const byPool = await store.queryMessages({ poolId: pool });
    expect(byPool.ok && byPool.messages.map((m) => m.seq)).toEqual([0, 5, 10, 15, 20, 25]);

    const alertsInWindow = await store.queryMessages({ type: 'ContagionAlert', from: 1006, to: 1020 });
    expect(alertsInWindow.ok && alertsInWindow.messages.map((m) => m.seq)).toEqual([6, 9, 12, 18]);
    expect(alertsInWindow.ok && alertsInWindow.nextCursor).toBeNull();

    const none = await store.queryMessages({});
    expect(none.ok && none.messages).toHaveLength(30);

    expect(await store.queryMessages({ limit: 0 })).toMatchInlineSnapshot(`
      {
        "code": "STORE_BAD_QUERY",
        "detail": "limit: expected an integer 1 … 1000",
        "ok": false,
      }
    `);
    expect(await store.queryMessages({ issuer: 'nope' })).toMatchObject({
      ok: false,
      code: 'STORE_BAD_QUERY',
    });
  });

  it('returns an issuer seq range for sync, and pages the log by arrival cursor', async () => {
    store = await openStore(dir);
    for (let i = 0; i < 20; i++) await store.append({ wire: makeWire({ seq: i * 2 }) });
    await store.append({ wire: makeWire({ seq: 3, issuer: ISSUER_B }) });
    const range = await store.rangeBySeq(ISSUER_A, 5, 13);
    expect(range.map((m) => m.seq)).toEqual([6, 8, 10, 12]);
    expect(await store.rangeBySeq(ISSUER_A, 10, 3)).toEqual([]);
    expect((await store.rangeBySeq(ISSUER_A, 0, 1000, 3)).map((m) => m.seq)).toEqual([0, 2, 4]);
    const page = await store.readFrom(18, 10);
    expect(page.messages.map((m) => m.cursor)).toEqual([19, 20, 21]);
    expect(page.nextCursor).toBeNull();
    expect((await store.readFrom(0, 5)).nextCursor).toBe(5);
    expect(store.heads()).toEqual(
      new Map([
        [ISSUER_A.toLowerCase(), 38],
        [ISSUER_B, 3],
      ]),
    );
  });
});

describe('derived state', () => {
  it('tracks active alerts (expiry, resolution in either order) and rebuilds the same from the log', async () => {
    store = await openStore(dir);
    const now = 10_000;
    const a1 = makeAlert({ seq: 1, expiresAt: now + 1000 });
    const a2 = makeAlert({ seq: 2, expiresAt: now + 5 });
    const expired = makeAlert({ seq: 3, expiresAt: now - 1 });
    const a4 = makeAlert({ seq: 4, expiresAt: now + 50 });
    const id4 = computeMessageId(a4);
    // resolution of a4 arrives before a4 itself
    const r4 = makeAlert({ seq: 5, expiresAt: now + 100, resolves: id4 });
    const r1 = makeAlert({ seq: 6, expiresAt: now + 100, resolves: computeMessageId(a1) });
    for (const wire of [a1, a2, expired, r4, a4]) await store.append({ wire });
    const ids = async (t: number) => (await store!.activeAlerts({ now: t })).map((m) => m.seq);
    expect(await ids(now)).toEqual([1, 2]);
    expect(await ids(now + 5)).toEqual([1]);
    await store.append({ wire: r1 });
    expect(await ids(now)).toEqual([2]);

    const headsBefore = store.heads();
    const rebuilt = await store.rebuildDerived();
    expect(rebuilt).toMatchObject({ records: 6, skipped: 0 });
    expect(await ids(now)).toEqual([2]);
    expect(store.heads()).toEqual(headsBefore);
    expect(store.isHealthy()).toBe(true);
  });

  it("keeps an alert active against another issuer's all-clear, before or after the alert, and after a rebuild", async () => {
    store = await openStore(dir);
    const now = 10_000;
    const a1 = makeAlert({ seq: 1, expiresAt: now + 1000 });
    const a2 = makeAlert({ seq: 2, expiresAt: now + 1000 });
    // ISSUER_B's all-clears: one after a1, one before a2.
    const byOther1 = makeAlert({
      seq: 1,
      issuer: ISSUER_B,
      expiresAt: now + 100,
      resolves: computeMessageId(a1),
    });
    const byOther2 = makeAlert({
      seq: 2,
      issuer: ISSUER_B,
      expiresAt: now + 100,
      resolves: computeMessageId(a2),
    });
    for (const wire of [a1, byOther1, byOther2, a2]) await store.append({ wire });
    const ids = async () => (await store!.activeAlerts({ now })).map((m) => m.seq).sort();
    expect(await ids()).toEqual([1, 2]);
    await store.rebuildDerived();
    expect(await ids()).toEqual([1, 2]);
    // The issuer's own all-clear ends it.
    await store.append({ wire: makeAlert({ seq: 3, expiresAt: now + 100, resolves: computeMessageId(a1) }) });
    expect(await ids()).toEqual([2]);
  });
  it('reads no resolution slot for alerts of an issuer with no all-clear held, and still honours one held before its alert', async () => {
    store = await openStore(dir);
    const now = 10_000;
    const alert = (seq: number, issuer = ISSUER_A) => makeAlert({ seq, issuer, expiresAt: now + 1000 });
    const allClear = (seq: number, of: Uint8Array, issuer = ISSUER_B) =>
      makeAlert({ seq, issuer, expiresAt: now + 100, resolves: computeMessageId(of) });
    const active = async () => (await store!.activeAlerts({ now })).map((m) => `${m.issuer}:${m.seq}`).sort();
    const appendAll = async (wires: Uint8Array[]) => {
      const r = await Promise.all(wires.map((wire) => store!.append({ wire })));
      expect(r.map((x) => x.status)).toEqual(wires.map(() => 'appended'));
    };
    // Heads known for both issuers; ISSUER_B's all-clears name its alerts at seqs 5, 6 and 7 before they come.
    const [b5, b6, b7] = [alert(5, ISSUER_B), alert(6, ISSUER_B), alert(7, ISSUER_B)];
    await appendAll([alert(0), allClear(1, b5), allClear(2, b6), allClear(3, b7)]);
    const getMany = vi.spyOn(ClassicLevel.prototype, 'getMany');
    try {
      // ISSUER_A holds no all-clear and its alerts are above its head: the group reads nothing.
      await appendAll([alert(1), alert(2), alert(3)]);
      expect(getMany).not.toHaveBeenCalled();
      // ISSUER_B holds all-clears: its alert's slot is read, and the all-clear held before it ends it.
      await appendAll([b5]);
      expect(getMany).toHaveBeenCalledTimes(1);
      // A first all-clear of ISSUER_A in the same group as the alert it names, before it: still resolved.
      const a9 = alert(9);
      await appendAll([allClear(8, a9, ISSUER_A), a9]);
    } finally {
      getMany.mockRestore();
    }
    const expected = [0, 1, 2, 3].map((seq) => `${ISSUER_A.toLowerCase()}:${seq}`);
    expect(await active()).toEqual(expected);
    // Known from the disk after a reopen, and again after a rebuild.
    await store.close();
    store = await openStore(dir);
    await appendAll([b6]);
    await store.rebuildDerived();
    await appendAll([b7]);
    expect(await active()).toEqual(expected);
  });
});

describe('durability and damage', () => {
  it('reopens with everything, and hands out signing seqs past the head that never repeat', async () => {
    store = await openStore(dir);
    for (let i = 0; i < 5; i++) await store.append({ wire: makeWire({ seq: i }) });
    expect(await store.reserveSeq(ISSUER_A)).toBe(5);
    expect(await store.reserveSeq(ISSUER_A)).toBe(6);
    await store.close();
    store = await openStore(dir);
    expect(store.health()).toEqual({ healthy: true, issues: [] });
    expect(store.lastCursor).toBe(5);
    expect(store.headSeq(ISSUER_A)).toBe(4);
    expect(await store.reserveSeq(ISSUER_A)).toBe(7);
    expect(await store.reserveSeq(ISSUER_B, 100)).toBe(100);
    const r = await store.append({ wire: makeWire({ seq: 5 }) });
    expect(r.status).toBe('appended');
  });

  it('detects a corrupted record at open and refuses to append or reserve seqs', async () => {
    store = await openStore(dir);
    for (let i = 0; i < 3; i++) await store.append({ wire: makeWire({ seq: i }) });
    await store.close();
    store = undefined;
    const raw = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    const rec = (await raw.get('l:0000000000000002'))!;
    rec[rec.length - 3] = rec[rec.length - 3]! ^ 0x01; // one flipped bit in the wire bytes
    await raw.put('l:0000000000000002', rec);
    await raw.close();

    store = await openStore(dir);
    expect(store.isHealthy()).toBe(false);
    expect(store.health()).toMatchInlineSnapshot(`
      {
        "healthy": false,
        "issues": [
          {
            "code": "STORE_CHECKSUM_MISMATCH",
            "detail": "crc32 mismatch",
            "key": "l:0000000000000002",
          },
        ],
        "moreIssues": 0,
      }
    `);
    expect(await store.append({ wire: makeWire({ seq: 9 }) })).toMatchObject({
      status: 'refused',
      code: 'STORE_UNHEALTHY',
    });
    await expect(store.reserveSeq(ISSUER_A)).rejects.toMatchObject({ code: 'STORE_UNHEALTHY' });
    // reads of undamaged records still work
    expect((await store.getByCursor(3))?.seq).toBe(2);
  });

  it('detects a missing index entry, and rebuildDerived repairs it', async () => {
    store = await openStore(dir);
    const wires = [0, 1, 2].map((seq) => makeWire({ seq }));
    for (const wire of wires) await store.append({ wire });
    await store.close();
    store = undefined;
    const raw = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    await raw.del(`i:${computeMessageId(wires[1]!)}`);
    await raw.close();

    store = await openStore(dir);
    expect(store.health().issues.map((i) => i.code)).toEqual(['STORE_INDEX_INCONSISTENT']);
    await store.rebuildDerived();
    expect(store.isHealthy()).toBe(true);
    expect((await store.getMessage(computeMessageId(wires[1]!)))?.seq).toBe(1);
    expect(await store.verify({ full: true })).toEqual({ healthy: true, issues: [] });
  });

  it('refuses a store written in an unknown format, and a folder another process holds', async () => {
    store = await openStore(dir);
    await store.close();
    store = undefined;
    const raw = new ClassicLevel<string, string>(dir);
    await raw.put('m:format', '99');
    await raw.close();
    store = await openStore(dir);
    expect(store.health().issues).toEqual([
      { code: 'STORE_FORMAT_UNSUPPORTED', detail: 'store format 99, this node reads 1' },
    ]);
    await expect(openStore(dir)).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_OPEN_FAILED' });
  });
});
