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
import { type Abi, type Address, encodeFunctionData, toEventSelector } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AaveV3AdapterConfig,
  createAdapter,
  poolAbi,
  poolConfiguratorAbi,
  umbrellaAbi,
} from '../src/index.js';

// values from shared/reference/protocol-events.md §10
const topic0 = {
  ReservePaused: '0xe188d542a5f11925d3a3af33703cdd30a43cb3e8066a3cf68b1b57f61a5a94b5',
  ReserveFrozen: '0x0c4443d258a350d27dc50c378b2ebf165e6469725f786d21b30cab16823f5587',
  DeficitCreated: '0x2bccfb3fad376d59d7accf970515eb77b2f27b082c90ed0fb15583dd5a942699',
  DeficitCovered: '0x84b203e49f1a4b553088061534231969a68ad1c81be192205e96d23a206cb26a',
  LiquidationCall: '0xe413a321e8681d831f4dbccbca790d2952b56f977908e45be37335533e005286',
  StakeTokenSlashed: '0x32407dab783b4e1ec9ecc0a7d1934a99b7a0a44605e6b6effad51fa609bb7344',
};

const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48' as Address;
const WETH = '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2' as Address;
const WBTC = '0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599' as Address;
const reserves = [
  { address: USDC, symbol: 'USDC', decimals: 6 },
  { address: WETH, symbol: 'WETH', decimals: 18 },
  { address: WBTC, symbol: 'WBTC', decimals: 8 },
];
const stake = '0x000000000000000000000000000000000000dEaD' as Address;

let anvil: AnvilInstance;
let artifacts: Record<string, CompiledContract>;
let configurator: Address;
let otherConfigurator: Address;
let pool: Address;
let umbrella: Address;

const ready = (async () => {
  anvil = await startAnvil();
  artifacts = await compileSolidityFiles(join(import.meta.dirname, '..', 'contracts'), ['AaveMocks.sol']);
  configurator = await anvil.deploy(artifacts.MockPoolConfigurator!, [reserves.map((r) => r.address)]);
  otherConfigurator = await anvil.deploy(artifacts.MockPoolConfigurator!, [[USDC]]);
  pool = await anvil.deploy(artifacts.MockPool!);
  umbrella = await anvil.deploy(artifacts.MockUmbrella!, [pool]);
})();
beforeAll(() => ready);
afterAll(async () => {
  await ready.catch(() => undefined);
  await anvil?.stop();
});

const abiOf = (name: string): Abi => artifacts[name]!.abi;
const build = (overrides: Partial<AaveV3AdapterConfig> = {}) =>
  createAdapter({
    chainId: 31337,
    rpcUrl: anvil.rpcUrl,
    pool,
    poolConfigurator: configurator,
    umbrella,
    reserves,
    confirmations: 1,
    ...overrides,
  });
const fromNow = async () => ({ startBlock: (await anvil.client.getBlockNumber()) + 1n });

describe('aave-v3: events', () => {
  it('declares every event with the topic0 of the reference table §10, in the adapter and the mocks', () => {
    const declared = [...poolConfiguratorAbi, ...poolAbi, ...umbrellaAbi];
    const mocks = [...abiOf('MockPoolConfigurator'), ...abiOf('MockPool'), ...abiOf('MockUmbrella')];
    for (const abi of [declared, mocks] as Abi[]) {
      for (const [name, value] of Object.entries(topic0)) {
        const item = abi.find((i) => i.type === 'event' && i.name === name);
        expect(item, name).toBeDefined();
        expect(toEventSelector(item as never), name).toBe(value);
      }
    }
  });
});

