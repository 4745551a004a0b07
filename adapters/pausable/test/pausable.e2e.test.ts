import { join } from 'node:path';
import { createMemoryCursorStore } from '@sfr/adapter-kit';
import {
  type AnvilInstance,
  type CompiledContract,
  compileSolidityFiles,
  describeAdapterCompliance,
  drainAdapter,
  expectConfigErrorsAreCoded,
  expectValidOutputs,
  startAnvil,
} from '@sfr/adapter-kit/testing';
import { type Address, toEventSelector } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, pausableAbi } from '../src/index.js';

const contractsDir = join(import.meta.dirname, '..', 'contracts');

let anvil: AnvilInstance;
let mock: CompiledContract;
let watched: Address;
let other: Address;

const ready = (async () => {
  anvil = await startAnvil();
  mock = (await compileSolidityFiles(contractsDir, ['PausableMock.sol'])).PausableMock!;
  watched = await anvil.deploy(mock);
  other = await anvil.deploy(mock);
})();

beforeAll(() => ready);
afterAll(async () => {
  await ready.catch(() => undefined);
  await anvil?.stop();
});

const build = (overrides: Record<string, unknown> = {}) =>
  createAdapter({
    chainId: 31337,
    rpcUrl: anvil.rpcUrl,
    protocol: 'example-perps',
    contracts: [{ address: watched, name: 'vault' }],
    confirmations: 1,
    now: () => 1_767_225_600_000,
    ...overrides,
  });

describe('pausable: events', () => {
  it('declares Paused / Unpaused with the topic0 of the reference table §10', () => {
    // values from shared/reference/protocol-events.md §10
    const expected = {
      Paused: '0x62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a258',
      Unpaused: '0x5db9ee0a495bf2e6ff9c91a7834c1ba4fdd244a5e8aa4e537bd38aeae4b073aa',
    };
    for (const abi of [pausableAbi, mock.abi]) {
      for (const [name, topic0] of Object.entries(expected)) {
        const item = abi.find((i) => i.type === 'event' && i.name === name);
        expect(item, name).toBeDefined();
        expect(toEventSelector(item as never)).toBe(topic0);
      }
    }
  });
});

describe('pausable: scenarios', () => {
  it('pause then unpause → emergency_pause then resume, evidence re-verified', async () => {
    const adapter = build({
      startBlock: (await anvil.client.getBlockNumber()) + 1n,
      cursorStore: createMemoryCursorStore(),
    });
    const pausedReceipt = await anvil.write(watched, mock.abi, 'pause');
    await anvil.write(watched, mock.abi, 'unpause');
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(outputs.map((o) => o.payload)).toEqual([
      expect.objectContaining({
        kind: 'emergency_pause',
        protocol: 'example-perps',
        severity: 'high',
        scope: { chain: 'eip155:31337', contracts: [watched], markets: ['vault'] },
        evidence: [
          expect.objectContaining({
            type: 'log',
            txHash: pausedReceipt.transactionHash,
            emitter: watched,
            topic0: '0x62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a258',
            eventSignature: 'Paused(address)',
          }),
        ],
      }),
      expect.objectContaining({ kind: 'resume', severity: 'info' }),
    ]);
    const verdict = await adapter.verifyEvidence(outputs[0]!.payload.evidence![0]!);
    expect(verdict).toMatchObject({
      ok: true,
      facts: { name: 'Paused', values: { account: expect.any(String) } },
    });
  });

  it('refuses a bad config with ADAPTER_CONFIG_INVALID', () => {
    expect(() => build({ contracts: [{ address: '0x12' }] })).toThrow(
      expect.objectContaining({ code: 'ADAPTER_CONFIG_INVALID' }),
    );
    expect(() => build({ protocol: 'Not A Slug' })).toThrow(
      expect.objectContaining({ code: 'ADAPTER_CONFIG_INVALID' }),
    );
    expect(() => build({ rpcUrl: 'ftp://x' })).toThrow(
      expect.objectContaining({ code: 'ADAPTER_CONFIG_INVALID' }),
    );
  });
});

describeAdapterCompliance('pausable', async () => {
  await ready;
  return {
    anvil,
    createAdapter: (overrides) => build(overrides),
    trigger: () => anvil.send(watched, mock.abi, 'pause'),
    triggerForeign: () => anvil.send(other, mock.abi, 'pause'),
  };
});

describe('config errors', () => {
  it('any junk field → ADAPTER_CONFIG_INVALID, never another error', async () => {
    await ready;
    const valid = {
      chainId: 31337,
      rpcUrl: anvil.rpcUrl,
      protocol: 'example-perps',
      contracts: [{ address: watched, name: 'vault' }],
      confirmations: 1,
    };
    expect(() => createAdapter(valid)).not.toThrow();
    expect(expectConfigErrorsAreCoded(createAdapter as (c: object) => unknown, valid)).toBeGreaterThan(10);
  });
});
