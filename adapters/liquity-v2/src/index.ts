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
  failConfig,
  type LossInput,
  type LossRule,
  logKey,
  parseAddress,
  parseAssets,
  parseObjectList,
  type ScanContext,
  toCaip2,
} from '@sfr/adapter-kit';
import type { AbiEvent, AbiFunction } from 'viem';
import { borrowerOperationsAbi, priceFeedAbi, troveManagerAbi } from './abi.js';

export { borrowerOperationsAbi, priceFeedAbi, troveManagerAbi } from './abi.js';

type AssetConfig = { address: string; symbol: string; decimals: number };

export interface LiquityV2BranchConfig {
  /** branch name used in `scope.markets`, e.g. `WETH` */
  name: string;
  borrowerOperations: string;
  troveManager: string;
  priceFeed: string;
  collateral: AssetConfig;
}

export interface LiquityV2AdapterConfig extends ChainAdapterConfig {
  /** the BOLD token */
  bold: AssetConfig;
  branches: LiquityV2BranchConfig[];
}

const protocol = 'liquity-v2';
const pick = (abi: readonly unknown[], name: string) =>
  abi.find((i) => (i as { name?: string }).name === name);

/**
 * Liquity v2 adapter (spec/v1/adapters.md#liquity-v2): ShutDown → emergency_shutdown;
 * ShutDownFromOracleFailure → oracle_failure + emergency_shutdown; a Liquidation's split →
 * insurance_fund_deployed (debt offset by the Stability Pool) and loss_socialized (debt
 * redistributed to other troves).
 */
