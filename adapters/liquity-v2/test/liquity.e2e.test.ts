import { join } from 'node:path';
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
import {
  borrowerOperationsAbi,
  createAdapter,
  type LiquityV2AdapterConfig,
  priceFeedAbi,
  troveManagerAbi,
} from '../src/index.js';

// values from shared/reference/protocol-events.md §10
const topic0 = {
  ShutDown: '0x3ea78f7c2d896613dfa93eea56016064d98758df2a799e6eb38ce050c9f9c10e',
  ShutDownFromOracleFailure: '0xbc6a72aabe3f2b93b4e83572c36881d8379588e52b1b3c66610a8595ce2c734d',
  Liquidation: '0x7243af9a1cff94d3429b2ee00b78c1c10589259f20dc167cb67704f38f9e824e',
};
const BOLD = { address: '0x6440f144b7e50D6a8439336510312d2F54beB01D', symbol: 'BOLD', decimals: 18 };
const WETH = { address: '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2', symbol: 'WETH', decimals: 18 };

let anvil: AnvilInstance;
let artifacts: Record<string, CompiledContract>;
let bo: Address;
let otherBo: Address;
let feed: Address;
let tm: Address;
const abiOf = (name: string): Abi => artifacts[name]!.abi;

const ready = (async () => {
  anvil = await startAnvil();
  artifacts = await compileSolidityFiles(join(import.meta.dirname, '..', 'contracts'), ['LiquityMocks.sol']);
  bo = await anvil.deploy(artifacts.BorrowerOperationsMock!);
  otherBo = await anvil.deploy(artifacts.BorrowerOperationsMock!);
  feed = await anvil.deploy(artifacts.PriceFeedMock!, [bo]);
  tm = await anvil.deploy(artifacts.TroveManagerMock!);
})();
beforeAll(() => ready);
afterAll(async () => {
  await ready.catch(() => undefined);
  await anvil?.stop();
});

const build = (overrides: Partial<LiquityV2AdapterConfig> = {}) =>
  createAdapter({
    chainId: 31337,
    rpcUrl: anvil.rpcUrl,
    bold: BOLD,
    branches: [{ name: 'WETH', borrowerOperations: bo, troveManager: tm, priceFeed: feed, collateral: WETH }],
    confirmations: 1,
    ...overrides,
  });
const fromNow = async () => ({ startBlock: (await anvil.client.getBlockNumber()) + 1n });
const kinds = (outputs: { payload: unknown }[]) =>
  outputs.map((o) => [(o.payload as { kind: string }).kind, (o.payload as { mechanism?: string }).mechanism]);

describe('liquity-v2: events', () => {
  it('declares every event with the topic0 of the reference table §10, in the adapter and the mocks', () => {
    const declared = [...borrowerOperationsAbi, ...priceFeedAbi, ...troveManagerAbi] as Abi;
    const mocks = [
      ...abiOf('BorrowerOperationsMock'),
      ...abiOf('PriceFeedMock'),
      ...abiOf('TroveManagerMock'),
    ];
    for (const abi of [declared, mocks]) {
      for (const [name, value] of Object.entries(topic0)) {
        const item = abi.find((i) => i.type === 'event' && i.name === name);
        expect(item, name).toBeDefined();
        expect(toEventSelector(item as never), name).toBe(value);
      }
    }
  });
});

describe('liquity-v2: scenarios', () => {
  it('a Liquidation split → insurance_fund_deployed (SP offset) and loss_socialized (redistribution)', async () => {
    const adapter = build(await fromNow());
    const e18 = 10n ** 18n;
    await anvil.write(tm, abiOf('TroveManagerMock'), 'liquidate', [
      7_000n * e18,
      3_000n * e18,
      4n * e18,
      2n * e18,
      2_000n * e18,
    ]);
    await anvil.write(tm, abiOf('TroveManagerMock'), 'liquidate', [
      5_000n * e18,
      0n,
      3n * e18,
      0n,
      2_000n * e18,
    ]);
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(kinds(outputs)).toEqual([
      ['insurance_fund_deployed', undefined],
      ['loss_socialized', 'socialized_loss'],
      ['insurance_fund_deployed', undefined],
    ]);
    expect(outputs[1]!.payload).toMatchObject({
      amounts: [
        { role: 'socialized_loss', amount: { asset: { symbol: 'BOLD' }, value: (3_000n * e18).toString() } },
        { role: 'collateral_seized', amount: { asset: { symbol: 'WETH' }, value: (2n * e18).toString() } },
      ],
    });
    // deriveLoss re-reads the first Liquidation: 7 000 BOLD offset, 3 000 BOLD redistributed
    // (the arguments above); the second, with nothing redistributed, proves the offset only.
    expect(await adapter.deriveLoss!(outputs[1]!.payload.evidence![0]!)).toMatchObject({
      ok: true,
      losses: [
        { kind: 'insurance_fund_deployed', amount: { value: (7_000n * e18).toString() } },
        {
          kind: 'loss_socialized',
          amount: { asset: { symbol: 'BOLD' }, value: (3_000n * e18).toString() },
          derivation: 'liquity-v2 Liquidation._debtRedistributed',
        },
      ],
    });
    expect(await adapter.deriveLoss!(outputs[2]!.payload.evidence![0]!)).toMatchObject({
      ok: true,
      losses: [{ kind: 'insurance_fund_deployed', amount: { value: (5_000n * e18).toString() } }],
    });
  });

  it('ShutDown → emergency_shutdown; ShutDownFromOracleFailure → oracle_failure + emergency_shutdown', async () => {
    const adapter = build(await fromNow());
    await anvil.write(bo, abiOf('BorrowerOperationsMock'), 'shutdown', [105n * 10n ** 16n]);
    await anvil.write(feed, abiOf('PriceFeedMock'), 'failOracle', [
      '0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419',
    ]);
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(kinds(outputs)).toEqual([
      ['emergency_shutdown', undefined],
      ['oracle_failure', 'other'],
      ['emergency_shutdown', undefined],
    ]);
    expect(outputs[0]!.payload).toMatchObject({ severity: 'critical', scope: { markets: ['WETH'] } });
  });
});

describeAdapterCompliance('liquity-v2', async () => {
  await ready;
  return {
    anvil,
    createAdapter: (overrides) => build(overrides),
    trigger: () => anvil.send(bo, abiOf('BorrowerOperationsMock'), 'shutdown', [105n * 10n ** 16n]),
    triggerForeign: () =>
      anvil.send(otherBo, abiOf('BorrowerOperationsMock'), 'shutdown', [105n * 10n ** 16n]),
  };
});

describe('config errors', () => {
  it('any junk field → ADAPTER_CONFIG_INVALID, never another error', async () => {
    await ready;
    const valid = {
      chainId: 31337,
      rpcUrl: anvil.rpcUrl,
      bold: BOLD,
      branches: [
        { name: 'WETH', borrowerOperations: bo, troveManager: tm, priceFeed: feed, collateral: WETH },
      ],
      confirmations: 1,
    };
    expect(() => createAdapter(valid)).not.toThrow();
    expect(expectConfigErrorsAreCoded(createAdapter as (c: object) => unknown, valid)).toBeGreaterThan(10);
  });
});
