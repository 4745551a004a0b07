/**
 * Issue 11 items 1 and 5 over 2 real `sfr node start` processes: a consortium's member list needs no
 * peer ids (each node dials the others' addresses and learns the peer id from the connection and
 * the announcement), and SIGHUP reloads `network.members`, webhooks and the log level without a
 * restart, with one log line; a config that fails to load changes nothing (node.md#configuration).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { api, createProcNetwork, type Json, type ProcNetwork, type ProcNode } from '../e2e/processNetwork.js';

const listenOf = (n: ProcNode) => n.multiaddr.replace(/\/p2p\/.*$/, '');

describe('members without peer ids and SIGHUP reload over 2 node processes', () => {
  let net: ProcNetwork;
  const members = async (i: number): Promise<Json[]> =>
    (await api(net.nodes[i]!, 'GET', '/v1/members')).json.items as Json[];
  const entry = (n: ProcNode) => ({ member: n.key.address, addresses: [listenOf(n)] });
  const rewrite = async (i: number, edit: (c: Json) => void) => {
    const file = net.nodes[i]!.configFile;
    const c = JSON.parse(await readFile(file, 'utf8')) as Json;
    edit(c);
    await writeFile(file, JSON.stringify(c, null, 2));
  };
  const reloadLine = async (i: number, after: number): Promise<Json> => {
    let found: Json;
    await waitFor(
      () => {
        found = net.nodes[i]!.logs.slice(after)
          .map((l) => (l.startsWith('{') ? JSON.parse(l) : {}))
          .find((l: Json) => l.signal === 'SIGHUP');
        return found !== undefined;
      },
      TIMEOUTS.event,
      `node ${i} to log its reload`,
    );
    return found;
  };
  const hangUp = (i: number) => {
    const at = net.nodes[i]!.logs.length;
    net.nodes[i]!.proc!.kill('SIGHUP');
    return reloadLine(i, at);
  };

  beforeAll(async () => {
    net = await createProcNetwork(2, {
      // One shared list without peer ids or bootstrap: node 1 starts knowing only itself.
      configure: (node) => ({
        network: { listen: [listenOf(node)], members: [] },
        liveness: { heartbeatIntervalMs: 2_000, missedHeartbeats: 2 },
      }),
    });
    await rewrite(0, (c) => (c.network.members = net.nodes.map(entry)));
    await rewrite(1, (c) => (c.network.members = [entry(net.nodes[1]!)]));
    await net.start(1);
  }, TIMEOUTS.hook);

  afterAll(async () => {
    await net?.stop();
  }, TIMEOUTS.hook);

  it(
    'SIGHUP adds a member without a restart; both nodes then find each other by address alone',
    async () => {
      expect((await members(1)).map((m) => m.member)).toEqual([net.nodes[1]!.key.address]);
      await rewrite(1, (c) => {
        c.network.members = net.nodes.map(entry);
        c.logging = { level: 'debug' };
      });
      const line = await hangUp(1);
      expect(line).toMatchObject({
        msg: 'config reloaded',
        applied: ['network.members', 'logging.level'],
        needRestart: [],
      });
      expect((await members(1)).map((m) => [m.member, m.status])).toEqual([
        [net.nodes[1]!.key.address, 'live'],
        [net.nodes[0]!.key.address, 'unknown'],
      ]);

      await net.start(0);
      for (const [observer, other] of [
        [1, 0],
        [0, 1],
      ] as const) {
        await waitFor(
          async () => (await members(observer)).every((m) => m.status === 'live'),
          TIMEOUTS.mesh,
          `node ${observer} to see node ${other} live`,
        );
        const seen = (await members(observer)).find((m) => m.member === net.nodes[other]!.key.address);
        expect(seen.peerId).toBe(net.nodes[other]!.peerId);
      }
      const peers = (await api(net.nodes[1]!, 'GET', '/v1/peers')).json.peers as Json[];
      expect(peers.find((p) => p.peerId === net.nodes[0]!.peerId)?.member).toBe(net.nodes[0]!.key.address);
    },
    TIMEOUTS.e2eTest,
  );

  it(
    'a config that does not load changes nothing; removing a member applies; other settings are named as needing a restart',
    async () => {
      const file = net.nodes[1]!.configFile;
      const good = await readFile(file, 'utf8');
      await writeFile(file, '{ not json');
      expect(await hangUp(1)).toMatchObject({
        msg: 'config reload refused: the node keeps its configuration',
      });
      expect(await members(1)).toHaveLength(2);

      await writeFile(file, good);
      await rewrite(1, (c) => {
        c.network.members = [entry(net.nodes[1]!)];
        c.gossip.maxMessageBytes = 32_768;
      });
      expect(await hangUp(1)).toMatchObject({
        msg: 'config reloaded',
        applied: ['network.members'],
        needRestart: ['gossip'],
      });
      expect((await members(1)).map((m) => m.member)).toEqual([net.nodes[1]!.key.address]);
    },
    TIMEOUTS.e2eTest,
  );
});
