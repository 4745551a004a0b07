/**
 * The node's one accepted-message event (issue 9 item 5): emitted once per message after its durable
 * append, in store order, with the envelope the pipeline decoded, whatever the path (gossip, sync,
 * local publish); the contagion responder and the pool service follow it. Each wire is parsed once on
 * its way through: counted here as `JSON.parse` calls on the message's wire text.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ContagionResponder, createContagionResponder } from '../../src/contagion/index.js';
import {
  createMemorySigningJournal,
  type MemberKey,
  signEnvelope,
  type UnsignedEnvelope,
} from '../../src/envelope/index.js';
import { stringifyTopic } from '../../src/network/topics.js';
import { type AcceptedMessage, createNode, type SfrNode } from '../../src/node/index.js';
import { alertPayload, testKeys, waitFor } from './fixtures.js';

const [LOCAL, PEER] = testKeys(2, 'sfr-accepted-feed') as [MemberKey, MemberKey];
const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';
const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
const text = new TextDecoder();

describe('the accepted-message event', () => {
  let dir: string;
  let node: SfrNode;
  let responder: ContagionResponder;
  const events: AcceptedMessage[] = [];
  const notices: string[] = [];
  const journal = createMemorySigningJournal();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sfr-feed-'));
    node = await createNode({
      dataDir: dir,
      memberKey: LOCAL.privateKey,
      members: [PEER.address],
      listen: ['/ip4/127.0.0.1/tcp/0'],
    });
    await node.start();
    node.onAccepted((m) => events.push(m));
    responder = await createContagionResponder({
      node,
      dataDir: dir,
      config: {
        identity: { keyFile: 'unused', protocol: 'aave-v3' },
        exposure: { assets: [{ chain: 'eip155:1', address: USDC, symbol: 'USDC', decimals: 6 }] },
      },
    });
    responder.onNotice((n) => notices.push(n.messageId));
    await responder.start();
  });
  afterAll(async () => {
    await responder?.stop();
    await node?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const peerAlert = (seq: number) =>
    signEnvelope({
      privateKey: PEER.privateKey,
      guard: journal,
      unsigned: {
        sfr: '1.0',
        type: 'ContagionAlert',
        issuer: PEER.address,
        seq,
        issuedAt: Date.now(),
        payload: alertPayload(Date.now(), seq) as UnsignedEnvelope['payload'],
      },
    });

  it('parses a gossiped wire once from ingress to the contagion notice, and emits it once, decoded, in store order', async () => {
    const wires = await Promise.all([0, 1, 2, 3].map(peerAlert));
    const texts = new Set(wires.map((w) => text.decode(w.wire)));
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const verdicts = await Promise.all(
        wires.map((w) => node.pipeline.ingest(w.wire, { source: 'gossip', topic: ALERTS, from: 'peer-x' })),
      );
      expect(verdicts.map((v) => v.outcome)).toEqual(['accept', 'accept', 'accept', 'accept']);
      await waitFor(() => wires.every((w) => notices.includes(w.messageId)), 10_000, 'contagion notices');
      const parsesOfWires = parse.mock.calls.filter(([arg]) => typeof arg === 'string' && texts.has(arg));
      // One parse per wire: the pipeline's decode; the store, the event and the responder reuse it.
      expect(parsesOfWires).toHaveLength(wires.length);
    } finally {
      parse.mockRestore();
    }
    const got = events.filter((e) => wires.some((w) => w.messageId === e.id));
    expect(got).toHaveLength(4);
    const cursors = got.map((e) => e.cursor);
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    for (const e of got) {
      const stored = await node.store.getByCursor(e.cursor);
      expect(stored?.id).toBe(e.id);
      expect(e.envelope).toEqual(JSON.parse(text.decode(e.wire)));
      expect([e.source, e.from]).toEqual(['gossip', 'peer-x']);
    }
  });

  it('carries a local publish once, before publish resolves, marked local', async () => {
    const before = events.length;
    const r = await node.publish('ContagionAlert', alertPayload(Date.now(), 9));
    const own = events.slice(before).filter((e) => e.id === r.messageId);
    expect(own).toHaveLength(1);
    expect([own[0]!.source, own[0]!.from, own[0]!.cursor]).toEqual(['local', 'local', node.store.lastCursor]);
  });
});
