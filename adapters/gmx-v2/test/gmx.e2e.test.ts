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
import {
  type Abi,
  type Address,
  encodeAbiParameters,
  encodeFunctionData,
  keccak256,
  toEventSelector,
  toHex,
} from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseKeys,
  createAdapter,
  dataStoreAbi,
  eventEmitterAbi,
  type GmxV2AdapterConfig,
} from '../src/index.js';

// values from shared/reference/protocol-events.md §10
const topic0 = {
  EventLog: '0x7e3bde2ba7aca4a8499608ca57f3b0c1c1c93ace63ffd3741a9fab204146fc9a',
  EventLog1: '0x137a44067c8961cd7e1d876f4754a5a3a75989b4552f1843fc69c3b372def160',
  EventLog2: '0x468a25a7ba624ceea6e540ad6f49171b52495b648417ae91bca21676d8a24dc5',
};
const nameHashes = {
  PositionDecrease: '0x07d51b51b408d7c62dcc47cc558da5ce6a6e0fd129a427ebce150f52b0e5171a',
  AdlStateUpdated: '0x0f781196bf1989f86ce0fb15db712fa1673a65b5f4d421250e8fd73f40a70df4',
  InsolventClose: '0xcfa5615fee0f8a3be5094b3bca17ec4275ce73d648845f3e7c10226bb9e0eed0',
  OrderExecuted: '0x680f10f06595d3d707241f604672ec4b6ae50eb82728ec2f3c65f6789e897760',
  SetBool: '0x81b30f29e7945c41dc84a16fb5345bf8bf9fd87d7b5c60f483dda8520b46db87',
  InsufficientFundingFeePayment: '0xc7408f76dd3de54be0ffc07cbb24aad5b7a37b799151dee0231f7fb584056638',
};
const ethUsd = '0x70d95587d40A2caf56bd97485aB3Eec10Bee6336' as Address;
const WETH = { address: '0x82aF49447D8a07e3bd95BD0d56f35241523fBab1', symbol: 'WETH', decimals: 18 };
const USDC = { address: '0xaf88d065e77c8cC2239327C5EDb3A432268e5831', symbol: 'USDC', decimals: 6 };
const account = '0x3333333333333333333333333333333333333333';

let anvil: AnvilInstance;
let artifacts: Record<string, CompiledContract>;
let emitter: Address;
let otherEmitter: Address;
let dataStore: Address;
const abi = (): Abi => artifacts.EventEmitterMock!.abi;

const ready = (async () => {
  anvil = await startAnvil();
  artifacts = await compileSolidityFiles(join(import.meta.dirname, '..', 'contracts'), [
    'EventEmitterMock.sol',
  ]);
  emitter = await anvil.deploy(artifacts.EventEmitterMock!);
  otherEmitter = await anvil.deploy(artifacts.EventEmitterMock!);
  dataStore = await anvil.deploy(artifacts.DataStoreMock!);
})();
beforeAll(() => ready);
afterAll(async () => {
  await ready.catch(() => undefined);
  await anvil?.stop();
});

const build = (overrides: Partial<GmxV2AdapterConfig> = {}) =>
  createAdapter({
    chainId: 31337,
    rpcUrl: anvil.rpcUrl,
    eventEmitter: emitter,
    dataStore,
    markets: [{ marketToken: ethUsd, name: 'ETH/USD', indexToken: WETH }],
    tokens: [USDC, WETH],
    confirmations: 1,
    ...overrides,
  });
const fromNow = async () => ({ startBlock: (await anvil.client.getBlockNumber()) + 1n });
const marketData = encodeAbiParameters([{ type: 'address' }], [ethUsd]);
const kinds = (outputs: { payload: unknown }[]) =>
  outputs.map((o) => [(o.payload as { kind: string }).kind, (o.payload as { mechanism?: string }).mechanism]);

describe('gmx-v2: events', () => {
  it('declares EventLog/1/2 with the topic0 of the reference table §10, in the adapter and the mock', () => {
    for (const list of [eventEmitterAbi, abi()] as Abi[]) {
      for (const [name, value] of Object.entries(topic0)) {
        const item = list.find((i) => i.type === 'event' && i.name === name);
        expect(item, name).toBeDefined();
        expect(toEventSelector(item as never), name).toBe(value);
      }
    }
  });

  it('event-name topics and DataStore base keys match the reference table', () => {
    for (const [name, value] of Object.entries(nameHashes)) expect(keccak256(toHex(name))).toBe(value);
    for (const [name, value] of Object.entries(baseKeys)) {
      expect(keccak256(encodeAbiParameters([{ type: 'string' }], [name])), name).toBe(value);
    }
  });
});

