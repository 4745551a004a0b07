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
import { aggregatorAbi, type ChainlinkAdapterConfig, createAdapter } from '../src/index.js';

// values from shared/reference/protocol-events.md §10
const topic0 = {
  AnswerUpdated: '0x0559884fd3a460db3073b7fc896cc77986f16e378210ded43186175bf646fc5f',
  NewRound: '0x0109fc6f55cf40689f02fbaad7af7fe7bbac8a3d2186600afc7d3e10cac60271',
};
const WETH = { address: '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2', symbol: 'WETH', decimals: 18 };
const HIGH = 2_000n * 10n ** 8n;
const LOW = 1_000n * 10n ** 8n;

let anvil: AnvilInstance;
let mock: CompiledContract;
let ethFeed: Address;
let staleFeed: Address;
let otherFeed: Address;
let sequencerFeed: Address;

const ready = (async () => {
  anvil = await startAnvil();
  mock = (await compileSolidityFiles(join(import.meta.dirname, '..', 'contracts'), ['MockAggregator.sol']))
    .MockAggregator!;
  ethFeed = await anvil.deploy(mock, [8, HIGH]);
  staleFeed = await anvil.deploy(mock, [8, HIGH]);
  otherFeed = await anvil.deploy(mock, [8, HIGH]);
  sequencerFeed = await anvil.deploy(mock, [0, 0n]);
})();
beforeAll(() => ready);
afterAll(async () => {
  await ready.catch(() => undefined);
  await anvil?.stop();
});

const day = 86_400;
const build = (overrides: Partial<ChainlinkAdapterConfig> = {}) =>
  createAdapter({
    chainId: 31337,
    rpcUrl: anvil.rpcUrl,
    protocol: 'example-lending',
    feeds: [
      {
        address: ethFeed,
        description: 'ETH / USD',
        asset: WETH,
        heartbeatSeconds: 10 * day,
        deviationBps: 500,
      },
    ],
    confirmations: 1,
    ...overrides,
  });
const fromNow = async () => ({ startBlock: (await anvil.client.getBlockNumber()) + 1n });
const shape = (outputs: { type: string; payload: unknown }[]) =>
  outputs.map((o) => {
    const p = o.payload as { kind?: string; mechanism?: string; indicator?: string; severity: string };
    return o.type === 'RecoveryEvent' ? [p.kind, p.mechanism, p.severity] : [p.indicator, p.severity];
  });

describe('chainlink: events', () => {
  it('declares AnswerUpdated / NewRound with the topic0 of the reference table §10, in the adapter and the mock', () => {
    for (const abi of [aggregatorAbi, mock.abi] as Abi[]) {
      for (const [name, value] of Object.entries(topic0)) {
        const item = abi.find((i) => i.type === 'event' && i.name === name);
        expect(item, name).toBeDefined();
        expect(toEventSelector(item as never), name).toBe(value);
      }
    }
  });
});

