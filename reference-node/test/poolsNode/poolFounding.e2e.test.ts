/**
 * Founding a pool from one command (pools.md#founding): four real nodes on loopback, none of which
 * lists the pool in its configuration. `sfr pool found` at node 0 signs the founding text; the
 * members' nodes learn of it by the sync nudge, take part in the pool, and co-sign by their
 * `policy.coSignCharters`; a node whose policy trusts nobody holds the text and waits for its operator.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PoolId } from '@sfr/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { type Api, apiNodeOf, createApi } from '../../src/api/index.js';
import { type FoundReport, formatFound } from '../../src/cli/poolFound.js';
import { createPoolService, type PoolService } from '../../src/poolsNode/index.js';
import { cli } from '../cli/captureCli.js';
import { startNetwork, type TestNetwork, waitFor } from '../node/fixtures.js';
import { charterFor } from './poolHarness.js';
import { TOKEN } from './twoNodePool.js';

const POOL_A: PoolId = `0x${'a1'.repeat(32)}`;
const POOL_B: PoolId = `0x${'b2'.repeat(32)}`;

let dir: string;
let net: TestNetwork;
let services: PoolService[] = [];
let api: Api;
let url: string;
let tokenFile: string;
let charterFile: (name: string, c: object) => Promise<string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sfr-found-'));
  tokenFile = path.join(dir, 'token');
  await writeFile(tokenFile, `${TOKEN}\n`);
  charterFile = async (name, c) => {
    const f = path.join(dir, name);
    await writeFile(f, JSON.stringify(c));
    return f;
  };
  net = await startNetwork({ n: 4 });
  const founder = net.keys[0]!.address;
  services = net.nodes.map((node, i) =>
    createPoolService({
      node,
      pools: [],
      tickMs: 200,
      // Nodes 1 and 2 co-sign what node 0's member founds; node 3 trusts nobody.
      ...(i === 1 || i === 2 ? { coSignCharters: [founder] } : {}),
    }),
  );
  for (const s of services) await s.start();
  api = await createApi({
    node: apiNodeOf(net.nodes[0]!, { protocol: 'found-test', version: '0.1.0' }),
    token: TOKEN,
    version: '0.1.0',
    pools: services[0]!,
  });
  url = await api.listen();
  await waitFor(() => net.nodes.every((n) => n.connectedPeers().length === 3), TIMEOUTS.mesh, 'connected');
}, TIMEOUTS.hook);

afterAll(async () => {
  await api?.close();
  await Promise.allSettled(services.map((s) => s.stop()));
  await net?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('sfr pool found', () => {
  it(
    'founds a pool with one command: every member node co-signs, none lists the pool in its config',
    async () => {
      const members = net.keys.slice(0, 3).map((k) => k.address);
      const charter = charterFor(members, Date.now(), {
        poolId: POOL_A,
        quorum: { weightBps: 5000, minMembers: 1 },
      });
      const file = await charterFile('a.json', charter);
      const r = await cli(
        'pool',
        'found',
        '--charter',
        file,
        '--api',
        url,
        '--token-file',
        tokenFile,
        '--json',
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as {
        poolId: string;
        founded: boolean;
        members: { member: string; commitment: string; signature: string | null }[];
      };
      expect(report).toMatchObject({ poolId: POOL_A, founded: true });
      expect(report.members.map((m) => m.member)).toEqual(members.map((m) => m.toLowerCase()).sort());
      for (const m of report.members) {
        expect(m.commitment).toBe('1000000000');
        expect(m.signature).toMatch(/^0x[0-9a-f]{64}$/);
      }
      // Same view on every member's node; the non-member holds no pool.
      await waitFor(
        () =>
          services
            .slice(0, 3)
            .every((s) => s.poolIds().includes(POOL_A) && s.view(POOL_A).charters.length === 1),
        TIMEOUTS.event,
        'founded at every member',
      );
      const hashes = services.slice(0, 3).map((s) => s.view(POOL_A).charters[0]!.payloadHash);
      expect(new Set(hashes).size).toBe(1);
      expect(services[3]!.poolIds()).not.toContain(POOL_A);

      // As text: token units with the symbol (the charter's declared asset: this pool's vault is followed nowhere).
      const table = formatFound(report as FoundReport).split('\n');
      expect(table[0]).toBe(`pool      ${POOL_A}  FOUNDED`);
      expect(table[2]).toMatch(/^member\s+weight\s+commitment\s+signature$/);
      for (const line of table.slice(3, 6))
        expect(line).toMatch(/^0x[0-9a-f]{40} {2}10\s+1000 USDC {2}0x[0-9a-f]{64}$/);
      // A second founding of it is refused: it is founded already.
      const again = await cli('pool', 'found', '--charter', file, '--api', url, '--token-file', tokenFile);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/^error POOL_AMENDMENT_SUPERSEDED/);
    },
    TIMEOUTS.e2eTest,
  );

  it(
    'waits for a member whose policy trusts nobody, names it, and its node holds the text for its operator',
    async () => {
      const members = net.keys.map((k) => k.address);
      const charter = charterFor(members, Date.now(), { poolId: POOL_B });
      const file = await charterFile('b.json', charter);
      const r = await cli(
        'pool',
        'found',
        '--charter',
        file,
        '--api',
        url,
        '--token-file',
        tokenFile,
        '--wait',
        '0',
      );
      // Signed here; the other nodes have not answered yet within --wait 0.
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^error POOL_NOT_FOUNDED: pool 0x(b2){32} is not founded after 0 ms: no signature yet from /m,
      );
      expect(r.stderr).toContain(members[3]!.toLowerCase());
      // Node 3 joined the pool (its member is listed) but signed nothing; 1 and 2 co-signed.
      await waitFor(
        () => services[3]!.founding(POOL_B)[0]?.members.filter((m) => m.messageId !== null).length === 3,
        TIMEOUTS.event,
        'three signatures at node 3',
      );
      const held = services[3]!.founding(POOL_B)[0]!;
      expect(held.complete).toBe(false);
      expect(held.members.find((m) => m.member === members[3]!.toLowerCase())?.messageId).toBeNull();
      expect(services[0]!.view(POOL_B).charters).toEqual([]);
      // Its operator signs: the pool is founded everywhere.
      await services[3]!.signCharter(charter);
      await waitFor(
        () => services.every((s) => s.view(POOL_B).charters.length === 1),
        TIMEOUTS.event,
        'founded at every node',
      );
      const shown = await cli('pool', 'found', '--charter', file, '--api', url, '--token-file', tokenFile);
      expect(shown.stderr).toMatch(/^error POOL_AMENDMENT_SUPERSEDED/);
    },
    TIMEOUTS.e2eTest,
  );

  it(
    'refuses a charter that does not list the node’s member, or breaks a charter rule, and signs nothing',
    async () => {
      const others = charterFor(
        net.keys.slice(1).map((k) => k.address),
        Date.now(),
        { poolId: `0x${'c3'.repeat(32)}` },
      );
      const r = await cli(
        'pool',
        'found',
        '--charter',
        await charterFile('c.json', others),
        '--api',
        url,
        '--token-file',
        tokenFile,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error POOL_SIGNER_NOT_MEMBER: .* answered 422/);
      const unreachable = charterFor(
        net.keys.slice(0, 2).map((k) => k.address),
        Date.now(),
        { poolId: `0x${'d4'.repeat(32)}`, quorum: { weightBps: 5000, minMembers: 2 } },
      );
      const q = await cli(
        'pool',
        'found',
        '--charter',
        await charterFile('d.json', unreachable),
        '--api',
        url,
        '--token-file',
        tokenFile,
      );
      expect(q.stderr).toMatch(/^error POOL_QUORUM_UNREACHABLE/);
      expect(services[0]!.poolIds()).not.toContain(`0x${'c3'.repeat(32)}`);
      expect(services[0]!.poolIds()).not.toContain(`0x${'d4'.repeat(32)}`);
    },
    TIMEOUTS.e2eTest,
  );
});