describe('gmx-v2: scenarios', () => {
  it('AdlStateUpdated is edge-triggered per market side: enable → circuit_breaker_tripped, repeat → nothing, disable → resume', async () => {
    const store = createMemoryCursorStore();
    const adapter = build({ ...(await fromNow()), cursorStore: store });
    const factor = 10n ** 29n * 6n;
    await anvil.write(emitter, abi(), 'emitAdlStateUpdated', [ethUsd, true, factor, 5n * 10n ** 29n, true]);
    await anvil.write(emitter, abi(), 'emitAdlStateUpdated', [ethUsd, true, factor, 5n * 10n ** 29n, true]);
    const first = await drainAdapter(adapter);
    const restarted = build({ cursorStore: store });
    await anvil.write(emitter, abi(), 'emitAdlStateUpdated', [ethUsd, true, factor, 5n * 10n ** 29n, true]);
    await anvil.write(emitter, abi(), 'emitAdlStateUpdated', [ethUsd, true, 0n, 5n * 10n ** 29n, false]);
    const second = await drainAdapter(restarted);
    expectValidOutputs([...first, ...second]);
    expect(kinds(first)).toEqual([['circuit_breaker_tripped', undefined]]);
    expect(kinds(second)).toEqual([['resume', undefined]]);
    expect(first[0]!.payload).toMatchObject({ scope: { markets: ['ETH/USD'] } });
  });

  it('an ADL order (secondaryOrderType = 1) joined to its PositionDecrease → loss_socialized / auto_deleveraging; a user decrease → nothing', async () => {
    const adapter = build(await fromNow());
    const key = keccak256(toHex('order-1'));
    const sizeUsd = 12_000n * 10n ** 30n;
    const receipt = await anvil.write(emitter, abi(), 'emitDecreaseExecuted', [
      key,
      account,
      ethUsd,
      USDC.address,
      true,
      sizeUsd,
      4n * 10n ** 18n,
      1n,
    ]);
    await anvil.write(emitter, abi(), 'emitDecreaseExecuted', [
      keccak256(toHex('order-2')),
      account,
      ethUsd,
      USDC.address,
      true,
      sizeUsd,
      4n * 10n ** 18n,
      0n,
    ]);
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(outputs).toHaveLength(1);
    expect(outputs[0]!.payload).toMatchObject({
      kind: 'loss_socialized',
      mechanism: 'auto_deleveraging',
      scope: { markets: ['ETH/USD'], assets: [{ symbol: 'WETH' }] },
      amounts: [
        {
          role: 'deleveraged_notional',
          amount: { value: '4000000000000000000' },
          usdValue: { value: sizeUsd.toString(), decimals: 30 },
        },
      ],
    });
    const evidence = outputs[0]!.payload.evidence!;
    expect(evidence).toHaveLength(2);
    expect(evidence.map((e) => e.type === 'log' && e.txHash)).toEqual([
      receipt.transactionHash,
      receipt.transactionHash,
    ]);
    expect(await adapter.verifyEvidence(evidence[1]!)).toMatchObject({
      ok: true,
      facts: { name: 'EventLog2', values: { eventName: 'OrderExecuted' } },
    });
    // deriveLoss: the ADL order proves loss_socialized; its PositionDecrease (basePnlUsd only, no
    // uncappedBasePnlUsd) records no cut profit, so no amount; the decrease proves the kind only.
    expect(await adapter.deriveLoss!(evidence[1]!)).toEqual({
      ok: true,
      losses: [
        {
          kind: 'loss_socialized',
          amount: null,
          derivation: 'gmx-v2 PositionDecrease.uncappedBasePnlUsd - basePnlUsd',
        },
      ],
    });
    expect(await adapter.deriveLoss!(evidence[0]!)).toEqual({
      ok: true,
      losses: [{ kind: 'loss_socialized', amount: null, derivation: 'gmx-v2 PositionDecrease' }],
    });
  });

  it('InsolventClose → bad_debt_realized; SetBool feature-disable → emergency_pause; IS_MARKET_DISABLED → market_frozen; re-enable → resume', async () => {
    const adapter = build(await fromNow());
    await anvil.write(emitter, abi(), 'emitInsolventClose', [
      keccak256(toHex('order-3')),
      10n,
      55n * 10n ** 30n,
      -7n,
      'pnl',
    ]);
    await anvil.write(emitter, abi(), 'emitSetBool', [baseKeys.EXECUTE_ADL_FEATURE_DISABLED, '0x', true]);
    await anvil.write(emitter, abi(), 'emitSetBool', [baseKeys.IS_MARKET_DISABLED, marketData, true]);
    await anvil.write(emitter, abi(), 'emitSetBool', [baseKeys.IS_MARKET_DISABLED, marketData, false]);
    await anvil.write(emitter, abi(), 'emitSetBool', [keccak256(toHex('SOME_OTHER_KEY')), '0x', true]);
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(kinds(outputs)).toEqual([
      ['bad_debt_realized', 'insolvent_liquidation'],
      ['emergency_pause', 'governance'],
      ['market_frozen', 'governance'],
      ['resume', 'governance'],
    ]);
    expect(outputs[1]!.payload).toMatchObject({ scope: { markets: ['execute_adl_feature_disabled'] } });
    // deriveLoss: the insolvent close leaves remainingCostUsd = 55e30 (55 USD at 1e30) to the pool.
    expect(await adapter.deriveLoss!(outputs[0]!.payload.evidence![0]!)).toEqual({
      ok: true,
      losses: [
        {
          kind: 'bad_debt_realized',
          amount: { usd: { value: (55n * 10n ** 30n).toString(), decimals: 30 } },
          derivation: 'gmx-v2 InsolventClose.remainingCostUsd',
        },
      ],
    });
    // A feature disable proves emergency_pause and no loss.
    expect(await adapter.deriveLoss!(outputs[1]!.payload.evidence![0]!)).toEqual({
      ok: true,
      losses: [
        { kind: 'emergency_pause', amount: null, derivation: 'gmx-v2 SetBool EXECUTE_ADL_FEATURE_DISABLED' },
      ],
    });
    expect(outputs[2]!.payload).toMatchObject({ scope: { markets: ['ETH/USD'] } });
  });

  it('InsufficientFundingFeePayment → loss_socialized (funding_shortfall) in token units', async () => {
    const adapter = build(await fromNow());
    await anvil.write(emitter, abi(), 'emitInsufficientFundingFeePayment', [
      ethUsd,
      USDC.address,
      900n,
      400n,
      0n,
    ]);
    await anvil.write(emitter, abi(), 'emitInsufficientFundingFeePayment', [
      ethUsd,
      USDC.address,
      900n,
      400n,
      7n,
    ]);
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(kinds(outputs)).toEqual([
      ['loss_socialized', 'funding_shortfall'],
      ['loss_socialized', 'funding_shortfall'],
    ]);
    expect(outputs[0]!.payload).toMatchObject({
      scope: { markets: ['ETH/USD'] },
      amounts: [{ role: 'loss', amount: { asset: { symbol: 'USDC' }, value: '500' } }],
    });
    expect(outputs[1]!.payload).not.toHaveProperty('amounts');
  });

  it('accepts DataStore.getBool as call evidence', async () => {
    const adapter = build();
    const key = keccak256(
      encodeAbiParameters([{ type: 'bytes32' }, { type: 'address' }], [baseKeys.IS_MARKET_DISABLED, ethUsd]),
    );
    await anvil.write(dataStore, artifacts.DataStoreMock!.abi, 'setBool', [key, true]);
    const block = await anvil.client.getBlock();
    const data = encodeFunctionData({ abi: dataStoreAbi, functionName: 'getBool', args: [key] });
    const result = (await anvil.client.call({ to: dataStore, data, blockNumber: block.number })).data!;
    const ref = {
      type: 'call' as const,
      chain: 'eip155:31337',
      blockNumber: Number(block.number),
      blockHash: block.hash,
      to: dataStore,
      data,
      result,
    };
    expect(await adapter.verifyEvidence(ref)).toMatchObject({
      ok: true,
      facts: { name: 'getBool', values: { result: true } },
    });
  });
});

describeAdapterCompliance('gmx-v2', async () => {
  await ready;
  return {
    anvil,
    createAdapter: (overrides) => build(overrides),
    trigger: () => anvil.send(emitter, abi(), 'emitSetBool', [baseKeys.IS_MARKET_DISABLED, marketData, true]),
    triggerForeign: () =>
      anvil.send(otherEmitter, abi(), 'emitSetBool', [baseKeys.IS_MARKET_DISABLED, marketData, true]),
  };
});

describe('config errors', () => {
  it('any junk field → ADAPTER_CONFIG_INVALID, never another error', async () => {
    await ready;
    const valid = {
      chainId: 31337,
      rpcUrl: anvil.rpcUrl,
      eventEmitter: emitter,
      dataStore,
      markets: [{ marketToken: ethUsd, name: 'ETH/USD', indexToken: WETH }],
      tokens: [USDC, WETH],
      confirmations: 1,
    };
    expect(() => createAdapter(valid)).not.toThrow();
    expect(expectConfigErrorsAreCoded(createAdapter as (c: object) => unknown, valid)).toBeGreaterThan(10);
  });
});
