/**
 * The adapter host on real components: anvil with the Aave v3 mocks, the real Aave v3 adapter
 * package, two real nodes on loopback TCP. What the scripted transactions cause is published by the
 * hosting node and received by the other one; evidence routes to the adapter; crash windows of the
 * output-key log are recovered without a duplicate or a miss; an RPC that is down is a coded health status.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { serializeTransaction } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { apiNodeOf, createApi } from '../../src/api/index.js';
import { createContagionResponder } from '../../src/contagion/index.js';
import {
  type AdapterHost,
  createAdapterHost,
  OUTPUT_LOG_FILE,
  openOutputLog,
} from '../../src/hosting/index.js';
import type { SfrNode } from '../../src/node/index.js';
import { startNetwork, type TestNetwork, waitFor } from '../node/fixtures.js';
import { type AaveChain, startAaveChain, WETH } from './fixtures.js';

let chain: AaveChain;
let net: TestNetwork;
const ready = (async () => {
  chain = await startAaveChain();
  net = await startNetwork({ n: 2 });
})();
beforeAll(() => ready, TIMEOUTS.hook);
afterAll(async () => {
  await ready.catch(() => undefined);
  await net?.stop();
  await chain?.anvil.stop();
}, TIMEOUTS.hook);

function received(node: SfrNode, into: Array<{ id: string; payload: Record<string, unknown> }>): () => void {
  return node.onAccepted((m) => {
    if (m.envelope.type === 'RecoveryEvent') into.push({ id: m.id, payload: m.envelope.payload });
  });
}

function example(name: string): Record<string, unknown> {
  const file = path.resolve(
    import.meta.dirname,
    '../../../schemas/v1/examples/RecoveryEvent/valid',
    `${name}.json`,
  );
  const now = Date.now();
  return { ...JSON.parse(readFileSync(file, 'utf8')), occurredAt: now - 60_000, detectedAt: now - 1_000 };
}

describe('adapter host', () => {
  it('publishes the recovery events scripted Aave transactions cause; the other node receives them; evidence routes to the adapter', async () => {
    const [hosting, other] = net.nodes as [SfrNode, SfrNode];
    const got: Array<{ id: string; payload: Record<string, unknown> }> = [];
    const off = received(other, got);
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sfr-host-'));
    const host = await createAdapterHost({
      adapters: [{ package: '@sfr/adapter-aave-v3', config: await chain.adapterConfig() }],
      node: hosting,
      dataDir,
    });
    try {
      await host.start();
      const cfg = chain.abi('MockPoolConfigurator');
      const pause = await chain.anvil.write(chain.configurator, cfg, 'setPoolPause', [true]);
      const freeze = await chain.anvil.write(chain.configurator, cfg, 'setReserveFreeze', [WETH, true]);
      await waitFor(() => got.length >= 2, TIMEOUTS.event, 'two events at the other node');
      await host.settled();
      expect(got.map((g) => g.payload['kind'])).toEqual(['emergency_pause', 'market_frozen']);
      const txs = got.map((g) => (g.payload['evidence'] as Array<{ txHash: string }>)[0]!.txHash);
      expect(txs).toEqual([pause.transactionHash, freeze.transactionHash]);
      expect(host.status()).toMatchObject([
        { protocol: 'aave-v3', chain: 'eip155:31337', status: 'ok', published: 2 },
      ]);
      expect(host.healthChecks()).toEqual([{ name: 'adapter:aave-v3:eip155:31337', status: 'ok' }]);
      expect(host.exposure().contracts.map((c) => c.toLowerCase())).toContain(
        chain.configurator.toLowerCase(),
      );

      // evidence a peer cites is re-checked by the adapter of its chain + emitter
      const ref = (got[1]!.payload['evidence'] as Record<string, unknown>[])[0]!;
      expect(await host.verifyEvidence(ref)).toMatchObject({ ok: true, facts: { name: 'ReserveFrozen' } });
      expect(await host.verifyEvidence({ ...ref, chain: 'eip155:1' })).toMatchObject({
        ok: false,
        code: 'EVIDENCE_WRONG_CHAIN',
      });
      expect(
        await host.verifyEvidence({ ...ref, emitter: '0x000000000000000000000000000000000000bEEF' }),
      ).toMatchObject({ ok: false, code: 'EVIDENCE_WRONG_EMITTER' });
      expect(await host.verifyEvidence({ ...ref, logIndex: 77 })).toMatchObject({
        ok: false,
        code: 'EVIDENCE_NOT_FOUND',
      });
      expect(await host.verifyEvidence('junk')).toMatchObject({ ok: false, code: 'EVIDENCE_MALFORMED' });
      expect(await host.verifyEvidence({ type: 'log', chain: 'eip155:31337' })).toMatchObject({
        ok: false,
        code: 'EVIDENCE_MALFORMED',
      });

      // the output-key log holds each key once, with the message id the other node received
      const log = (await readFile(path.join(dataDir, 'adapters', OUTPUT_LOG_FILE), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { s: string; id?: string });
      expect(log.filter((l) => l.s === 'done').map((l) => l.id)).toEqual(got.map((g) => g.id));
    } finally {
      off();
      await host.stop();
      await chain.anvil.write(chain.configurator, chain.abi('MockPoolConfigurator'), 'setPoolPause', [false]);
      await chain.anvil.write(chain.configurator, chain.abi('MockPoolConfigurator'), 'setReserveFreeze', [
        WETH,
        false,
      ]);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('after a crash between publish and record, a published output is not published again, an unpublished one is published once, a refused one is recorded', async () => {
    const node = net.nodes[0]!;
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sfr-host-'));
    try {
      const file = path.join(dataDir, 'adapters', OUTPUT_LOG_FILE);
      const log = await openOutputLog(file);
      const publishedPayload = example('aave-v3-reserve-paused');
      const before = node.store.headSeq(node.member) ?? 0;
      // crash window 1: recorded pending, published, crashed before recording done
      await log.markPending({
        key: 'k:published',
        type: 'RecoveryEvent',
        payload: publishedPayload,
        after: before,
      });
      const first = await node.publish('RecoveryEvent', publishedPayload);
      // crash window 2: recorded pending, crashed before publishing
      const unpublished = example('aave-v3-deficit-created');
      await log.markPending({
        key: 'k:unpublished',
        type: 'RecoveryEvent',
        payload: unpublished,
        after: first.seq,
      });
      // a payload the node refuses (not a RecoveryEvent): recorded refused, never blocks the host
      await log.markPending({
        key: 'k:refused',
        type: 'RecoveryEvent',
        payload: { kind: 'not-a-kind' },
        after: first.seq,
      });
      await log.close();

      const host: AdapterHost = await createAdapterHost({ adapters: [], node, dataDir });
      await host.start();
      await host.stop();
      expect(node.store.headSeq(node.member)).toBe(first.seq + 1);
      const again = await openOutputLog(file);
      expect(again.pending()).toEqual([]);
      expect(again.messageIdOf('k:published')).toBe(first.messageId);
      const second = await node.store.getBySeq(node.member, first.seq + 1);
      expect(again.messageIdOf('k:unpublished')).toBe(second!.id);
      expect(again.messageIdOf('k:refused')).toMatch(/^refused:[A-Z_]+$/);
      expect(again.has('k:refused')).toBe(true);
      await again.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('an RPC that is down makes the adapter degraded with ADAPTER_RPC_UNAVAILABLE, backing off', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sfr-host-'));
    const host = await createAdapterHost({
      adapters: [
        {
          package: '@sfr/adapter-aave-v3',
          config: {
            ...(await chain.adapterConfig()),
            rpcUrl: 'http://127.0.0.1:9', // discard port: connection refused
            retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
          },
        },
      ],
      node: net.nodes[0]!,
      dataDir,
      backoff: { baseMs: 50, maxMs: 200 },
    });
    try {
      await host.start();
      await waitFor(
        () => (host.status()[0]?.consecutiveFailures ?? 0) >= 2,
        TIMEOUTS.event,
        'two failed scans',
      );
      expect(host.status()[0]).toMatchObject({ status: 'degraded', code: 'ADAPTER_RPC_UNAVAILABLE' });
      expect(host.healthChecks()[0]).toMatchObject({ status: 'degraded' });
      expect(host.healthChecks()[0]!.detail).toContain('ADAPTER_RPC_UNAVAILABLE');
    } finally {
      await host.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
    expect(host.status()[0]!.status).toBe('stopped');
  });

  it('a reorg that removes a published event makes the host retract it once; the same transaction re-mined is a new event; the other node’s API and notices show it retracted', async () => {
    const [hosting, other] = net.nodes as [SfrNode, SfrNode];
    const got: Array<{ id: string; payload: Record<string, unknown> }> = [];
    const off = received(other, got);
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sfr-host-'));
    const host = await createAdapterHost({
      adapters: [{ package: '@sfr/adapter-aave-v3', config: await chain.adapterConfig() }],
      node: hosting,
      dataDir,
    });
    const cfg = chain.abi('MockPoolConfigurator');
    // The other node as its operator sees it: its contagion responder and its HTTP API (issue 11 item 2).
    const otherDir = await mkdtemp(path.join(os.tmpdir(), 'sfr-host-other-'));
    const responder = await createContagionResponder({
      node: other,
      config: { identity: { keyFile: 'unused', protocol: 'compound-v3' }, exposure: {} },
      dataDir: otherDir,
    });
    await responder.start();
    const api = await createApi({
      node: apiNodeOf(other, { protocol: 'compound-v3', version: '0.1.0' }),
      token: 'adapter-host-test-token-0123456789',
      version: '0.1.0',
      notices: responder,
    });
    const url = await api.listen();
    const notices = new AbortController();
    let pushed = '';
    const reading = fetch(`${url}/v1/notices`, { signal: notices.signal }).then(async (res) => {
      for await (const chunk of res.body!) pushed += Buffer.from(chunk).toString('utf8');
    });
    try {
      await host.start();
      // a scan end below the event's block: the common ancestor the reorg is found at
      await chain.anvil.mine(1);
      await host.settled();
      await host.settled();
      const snapshot = await chain.anvil.snapshot();
      const freeze = await chain.anvil.write(chain.configurator, cfg, 'setReserveFreeze', [WETH, true]);
      await waitFor(() => got.length >= 1, TIMEOUTS.event, 'the event at the other node');
      await host.settled();
      const event = got[0]!;
      const tx = await chain.anvil.client.getTransaction({ hash: freeze.transactionHash });

      // the reorg: back to before the event, an empty block at its height, the same signed
      // transaction one block later (as a re-org'd transaction usually lands), then more blocks
      await chain.anvil.revert(snapshot);
      await chain.anvil.mine(1);
      const raw = serializeTransaction(
        {
          type: 'eip1559',
          chainId: chain.anvil.chainId,
          nonce: tx.nonce,
          gas: tx.gas,
          maxFeePerGas: tx.maxFeePerGas!,
          maxPriorityFeePerGas: tx.maxPriorityFeePerGas!,
          to: tx.to!,
          data: tx.input,
          value: tx.value,
        },
        { r: tx.r, s: tx.s, yParity: tx.yParity! },
      );
      const again = await chain.anvil.client.sendRawTransaction({ serializedTransaction: raw });
      expect(again).toBe(freeze.transactionHash);
      await chain.anvil.mine(2);

      const retractionOf = (id: string) =>
        got.find(
          (g) =>
            (g.payload['extensions'] as Record<string, { retracts?: string }> | undefined)?.['sfr.retraction']
              ?.retracts === id,
        );
      await waitFor(
        () => retractionOf(event.id) !== undefined,
        TIMEOUTS.event,
        'the retraction at the other node',
      );
      await waitFor(() => got.length >= 3, TIMEOUTS.event, 'the re-mined event at the other node');
      await host.settled();
      const retraction = retractionOf(event.id)!;
      const evidence = event.payload['evidence'] as Array<Record<string, unknown>>;
      expect(retraction.payload).toMatchObject({
        kind: event.payload['kind'],
        protocol: event.payload['protocol'],
        scope: event.payload['scope'],
        occurredAt: event.payload['occurredAt'],
        severity: 'info',
        relatesTo: [event.id],
        evidence,
        extensions: { 'sfr.retraction': { retracts: event.id, reasonCode: 'EVIDENCE_REORGED' } },
      });
      const ancestor = BigInt(
        (retraction.payload['extensions'] as Record<string, { ancestorBlock: string }>)['sfr.retraction']!
          .ancestorBlock,
      );
      expect(ancestor).toBeLessThan(freeze.blockNumber);
      expect(await other.store.retractedBy(event.id, hosting.member)).toBe(retraction.id);

      // the re-mined transaction is a live event again, with evidence on the new chain
      const remined = got.find((g) => g !== event && g !== retraction)!;
      const ref = (remined.payload['evidence'] as Array<{ txHash: string; blockNumber: number }>)[0]!;
      expect(ref.txHash).toBe(freeze.transactionHash);
      expect(ref.blockNumber).toBe(Number(freeze.blockNumber) + 1);
      expect(await other.store.retractedBy(remined.id, hosting.member)).toBeUndefined();
      expect(host.status()[0]).toMatchObject({ status: 'ok', published: 2, retracted: 1 });

      // exactly once: one retraction in the key log, under retract:<event id>
      const lines = (await readFile(path.join(dataDir, 'adapters', OUTPUT_LOG_FILE), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { k: string; s: string; id?: string });
      const done = lines.filter((l) => l.s === 'done');
      expect(done.map((l) => l.id)).toEqual([event.id, retraction.id, remined.id]);
      expect(done[1]!.k).toBe(`retract:${event.id}`);
      expect(done[2]!.k).toBe(`${done[0]!.k}@${retraction.id}`);
      expect(got).toHaveLength(3);

      // followed through at the other node: its API names the retraction, lists the event as
      // retracted (and the re-mined one not), and its notice stream pushed event_retracted
      const one = (await (await fetch(`${url}/v1/messages/${event.id}/retraction`)).json()) as {
        messageId: string;
      };
      expect(one.messageId).toBe(retraction.id);
      expect((await fetch(`${url}/v1/messages/${remined.id}/retraction`)).status).toBe(404);
      const listed = async (q: string) =>
        (
          (await (await fetch(`${url}/v1/messages?${q}`)).json()) as { items: { messageId: string }[] }
        ).items.map((i) => i.messageId);
      expect(await listed('retracted=true')).toEqual([event.id]);
      expect(await listed('retracted=false')).toEqual(expect.arrayContaining([remined.id, retraction.id]));
      await waitFor(
        () => pushed.includes('event: event_retracted'),
        TIMEOUTS.event,
        'the event_retracted notice at the other node',
      );
      const data = pushed
        .split('\n\n')
        .filter((b) => b.includes('event: event_retracted'))
        .map((b) => JSON.parse(b.slice(b.indexOf('data: ') + 6).split('\n')[0]!) as Record<string, unknown>);
      expect(data).toHaveLength(1);
      expect(data[0]).toMatchObject({
        event: { messageId: event.id },
        retraction: { messageId: retraction.id, ancestorBlock: String(ancestor) },
      });
    } finally {
      off();
      notices.abort();
      await reading.catch(() => undefined);
      await api.close();
      await responder.stop();
      await rm(otherDir, { recursive: true, force: true });
      await host.stop();
      await chain.anvil.write(chain.configurator, cfg, 'setReserveFreeze', [WETH, false]);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a package that cannot load, or a config the adapter refuses, is ADAPTER_CONFIG_INVALID naming the entry', async () => {
    const node = net.nodes[0]!;
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sfr-host-'));
    try {
      await expect(
        createAdapterHost({ adapters: [{ package: '@sfr/adapter-nope' }], node, dataDir }),
      ).rejects.toMatchObject({
        code: 'ADAPTER_CONFIG_INVALID',
        details: { entry: 0, package: '@sfr/adapter-nope' },
      });
      await expect(
        createAdapterHost({
          adapters: [
            { package: '@sfr/adapter-aave-v3', config: await chain.adapterConfig() },
            { package: '@sfr/adapter-aave-v3', config: { chainId: 31337, rpcUrl: chain.anvil.rpcUrl } },
          ],
          node,
          dataDir,
        }),
      ).rejects.toMatchObject({
        code: 'ADAPTER_CONFIG_INVALID',
        message: expect.stringMatching(/^adapters\[1\]/),
      });
      await expect(
        createAdapterHost({ adapters: [{ package: '@sfr/adapter-kit' }], node, dataDir }),
      ).rejects.toMatchObject({
        code: 'ADAPTER_CONFIG_INVALID',
        message: expect.stringContaining('no createAdapter'),
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
