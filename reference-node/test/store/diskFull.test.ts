/**
 * A full disk (node.md#store; issue 13 finding 8): on a real 8 MiB tmpfs filled up by another file, the
 * store refuses with STORE_NO_SPACE from the first failed write (appends and signing alike), writes
 * nothing half, and is healthy again without a restart once the file is removed; every acknowledged
 * append survives, before and after a reopen. Needs root to mount the tmpfs (skipped otherwise).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { openStore, type Store, StoreError } from '../../src/store/index.js';
import { ISSUER_A, makeWire } from './fixtures.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'sfr-e1-diskfull-'));
let mounted = false;
try {
  if (process.getuid?.() === 0) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', root]);
    mounted = true;
  }
} catch {
  mounted = false;
}

describe.skipIf(!mounted)('store on a full disk', () => {
  const dir = path.join(root, 'store');
  const filler = path.join(root, 'filler');
  let store: Store;

  beforeAll(async () => {
    store = await openStore(dir);
  });
  afterAll(async () => {
    await store?.close().catch(() => {});
    execFileSync('umount', [root]);
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses with STORE_NO_SPACE from the first failed write and recovers without a restart', async () => {
    // 1 KiB payloads; the filler leaves about 64 KiB, which LevelDB's log fills within a few dozen appends.
    const big = (seq: number) =>
      makeWire({ seq, payload: { kind: 'emergency_pause', note: 'x'.repeat(1024) } });
    const acked: string[] = [];
    for (let seq = 0; seq < 8; seq++) {
      const r = await store.append({ wire: big(seq) });
      expect(r.status).toBe('appended');
      if (r.status === 'appended') acked.push(r.id);
    }
    const { bavail, bsize } = statfsSync(root);
    writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 64 * 1024)));

    let seq = 8;
    let first: { code: string; detail: string } | undefined;
    while (first === undefined && seq < 10_000) {
      const r = await store.append({ wire: big(seq) });
      if (r.status === 'appended') acked.push(r.id);
      else if (r.status === 'refused') first = { code: r.code, detail: r.detail };
      else throw new Error(`unexpected ${r.status}`);
      seq++;
    }
    console.log(
      `[disk-full] ${acked.length} appends acknowledged, then the first refusal: ${first?.code} (${first?.detail})`,
    );
    expect(first?.code).toBe('STORE_NO_SPACE');
    expect(store.health()).toMatchObject({ healthy: false, issues: [{ code: 'STORE_NO_SPACE' }] });
    // While it lasts: appends and signing are refused with the same code, nothing is written.
    expect(await store.append({ wire: big(seq) })).toMatchObject({
      status: 'refused',
      code: 'STORE_NO_SPACE',
    });
    const signing = await store.reserveSeq(ISSUER_A).catch((e: unknown) => e);
    expect(signing).toBeInstanceOf(StoreError);
    expect((signing as StoreError).code).toBe('STORE_NO_SPACE');

    // Space returns: the store reopens itself and is healthy again, without a restart.
    const freedAt = Date.now();
    rmSync(filler);
    await waitFor(() => store.isHealthy(), TIMEOUTS.event, 'the store healthy again');
    const recoveredMs = Date.now() - freedAt;
    const after = await store.append({ wire: big(seq) });
    expect(after.status).toBe('appended');
    if (after.status === 'appended') acked.push(after.id);
    // Nothing half-written: every acknowledged message is there, the log checks out end to end.
    for (const id of acked) expect((await store.getMessage(id))?.id).toBe(id);
    expect(await store.verify({ full: true })).toEqual({ healthy: true, issues: [] });
    expect((await store.stats()).messages).toBe(acked.length);
    await store.close();
    store = await openStore(dir);
    expect(store.isHealthy()).toBe(true);
    expect((await store.stats()).messages).toBe(acked.length);
    for (const id of acked) expect((await store.getMessage(id))?.id).toBe(id);
    console.log(
      `[disk-full] healthy ${recoveredMs} ms after space returned; ${acked.length} acknowledged, ${acked.length} held after a reopen`,
    );
  });
});
