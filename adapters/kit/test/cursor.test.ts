import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cursor, createFileCursorStore } from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sfr-cursor-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cursor = (n: number): Cursor => ({
  version: 1,
  protocol: 'aave-v3',
  chain: 'eip155:1',
  nextBlock: String(n),
  recent: [{ number: String(n - 1), hash: `0x${'ab'.repeat(32)}` }],
  state: { n },
});

describe('file cursor store', () => {
  it('returns undefined before the first save, then the saved cursor, leaving no temp files', async () => {
    const path = join(dir, 'a', 'cursor.json');
    const store = createFileCursorStore(path);
    expect(await store.load()).toBeUndefined();
    await store.save(cursor(10));
    await store.save(cursor(11));
    expect(await store.load()).toEqual(cursor(11));
    expect(await readdir(join(dir, 'a'))).toEqual(['cursor.json']);
  });

  it('refuses a damaged file with ADAPTER_CURSOR_CORRUPT instead of guessing', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{"version":1,"nextBl');
    await expect(createFileCursorStore(path).load()).rejects.toMatchObject({
      code: 'ADAPTER_CURSOR_CORRUPT',
      message: 'Cursor file is not JSON',
    });
    await writeFile(path, JSON.stringify({ ...cursor(1), nextBlock: '-1' }));
    await expect(createFileCursorStore(path).load()).rejects.toMatchObject({
      code: 'ADAPTER_CURSOR_CORRUPT',
      details: { problem: 'bad nextBlock' },
    });
  });

  it('survives kill -9 in the middle of saving: the file always holds a whole cursor', async () => {
    const path = join(dir, 'crash', 'cursor.json');
    const kit = new URL('../dist/index.js', import.meta.url).href;
    for (let round = 0; round < 3; round++) {
      const child = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { createFileCursorStore } = await import(${JSON.stringify(kit)});
           const store = createFileCursorStore(${JSON.stringify(path)});
           for (let n = 1; ; n++) {
             await store.save({ version: 1, protocol: 'aave-v3', chain: 'eip155:1', nextBlock: String(n), recent: [], state: { pad: 'x'.repeat(4096) } });
             if (n === 5) process.stdout.write('saving\\n');
           }`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 30 + round * 20));
      child.kill('SIGKILL');
      await exited;
      const loaded = await createFileCursorStore(path).load();
      expect(loaded?.version).toBe(1);
      expect(Number(loaded?.nextBlock)).toBeGreaterThanOrEqual(5);
    }
  });
});
