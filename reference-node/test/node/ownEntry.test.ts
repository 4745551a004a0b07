/**
 * A consortium can give every node the same member list (spec/v1/node.md): the entry naming the node
 * itself is a member, but never a peer it dials.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { Multiaddr } from '@multiformats/multiaddr';
import { afterAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { createNode, type SfrNode } from '../../src/node/index.js';
import { testKeys, waitFor } from './fixtures.js';

describe('a member list that includes the node itself', () => {
  const nodes: SfrNode[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await Promise.allSettled(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('dials the other members and never itself', async () => {
    const keys = testKeys(2, 'sfr-own-entry');
    const peerKeys = [await generateKeyPair('Ed25519'), await generateKeyPair('Ed25519')];
    const ports = [0, 1].map(() => 20_000 + Math.floor(Math.random() * 20_000));
    const shared = peerKeys.map(
      (k, i) => `/ip4/127.0.0.1/tcp/${ports[i]}/p2p/${peerIdFromPrivateKey(k).toString()}`,
    );
    const dialed: string[] = [];
    for (let i = 0; i < 2; i++) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-own-entry-'));
      dirs.push(dir);
      const node = await createNode({
        dataDir: dir,
        memberKey: keys[i]!.privateKey,
        members: keys.map((k) => k.address),
        peerKey: peerKeys[i]!,
        listen: [`/ip4/127.0.0.1/tcp/${ports[i]}`],
        directPeers: shared,
        bootstrap: shared,
        gossip: { score: { ipColocationWeight: 0 } },
        sync: { intervalMs: 0, connectDelayMs: 200 },
        redialIntervalMs: 200,
      });
      if (i === 0) {
        const dial = node.libp2p.dial.bind(node.libp2p);
        node.libp2p.dial = ((target: Multiaddr, options) => {
          dialed.push(target.toString());
          return dial(target, options);
        }) as typeof node.libp2p.dial;
      }
      await node.start();
      nodes.push(node);
    }
    const [first, second] = nodes as [SfrNode, SfrNode];
    await waitFor(
      () => first.libp2p.getPeers().some((p) => p.equals(second.libp2p.peerId)),
      TIMEOUTS.event,
      'peer',
    );
    // Let several redial periods pass after the peer is connected and while it is disconnected.
    await first.libp2p.hangUp(second.libp2p.peerId);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(dialed.some((d) => d.endsWith(second.peerId))).toBe(true);
    expect(dialed.filter((d) => d.endsWith(first.peerId))).toEqual([]);
  });
});
