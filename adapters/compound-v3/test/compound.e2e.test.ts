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
import { type Abi, type Address, toEventSelector } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompoundV3AdapterConfig, cometAbi, createAdapter } from '../src/index.js';

// values from shared/reference/protocol-events.md §10
const topic0 = {
  PauseAction: '0x3be39979091ae7ca962aa1c44e645f2df3c221b79f324afa5f44aedc8d2f690d',
  AbsorbDebt: '0x1547a878dc89ad3c367b6338b4be6a65a5dd74fb77ae044da1e8747ef1f4f62f',
  AbsorbCollateral: '0x9850ab1af75177e4a9201c65a2cf7976d5d28e40ef63494b44366f86b2f9412e',
};
const USDC = { address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', symbol: 'USDC', decimals: 6 };
const WETH = '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2';

let anvil: AnvilInstance;
let mock: CompiledContract;
let comet: Address;
let otherComet: Address;

const ready = (async () => {
  anvil = await startAnvil();
  mock = (await compileSolidityFiles(join(import.meta.dirname, '..', 'contracts'), ['CometMock.sol']))
    .CometMock!;
  comet = await anvil.deploy(mock);
  otherComet = await anvil.deploy(mock);
})();
beforeAll(() => ready);
afterAll(async () => {
  await ready.catch(() => undefined);
  await anvil?.stop();
});

const build = (overrides: Partial<CompoundV3AdapterConfig> = {}) =>
  createAdapter({
    chainId: 31337,
    rpcUrl: anvil.rpcUrl,
    comet,
    market: 'cUSDCv3',
    baseAsset: USDC,
    confirmations: 1,
    ...overrides,
  });
const fromNow = async () => ({ startBlock: (await anvil.client.getBlockNumber()) + 1n });

describe('compound-v3: events', () => {
  it('declares every event with the topic0 of the reference table §10, in the adapter and the mock', () => {
    for (const abi of [cometAbi, mock.abi] as Abi[]) {
      for (const [name, value] of Object.entries(topic0)) {
        const item = abi.find((i) => i.type === 'event' && i.name === name);
        expect(item, name).toBeDefined();
        expect(toEventSelector(item as never), name).toBe(value);
      }
    }
  });
});

describe('compound-v3: scenarios', () => {
  it('PauseAction is the full state: partial pause → high, all flags → critical, none → resume', async () => {
    const adapter = build(await fromNow());
    await anvil.write(comet, mock.abi, 'pause', [true, false, true, false, false]);
    await anvil.write(comet, mock.abi, 'pause', [true, true, true, true, true]);
    await anvil.write(comet, mock.abi, 'pause', [false, false, false, false, false]);
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(
      outputs.map((o) => [(o.payload as { kind: string }).kind, o.payload.severity, o.payload.summary]),
    ).toEqual([
      ['emergency_pause', 'high', 'cUSDCv3 paused: supply, withdraw'],
      ['emergency_pause', 'critical', 'cUSDCv3 paused: supply, transfer, withdraw, absorb, buy'],
      ['resume', 'info', 'cUSDCv3 fully unpaused'],
    ]);
  });

  it('AbsorbDebt → insurance_fund_deployed with base units and a 1e8 USD value', async () => {
    const adapter = build(await fromNow());
    const borrower = '0x2222222222222222222222222222222222222222';
    await anvil.write(comet, mock.abi, 'absorb', [
      borrower,
      WETH,
      10n ** 18n,
      2_500_000_000n,
      250_000_000_000n,
    ]);
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(outputs).toHaveLength(1);
    expect(outputs[0]!.payload).toMatchObject({
      kind: 'insurance_fund_deployed',
      amounts: [
        {
          role: 'debt_absorbed',
          amount: { asset: { symbol: 'USDC', decimals: 6 }, value: '2500000000' },
          usdValue: { value: '250000000000', decimals: 8 },
        },
      ],
    });
    // deriveLoss re-reads the log: basePaidOut 2_500_000_000 USDC base units, as passed to absorb.
    expect(await adapter.deriveLoss!(outputs[0]!.payload.evidence![0]!)).toMatchObject({
      ok: true,
      losses: [
        {
          kind: 'insurance_fund_deployed',
          amount: { asset: { symbol: 'USDC', decimals: 6 }, value: '2500000000' },
          derivation: 'compound-v3 AbsorbDebt.basePaidOut',
        },
      ],
    });
  });

  it('negative getReserves() → ONE bad_debt_realized with call evidence, even across a restart', async () => {
    const store = createMemoryCursorStore();
    const adapter = build({ ...(await fromNow()), cursorStore: store });
    await drainAdapter(adapter);
    await anvil.write(comet, mock.abi, 'setReserves', [-123_456_789n]);
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(outputs).toHaveLength(1);
    expect(outputs[0]!.payload).toMatchObject({
      kind: 'bad_debt_realized',
      severity: 'critical',
      amounts: [{ role: 'bad_debt', amount: { value: '123456789' } }],
      evidence: [{ type: 'call', to: comet, data: '0x0902f1ac', signature: 'getReserves()' }],
    });
    const ref = outputs[0]!.payload.evidence![0]!;
    expect(await adapter.verifyEvidence(ref)).toMatchObject({
      ok: true,
      facts: { type: 'call', name: 'getReserves', values: { result: '-123456789' } },
    });
    // The negative reserves (−123 456 789 set above) are the bad debt, read from the call.
    expect(await adapter.deriveLoss!(ref)).toMatchObject({
      ok: true,
      losses: [
        {
          kind: 'bad_debt_realized',
          amount: { value: '123456789' },
          derivation: 'compound-v3 getReserves() < 0',
        },
      ],
    });
    await anvil.mine(2);
    const restarted = build({ cursorStore: store });
    expect(await drainAdapter(restarted)).toEqual([]);
    await anvil.write(comet, mock.abi, 'setReserves', [5n]);
    await anvil.mine(1);
    expect(await drainAdapter(restarted)).toEqual([]);
    await anvil.write(comet, mock.abi, 'setReserves', [-1n]);
    expect(await drainAdapter(restarted)).toHaveLength(1);
    await anvil.write(comet, mock.abi, 'setReserves', [1_000_000n]);
    await drainAdapter(restarted);
  });
});

describeAdapterCompliance('compound-v3', async () => {
  await ready;
  return {
    anvil,
    createAdapter: (overrides) => build(overrides),
    trigger: () => anvil.send(comet, mock.abi, 'pause', [true, false, false, false, false]),
    triggerForeign: () => anvil.send(otherComet, mock.abi, 'pause', [true, false, false, false, false]),
  };
});

describe('config errors', () => {
  it('any junk field → ADAPTER_CONFIG_INVALID, never another error', async () => {
    await ready;
    const valid = {
      chainId: 31337,
      rpcUrl: anvil.rpcUrl,
      comet,
      market: 'cUSDCv3',
      baseAsset: USDC,
      confirmations: 1,
    };
    expect(() => createAdapter(valid)).not.toThrow();
    expect(expectConfigErrorsAreCoded(createAdapter as (c: object) => unknown, valid)).toBeGreaterThan(10);
  });
});
