import {
  type Adapter,
  type AdapterOutput,
  type Address,
  type AmountRole,
  type Asset,
  assertChainConfig,
  buildRecoveryEvent,
  type ChainAdapterConfig,
  createChainAdapter,
  type DecodedLog,
  findAsset,
  groupByTransaction,
  type LossInput,
  type LossRule,
  logKey,
  parseAddress,
  parseAssets,
  type RecoveryAmount,
  type ScanContext,
  toCaip2,
} from '@sfr/adapter-kit';
import type { AbiEvent, AbiFunction } from 'viem';
import { poolAbi, poolConfiguratorAbi, umbrellaAbi } from './abi.js';

export { poolAbi, poolConfiguratorAbi, umbrellaAbi } from './abi.js';

export interface AaveV3AdapterConfig extends ChainAdapterConfig {
  /** Pool proxy (emits DeficitCreated / DeficitCovered) */
  pool: string;
  /** PoolConfigurator proxy (emits ReservePaused / ReserveFrozen) */
  poolConfigurator: string;
  /** Umbrella (emits StakeTokenSlashed), when the market has one */
  umbrella?: string;
  /** the market's reserves: underlying token address, symbol, decimals */
  reserves?: { address: string; symbol: string; decimals: number }[];
  /** oracle (AaveOracle) the market prices with, reported in the exposure */
  oracle?: string;
}

const protocol = 'aave-v3';
/** Evidence and scope arrays are capped by the RecoveryEvent schema (maxItems 32 / 64). */
const maxEvidence = 32;
const maxAssets = 64;

function event(abi: readonly unknown[], name: string): AbiEvent {
  return abi.find((i) => (i as AbiEvent).type === 'event' && (i as AbiEvent).name === name) as AbiEvent;
}

/**
 * Aave v3 adapter (spec/v1/adapters.md#aave-v3): ReservePaused → emergency_pause (N in one
 * transaction = one pool-wide event) / resume; ReserveFrozen → market_frozen / resume;
 * DeficitCreated → bad_debt_realized; DeficitCovered and Umbrella StakeTokenSlashed →
 * insurance_fund_deployed (one event when both are in the same transaction).
 */
