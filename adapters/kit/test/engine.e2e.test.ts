import { type AbiEvent, parseAbi } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdapterDefinition,
  AdapterError,
  buildRecoveryEvent,
  createChainAdapter,
  createMemoryCursorStore,
  logKey,
} from '../src/index.js';
import {
  type AnvilInstance,
  type CompiledContract,
  compileSolidity,
  drainAdapter,
  startAnvil,
  startRpcProxy,
} from '../src/testing/index.js';

const source = `// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;
contract Emitter {
    event Paused(address account);
    function pause() external { emit Paused(msg.sender); }
}`;

let anvil: AnvilInstance;
let emitter: CompiledContract;
let address: `0x${string}`;
beforeAll(async () => {
  anvil = await startAnvil();
  emitter = (await compileSolidity({ 'Emitter.sol': source })).Emitter!;
  address = await anvil.deploy(emitter);
});
afterAll(async () => {
  await anvil?.stop();
});

const definition = (): AdapterDefinition => ({
  protocol: 'example-perps',
  events: [{ abi: parseAbi(['event Paused(address account)'])[0] as AbiEvent, emitters: [address] }],
  map: (logs, ctx) =>
    logs.map((log) =>
      buildRecoveryEvent(ctx, {
        key: logKey(ctx.protocol, log.ref),
        kind: 'emergency_pause',
        severity: 'high',
        occurredAt: log.timestamp,
        contracts: [log.address],
        evidence: [log.ref],
      }),
    ),
  exposure: () => ({ contracts: [address], assets: [], oracleFeeds: [], protocols: [] }),
});

describe('chain adapter engine', () => {
  it('watch() yields each incident once, commits as it goes and stops on abort', async () => {
    const store = createMemoryCursorStore();
    const adapter = createChainAdapter(definition(), {
      chainId: 31337,
      rpcUrl: anvil.rpcUrl,
      cursorStore: store,
    });
    const controller = new AbortController();
    const start = await anvil.client.getBlockNumber();
    const seen: string[] = [];
    const done = (async () => {
      for await (const output of adapter.watch({
        fromBlock: start + 1n,
        intervalMs: 20,
        signal: controller.signal,
      })) {
        seen.push(output.key);
        if (seen.length === 3) controller.abort();
      }
    })();
    for (let i = 0; i < 3; i++) await anvil.write(address, emitter.abi, 'pause');
    await Promise.race([
      done,
      new Promise((_, reject) => setTimeout(() => reject(new Error('watch timed out')), 10_000)),
    ]);
    expect(new Set(seen).size).toBe(3);
    expect(BigInt(store.current()!.nextBlock)).toBeGreaterThan(start + 3n);
  });

  it('narrows the eth_getLogs range when the provider refuses a wide one, missing nothing', async () => {
    const proxy = await startRpcProxy(anvil.rpcUrl);
    try {
      proxy.limitLogRange(3);
      const startBlock = (await anvil.client.getBlockNumber()) + 1n;
      const hashes: string[] = [];
      for (let i = 0; i < 7; i++)
        hashes.push((await anvil.write(address, emitter.abi, 'pause')).transactionHash);
      const adapter = createChainAdapter(definition(), {
        chainId: 31337,
        rpcUrl: proxy.url,
        startBlock,
        maxBlocksPerPoll: 50,
        retry: { attempts: 2, baseDelayMs: 5 },
      });
      const outputs = await drainAdapter(adapter);
      expect(outputs.map((o) => (o.payload.evidence![0] as { txHash: string }).txHash)).toEqual(hashes);
      expect(proxy.stats.rangeErrors).toBeGreaterThan(0);
      expect(proxy.stats.failures).toBe(0);
    } finally {
      await proxy.stop();
    }
  });

  it('fails with ADAPTER_REORG_TOO_DEEP when no recorded block is canonical any more', async () => {
    const head = await anvil.client.getBlockNumber();
    const store = createMemoryCursorStore({
      version: 1,
      protocol: 'example-perps',
      chain: 'eip155:31337',
      nextBlock: String(head),
      recent: [
        { number: String(head - 2n), hash: `0x${'01'.repeat(32)}` },
        { number: String(head - 1n), hash: `0x${'02'.repeat(32)}` },
      ],
      state: {},
    });
    const adapter = createChainAdapter(definition(), {
      chainId: 31337,
      rpcUrl: anvil.rpcUrl,
      cursorStore: store,
    });
    await expect(adapter.poll()).rejects.toMatchObject({ code: 'ADAPTER_REORG_TOO_DEEP' });
  });

  it('refuses a cursor of another adapter (ADAPTER_CURSOR_MISMATCH) and a bad config (ADAPTER_CONFIG_INVALID)', async () => {
    const store = createMemoryCursorStore({
      version: 1,
      protocol: 'other',
      chain: 'eip155:31337',
      nextBlock: '1',
      recent: [],
      state: {},
    });
    const adapter = createChainAdapter(definition(), {
      chainId: 31337,
      rpcUrl: anvil.rpcUrl,
      cursorStore: store,
    });
    await expect(adapter.poll()).rejects.toMatchObject({ code: 'ADAPTER_CURSOR_MISMATCH' });
    const bad = () =>
      createChainAdapter(definition(), { chainId: 31337, rpcUrl: anvil.rpcUrl, confirmations: 0 });
    expect(bad).toThrow(AdapterError);
    expect(bad).toThrow('Invalid adapter config: confirmations must be an integer ≥ 1');
  });

  it('verifyEvidence never throws on garbage input', async () => {
    const adapter = createChainAdapter(definition(), { chainId: 31337, rpcUrl: anvil.rpcUrl });
    for (const junk of [null, 42, 'x', {}, { type: 'log' }, { type: 'call', chain: 'eip155:31337' }]) {
      expect(await adapter.verifyEvidence(junk as never)).toMatchObject({
        ok: false,
        code: 'EVIDENCE_MALFORMED',
      });
    }
  });
});

describe('verifyEvidence on arbitrary input', () => {
  it('always answers a coded result, never throws (fast-check)', async () => {
    const fc = await import('fast-check');
    const adapter = createChainAdapter(definition(), { chainId: 31337, rpcUrl: anvil.rpcUrl });
    const ref = fc.record({
      type: fc.constantFrom('log', 'call', 'other'),
      chain: fc.constantFrom('eip155:31337', 'eip155:1', ''),
      blockNumber: fc.oneof(fc.nat(50), fc.integer(), fc.string()),
      blockHash: fc.oneof(fc.constant(`0x${'00'.repeat(32)}`), fc.string()),
      txHash: fc.oneof(fc.constant(`0x${'11'.repeat(32)}`), fc.string()),
      logIndex: fc.oneof(fc.nat(5), fc.double()),
      emitter: fc.oneof(fc.constant(address), fc.string()),
      topic0: fc.oneof(fc.constant(`0x${'22'.repeat(32)}`), fc.string()),
      to: fc.oneof(fc.constant(address), fc.string()),
      data: fc.oneof(fc.constant('0x12345678'), fc.string()),
      result: fc.oneof(fc.constant('0x'), fc.string()),
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(ref, fc.anything()), async (value) => {
        const verdict = await adapter.verifyEvidence(value as never);
        expect(verdict.ok).toBe(false);
        if (!verdict.ok) expect(verdict.code).toMatch(/^EVIDENCE_[A-Z_]+$/);
      }),
      { numRuns: 150 },
    );
  });
});