describe('chainlink: scenarios', () => {
  it('a deviating answer → oracle_failure (deviation) and an oracle_deviation alert about the asset', async () => {
    const adapter = build(await fromNow());
    await anvil.write(ethFeed, mock.abi, 'flip', [HIGH, LOW]);
    await anvil.write(ethFeed, mock.abi, 'updateAnswer', [LOW + LOW / 100n]); // +1 %: under the threshold
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(shape(outputs)).toEqual([
      ['oracle_failure', 'deviation', 'high'],
      ['oracle_deviation', 'high'],
    ]);
    expect(outputs[1]!.payload).toMatchObject({
      subject: { kind: 'asset', address: WETH.address, name: 'WETH' },
      metrics: { deviationBps: 5000, answer: LOW.toString(), previousAnswer: HIGH.toString() },
    });
    await anvil.write(ethFeed, mock.abi, 'updateAnswer', [HIGH]);
  });

  it('a stale feed → ONE oracle_failure (stale) + stale_oracle alert with call evidence; a fresh answer → resume', async () => {
    const store = createMemoryCursorStore();
    const feeds = [{ address: staleFeed, description: 'BTC / USD', asset: WETH, heartbeatSeconds: 3_600 }];
    const adapter = build({ ...(await fromNow()), feeds, cursorStore: store });
    expect(await drainAdapter(adapter)).toEqual([]);
    await anvil.increaseTime(3_600 + 60);
    await anvil.mine(1);
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(shape(outputs)).toEqual([
      ['oracle_failure', 'stale', 'high'],
      ['stale_oracle', 'high'],
    ]);
    const ref = outputs[0]!.payload.evidence![0]!;
    expect(ref).toMatchObject({ type: 'call', to: staleFeed, signature: 'latestRoundData()' });
    expect(await adapter.verifyEvidence(ref)).toMatchObject({ ok: true, facts: { name: 'latestRoundData' } });
    await anvil.mine(2);
    const restarted = build({ feeds, cursorStore: store });
    expect(await drainAdapter(restarted)).toEqual([]);
    await anvil.write(staleFeed, mock.abi, 'updateAnswer', [HIGH]);
    expect(shape(await drainAdapter(restarted))).toEqual([['resume', undefined, 'info']]);
  });

  it('an answer ≤ 0 → oracle_failure (invalid_answer, critical) and an invalid_oracle_answer alert', async () => {
    const adapter = build(await fromNow());
    await drainAdapter(adapter);
    await anvil.write(ethFeed, mock.abi, 'updateAnswer', [0n]);
    const outputs = await drainAdapter(adapter);
    expectValidOutputs(outputs);
    expect(shape(outputs)).toEqual([
      ['oracle_failure', 'invalid_answer', 'critical'],
      ['invalid_oracle_answer', 'critical'],
    ]);
    await anvil.write(ethFeed, mock.abi, 'updateAnswer', [HIGH]);
    expect(shape(await drainAdapter(adapter))).toEqual([['resume', undefined, 'info']]);
  });

  it('the L2 sequencer uptime feed: down → oracle_failure (sequencer_down) + chain alert; up → resume only after the grace period', async () => {
    const adapter = build({
      ...(await fromNow()),
      feeds: [],
      sequencerFeed: { address: sequencerFeed, gracePeriodSeconds: 600 },
    });
    expect(await drainAdapter(adapter)).toEqual([]);
    await anvil.write(sequencerFeed, mock.abi, 'updateAnswer', [1n]);
    const down = await drainAdapter(adapter);
    expectValidOutputs(down);
    expect(shape(down)).toEqual([
      ['oracle_failure', 'sequencer_down', 'critical'],
      ['sequencer_down', 'critical'],
    ]);
    expect(down[1]!.payload).toMatchObject({ subject: { kind: 'chain', chain: 'eip155:31337' } });
    await anvil.write(sequencerFeed, mock.abi, 'updateAnswer', [0n]);
    expect(await drainAdapter(adapter)).toEqual([]);
    await anvil.increaseTime(601);
    await anvil.mine(1);
    const up = await drainAdapter(adapter);
    expectValidOutputs(up);
    expect(shape(up)).toEqual([['resume', undefined, 'info']]);
  });

  it('reports the feeds and the priced assets as its exposure', () => {
    const profile = build({ sequencerFeed: { address: sequencerFeed } }).exposure();
    expect(profile.oracleFeeds.map((f) => f.address)).toEqual([ethFeed, sequencerFeed]);
    expect(profile.subjects).toContainEqual({
      kind: 'oracle_feed',
      chain: 'eip155:31337',
      address: ethFeed,
      name: 'ETH / USD',
    });
    expect(profile.subjects).toContainEqual({
      kind: 'asset',
      chain: 'eip155:31337',
      address: WETH.address,
      name: 'WETH',
    });
  });
});

describeAdapterCompliance('chainlink', async () => {
  await ready;
  return {
    anvil,
    createAdapter: (overrides) => build(overrides),
    trigger: () => anvil.send(ethFeed, mock.abi, 'flip', [HIGH, LOW]),
    triggerForeign: () => anvil.send(otherFeed, mock.abi, 'flip', [HIGH, LOW]),
  };
});

describe('config errors', () => {
  it('any junk field → ADAPTER_CONFIG_INVALID, never another error', async () => {
    await ready;
    const valid = {
      chainId: 31337,
      rpcUrl: anvil.rpcUrl,
      protocol: 'example-lending',
      feeds: [
        {
          address: ethFeed,
          description: 'ETH / USD',
          asset: WETH,
          heartbeatSeconds: 10 * day,
          deviationBps: 500,
        },
      ],
      sequencerFeed: { address: sequencerFeed, gracePeriodSeconds: 60 },
      confirmations: 1,
    };
    expect(() => createAdapter(valid)).not.toThrow();
    expect(expectConfigErrorsAreCoded(createAdapter as (c: object) => unknown, valid)).toBeGreaterThan(10);
  });
});
