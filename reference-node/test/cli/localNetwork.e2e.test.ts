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

it('npm start: 5 node processes receive every published event and alert and the on-chain incident their adapters report; Ctrl-C stops them all and anvil', {
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
  // the on-chain incident: what n1 (Aave v3), n2 (Compound v3) and n5 (Chainlink) adapters
  // published from the anvil chain, exactly these and each at every node
  expect(out).toContain(
    'incident: all 6 recovery events and alerts the adapters published from the chain reached all 5 nodes.',
  );
  const at = (what: string) => out.match(new RegExp(` n[1-5] ← ${what}`, 'g'))?.length ?? 0;
  expect(at('RecoveryEvent  chainlink oracle_failure \\(high\\)  from n5')).toBe(5);
  expect(at('ContagionAlert oracle_deviation on WETH .*from n5')).toBe(5);
  expect(at('RecoveryEvent  aave-v3 market_frozen \\(medium\\)  from n1')).toBe(5);
  // n2 also posts the compound-v3 pause example over HTTP before the incident: 5 + 5
  expect(at('RecoveryEvent  compound-v3 emergency_pause \\(high\\)  from n2')).toBe(10);
  expect(at('RecoveryEvent  aave-v3 bad_debt_realized \\(high\\)  from n1')).toBe(5);
  expect(at('RecoveryEvent  compound-v3 bad_debt_realized \\(critical\\)  from n2')).toBe(5);
  // Besides the nodes' own NodeAnnouncements (at start and each heartbeat, node.md#liveness).
  expect(out.match(/ n[1-5] ← (?!NodeAnnouncement)/g)?.length).toBe(50);
  const rpcUrl = /chain eip155:31337 at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
  expect(rpcUrl).toBeDefined();

  process.kill(-pgid, 'SIGINT');
  expect(await exited).toBe(0);
  const stopDeadline = Date.now() + 20_000;
  while (groupAlive(pgid) && Date.now() < stopDeadline) await new Promise((r) => setTimeout(r, 200));
  expect(groupAlive(pgid)).toBe(false);
  // anvil went with it
  await expect(
    fetch(rpcUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}',
    }),
  ).rejects.toThrow();
  expect(out).toMatch(/stopped \(n1: exit 0, n2: exit 0, n3: exit 0, n4: exit 0, n5: exit 0\)/);
});
