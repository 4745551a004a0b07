import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';

const CHILD = path.join(import.meta.dirname, 'crashChild.ts');
const ROUNDS = 6;

let dir: string | undefined;
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the child until it has acked `minAcks` appends plus a random extra delay, then SIGKILLs it. */
function runAndKill(
  storeDir: string,
  firstSeq: number,
  minAcks: number,
): Promise<{ acked: string[]; opened: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, storeDir, String(firstSeq)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    const acked: string[] = [];
    let opened = '';
    let buf = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('ack ')) acked.push(line.slice(4));
        else if (line.startsWith('open ')) opened = line;
        nl = buf.indexOf('\n');
      }
      if (acked.length >= minAcks && killTimer === undefined) {
        killTimer = setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 40));
      }
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(guard);
      children.delete(child);
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own (${signal ?? _code}): ${stderr}`));
      else resolve({ acked, opened });
    });
  });
}

describe('crash safety', () => {
  it('keeps every acknowledged append across repeated kill -9, and reopens healthy each time', {
    timeout: 90_000,
  }, async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sfr-crash-'));
    const storeDir = path.join(dir, 'store');
    const allAcked: string[] = [];
    let nextSeq = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { acked, opened } = await runAndKill(storeDir, nextSeq, 50);
      if (round > 0) expect(opened).toMatch(/^open healthy \d+$/);
      allAcked.push(...acked);
      const store = await openStore(storeDir);
      try {
        expect(store.health()).toEqual({ healthy: true, issues: [] });
        const missing = [];
        for (const id of allAcked) if ((await store.getMessage(id)) === undefined) missing.push(id);
        expect(missing).toEqual([]);
        expect(await store.verify({ full: true })).toEqual({ healthy: true, issues: [] });
        // the child may have written (not yet acked) more than it printed: continue after the head
        nextSeq = (store.headSeq('0x8ba1f109551bD432803012645Ac136ddd64DBA72') ?? -1) + 1;
      } finally {
        await store.close();
      }
    }
    expect(allAcked.length).toBeGreaterThanOrEqual(ROUNDS * 50);
  });
});
