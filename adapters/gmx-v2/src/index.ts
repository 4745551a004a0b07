import {
  type Adapter,
  type AdapterOutput,
  type Address,
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
  parseObjectList,
  type RecoveryAmount,
  type ScanContext,
  toCaip2,
} from '@sfr/adapter-kit';
import {
  type AbiEvent,
  type AbiFunction,
  decodeAbiParameters,
  getAddress,
  type Hex,
  keccak256,
  toHex,
} from 'viem';
import { baseKeys, dataStoreAbi, eventEmitterAbi, gmxUsdDecimals, secondaryOrderTypeAdl } from './abi.js';
import { type EventLogData, getItem } from './eventData.js';

export { baseKeys, dataStoreAbi, eventEmitterAbi, gmxUsdDecimals, secondaryOrderTypeAdl } from './abi.js';
export { type EventLogData, getItem } from './eventData.js';

export interface GmxMarketConfig {
  /** the market token address */
  marketToken: string;
  /** display name used in `scope.markets`, e.g. `ETH/USD` */
  name?: string;
  indexToken?: { address: string; symbol: string; decimals: number };
}

export interface GmxV2AdapterConfig extends ChainAdapterConfig {
  /** the EventEmitter every GMX event is logged by */
  eventEmitter: string;
  /** DataStore, whose getBool(key) is accepted as call evidence */
  dataStore?: string;
  markets?: GmxMarketConfig[];
  /** tokens used as collateral (for amounts) */
  tokens?: { address: string; symbol: string; decimals: number }[];
}

const protocol = 'gmx-v2';
const featureKeys = new Map<string, string>(
  Object.entries(baseKeys)
    .filter(([name]) => name.endsWith('_FEATURE_DISABLED'))
    .map(([name, key]) => [key, name]),
);
const ev = (name: string) => eventEmitterAbi.find((i) => i.type === 'event' && i.name === name) as AbiEvent;

interface GmxState extends Record<string, unknown> {
  /** `<market>:<isLong>` → ADL enabled, as last reported by AdlStateUpdated */
  adl?: Record<string, boolean>;
}

/**
 * GMX v2 adapter (spec/v1/adapters.md#gmx-v2): EventEmitter logs decoded by event name and data
 * key. AdlStateUpdated → circuit_breaker_tripped / resume (edge-triggered per market side);
 * OrderExecuted with secondaryOrderType = Adl joined to its PositionDecrease → loss_socialized
 * (auto_deleveraging); InsolventClose → bad_debt_realized; SetBool on a *_FEATURE_DISABLED key →
 * emergency_pause / resume, on IS_MARKET_DISABLED → market_frozen / resume;
 * InsufficientFundingFeePayment → loss_socialized (funding_shortfall).
 */
