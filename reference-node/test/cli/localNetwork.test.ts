import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const SCRIPT = path.resolve(import.meta.dirname, '../../../scripts/local-network.ts');
const ROOT = path.resolve(import.meta.dirname, '../../..');
let dir: string | undefined;
let pgid: number | undefined;

afterAll(async () => {
  if (pgid !== undefined) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function groupAlive(id: number): boolean {
  try {
    process.kill(-id, 0);
    return true;
  } catch {
    return false;
  }
}

it('npm start: 5 node processes receive every published event and alert; Ctrl-C stops them all cleanly', {
  timeout: 300_000,
}, async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sfr-local-net-'));
  // detached: its own process group, so a group SIGINT is exactly what a terminal's Ctrl-C sends.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SCRIPT, '--nodes', '5', '--data', dir, '--timeout-ms', '60000'],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  pgid = child.pid!;
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 240_000;
  while (!out.includes('Ctrl-C stops it') && Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(out).toContain('all 4 messages reached all 5 nodes.');
  expect(out.match(/ n[1-5] ← /g)?.length).toBe(20);

  process.kill(-pgid, 'SIGINT');
  expect(await exited).toBe(0);
  const stopDeadline = Date.now() + 20_000;
  while (groupAlive(pgid) && Date.now() < stopDeadline) await new Promise((r) => setTimeout(r, 200));
  expect(groupAlive(pgid)).toBe(false);
  expect(out).toMatch(/stopped \(n1: exit 0, n2: exit 0, n3: exit 0, n4: exit 0, n5: exit 0\)/);
});
