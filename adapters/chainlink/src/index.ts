import {
  type Adapter,
  type AdapterOutput,
  type Address,
  type AlertIndicator,
  type Asset,
  assertChainConfig,
  buildContagionAlert,
  buildRecoveryEvent,
  type ChainAdapterConfig,
  type ContagionAlert,
  createChainAdapter,
  type DecodedLog,
  type EvidenceRef,
  failConfig,
  logKey,
  parseAddress,
  parseAssets,
  parseObjectList,
  parsePositiveInteger,
  type RecommendedAction,
  type RecoveryMechanism,
  type ScanContext,
  type Severity,
  type Subject,
  toCaip2,
} from '@sfr/adapter-kit';
import type { AbiEvent, AbiFunction } from 'viem';
import { aggregatorAbi } from './abi.js';

export { aggregatorAbi } from './abi.js';
export { type FeedRoundLog, type ReadRoundsParameters, readRounds } from './readRounds.js';

export interface ChainlinkFeedConfig {
  /** the feed (proxy) serving latestRoundData */
  address: string;
  /** the aggregator emitting AnswerUpdated (proxy `aggregator()`); default: `address` */
  aggregator?: string;
  description?: string;
  /** the asset the feed prices */
  asset: { address: string; symbol: string; decimals: number };
  /** heartbeat from data.chain.link (not on chain): older than this is stale */
  heartbeatSeconds: number;
  /** relative change between consecutive answers that counts as a deviation; default 1 000 (10 %) */
  deviationBps?: number;
}

export interface ChainlinkAdapterConfig extends ChainAdapterConfig {
  /** slug the events are reported under (the monitoring member's protocol); default `chainlink` */
  protocol?: string;
  feeds: ChainlinkFeedConfig[];
  /** L2 sequencer uptime feed: answer 0 = up, 1 = down */
  sequencerFeed?: { address: string; gracePeriodSeconds?: number };
  /** lifetime of the ContagionAlerts raised; default 1 h */
  alertTtlMs?: number;
}

type FeedState = { stale?: boolean; invalid?: boolean; last?: string };
interface ChainlinkState extends Record<string, unknown> {
  feeds?: Record<string, FeedState>;
  sequencerDown?: boolean;
}

const slug = /^[a-z0-9][a-z0-9-]{1,63}$/;

/** The feed failures this adapter reports: the RecoveryEvent mechanism and the ContagionAlert indicator it raises. */
const indicatorOf = {
  stale: 'stale_oracle',
  invalid_answer: 'invalid_oracle_answer',
  deviation: 'oracle_deviation',
} as const satisfies Partial<Record<RecoveryMechanism, AlertIndicator>>;
const fn = (name: string) =>
  aggregatorAbi.find((i) => i.type === 'function' && i.name === name) as AbiFunction;
const answerUpdated = aggregatorAbi.find((i) => i.type === 'event' && i.name === 'AnswerUpdated') as AbiEvent;
type RoundData = readonly [bigint, bigint, bigint, bigint, bigint];

/**
 * Chainlink monitor (spec/v1/adapters.md#chainlink): per feed, stale (block time − updatedAt >
 * heartbeat), invalid (answer ≤ 0) and deviating (consecutive AnswerUpdated answers differ by more
 * than deviationBps) answers, and the L2 sequencer uptime feed, each → an oracle_failure
 * RecoveryEvent plus a ContagionAlert about the priced asset (or the chain); all edge-triggered.
 */