export function createAdapter(config: AaveV3AdapterConfig): Adapter {
  assertChainConfig(config);
  const chain = toCaip2(config.chainId);
  const pool = parseAddress('pool', config.pool);
  const configurator = parseAddress('poolConfigurator', config.poolConfigurator);
  const umbrella = config.umbrella === undefined ? undefined : parseAddress('umbrella', config.umbrella);
  const oracle = config.oracle === undefined ? undefined : parseAddress('oracle', config.oracle);
  const reserves = parseAssets('reserves', chain, config.reserves);

  const assetOf = (address: unknown) => findAsset(reserves, String(address));
  const marketOf = (address: unknown) => assetOf(address)?.symbol ?? String(address);
  const assetsOf = (logs: DecodedLog[], arg: string): Asset[] =>
    logs
      .map((l) => assetOf(l.args[arg]))
      .filter((a): a is Asset => a !== undefined)
      .slice(0, maxAssets);
  const amount = (role: AmountRole, address: unknown, value: unknown): RecoveryAmount[] => {
    const asset = assetOf(address);
    return asset === undefined ? [] : [{ role, amount: { asset, value: String(value) } }];
  };

  function mapPauses(group: DecodedLog[], ctx: ScanContext, out: AdapterOutput[]) {
    for (const pausedFlag of [true, false]) {
      const logs = group.filter((l) => l.eventName === 'ReservePaused' && l.args['paused'] === pausedFlag);
      if (logs.length === 0) continue;
      const first = logs[0]!;
      const poolWide = logs.length > 1;
      out.push(
        buildRecoveryEvent(ctx, {
          key: `${protocol}:${chain}:${first.txHash}:ReservePaused:${pausedFlag}`,
          kind: pausedFlag ? 'emergency_pause' : 'resume',
          severity: pausedFlag ? (poolWide ? 'critical' : 'high') : 'info',
          occurredAt: first.timestamp,
          contracts: [pool, configurator],
          markets: logs.map((l) => marketOf(l.args['asset'])).slice(0, maxAssets),
          assets: assetsOf(logs, 'asset'),
          mechanism: 'guardian',
          evidence: logs.slice(0, maxEvidence).map((l) => l.ref),
          summary: `${pausedFlag ? 'Paused' : 'Unpaused'} ${logs.length} reserve(s)${poolWide ? ' (pool-wide)' : ''}`,
        }),
      );
    }
  }

  function map(logs: DecodedLog[], ctx: ScanContext): AdapterOutput[] {
    const out: AdapterOutput[] = [];
    for (const group of groupByTransaction(logs)) {
      mapPauses(group, ctx, out);
      for (const log of group.filter((l) => l.eventName === 'ReserveFrozen')) {
        const frozen = log.args['frozen'] === true;
        out.push(
          buildRecoveryEvent(ctx, {
            key: logKey(protocol, log.ref),
            kind: frozen ? 'market_frozen' : 'resume',
            severity: frozen ? 'medium' : 'info',
            occurredAt: log.timestamp,
            contracts: [pool, configurator],
            markets: [marketOf(log.args['asset'])],
            assets: assetsOf([log], 'asset'),
            evidence: [log.ref],
            summary: `Reserve ${marketOf(log.args['asset'])} ${frozen ? 'frozen' : 'unfrozen'}`,
          }),
        );
      }
      for (const log of group.filter((l) => l.eventName === 'DeficitCreated')) {
        out.push(
          buildRecoveryEvent(ctx, {
            key: logKey(protocol, log.ref),
            kind: 'bad_debt_realized',
            severity: 'high',
            occurredAt: log.timestamp,
            contracts: [pool],
            markets: [marketOf(log.args['debtAsset'])],
            assets: assetsOf([log], 'debtAsset'),
            mechanism: 'insolvent_liquidation',
            amounts: amount('bad_debt', log.args['debtAsset'], log.args['amountCreated']),
            evidence: [log.ref],
            summary: `Deficit of ${String(log.args['amountCreated'])} ${marketOf(log.args['debtAsset'])} base units created`,
          }),
        );
      }
      const covered = group.filter((l) => l.eventName === 'DeficitCovered');
      const slashed = group.filter((l) => l.eventName === 'StakeTokenSlashed');
      const reservesTouched = new Set(
        [...covered, ...slashed].map((l) => String(l.args['reserve']).toLowerCase()),
      );
      for (const reserve of reservesTouched) {
        const cov = covered.filter((l) => String(l.args['reserve']).toLowerCase() === reserve);
        const sl = slashed.filter((l) => String(l.args['reserve']).toLowerCase() === reserve);
        const first = [...cov, ...sl].sort((a, b) => a.logIndex - b.logIndex)[0]!;
        // DeficitCovered carries the amount burned from the reserve's deficit; a lone slash carries its own.
        const total = (cov.length > 0 ? cov : sl).reduce(
          (sum, l) => sum + BigInt(String(l.args[cov.length > 0 ? 'amountCovered' : 'amount'])),
          0n,
        );
        out.push(
          buildRecoveryEvent(ctx, {
            key: `${protocol}:${chain}:${first.txHash}:cover:${reserve}`,
            kind: 'insurance_fund_deployed',
            severity: 'medium',
            occurredAt: first.timestamp,
            contracts: [pool, ...(umbrella === undefined ? [] : [umbrella])],
            markets: [marketOf(first.args['reserve'])],
            assets: assetsOf([first], 'reserve'),
            mechanism: 'deficit_coverage',
            amounts: amount('insurance_fund_used', first.args['reserve'], total),
            evidence: [...cov, ...sl].slice(0, maxEvidence).map((l) => l.ref),
            summary: `Deficit of ${marketOf(first.args['reserve'])} covered${sl.length > 0 ? ' by Umbrella slashing' : ''}`,
          }),
        );
      }
    }
    return out;
  }

  /** What one cited log proves (adapters.md#loss-derivation), the same kinds `map` emits. */
  function deriveLoss(input: LossInput): LossRule[] {
    if (input.type === 'call') return [];
    const { eventName, args } = input.log;
    const loss = (address: unknown, value: unknown) => {
      const asset = assetOf(address);
      return asset === undefined ? {} : { amount: { asset, value: BigInt(String(value)) } };
    };
    if (eventName === 'ReservePaused')
      return [{ kind: args['paused'] === true ? 'emergency_pause' : 'resume', derivation: 'ReservePaused' }];
    if (eventName === 'ReserveFrozen')
      return [{ kind: args['frozen'] === true ? 'market_frozen' : 'resume', derivation: 'ReserveFrozen' }];
    if (eventName === 'DeficitCreated')
      return [
        {
          kind: 'bad_debt_realized',
          ...loss(args['debtAsset'], args['amountCreated']),
          derivation: 'DeficitCreated.amountCreated',
        },
      ];
    if (eventName === 'DeficitCovered')
      return [
        {
          kind: 'insurance_fund_deployed',
          ...loss(args['reserve'], args['amountCovered']),
          derivation: 'DeficitCovered.amountCovered',
        },
      ];
    if (eventName === 'StakeTokenSlashed')
      return [{ kind: 'insurance_fund_deployed', derivation: 'StakeTokenSlashed' }];
    return [];
  }

  const coverEmitters = umbrella === undefined ? [] : [umbrella];
  return createChainAdapter(
    {
      protocol,
      events: [
        { abi: event(poolConfiguratorAbi, 'ReservePaused'), emitters: [configurator] },
        { abi: event(poolConfiguratorAbi, 'ReserveFrozen'), emitters: [configurator] },
        { abi: event(poolAbi, 'DeficitCreated'), emitters: [pool] },
        { abi: event(poolAbi, 'DeficitCovered'), emitters: [pool] },
        ...(coverEmitters.length > 0
          ? [{ abi: event(umbrellaAbi, 'StakeTokenSlashed'), emitters: coverEmitters }]
          : []),
      ],
      views: [
        {
          abi: poolAbi.find((i) => i.type === 'function' && i.name === 'getReserveDeficit') as AbiFunction,
          targets: [pool],
        },
      ],
      map,
      deriveLoss,
      exposure: () => ({
        contracts: [pool, configurator, ...(umbrella === undefined ? [] : [umbrella])] as Address[],
        assets: reserves,
        oracleFeeds: oracle === undefined ? [] : [{ chain, address: oracle, description: 'AaveOracle' }],
        protocols: [{ protocol: 'chainlink', reason: 'reserve prices (AaveOracle sources)' }],
      }),
    },
    config,
  );
}
