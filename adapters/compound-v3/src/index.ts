import {
  type Adapter,
  type AdapterOutput,
  assertChainConfig,
  buildRecoveryEvent,
  type ChainAdapterConfig,
  createChainAdapter,
  type DecodedLog,
  failConfig,
  type LossInput,
  type LossRule,
  logKey,
  parseAddress,
  parseAssets,
  type ScanContext,
  toCaip2,
} from '@sfr/adapter-kit';
import type { AbiEvent, AbiFunction } from 'viem';
import { cometAbi, cometUsdDecimals } from './abi.js';

export { cometAbi, cometUsdDecimals } from './abi.js';

export interface CompoundV3AdapterConfig extends ChainAdapterConfig {
  /** the market's Comet proxy */
  comet: string;
  /** market name for `scope.markets`, e.g. `cUSDCv3` */
  market?: string;
  /** the market's base token */
  baseAsset: { address: string; symbol: string; decimals: number };
  collaterals?: { address: string; symbol: string; decimals: number }[];
  /** Chainlink feeds the market prices with (exposure) */
  priceFeeds?: string[];
}

const protocol = 'compound-v3';
const pauseFlags = ['supplyPaused', 'transferPaused', 'withdrawPaused', 'absorbPaused', 'buyPaused'] as const;

const item = (name: string) => cometAbi.find((i) => 'name' in i && i.name === name)!;

/**
 * Compound v3 (Comet) adapter (spec/v1/adapters.md#compound-v3): PauseAction is the full pause
 * state (any flag → emergency_pause, none → resume); AbsorbDebt → insurance_fund_deployed (reserves
 * absorb the debt; usdValue 1e8); getReserves() < 0 → bad_debt_realized with call evidence.
 */
export function createAdapter(config: CompoundV3AdapterConfig): Adapter {
  assertChainConfig(config);
  const chain = toCaip2(config.chainId);
  const comet = parseAddress('comet', config.comet);
  const base =
    parseAssets('baseAsset', chain, config.baseAsset === undefined ? undefined : [config.baseAsset])[0] ??
    failConfig('baseAsset', 'is required');
  const collaterals = parseAssets('collaterals', chain, config.collaterals);
  const feeds = (config.priceFeeds ?? []).map((f, i) => parseAddress(`priceFeeds[${i}]`, f));
  const market = config.market ?? base.symbol;

  function mapPause(log: DecodedLog, ctx: ScanContext): AdapterOutput {
    const paused = pauseFlags.filter((f) => log.args[f] === true);
    const actions = paused.map((f) => f.replace('Paused', ''));
    return buildRecoveryEvent(ctx, {
      key: logKey(protocol, log.ref),
      kind: paused.length > 0 ? 'emergency_pause' : 'resume',
      severity: paused.length === pauseFlags.length ? 'critical' : paused.length > 0 ? 'high' : 'info',
      occurredAt: log.timestamp,
      contracts: [comet],
      markets: [market],
      assets: [base],
      mechanism: 'guardian',
      evidence: [log.ref],
      summary: paused.length > 0 ? `${market} paused: ${actions.join(', ')}` : `${market} fully unpaused`,
    });
  }

  function mapAbsorb(log: DecodedLog, ctx: ScanContext): AdapterOutput {
    return buildRecoveryEvent(ctx, {
      key: logKey(protocol, log.ref),
      kind: 'insurance_fund_deployed',
      severity: 'medium',
      occurredAt: log.timestamp,
      contracts: [comet],
      markets: [market],
      assets: [base],
      amounts: [
        {
          role: 'debt_absorbed',
          amount: { asset: base, value: String(log.args['basePaidOut']) },
          usdValue: { value: String(log.args['usdValue']), decimals: cometUsdDecimals },
        },
      ],
      evidence: [log.ref],
      summary: `${market} reserves absorbed the debt of ${String(log.args['borrower'])}`,
    });
  }

  /** What one cited log or call proves (adapters.md#loss-derivation), the same kinds `map` and `probe` emit. */
  function deriveLoss(input: LossInput): LossRule[] {
    if (input.type === 'call') {
      if (input.name !== 'getReserves' || typeof input.result !== 'bigint' || input.result >= 0n) return [];
      return [
        {
          kind: 'bad_debt_realized',
          amount: { asset: base, value: -input.result },
          derivation: 'getReserves() < 0',
        },
      ];
    }
    const { eventName, args } = input.log;
    if (eventName === 'PauseAction')
      return [
        {
          kind: pauseFlags.some((f) => args[f] === true) ? 'emergency_pause' : 'resume',
          derivation: 'PauseAction',
        },
      ];
    if (eventName === 'AbsorbDebt')
      return [
        {
          kind: 'insurance_fund_deployed',
          amount: { asset: base, value: args['basePaidOut'] as bigint },
          derivation: 'AbsorbDebt.basePaidOut',
        },
      ];
    return [];
  }

  return createChainAdapter<{ reservesNegative: boolean }>(
    {
      protocol,
      events: [
        { abi: item('PauseAction') as AbiEvent, emitters: [comet] },
        { abi: item('AbsorbDebt') as AbiEvent, emitters: [comet] },
      ],
      views: [
        { abi: item('getReserves') as AbiFunction, targets: [comet] },
        { abi: item('isSupplyPaused') as AbiFunction, targets: [comet] },
      ],
      map: (logs, ctx) =>
        logs.map((log) => (log.eventName === 'PauseAction' ? mapPause(log, ctx) : mapAbsorb(log, ctx))),
      async probe(ctx, state) {
        const read = await ctx.readView<bigint>(item('getReserves') as AbiFunction, comet);
        const negative = read.value < 0n;
        const outputs: AdapterOutput[] = [];
        // Edge-triggered: report when reserves turn negative, not on every poll while they stay so.
        if (negative && state.reservesNegative !== true) {
          outputs.push(
            buildRecoveryEvent(ctx, {
              key: `${protocol}:${chain}:${comet}:reserves-negative:${ctx.block.number}`,
              kind: 'bad_debt_realized',
              severity: 'critical',
              occurredAt: ctx.block.timestamp,
              contracts: [comet],
              markets: [market],
              assets: [base],
              mechanism: 'insolvent_liquidation',
              amounts: [{ role: 'bad_debt', amount: { asset: base, value: (-read.value).toString() } }],
              evidence: [read.ref],
              summary: `${market} reserves are negative (${read.value} base units): bad debt exceeds reserves`,
            }),
          );
        }
        return { outputs, state: { reservesNegative: negative } };
      },
      deriveLoss,
      exposure: () => ({
        contracts: [comet],
        assets: [base, ...collaterals],
        oracleFeeds: feeds.map((address) => ({ chain, address })),
        protocols: feeds.length > 0 ? [{ protocol: 'chainlink', reason: 'price feeds' }] : [],
      }),
    },
    config,
  );
}
