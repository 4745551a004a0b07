/**
 * The replay state reads a slot from the store only when the store may hold it (issue 12): a member the
 * store holds nothing of has every slot empty, so its first messages, which wait for their group
 * commit in a flood, cost no `getBySeq` each; a slot at or below a stored head is still read, so a
 * second message at a held seq is still caught.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createMemorySigningJournal,
  type MemberKey,
  signEnvelope,
  type UnsignedEnvelope,
} from '../../src/envelope/index.js';
import { stringifyTopic } from '../../src/network/topics.js';
import { createNode, type SfrNode } from '../../src/node/index.js';
import { alertPayload, testKeys } from './fixtures.js';

const [LOCAL, PEER] = testKeys(2, 'sfr-replay-slot-reads') as [MemberKey, MemberKey];
const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });

describe('replay slot reads', () => {
  let dir: string;
  let node: SfrNode;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sfr-slot-reads-'));
    node = await createNode({
      dataDir: dir,
      memberKey: LOCAL.privateKey,
      members: [PEER.address],
      listen: ['/ip4/127.0.0.1/tcp/0'],
    });
    await node.start();
  });
  afterAll(async () => {
    await node?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const peerAlert = (seq: number, n = seq) =>
    signEnvelope({
      privateKey: PEER.privateKey,
      // A journal per call: the second message at a held seq is signed on purpose (equivocation).
      guard: createMemorySigningJournal(),
      unsigned: {
        sfr: '1.0',
        type: 'ContagionAlert',
        issuer: PEER.address,
        seq,
        issuedAt: Date.now(),
        payload: alertPayload(Date.now(), n) as UnsignedEnvelope['payload'],
      },
    });

  it("reads no slot for a member's first messages, and still reads a held one", async () => {
    const wires = await Promise.all([0, 1, 2, 3].map((seq) => peerAlert(seq)));
    const reads = vi.spyOn(node.store, 'getBySeq');
    try {
      const verdicts = await Promise.all(
        wires.map((w) => node.pipeline.ingest(w.wire, { source: 'gossip', topic: ALERTS, from: 'peer-x' })),
      );
      expect(verdicts.map((v) => v.outcome)).toEqual(['accept', 'accept', 'accept', 'accept']);
      expect(reads).not.toHaveBeenCalled();

      const other = await peerAlert(1, 99);
      const verdict = await node.pipeline.ingest(other.wire, {
        source: 'gossip',
        topic: ALERTS,
        from: 'peer-x',
      });
      expect(verdict.outcome).not.toBe('accept');
      expect(reads).toHaveBeenCalledWith(PEER.address.toLowerCase(), 1);
    } finally {
      reads.mockRestore();
    }
  });

  it('knows an issuer from the store, and cannot tell while the derived state is rebuilt', async () => {
    expect(node.store.holdsNothingOf?.(PEER.address)).toBe(false);
    expect(node.store.holdsNothingOf?.('0x00000000000000000000000000000000000000aa')).toBe(true);
    const rebuilt = node.store.rebuildDerived();
    expect(node.store.holdsNothingOf?.('0x00000000000000000000000000000000000000aa')).toBe(false);
    await rebuilt;
    expect(node.store.holdsNothingOf?.('0x00000000000000000000000000000000000000aa')).toBe(true);
    expect(node.store.holdsNothingOf?.(PEER.address)).toBe(false);
  });
});