export function createAdapter(config: LiquityV2AdapterConfig): Adapter {
  assertChainConfig(config);
  const chain = toCaip2(config.chainId);
  const bold =
    parseAssets('bold', chain, config.bold === undefined ? undefined : [config.bold])[0] ??
    failConfig('bold', 'is required');
  const list = parseObjectList<LiquityV2BranchConfig>('branches', config.branches);
  if (list.length === 0) failConfig('branches', 'must be non-empty');
  const branches = list.map((b, i) => ({
    name: /^[a-zA-Z0-9][a-zA-Z0-9_./:-]{0,127}$/.test(String(b.name))
      ? b.name
      : failConfig(`branches[${i}].name`, 'must be a label'),
    borrowerOperations: parseAddress(`branches[${i}].borrowerOperations`, b.borrowerOperations),
    troveManager: parseAddress(`branches[${i}].troveManager`, b.troveManager),
    priceFeed: parseAddress(`branches[${i}].priceFeed`, b.priceFeed),
    collateral: parseAssets(`branches[${i}].collateral`, chain, [b.collateral])[0] as Asset,
  }));
  const branchOf = (address: string) => {
    const a = address.toLowerCase();
    return branches.find((b) =>
      [b.borrowerOperations, b.troveManager, b.priceFeed].some((x) => x.toLowerCase() === a),
    )!;
  };

  /** What one cited log proves (adapters.md#loss-derivation), the same kinds `mapLog` emits. */
  function deriveLoss(input: LossInput): LossRule[] {
    if (input.type === 'call') return [];
    const { eventName, args } = input.log;
    if (eventName === 'ShutDown') return [{ kind: 'emergency_shutdown', derivation: 'ShutDown' }];
    if (eventName === 'ShutDownFromOracleFailure')
      return [
        { kind: 'oracle_failure', derivation: 'ShutDownFromOracleFailure' },
        { kind: 'emergency_shutdown', derivation: 'ShutDownFromOracleFailure' },
      ];
    if (eventName !== 'Liquidation') return [];
    const out: LossRule[] = [];
    const offset = args['_debtOffsetBySP'] as bigint;
    const redistributed = args['_debtRedistributed'] as bigint;
    if (offset > 0n)
      out.push({
        kind: 'insurance_fund_deployed',
        amount: { asset: bold, value: offset },
        derivation: 'Liquidation._debtOffsetBySP',
      });
    if (redistributed > 0n)
      out.push({
        kind: 'loss_socialized',
        amount: { asset: bold, value: redistributed },
        derivation: 'Liquidation._debtRedistributed',
      });
    return out;
  }

  function mapLog(log: DecodedLog, ctx: ScanContext): AdapterOutput[] {
    const b = branchOf(log.address);
    const common = {
      occurredAt: log.timestamp,
      markets: [b.name],
      evidence: [log.ref],
    };
    if (log.eventName === 'ShutDown') {
      return [
        buildRecoveryEvent(ctx, {
          ...common,
          key: logKey(protocol, log.ref),
          kind: 'emergency_shutdown',
          severity: 'critical',
          contracts: [b.borrowerOperations, b.troveManager],
          assets: [b.collateral, bold],
          summary: `${b.name} branch shut down: TCR ${String(log.args['_tcr'])} (1e18) below SCR`,
        }),
      ];
    }
    if (log.eventName === 'ShutDownFromOracleFailure') {
      const oracle = String(log.args['_failedOracleAddr']);
      return [
        buildRecoveryEvent(ctx, {
          ...common,
          key: `${logKey(protocol, log.ref)}:oracle`,
          kind: 'oracle_failure',
          severity: 'critical',
          contracts: [b.priceFeed],
          assets: [b.collateral],
          mechanism: 'other',
          summary: `${b.name} price feed rejected oracle ${oracle} (stale or invalid); using lastGoodPrice`,
        }),
        buildRecoveryEvent(ctx, {
          ...common,
          key: `${logKey(protocol, log.ref)}:shutdown`,
          kind: 'emergency_shutdown',
          severity: 'critical',
          contracts: [b.priceFeed, b.borrowerOperations],
          assets: [b.collateral, bold],
          summary: `${b.name} branch shut down after an oracle failure`,
        }),
      ];
    }
    // Liquidation: the split between the Stability Pool offset and redistribution.
    const out: AdapterOutput[] = [];
    const offset = log.args['_debtOffsetBySP'] as bigint;
    const redistributed = log.args['_debtRedistributed'] as bigint;
    if (offset > 0n) {
      out.push(
        buildRecoveryEvent(ctx, {
          ...common,
          key: `${logKey(protocol, log.ref)}:offset`,
          kind: 'insurance_fund_deployed',
          severity: 'low',
          contracts: [b.troveManager],
          assets: [bold, b.collateral],
          amounts: [
            { role: 'debt_absorbed', amount: { asset: bold, value: offset.toString() } },
            {
              role: 'collateral_seized',
              amount: { asset: b.collateral, value: String(log.args['_collSentToSP']) },
            },
          ],
          summary: `Stability Pool offset ${offset} BOLD (1e18) of ${b.name} debt`,
        }),
      );
    }
    if (redistributed > 0n) {
      out.push(
        buildRecoveryEvent(ctx, {
          ...common,
          key: `${logKey(protocol, log.ref)}:redistribution`,
          kind: 'loss_socialized',
          severity: 'high',
          contracts: [b.troveManager],
          assets: [bold, b.collateral],
          mechanism: 'socialized_loss',
          amounts: [
            { role: 'socialized_loss', amount: { asset: bold, value: redistributed.toString() } },
            {
              role: 'collateral_seized',
              amount: { asset: b.collateral, value: String(log.args['_collRedistributed']) },
            },
          ],
          summary: `${redistributed} BOLD (1e18) of ${b.name} debt redistributed to other troves`,
        }),
      );
    }
    return out;
  }

  return createChainAdapter(
    {
      protocol,
      events: [
        {
          abi: pick(borrowerOperationsAbi, 'ShutDown') as AbiEvent,
          emitters: branches.map((b) => b.borrowerOperations),
        },
        {
          abi: pick(priceFeedAbi, 'ShutDownFromOracleFailure') as AbiEvent,
          emitters: branches.map((b) => b.priceFeed),
        },
        {
          abi: pick(troveManagerAbi, 'Liquidation') as AbiEvent,
          emitters: branches.map((b) => b.troveManager),
        },
      ],
      views: [
        {
          abi: pick(borrowerOperationsAbi, 'hasBeenShutDown') as AbiFunction,
          targets: branches.map((b) => b.borrowerOperations),
        },
      ],
      map: (logs, ctx) => logs.flatMap((log) => mapLog(log, ctx)),
      deriveLoss,
      exposure: () => ({
        contracts: branches.flatMap((b) => [b.borrowerOperations, b.troveManager, b.priceFeed]) as Address[],
        assets: [bold, ...branches.map((b) => b.collateral)],
        oracleFeeds: branches.map((b) => ({
          chain,
          address: b.priceFeed,
          asset: b.collateral,
          description: `${b.name} PriceFeed`,
        })),
        protocols: [{ protocol: 'chainlink', reason: 'collateral price feeds' }],
      }),
    },
    config,
  );
}