export function createAdapter(config: ChainlinkAdapterConfig): Adapter {
  assertChainConfig(config);
  const chain = toCaip2(config.chainId);
  const protocol = config.protocol ?? 'chainlink';
  if (!slug.test(protocol)) failConfig('protocol', 'must be a slug');
  const feeds = parseObjectList<ChainlinkFeedConfig>('feeds', config.feeds).map((f, i) => ({
    address: parseAddress(`feeds[${i}].address`, f.address),
    aggregator: parseAddress(`feeds[${i}].aggregator`, f.aggregator ?? f.address),
    description: typeof f.description === 'string' && f.description.length > 0 ? f.description : undefined,
    asset: parseAssets(`feeds[${i}].asset`, chain, [f.asset])[0] as Asset,
    heartbeatMs: parsePositiveInteger(`feeds[${i}].heartbeatSeconds`, f.heartbeatSeconds) * 1000,
    deviationBps: parsePositiveInteger(`feeds[${i}].deviationBps`, f.deviationBps, 1_000),
  }));
  if (
    config.sequencerFeed !== undefined &&
    (typeof config.sequencerFeed !== 'object' || config.sequencerFeed === null)
  ) {
    failConfig('sequencerFeed', 'must be an object');
  }
  const sequencer =
    config.sequencerFeed === undefined
      ? undefined
      : {
          address: parseAddress('sequencerFeed.address', config.sequencerFeed.address),
          graceMs:
            parsePositiveInteger(
              'sequencerFeed.gracePeriodSeconds',
              config.sequencerFeed.gracePeriodSeconds,
              3_600,
            ) * 1000,
        };
  if (feeds.length === 0 && sequencer === undefined)
    failConfig('feeds', 'needs at least one feed or a sequencerFeed');
  const ttl = parsePositiveInteger('alertTtlMs', config.alertTtlMs, 3_600_000);

  const feedName = (f: (typeof feeds)[number]) => f.description ?? `${f.asset.symbol} feed`;
  const assetSubject = (f: (typeof feeds)[number]): Subject => ({
    kind: 'asset',
    chain,
    address: f.asset.address as Address,
    name: f.asset.symbol,
  });

  function alert(
    key: string,
    fields: Omit<ContagionAlert, 'expiresAt'> & { evidence: EvidenceRef[] },
  ): AdapterOutput {
    return buildContagionAlert(key, { ...fields, expiresAt: fields.observedAt + ttl });
  }

  function failure(
    ctx: ScanContext,
    f: (typeof feeds)[number],
    key: string,
    mechanism: keyof typeof indicatorOf,
    severity: Severity,
    occurredAt: number,
    evidence: EvidenceRef[],
    metrics: Record<string, string | number>,
    summary: string,
  ): AdapterOutput[] {
    const indicator = indicatorOf[mechanism];
    const actions: RecommendedAction[] =
      mechanism === 'deviation'
        ? [{ action: 'monitor' }, { action: 'reduce_ltv' }]
        : [
            { action: 'switch_oracle', target: { kind: 'oracle_feed', chain, address: f.address } },
            { action: 'pause_market' },
          ];
    return [
      buildRecoveryEvent(ctx, {
        key,
        kind: 'oracle_failure',
        severity,
        occurredAt,
        contracts: [f.address, ...(f.aggregator === f.address ? [] : [f.aggregator])],
        markets: [f.asset.symbol],
        assets: [f.asset],
        mechanism,
        evidence,
        summary,
      }),
      alert(`${key}:alert`, {
        subject: assetSubject(f),
        indicator,
        severity,
        // on-chain facts checked against configured thresholds; deviation is the least certain sign of failure
        confidence: mechanism === 'deviation' ? 6_000 : 9_000,
        observedAt: occurredAt,
        recommendedActions: actions,
        evidence,
        metrics,
        summary,
      }),
    ];
  }

  async function map(logs: DecodedLog[], ctx: ScanContext, state: ChainlinkState): Promise<AdapterOutput[]> {
    const out: AdapterOutput[] = [];
    state.feeds ??= {};
    for (const log of logs) {
      const f = feeds.find((x) => x.aggregator.toLowerCase() === log.address.toLowerCase());
      if (f === undefined) continue;
      const st: FeedState = state.feeds[f.address] ?? {};
      state.feeds[f.address] = st;
      const current = log.args['current'] as bigint;
      let previous = st.last === undefined ? undefined : BigInt(st.last);
      if (previous === undefined && log.blockNumber > 0n) {
        const read = await ctx.readView<RoundData>(
          fn('latestRoundData'),
          f.address,
          [],
          log.blockNumber - 1n,
        );
        previous = read.value[1];
      }
      st.last = current.toString();
      if (previous === undefined || previous <= 0n || current <= 0n) continue;
      const diff = current > previous ? current - previous : previous - current;
      const bps = (diff * 10_000n) / previous;
      if (bps <= BigInt(f.deviationBps)) continue;
      out.push(
        ...failure(
          ctx,
          f,
          logKey(protocol, log.ref),
          'deviation',
          bps > BigInt(f.deviationBps) * 2n ? 'high' : 'medium',
          log.timestamp,
          [log.ref],
          { answer: current.toString(), previousAnswer: previous.toString(), deviationBps: Number(bps) },
          `${feedName(f)} moved ${bps} bps in one update (threshold ${f.deviationBps})`,
        ),
      );
    }
    return out;
  }

  async function probe(ctx: ScanContext, state: Partial<ChainlinkState>) {
    const out: AdapterOutput[] = [];
    const next: ChainlinkState = { ...state, feeds: { ...state.feeds } };
    const at = ctx.block.timestamp;
    for (const f of feeds) {
      const read = await ctx.readView<RoundData>(fn('latestRoundData'), f.address);
      const [, answer, , updatedAt] = read.value;
      const prev = next.feeds![f.address] ?? {};
      const staleForMs = at - Number(updatedAt) * 1000;
      const stale = staleForMs > f.heartbeatMs;
      const invalid = answer <= 0n;
      const base = `${protocol}:${chain}:${f.address}`;
      if (stale && prev.stale !== true) {
        out.push(
          ...failure(
            ctx,
            f,
            `${base}:stale:${ctx.block.number}`,
            'stale',
            'high',
            at,
            [read.ref],
            { answer: answer.toString(), staleForMs, heartbeatMs: f.heartbeatMs },
            `${feedName(f)} not updated for ${Math.floor(staleForMs / 1000)} s (heartbeat ${f.heartbeatMs / 1000} s)`,
          ),
        );
      }
      if (invalid && prev.invalid !== true) {
        out.push(
          ...failure(
            ctx,
            f,
            `${base}:invalid:${ctx.block.number}`,
            'invalid_answer',
            'critical',
            at,
            [read.ref],
            { answer: answer.toString() },
            `${feedName(f)} answers ${answer} (≤ 0)`,
          ),
        );
      }
      if ((prev.stale === true && !stale) || (prev.invalid === true && !invalid && !stale)) {
        out.push(
          buildRecoveryEvent(ctx, {
            key: `${base}:recovered:${ctx.block.number}`,
            kind: 'resume',
            severity: 'info',
            occurredAt: at,
            contracts: [f.address],
            markets: [f.asset.symbol],
            assets: [f.asset],
            evidence: [read.ref],
            summary: `${feedName(f)} is fresh and valid again`,
          }),
        );
      }
      next.feeds![f.address] = { ...prev, stale, invalid };
    }
    if (sequencer !== undefined) {
      const read = await ctx.readView<RoundData>(fn('latestRoundData'), sequencer.address);
      const [, answer, startedAt] = read.value;
      const down = answer === 1n;
      const recovered = answer === 0n && at - Number(startedAt) * 1000 > sequencer.graceMs;
      const base = `${protocol}:${chain}:${sequencer.address}`;
      if (down && next.sequencerDown !== true) {
        const summary = 'L2 sequencer is down (uptime feed answers 1)';
        out.push(
          buildRecoveryEvent(ctx, {
            key: `${base}:down:${ctx.block.number}`,
            kind: 'oracle_failure',
            severity: 'critical',
            occurredAt: Number(startedAt) * 1000,
            contracts: [sequencer.address],
            mechanism: 'sequencer_down',
            evidence: [read.ref],
            summary,
          }),
          alert(`${base}:down:${ctx.block.number}:alert`, {
            subject: { kind: 'chain', chain },
            indicator: 'sequencer_down',
            severity: 'critical',
            confidence: 9_500,
            observedAt: at,
            recommendedActions: [{ action: 'disable_borrowing' }, { action: 'pause_market' }],
            evidence: [read.ref],
            metrics: { statusSince: Number(startedAt) * 1000 },
            summary,
          }),
        );
        next.sequencerDown = true;
      } else if (next.sequencerDown === true && recovered) {
        out.push(
          buildRecoveryEvent(ctx, {
            key: `${base}:up:${ctx.block.number}`,
            kind: 'resume',
            severity: 'info',
            occurredAt: at,
            contracts: [sequencer.address],
            evidence: [read.ref],
            summary: `L2 sequencer up for more than the ${sequencer.graceMs / 1000} s grace period`,
          }),
        );
        next.sequencerDown = false;
      } else if (next.sequencerDown === undefined) {
        next.sequencerDown = down;
      }
    }
    return { outputs: out, state: next };
  }

  const readTargets = [
    ...feeds.map((f) => f.address),
    ...(sequencer === undefined ? [] : [sequencer.address]),
  ];
  return createChainAdapter<ChainlinkState>(
    {
      protocol,
      events: feeds.length === 0 ? [] : [{ abi: answerUpdated, emitters: feeds.map((f) => f.aggregator) }],
      views: [
        { abi: fn('latestRoundData'), targets: readTargets },
        { abi: fn('decimals'), targets: readTargets },
      ],
      map,
      probe,
      exposure: () => ({
        contracts: readTargets,
        assets: feeds.map((f) => f.asset),
        oracleFeeds: [
          ...feeds.map((f) => ({
            chain,
            address: f.address,
            asset: f.asset,
            ...(f.description === undefined ? {} : { description: f.description }),
          })),
          ...(sequencer === undefined
            ? []
            : [{ chain, address: sequencer.address, description: 'L2 sequencer uptime' }]),
        ],
        protocols: [{ protocol: 'chainlink', reason: 'price feeds' }],
      }),
    },
    config,
  );
}