describe('aave-v3: scenarios', () => {
  it('a pool-wide pause (N ReservePaused in one tx) is ONE emergency_pause; unpausing is one resume', async () => {
    const adapter = build(await fromNow());
    const paused = await anvil.write(configurator, abiOf('MockPoolConfigurator'), 'setPoolPause', [true]);
    await anvil.write(configurator, abiOf('MockPoolConfigurator'), 'setPoolPause', [false]);
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(outputs).toHaveLength(2);
    expect(outputs[0]!.payload).toMatchObject({
      kind: 'emergency_pause',
      protocol: 'aave-v3',
      severity: 'critical',
      scope: { chain: 'eip155:31337', markets: ['USDC', 'WETH', 'WBTC'] },
    });
    const evidence = outputs[0]!.payload.evidence!;
    expect(evidence).toHaveLength(3);
    expect(evidence.every((e) => e.type === 'log' && e.txHash === paused.transactionHash)).toBe(true);
    expect(outputs[1]!.payload).toMatchObject({ kind: 'resume', severity: 'info' });
    for (const ref of evidence) expect(await adapter.verifyEvidence(ref)).toMatchObject({ ok: true });
  });

  it('freezing a reserve → market_frozen; unfreezing → resume', async () => {
    const adapter = build(await fromNow());
    await anvil.write(configurator, abiOf('MockPoolConfigurator'), 'setReserveFreeze', [WETH, true]);
    await anvil.write(configurator, abiOf('MockPoolConfigurator'), 'setReserveFreeze', [WETH, false]);
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(outputs.map((o) => [(o.payload as { kind?: string }).kind, o.payload.severity])).toEqual([
      ['market_frozen', 'medium'],
      ['resume', 'info'],
    ]);
    expect(outputs[0]!.payload).toMatchObject({
      scope: { assets: [{ address: WETH, symbol: 'WETH', decimals: 18 }] },
    });
  });

  it('a liquidation leaving a deficit → bad_debt_realized in debt-token units; Umbrella slash → ONE insurance_fund_deployed', async () => {
    const adapter = build(await fromNow());
    const user = '0x1111111111111111111111111111111111111111';
    await anvil.write(pool, abiOf('MockPool'), 'liquidateToDeficit', [
      WETH,
      USDC,
      user,
      5_000_000_000n,
      1_234_567_890n,
    ]);
    const slash = await anvil.write(umbrella, abiOf('MockUmbrella'), 'slash', [
      USDC,
      stake,
      1_000_000_000n,
      0n,
    ]);
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(outputs).toHaveLength(2);
    expect(outputs[0]!.payload).toMatchObject({
      kind: 'bad_debt_realized',
      mechanism: 'insolvent_liquidation',
      amounts: [
        { role: 'bad_debt', amount: { asset: { symbol: 'USDC', decimals: 6 }, value: '1234567890' } },
      ],
    });
    expect(outputs[1]!.payload).toMatchObject({
      kind: 'insurance_fund_deployed',
      mechanism: 'deficit_coverage',
      scope: { contracts: [pool, umbrella] },
      amounts: [{ role: 'insurance_fund_used', amount: { value: '1000000000' } }],
    });
    const refs = outputs[1]!.payload.evidence!;
    expect(refs.map((r) => (r.type === 'log' ? r.topic0 : ''))).toEqual([
      topic0.DeficitCovered,
      topic0.StakeTokenSlashed,
    ]);
    expect(refs.every((r) => r.type === 'log' && r.txHash === slash.transactionHash)).toBe(true);
    // deriveLoss re-reads each log from chain: the deficit is 1_234_567_890 USDC base units (the
    // amount passed to liquidateToDeficit above); the cover 1_000_000_000; the slash proves the kind only.
    const deficit = outputs[0]!.payload.evidence![0]!;
    expect(await adapter.deriveLoss!(deficit)).toEqual({
      ok: true,
      losses: [
        {
          kind: 'bad_debt_realized',
          amount: { asset: { chain: 'eip155:31337', ...reserves[0]! }, value: '1234567890' },
          derivation: 'aave-v3 DeficitCreated.amountCreated',
        },
      ],
    });
    expect(await adapter.deriveLoss!(refs[0]!)).toMatchObject({
      ok: true,
      losses: [{ kind: 'insurance_fund_deployed', amount: { value: '1000000000' } }],
    });
    expect(await adapter.deriveLoss!(refs[1]!)).toEqual({
      ok: true,
      losses: [{ kind: 'insurance_fund_deployed', amount: null, derivation: 'aave-v3 StakeTokenSlashed' }],
    });
    expect(
      await adapter.deriveLoss!({ ...deficit, txHash: `0x${'0d'.repeat(32)}` } as typeof deficit),
    ).toMatchObject({ ok: false, code: 'EVIDENCE_NOT_FOUND' });
  });

  it('accepts call evidence of getReserveDeficit at a block and refuses a forged result or an unknown view', async () => {
    const adapter = build();
    const block = await anvil.client.getBlock();
    const data = encodeFunctionData({ abi: poolAbi, functionName: 'getReserveDeficit', args: [USDC] });
    const result = (await anvil.client.call({ to: pool, data, blockNumber: block.number })).data!;
    const ref = {
      type: 'call' as const,
      chain: 'eip155:31337',
      blockNumber: Number(block.number),
      blockHash: block.hash,
      to: pool,
      data,
      result,
    };
    expect(await adapter.verifyEvidence(ref)).toMatchObject({
      ok: true,
      facts: { type: 'call', name: 'getReserveDeficit', contract: pool },
    });
    expect(await adapter.verifyEvidence({ ...ref, result: `0x${'00'.repeat(31)}07` })).toMatchObject({
      ok: false,
      code: 'EVIDENCE_RESULT_MISMATCH',
    });
    expect(await adapter.verifyEvidence({ ...ref, data: '0xdeadbeef' })).toMatchObject({
      ok: false,
      code: 'EVIDENCE_UNKNOWN_CALL',
    });
    expect(await adapter.verifyEvidence({ ...ref, to: umbrella })).toMatchObject({
      ok: false,
      code: 'EVIDENCE_WRONG_EMITTER',
    });
  });
});

describeAdapterCompliance('aave-v3', async () => {
  await ready;
  return {
    anvil,
    createAdapter: (overrides) => build(overrides),
    trigger: () => anvil.send(configurator, abiOf('MockPoolConfigurator'), 'setReserveFreeze', [WBTC, true]),
    triggerForeign: () =>
      anvil.send(otherConfigurator, abiOf('MockPoolConfigurator'), 'setReserveFreeze', [USDC, true]),
  };
});

describe('config errors', () => {
  it('any junk field → ADAPTER_CONFIG_INVALID, never another error', async () => {
    await ready;
    const valid = {
      chainId: 31337,
      rpcUrl: anvil.rpcUrl,
      pool,
      poolConfigurator: configurator,
      umbrella,
      reserves,
      confirmations: 1,
    };
    expect(() => createAdapter(valid)).not.toThrow();
    expect(expectConfigErrorsAreCoded(createAdapter as (c: object) => unknown, valid)).toBeGreaterThan(10);
  });
});
