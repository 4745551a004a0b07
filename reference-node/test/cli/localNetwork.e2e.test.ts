/**
 * `npm start` (scripts/local-network.ts): the oracle-failure crisis replayed across node processes
 * and anvil, every node's dashboard URL printed on a line of its own, the network kept running until
 * Ctrl-C, which stops every node and the chain (issue 11 item 4). `--once` is `sfr replay` without
 * `--keep-running`, whose exit codes test/replay/replay.e2e.test.ts checks.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';

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

it('npm start: the oracle-failure replay reaches its outcome at every node, prints the dashboards, runs until Ctrl-C, which stops every node and anvil', {
  timeout: TIMEOUTS.e2eTest,
}, async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sfr-local-net-'));
  // detached: its own process group, so a group SIGINT is exactly what a terminal's Ctrl-C sends.
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--data', dir], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  pgid = child.pid!;
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await waitFor(
    () => out.includes('Ctrl-C stops it') || child.exitCode !== null,
    TIMEOUTS.scenario,
    'the replay outcome and "Ctrl-C stops it"',
    250,
  );
  expect(out).toContain('Ctrl-C stops it');
  expect(out).toContain('replay oracle-failure: 15/15 expectations hold');
  // One dashboard line per node, printed once the nodes are up (before the crisis), each a live page.
  const dashboards = [...out.matchAll(/^dashboard: (http:\/\/127\.0\.0\.1:\d+\/dashboard) {2}\((\w+)\)$/gm)];
  expect(dashboards.map((m) => m[2])).toEqual(['chainlink', 'aave', 'compound']);
  expect(out.indexOf('dashboard: http')).toBeLessThan(out.indexOf('step 1:'));
  const page = await fetch(dashboards[1]![1]!);
  expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
  const rpcUrl = /chain eip155:31337 at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
  expect(rpcUrl).toBeDefined();

  process.kill(-pgid, 'SIGINT');
  expect(await exited).toBe(0);
  expect(out).toContain('SIGINT: stopping every node, then the chain …\nstopped\n');
  await waitFor(() => !groupAlive(pgid!), TIMEOUTS.start, 'every process of the group to exit', 200);
  // anvil went with it, and so did the nodes' APIs
  await expect(
    fetch(rpcUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}',
    }),
  ).rejects.toThrow();
  await expect(fetch(dashboards[0]![1]!)).rejects.toThrow();
});
