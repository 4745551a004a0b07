/**
 * processNetwork's ports are handed out to one process on the machine at a time: a port another live
 * process was given (its node killed on purpose, not listening until its restart) is never handed out
 * here, whatever vitest run or worker that process belongs to; a dead holder's port is taken over.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, PORT_CLAIMS } from './processNetwork.js';

/** The slice worker 8 draws from (30 500-31 999): another run's worker 8 is the only one that may meet us. */
const SLICE = { pool: '8', from: 30_500, count: 1_500 } as const;

let holder: ChildProcess;
const written: string[] = [];
const savedPool = process.env.VITEST_POOL_ID;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

beforeAll(async () => {
  // Another process that was handed ports and is alive, as the kill:200 run beside an e2e file.
  holder = spawn('sleep', ['600'], { stdio: 'ignore' });
  await new Promise<void>((resolve) => holder.once('spawn', () => resolve()));
  process.env.VITEST_POOL_ID = SLICE.pool;
});

afterAll(async () => {
  if (savedPool === undefined) delete process.env.VITEST_POOL_ID;
  else process.env.VITEST_POOL_ID = savedPool;
  holder.kill('SIGKILL');
  for (const file of written) await unlink(file).catch(() => undefined);
});

describe('freePort across processes', () => {
  it("never hands out a port another live process holds, though nothing listens on it; takes a dead holder's", async () => {
    await freePort(); // makes the claims directory
    // The other process holds every port of the slice but one; none of them is listening.
    let left: number | undefined;
    for (let port = SLICE.from; port < SLICE.from + SLICE.count; port++) {
      const file = path.join(PORT_CLAIMS, String(port));
      if (left === undefined && (await bindable(port))) {
        await unlink(file).catch(() => undefined);
        left = port;
        continue;
      }
      // A claim left by a process that has died (an earlier run on this machine) would be taken over:
      // it becomes the holder's. One a live process holds is as good for this test.
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) continue;
      await writeFile(file, String(holder.pid));
      written.push(file);
    }
    expect(left).toBeDefined();
    expect(await freePort()).toBe(left);

    // The holder dies: its claims are stale, and the next port handed out is one of them.
    const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
    holder.kill('SIGKILL');
    await exited;
    const taken = await freePort();
    expect(taken).not.toBe(left);
    expect(taken).toBeGreaterThanOrEqual(SLICE.from);
    expect(taken).toBeLessThan(SLICE.from + SLICE.count);
    expect((await readFile(path.join(PORT_CLAIMS, String(taken)), 'utf8')).trim()).toBe(String(process.pid));
  });
});
