import {
  type Adapter,
  type AdapterOutput,
  type Address,
  assertChainConfig,
  buildRecoveryEvent,
  type ChainAdapterConfig,
  createChainAdapter,
  failConfig,
  logKey,
  parseAddress,
  parseObjectList,
  type Severity,
} from '@sfr/adapter-kit';
import type { AbiEvent, AbiFunction } from 'viem';
import { pausableAbi } from './abi.js';

export { pausableAbi } from './abi.js';

export interface PausableContractConfig {
  address: string;
  /** market or component name reported in `scope.markets` */
  name?: string;
}

export interface PausableAdapterConfig extends ChainAdapterConfig {
  /** the protocol slug the events are reported under (this adapter is generic) */
  protocol: string;
  contracts: PausableContractConfig[];
  /** severity of a pause; default `high` */
  pauseSeverity?: Severity;
}

const slug = /^[a-z0-9][a-z0-9-]{1,63}$/;
const [paused, unpaused, pausedView] = pausableAbi as unknown as [AbiEvent, AbiEvent, AbiFunction];

/**
 * Generic OpenZeppelin Pausable adapter: `Paused(account)` → emergency_pause,
 * `Unpaused(account)` → resume (spec/v1/adapters.md#pausable).
 */
export function createAdapter(config: PausableAdapterConfig): Adapter {
  assertChainConfig(config);
  if (typeof config.protocol !== 'string' || !slug.test(config.protocol))
    failConfig('protocol', 'must be a slug');
  const list = parseObjectList<PausableContractConfig>('contracts', config.contracts);
  if (list.length === 0) failConfig('contracts', 'must be non-empty');
  const contracts = list.map((c, i) => ({
    address: parseAddress(`contracts[${i}].address`, c.address),
    name: typeof c.name === 'string' && c.name.length > 0 ? c.name : undefined,
  }));
  const addresses: Address[] = contracts.map((c) => c.address);
  const pauseSeverity = config.pauseSeverity ?? 'high';
  return createChainAdapter(
    {
      protocol: config.protocol,
      events: [
        { abi: paused, emitters: addresses },
        { abi: unpaused, emitters: addresses },
      ],
      views: [{ abi: pausedView, targets: addresses }],
      map(logs, ctx) {
        const outputs: AdapterOutput[] = [];
        for (const log of logs) {
          const contract = contracts.find((c) => c.address.toLowerCase() === log.address.toLowerCase());
          const isPause = log.eventName === 'Paused';
          outputs.push(
            buildRecoveryEvent(ctx, {
              key: logKey(ctx.protocol, log.ref),
              kind: isPause ? 'emergency_pause' : 'resume',
              severity: isPause ? pauseSeverity : 'info',
              occurredAt: log.timestamp,
              contracts: [log.address],
              evidence: [log.ref],
              ...(contract?.name === undefined ? {} : { markets: [contract.name] }),
              summary: `${contract?.name ?? log.address} ${isPause ? 'paused' : 'unpaused'} by ${String(log.args['account'])}`,
            }),
          );
        }
        return outputs;
      },
      // A pause proves its kind and no loss (adapters.md#loss-derivation); `paused()` reads prove nothing.
      deriveLoss: (input) =>
        input.type === 'log'
          ? [
              {
                kind: input.log.eventName === 'Paused' ? 'emergency_pause' : 'resume',
                derivation: input.log.eventName,
              },
            ]
          : [],
      exposure: () => ({ contracts: addresses, assets: [], oracleFeeds: [], protocols: [] }),
    },
    config,
  );
}