export function createAdapter(config: GmxV2AdapterConfig): Adapter {
  assertChainConfig(config);
  const chain = toCaip2(config.chainId);
  const emitter = parseAddress('eventEmitter', config.eventEmitter);
  const dataStore = config.dataStore === undefined ? undefined : parseAddress('dataStore', config.dataStore);
  const markets = parseObjectList<GmxMarketConfig>('markets', config.markets, { optional: true }).map(
    (m, i) => ({
      marketToken: parseAddress(`markets[${i}].marketToken`, m.marketToken),
      name: typeof m.name === 'string' && m.name.length > 0 ? m.name : undefined,
      indexToken:
        m.indexToken === undefined
          ? undefined
          : parseAssets(`markets[${i}].indexToken`, chain, [m.indexToken])[0],
    }),
  );
  const tokens = parseAssets('tokens', chain, config.tokens);
  const marketOf = (address: string) =>
    markets.find((m) => m.marketToken.toLowerCase() === address.toLowerCase());
  const marketLabel = (address: string) => marketOf(address)?.name ?? getAddress(address);
  const topicAddress = (topic: Hex | undefined): string =>
    topic === undefined ? '0x' : `0x${topic.slice(26)}`;
  const dataOf = (log: Pick<DecodedLog, 'args'>) => log.args['eventData'] as EventLogData;
  const nameOf = (log: Pick<DecodedLog, 'args'>) => String(log.args['eventName']);

  function mapAdlState(log: DecodedLog, ctx: ScanContext, state: GmxState): AdapterOutput | undefined {
    const data = dataOf(log);
    const market = getAddress(topicAddress(log.topics[2]));
    const isLong = getItem<boolean>(data, 'boolItems', 'isLong') === true;
    const enabled = getItem<boolean>(data, 'boolItems', 'shouldEnableAdl') === true;
    const id = `${market}:${isLong}`;
    const before = state.adl?.[id];
    state.adl = { ...state.adl, [id]: enabled };
    if (before === enabled || (before === undefined && !enabled)) return undefined;
    const side = isLong ? 'long' : 'short';
    return buildRecoveryEvent(ctx, {
      key: logKey(protocol, log.ref),
      kind: enabled ? 'circuit_breaker_tripped' : 'resume',
      severity: enabled ? 'high' : 'info',
      occurredAt: log.timestamp,
      contracts: [emitter],
      markets: [marketLabel(market)],
      evidence: [log.ref],
      summary: `ADL ${enabled ? 'enabled' : 'disabled'} for ${side}s of ${marketLabel(market)} (pnlToPoolFactor ${String(getItem(data, 'intItems', 'pnlToPoolFactor'))}, 1e30)`,
    });
  }

  function mapAdlOrder(order: DecodedLog, group: DecodedLog[], ctx: ScanContext): AdapterOutput {
    const orderKey = getItem<Hex>(dataOf(order), 'bytes32Items', 'key');
    const decrease = group.find(
      (l) =>
        nameOf(l) === 'PositionDecrease' && getItem<Hex>(dataOf(l), 'bytes32Items', 'orderKey') === orderKey,
    );
    const d = decrease === undefined ? undefined : dataOf(decrease);
    const marketAddress = d === undefined ? undefined : getItem<string>(d, 'addressItems', 'market');
    const market = marketAddress === undefined ? undefined : marketOf(marketAddress);
    const sizeDeltaUsd = d === undefined ? undefined : getItem<bigint>(d, 'uintItems', 'sizeDeltaUsd');
    const sizeDeltaInTokens =
      d === undefined ? undefined : getItem<bigint>(d, 'uintItems', 'sizeDeltaInTokens');
    const amounts: RecoveryAmount[] =
      market?.indexToken !== undefined && sizeDeltaInTokens !== undefined && sizeDeltaUsd !== undefined
        ? [
            {
              role: 'deleveraged_notional',
              amount: { asset: market.indexToken, value: sizeDeltaInTokens.toString() },
              usdValue: { value: sizeDeltaUsd.toString(), decimals: gmxUsdDecimals },
            },
          ]
        : [];
    return buildRecoveryEvent(ctx, {
      key: logKey(protocol, order.ref),
      kind: 'loss_socialized',
      severity: 'high',
      occurredAt: order.timestamp,
      contracts: [emitter],
      ...(marketAddress === undefined ? {} : { markets: [marketLabel(marketAddress)] }),
      ...(market?.indexToken === undefined ? {} : { assets: [market.indexToken] }),
      mechanism: 'auto_deleveraging',
      amounts,
      evidence: decrease === undefined ? [order.ref] : [decrease.ref, order.ref],
      summary: `ADL order ${orderKey ?? ''} executed${marketAddress === undefined ? '' : ` on ${marketLabel(marketAddress)}`}`,
    });
  }

  function mapInsolventClose(log: DecodedLog, group: DecodedLog[], ctx: ScanContext): AdapterOutput {
    const data = dataOf(log);
    const orderKey = getItem<Hex>(data, 'bytes32Items', 'orderKey');
    const decrease = group.find(
      (l) =>
        nameOf(l) === 'PositionDecrease' && getItem<Hex>(dataOf(l), 'bytes32Items', 'orderKey') === orderKey,
    );
    const marketAddress =
      decrease === undefined ? undefined : getItem<string>(dataOf(decrease), 'addressItems', 'market');
    const collateral =
      decrease === undefined
        ? undefined
        : getItem<string>(dataOf(decrease), 'addressItems', 'collateralToken');
    const collateralAsset: Asset | undefined =
      collateral === undefined ? undefined : findAsset(tokens, collateral);
    const remainingCostUsd = getItem<bigint>(data, 'uintItems', 'remainingCostUsd') ?? 0n;
    const step = getItem<string>(data, 'stringItems', 'step') ?? 'unknown';
    return buildRecoveryEvent(ctx, {
      key: logKey(protocol, log.ref),
      kind: 'bad_debt_realized',
      severity: 'high',
      occurredAt: log.timestamp,
      contracts: [emitter],
      ...(marketAddress === undefined ? {} : { markets: [marketLabel(marketAddress)] }),
      ...(collateralAsset === undefined ? {} : { assets: [collateralAsset] }),
      mechanism: 'insolvent_liquidation',
      evidence: decrease === undefined ? [log.ref] : [log.ref, decrease.ref],
      summary: `Insolvent close at step ${step}: ${remainingCostUsd} (1e30 USD) of costs left to the pool`,
    });
  }

  function mapSetBool(log: DecodedLog, ctx: ScanContext): AdapterOutput | undefined {
    const data = dataOf(log);
    const baseKey = (getItem<Hex>(data, 'bytes32Items', 'baseKey') ?? '0x').toLowerCase();
    const value = getItem<boolean>(data, 'boolItems', 'value') === true;
    const raw = getItem<Hex>(data, 'bytesItems', 'data') ?? '0x';
    if (baseKey === baseKeys.IS_MARKET_DISABLED) {
      let market: string | undefined;
      try {
        market = raw.length === 66 ? decodeAbiParameters([{ type: 'address' }], raw)[0] : undefined;
      } catch {
        market = undefined;
      }
      return buildRecoveryEvent(ctx, {
        key: logKey(protocol, log.ref),
        kind: value ? 'market_frozen' : 'resume',
        severity: value ? 'medium' : 'info',
        occurredAt: log.timestamp,
        contracts: [emitter],
        ...(market === undefined ? {} : { markets: [marketLabel(market)] }),
        mechanism: 'governance',
        evidence: [log.ref],
        summary: `Market ${market === undefined ? '(unknown)' : marketLabel(market)} ${value ? 'disabled' : 'enabled'}`,
      });
    }
    const feature = featureKeys.get(baseKey);
    if (feature === undefined) return undefined;
    return buildRecoveryEvent(ctx, {
      key: logKey(protocol, log.ref),
      kind: value ? 'emergency_pause' : 'resume',
      severity: value ? 'high' : 'info',
      occurredAt: log.timestamp,
      contracts: [emitter],
      markets: [feature.toLowerCase()],
      mechanism: 'governance',
      evidence: [log.ref],
      summary: `${feature} set to ${value}`,
    });
  }

  function mapFundingShortfall(log: DecodedLog, ctx: ScanContext): AdapterOutput {
    const data = dataOf(log);
    const market = getItem<string>(data, 'addressItems', 'market') ?? topicAddress(log.topics[2]);
    const token = getItem<string>(data, 'addressItems', 'token');
    const asset = token === undefined ? undefined : findAsset(tokens, token);
    const expected = getItem<bigint>(data, 'uintItems', 'expectedAmount') ?? 0n;
    const paid = getItem<bigint>(data, 'uintItems', 'amountPaidInCollateralToken') ?? 0n;
    const paidSecondary = getItem<bigint>(data, 'uintItems', 'amountPaidInSecondaryOutputToken') ?? 0n;
    // The secondary output token is another token: the shortfall in `token` is only certain when it paid nothing.
    const shortfall = paidSecondary === 0n && expected > paid ? expected - paid : undefined;
    return buildRecoveryEvent(ctx, {
      key: logKey(protocol, log.ref),
      kind: 'loss_socialized',
      severity: 'low',
      occurredAt: log.timestamp,
      contracts: [emitter],
      markets: [marketLabel(market)],
      ...(asset === undefined ? {} : { assets: [asset] }),
      mechanism: 'funding_shortfall',
      amounts:
        asset === undefined || shortfall === undefined
          ? []
          : [{ role: 'loss', amount: { asset, value: shortfall.toString() } }],
      evidence: [log.ref],
      summary: `Funding fee of ${expected} paid ${paid} in collateral and ${paidSecondary} in the secondary token on ${marketLabel(market)}`,
    });
  }

  /**
   * What one cited log proves (adapters.md#loss-derivation), the kinds `map` emits. The loss of an
   * insolvent close is its `remainingCostUsd` (USD, 1e30); of an ADL order, the profit its
   * PositionDecrease was cut by, `uncappedBasePnlUsd − basePnlUsd` (USD, 1e30), when positive; the
   * PositionDecrease joined to either proves the kind only, so a loss is counted once.
   */
  function deriveLoss(input: LossInput): LossRule[] {
    if (input.type === 'call') return [];
    const log = input.log;
    const name = nameOf(log);
    const data = dataOf(log);
    const usd = (value: bigint) => ({ usd: { value, decimals: gmxUsdDecimals } });
    const decreaseOf = (orderKey: Hex | undefined) =>
      input.txLogs.find(
        (l) =>
          nameOf(l) === 'PositionDecrease' &&
          getItem<Hex>(dataOf(l), 'bytes32Items', 'orderKey') === orderKey,
      );
    const isAdl = (l: Pick<DecodedLog, 'args' | 'eventName'>) =>
      nameOf(l) === 'OrderExecuted' &&
      l.eventName === 'EventLog2' &&
      getItem<bigint>(dataOf(l), 'uintItems', 'secondaryOrderType') === secondaryOrderTypeAdl;
    if (name === 'InsolventClose') {
      const cost = getItem<bigint>(data, 'uintItems', 'remainingCostUsd') ?? 0n;
      return [
        {
          kind: 'bad_debt_realized',
          ...(cost > 0n ? { amount: usd(cost) } : {}),
          derivation: 'InsolventClose.remainingCostUsd',
        },
      ];
    }
    if (isAdl(log)) {
      const d = decreaseOf(getItem<Hex>(data, 'bytes32Items', 'key'));
      // Both fields must be there: a PositionDecrease without `uncappedBasePnlUsd` records no cut.
      const uncapped =
        d === undefined ? undefined : getItem<bigint>(dataOf(d), 'intItems', 'uncappedBasePnlUsd');
      const capped = d === undefined ? undefined : getItem<bigint>(dataOf(d), 'intItems', 'basePnlUsd');
      const cut = uncapped === undefined || capped === undefined ? 0n : uncapped - capped;
      return [
        {
          kind: 'loss_socialized',
          ...(cut > 0n ? { amount: usd(cut) } : {}),
          derivation: 'PositionDecrease.uncappedBasePnlUsd - basePnlUsd',
        },
      ];
    }
    if (name === 'PositionDecrease') {
      const key = getItem<Hex>(data, 'bytes32Items', 'orderKey');
      const joined = input.txLogs.find(
        (l) =>
          (nameOf(l) === 'InsolventClose' && getItem<Hex>(dataOf(l), 'bytes32Items', 'orderKey') === key) ||
          (isAdl(l) && getItem<Hex>(dataOf(l), 'bytes32Items', 'key') === key),
      );
      if (joined === undefined) return [];
      const kind = nameOf(joined) === 'InsolventClose' ? 'bad_debt_realized' : 'loss_socialized';
      return [{ kind, derivation: 'PositionDecrease' }];
    }
    if (name === 'SetBool' && log.eventName === 'EventLog1') {
      const baseKey = (getItem<Hex>(data, 'bytes32Items', 'baseKey') ?? '0x').toLowerCase();
      const value = getItem<boolean>(data, 'boolItems', 'value') === true;
      if (baseKey === baseKeys.IS_MARKET_DISABLED)
        return [{ kind: value ? 'market_frozen' : 'resume', derivation: 'SetBool IS_MARKET_DISABLED' }];
      if (featureKeys.has(baseKey))
        return [
          { kind: value ? 'emergency_pause' : 'resume', derivation: `SetBool ${featureKeys.get(baseKey)}` },
        ];
      return [];
    }
    if (name === 'AdlStateUpdated' && log.eventName === 'EventLog1') {
      const enabled = getItem<boolean>(data, 'boolItems', 'shouldEnableAdl') === true;
      return [{ kind: enabled ? 'circuit_breaker_tripped' : 'resume', derivation: 'AdlStateUpdated' }];
    }
    if (name === 'InsufficientFundingFeePayment') {
      const token = getItem<string>(data, 'addressItems', 'token');
      const asset = token === undefined ? undefined : findAsset(tokens, token);
      const expected = getItem<bigint>(data, 'uintItems', 'expectedAmount') ?? 0n;
      const paid = getItem<bigint>(data, 'uintItems', 'amountPaidInCollateralToken') ?? 0n;
      const paidSecondary = getItem<bigint>(data, 'uintItems', 'amountPaidInSecondaryOutputToken') ?? 0n;
      const certain = asset !== undefined && paidSecondary === 0n && expected > paid;
      return [
        {
          kind: 'loss_socialized',
          ...(certain ? { amount: { asset, value: expected - paid } } : {}),
          derivation: 'InsufficientFundingFeePayment.expectedAmount - amountPaidInCollateralToken',
        },
      ];
    }
    return [];
  }

  function map(logs: DecodedLog[], ctx: ScanContext, state: GmxState): AdapterOutput[] {
    const out: AdapterOutput[] = [];
    for (const group of groupByTransaction(logs)) {
      for (const log of group) {
        const name = nameOf(log);
        let output: AdapterOutput | undefined;
        if (name === 'AdlStateUpdated' && log.eventName === 'EventLog1')
          output = mapAdlState(log, ctx, state);
        else if (name === 'OrderExecuted' && log.eventName === 'EventLog2') {
          const type = getItem<bigint>(dataOf(log), 'uintItems', 'secondaryOrderType');
          if (type === secondaryOrderTypeAdl) output = mapAdlOrder(log, group, ctx);
        } else if (name === 'InsolventClose') output = mapInsolventClose(log, group, ctx);
        else if (name === 'SetBool' && log.eventName === 'EventLog1') output = mapSetBool(log, ctx);
        else if (name === 'InsufficientFundingFeePayment' && log.eventName === 'EventLog1') {
          output = mapFundingShortfall(log, ctx);
        }
        if (output !== undefined) out.push(output);
      }
    }
    return out;
  }

  return createChainAdapter<GmxState>(
    {
      protocol,
      events: [
        { abi: ev('EventLog'), emitters: [emitter] },
        { abi: ev('EventLog1'), emitters: [emitter] },
        { abi: ev('EventLog2'), emitters: [emitter] },
      ],
      // topic1 = keccak256(eventName): only fetch the names this adapter maps (PositionDecrease for the joins)
      topicFilter: [
        [
          'PositionDecrease',
          'AdlStateUpdated',
          'InsolventClose',
          'OrderExecuted',
          'SetBool',
          'InsufficientFundingFeePayment',
        ].map((n) => keccak256(toHex(n))),
      ],
      views: dataStore === undefined ? [] : [{ abi: dataStoreAbi[0] as AbiFunction, targets: [dataStore] }],
      map,
      deriveLoss,
      exposure: () => ({
        contracts: [emitter, ...(dataStore === undefined ? [] : [dataStore])] as Address[],
        assets: [...markets.flatMap((m) => (m.indexToken === undefined ? [] : [m.indexToken])), ...tokens],
        oracleFeeds: [],
        protocols: [
          { protocol: 'chainlink', reason: 'Chainlink Data Streams / price feeds for the GMX oracle' },
        ],
      }),
    },
    config,
  );
}
