/**
 * A corrupted LevelDB table (node.md#store item 4; issue 13 finding 8): the node exited with
 * LEVEL_CORRUPTION, an engine code its operator could not look up. Damage read at open refuses the
 * store with STORE_CORRUPTED and a message saying what to do, so the node does not start; damage in
 * a table first read later answers that read with STORE_CORRUPTED (never partial data) and stops
 * signing. Real LevelDB files, corrupted on disk.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNode } from '../../src/node/index.js';
import { openStore, type Store, StoreError } from '../../src/store/index.js';
import { testKeys } from '../node/fixtures.js';
import { ISSUER_A, makeWire } from './fixtures.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A store of 300 records flushed to a .ldb table, with 100 bytes of the table flipped at `at` (0–1). */
async function corruptedStore(at: number): Promise<string> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sfr-e1-corrupt-'));
  dirs.push(dataDir);
  const dir = path.join(dataDir, 'store');
  const s = await openStore(dir, { sync: false });
  for (let seq = 0; seq < 300; seq++) {
    await s.append({ wire: makeWire({ seq, payload: { kind: 'emergency_pause', note: 'y'.repeat(500) } }) });
  }
  await s.close();
  await (await openStore(dir)).close(); // the reopen turns the write-ahead log into a level-0 table
  const table = (await readdir(dir)).find((f) => f.endsWith('.ldb'));
  if (table === undefined) throw new Error('no .ldb table was written');
  const bytes = await readFile(path.join(dir, table));
  const from = Math.floor(bytes.length * at);
  for (let k = from; k < from + 100; k++) bytes[k] = bytes[k]! ^ 0xff;
  await writeFile(path.join(dir, table), bytes);
  return dataDir;
}

describe('a corrupted .ldb table', () => {
  it('read at open: the store is refused with STORE_CORRUPTED and the node does not start', async () => {
    const dataDir = await corruptedStore(0);
    const refused = await openStore(path.join(dataDir, 'store')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).code).toBe('STORE_CORRUPTED');
    expect((refused as StoreError).message).toMatch(
      /^The store at .* is corrupted \(.*\); the node does not serve or sign from it\. Restore the data directory from a backup, or move it aside and let the node catch up from its peers\.$/,
    );
    const key = testKeys(1, 'sfr-e1-corrupt')[0]!;
    await expect(createNode({ dataDir, memberKey: key.privateKey, members: [] })).rejects.toMatchObject({
      code: 'STORE_CORRUPTED',
    });
  });

  it('first read later: that read is STORE_CORRUPTED, the store turns unhealthy and refuses to sign', async () => {
    // Keys sort h: (heads) < i: (ids) < l: (log) < m: < s: (seqs): 40 % into the table is the log of the
    // oldest records, which an open checking only the newest 5 records does not read.
    const dataDir = await corruptedStore(0.4);
    const store = await openStore(path.join(dataDir, 'store'), { verifyTail: 5 });
    try {
      expect(store.isHealthy()).toBe(true);
      let read: unknown;
      for (let seq = 0; seq < 300 && read === undefined; seq++) {
        read = await store.getBySeq(ISSUER_A, seq).then(
          () => undefined,
          (e: unknown) => e,
        );
      }
      expect(read).toBeInstanceOf(StoreError);
      expect((read as StoreError).code).toBe('STORE_CORRUPTED');
      expect(store.health()).toMatchObject({ healthy: false, issues: [{ code: 'STORE_CORRUPTED' }] });
      await expect(store.reserveSeq(ISSUER_A)).rejects.toMatchObject({ code: 'STORE_UNHEALTHY' });
      expect(await store.append({ wire: makeWire({ seq: 300 }) })).toMatchObject({
        status: 'refused',
        code: 'STORE_UNHEALTHY',
      });
    } finally {
      await store.close();
    }
  });

  it('met by a range scan (readFrom, rangeBySeq): the page is STORE_CORRUPTED, never partial or LEVEL_CORRUPTION', async () => {
    const dataDir = await corruptedStore(0.4);
    for (const read of [
      (s: Store) => s.readFrom(0, 1000),
      (s: Store) => s.rangeBySeq(ISSUER_A, 0, 299, 1000),
    ]) {
      const store = await openStore(path.join(dataDir, 'store'), { verifyTail: 5 });
      try {
        expect(store.isHealthy()).toBe(true);
        const refused = await read(store).then(
          (page) => page,
          (e: unknown) => e,
        );
        expect(refused).toBeInstanceOf(StoreError);
        expect(refused).toMatchObject({ code: 'STORE_CORRUPTED' });
        expect(store.health()).toMatchObject({ healthy: false, issues: [{ code: 'STORE_CORRUPTED' }] });
        await expect(store.reserveSeq(ISSUER_A)).rejects.toMatchObject({ code: 'STORE_UNHEALTHY' });
      } finally {
        await store.close();
      }
    }
  });
});
