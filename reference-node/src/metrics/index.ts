/**
 * Every Prometheus metric of the node, declared in this one file (STYLE.md "Operations"). Names are
 * `sfr_<subsystem>_<what>_<unit>`; labels are bounded: `topic` (normalized by `topicLabel`, so
 * pool topics count as `pool`), `outcome`, `code` (a registered reason code), and for HTTP a
 * `route` template and `status` class. Each node owns its own `Registry`, so several nodes can
 * share a process (tests, benches).
 *
 *   const metrics = createMetrics();
 *   metrics.validationOutcomes.inc({ topic: topicLabel(t), outcome: 'reject', code: 'ENVELOPE_BAD_SIGNATURE' });
 *   res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/index.js';

const TOPIC_LABELS = new Set(['contagion_alerts', 'recovery_events', 'evidence', 'announcements']);

/** Maps a gossip topic string to a bounded label value (proposal 0001 §6). */
export function topicLabel(topic: string): string {
  const m = /^\/sfr\/\d+\/([a-z_]+)(?:\/|$)/.exec(topic);
  if (m === null) return 'other';
  const name = m[1]!;
  if (name === 'pool') return 'pool';
  return TOPIC_LABELS.has(name) ? name : 'other';
}

/** Maps an HTTP status to its class, a bounded label. */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

/** Latency buckets in seconds: 0.1 ms … 10 s (validation is ~0.1 ms, an fsync'd append ~1–10 ms). */
const LATENCY_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 10];
/** Peer-score buckets around gossipsub's default thresholds (gossip −10, publish −50, graylist −80). */
const SCORE_BUCKETS = [-1000, -100, -80, -50, -10, 0, 1, 10, 100];

export interface CreateMetricsParameters {
  /**
   * Also collect the Node.js process metrics under their standard names (`process_cpu_seconds_total`,
   * `process_resident_memory_bytes`, `nodejs_eventloop_lag_seconds` …), which stock Node.js
   * dashboards and alert rules expect. Several registries in one process each get them.
   */
  readonly processMetrics?: boolean;
}

export function createMetrics(parameters: CreateMetricsParameters = {}) {
  const registry = new Registry();
  if (parameters.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const r = [registry];
  const metrics = {
    registry,
    // validation pipeline
    validationOutcomes: new Counter({
      name: 'sfr_validation_outcomes_total',
      help: 'Inbound messages by topic, outcome (accept, ignore, reject) and reason code (none when accepted).',
      labelNames: ['topic', 'outcome', 'code'] as const,
      registers: r,
    }),
    validationDuration: new Histogram({
      name: 'sfr_validation_duration_seconds',
      help: 'Time to run the validation pipeline on one message.',
      labelNames: ['topic'] as const,
      buckets: LATENCY_BUCKETS,
      registers: r,
    }),
    // gossip queues
    queueLength: new Gauge({
      name: 'sfr_gossip_queue_length_messages',
      help: 'Messages waiting in the per-topic queue between gossip and validation.',
      labelNames: ['topic'] as const,
      registers: r,
    }),
    queueDrops: new Counter({
      name: 'sfr_gossip_queue_drops_total',
      help: 'Messages dropped because a per-topic queue was full.',
      labelNames: ['topic'] as const,
      registers: r,
    }),
    published: new Counter({
      name: 'sfr_gossip_published_total',
      help: 'Messages this node signed and published, by topic and outcome.',
      labelNames: ['topic', 'outcome'] as const,
      registers: r,
    }),
    // peers
    peers: new Gauge({ name: 'sfr_network_peers', help: 'Connected peers.', registers: r }),
    peerScores: new Histogram({
      name: 'sfr_network_peer_score',
      help: 'Gossipsub scores of connected peers at the last sample.',
      buckets: SCORE_BUCKETS,
      registers: r,
    }),
    conductPenalties: new Counter({
      name: 'sfr_gossip_conduct_penalties_total',
      help: 'Behaviour penalty points given to peers for conduct gossipsub drops unscored (p2p.md#conduct), by reason.',
      labelNames: ['reason'] as const,
      registers: r,
    }),
    peersDenied: new Counter({
      name: 'sfr_network_peers_denied_total',
      help: 'Peers disconnected and denied (score below the graylist threshold), by reason code.',
      labelNames: ['code'] as const,
      registers: r,
    }),
    // store
    storeMessages: new Gauge({
      name: 'sfr_store_messages',
      help: 'Messages in the store log.',
      registers: r,
    }),
    storeSize: new Gauge({
      name: 'sfr_store_size_bytes',
      help: "LevelDB's estimate of the store size.",
      registers: r,
    }),
    storeAppends: new Counter({
      name: 'sfr_store_appends_total',
      help: 'Store appends by outcome (appended, duplicate, conflict, refused).',
      labelNames: ['outcome'] as const,
      registers: r,
    }),
    storeAppendDuration: new Histogram({
      name: 'sfr_store_append_duration_seconds',
      help: 'Time from append call to durable (fsync) acknowledgement.',
      buckets: LATENCY_BUCKETS,
      registers: r,
    }),
    storeHealthy: new Gauge({
      name: 'sfr_store_healthy',
      help: '1 when the store passed its checks, else 0.',
      registers: r,
    }),
    // sync
    syncRequests: new Counter({
      name: 'sfr_sync_requests_total',
      help: 'Catch-up sync requests by direction-neutral outcome and reason code.',
      labelNames: ['outcome', 'code'] as const,
      registers: r,
    }),
    syncMessages: new Counter({
      name: 'sfr_sync_messages_total',
      help: 'Messages received through catch-up sync, by outcome.',
      labelNames: ['outcome'] as const,
      registers: r,
    }),
    syncLag: new Gauge({
      name: 'sfr_sync_lag_messages',
      help: 'Sum over issuers of (highest head seq announced by a peer − local head seq).',
      registers: r,
    }),
    // HTTP API
    httpRequests: new Counter({
      name: 'sfr_http_requests_total',
      help: 'HTTP API requests by route template, method and status class; code is the problem reason code.',
      labelNames: ['route', 'method', 'status', 'code'] as const,
      registers: r,
    }),
    httpDuration: new Histogram({
      name: 'sfr_http_request_duration_seconds',
      help: 'HTTP API request duration by route template.',
      labelNames: ['route'] as const,
      buckets: LATENCY_BUCKETS,
      registers: r,
    }),
    // member liveness (node.md#liveness); `member` is bounded by the configured member list
    livenessMemberLive: new Gauge({
      name: 'sfr_liveness_member_live',
      help: 'Per configured member: 1 while its heartbeats arrive (live), 0 when silent or unknown.',
      labelNames: ['member'] as const,
      registers: r,
    }),
    livenessLastHeartbeat: new Gauge({
      name: 'sfr_liveness_member_last_heartbeat_timestamp_seconds',
      help: 'Per configured member: when its last heartbeat counted (unix seconds; absent before the first).',
      labelNames: ['member'] as const,
      registers: r,
    }),
    livenessMembers: new Gauge({
      name: 'sfr_liveness_members',
      help: 'Configured members by liveness status (live, silent, unknown).',
      labelNames: ['status'] as const,
      registers: r,
    }),
    livenessTransitions: new Counter({
      name: 'sfr_liveness_transitions_total',
      help: 'Members marked silent, and members back after a silence.',
      labelNames: ['kind'] as const,
      registers: r,
    }),
    sseClients: new Gauge({
      name: 'sfr_http_stream_clients',
      help: 'Open /v1/stream connections.',
      registers: r,
    }),
    // hosted adapters (adapters.md), sampled at each scrape; `protocol` and `chain` are bounded by
    // the configured adapters
    adapterUp: new Gauge({
      name: 'sfr_adapter_up',
      help: 'Per hosted adapter: 1 while its last scan succeeded, 0 while starting, degraded or stopped.',
      labelNames: ['protocol', 'chain'] as const,
      registers: r,
    }),
    adapterFailures: new Gauge({
      name: 'sfr_adapter_consecutive_failures',
      help: 'Per hosted adapter: scans failed in a row (0 after a success).',
      labelNames: ['protocol', 'chain'] as const,
      registers: r,
    }),
    adapterLastScan: new Gauge({
      name: 'sfr_adapter_last_scan_timestamp_seconds',
      help: 'Per hosted adapter: when its last successful scan ended (unix seconds; absent before the first).',
      labelNames: ['protocol', 'chain'] as const,
      registers: r,
    }),
    adapterScannedBlock: new Gauge({
      name: 'sfr_adapter_scanned_block',
      help: 'Per hosted adapter: the last block scanned.',
      labelNames: ['protocol', 'chain'] as const,
      registers: r,
    }),
    adapterLag: new Gauge({
      name: 'sfr_adapter_lag_blocks',
      help: 'Per hosted adapter: chain head minus the last block scanned (confirmations included).',
      labelNames: ['protocol', 'chain'] as const,
      registers: r,
    }),
    adapterRpcDuration: new Gauge({
      name: 'sfr_adapter_rpc_duration_seconds',
      help: "Per hosted adapter: how long its last poll's RPC reads took (the RPC lag).",
      labelNames: ['protocol', 'chain'] as const,
      registers: r,
    }),
    adapterPublished: new Counter({
      name: 'sfr_adapter_published_total',
      help: 'Per hosted adapter: recovery events it published.',
      labelNames: ['protocol', 'chain'] as const,
      registers: r,
    }),
    chainHead: new Gauge({
      name: 'sfr_chain_head_block',
      help: 'Per chain an adapter reads: the highest head block its last polls saw.',
      labelNames: ['chain'] as const,
      registers: r,
    }),
    // shared insurance pools (pools.md), sampled at each scrape; `pool` is bounded by the pools joined
    pools: new Gauge({ name: 'sfr_pools', help: 'Pools this node takes part in.', registers: r }),
    poolClaims: new Gauge({
      name: 'sfr_pool_claims',
      help: 'Claims per pool by status (attesting, approved, rejected, expired, settled).',
      labelNames: ['pool', 'status'] as const,
      registers: r,
    }),
    poolClaimsAwaitingVote: new Gauge({
      name: 'sfr_pool_claims_awaiting_vote',
      help: 'Claims per pool waiting for a manual vote at this node (sfr vote).',
      labelNames: ['pool'] as const,
      registers: r,
    }),
    poolCapital: new Gauge({
      name: 'sfr_pool_capital_base_units',
      help: "Per pool: the charter's committed capital, in the pool asset's base units.",
      labelNames: ['pool'] as const,
      registers: r,
    }),
    poolPaidOut: new Gauge({
      name: 'sfr_pool_paid_out_base_units',
      help: 'Per pool: what decided claims paid out, in the pool asset base units.',
      labelNames: ['pool'] as const,
      registers: r,
    }),
  };
  return metrics;
}

/** What an adapter host reports per adapter (hosting/AdapterHost.status()), as the metrics read it. */
export interface AdapterSample {
  readonly protocol: string;
  readonly chain: string;
  readonly status: string;
  readonly consecutiveFailures: number;
  readonly lastScanAt?: number;
  readonly scannedTo?: string;
  readonly head?: string;
  readonly lastPollMs?: number;
  readonly published: number;
}

/** One pool as the metrics read it (poolsNode/PoolService). */
export interface PoolSample {
  readonly poolId: string;
  readonly claims: readonly { readonly status: string; readonly awaitingVote: boolean }[];
  readonly capital: bigint;
  readonly paidOut: bigint;
}

/** One member's liveness as the metrics read it (liveness/attachLiveness). */
export interface LivenessSample {
  readonly member: string;
  readonly status: 'live' | 'silent' | 'unknown';
  readonly lastHeartbeatAt?: number;
}

/** The network's state sampled at each scrape (node/createNode). */
export interface NetworkSample {
  /** Gossipsub score of each connected peer. */
  readonly peerScores: readonly number[];
  /** Messages waiting for validation, by topic. */
  readonly queueLengths: Readonly<Record<string, number>>;
}

/**
 * Parts of the node sampled at each scrape, registered once they exist (`setMetricSources`). Sampling
 * on scrape, not on a timer: an idle node does no metrics work between scrapes (issue 13).
 */
export interface MetricSources {
  readonly adapters?: () => readonly AdapterSample[];
  readonly pools?: () => readonly PoolSample[];
  readonly liveness?: () => readonly LivenessSample[];
  readonly network?: () => NetworkSample;
}

const sourcesOf = new WeakMap<Metrics, MetricSources>();
const publishedSeen = new WeakMap<Metrics, Map<string, number>>();

/** Registers the adapter host and the pool service whose state `collectMetrics` samples. */
export function setMetricSources(metrics: Metrics, sources: MetricSources): void {
  sourcesOf.set(metrics, { ...sourcesOf.get(metrics), ...sources });
}

const CLAIM_STATUSES = ['attesting', 'approved', 'rejected', 'expired', 'settled'] as const;

function sampleAdapters(metrics: Metrics, adapters: readonly AdapterSample[]): void {
  const seen = publishedSeen.get(metrics) ?? new Map<string, number>();
  publishedSeen.set(metrics, seen);
  const heads = new Map<string, number>();
  for (const a of adapters) {
    const l = { protocol: a.protocol, chain: a.chain };
    metrics.adapterUp.set(l, a.status === 'ok' ? 1 : 0);
    metrics.adapterFailures.set(l, a.consecutiveFailures);
    if (a.lastScanAt !== undefined) metrics.adapterLastScan.set(l, a.lastScanAt / 1000);
    if (a.scannedTo !== undefined) metrics.adapterScannedBlock.set(l, Number(a.scannedTo));
    if (a.head !== undefined) {
      heads.set(a.chain, Math.max(heads.get(a.chain) ?? 0, Number(a.head)));
      if (a.scannedTo !== undefined)
        metrics.adapterLag.set(l, Math.max(0, Number(a.head) - Number(a.scannedTo)));
    }
    if (a.lastPollMs !== undefined) metrics.adapterRpcDuration.set(l, a.lastPollMs / 1000);
    // The host counts what it published; the counter moves by what is new since the last scrape.
    const key = `${a.protocol}\u0000${a.chain}`;
    const delta = a.published - (seen.get(key) ?? 0);
    metrics.adapterPublished.inc(l, Math.max(delta, 0));
    seen.set(key, Math.max(a.published, seen.get(key) ?? 0));
  }
  for (const [chain, head] of heads) metrics.chainHead.set({ chain }, head);
}

function samplePools(metrics: Metrics, pools: readonly PoolSample[]): void {
  metrics.pools.set(pools.length);
  for (const p of pools) {
    const pool = p.poolId;
    for (const status of CLAIM_STATUSES)
      metrics.poolClaims.set({ pool, status }, p.claims.filter((c) => c.status === status).length);
    metrics.poolClaimsAwaitingVote.set({ pool }, p.claims.filter((c) => c.awaitingVote).length);
    metrics.poolCapital.set({ pool }, Number(p.capital));
    metrics.poolPaidOut.set({ pool }, Number(p.paidOut));
  }
}

function sampleLiveness(metrics: Metrics, members: readonly LivenessSample[]): void {
  const counts = { live: 0, silent: 0, unknown: 0 };
  metrics.livenessMemberLive.reset();
  metrics.livenessLastHeartbeat.reset();
  for (const m of members) {
    counts[m.status]++;
    metrics.livenessMemberLive.set({ member: m.member }, m.status === 'live' ? 1 : 0);
    if (m.lastHeartbeatAt !== undefined)
      metrics.livenessLastHeartbeat.set({ member: m.member }, m.lastHeartbeatAt / 1000);
  }
  for (const [status, n] of Object.entries(counts)) metrics.livenessMembers.set({ status }, n);
}

function sampleNetwork(metrics: Metrics, network: NetworkSample): void {
  recordPeerScores(metrics, network.peerScores);
  for (const [topic, n] of Object.entries(network.queueLengths)) metrics.queueLength.set({ topic }, n);
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Replaces the peer-score sample (at each scrape, from the network's `setMetricSources` entry). */
export function recordPeerScores(metrics: Metrics, scores: readonly number[]): void {
  metrics.peerScores.reset();
  for (const s of scores) if (Number.isFinite(s)) metrics.peerScores.observe(s);
  metrics.peers.set(scores.length);
}

/**
 * Refreshes the gauges sampled on demand (store size and health; adapters, pools, liveness and the
 * network registered by `setMetricSources`), then renders the registry: the
 * API's `/metrics` and the separate metrics port both serve through it, so both are fresh.
 */
export async function collectMetrics(metrics: Metrics, store: Store): Promise<string> {
  const sources = sourcesOf.get(metrics);
  if (sources?.adapters !== undefined) sampleAdapters(metrics, sources.adapters());
  if (sources?.pools !== undefined) samplePools(metrics, sources.pools());
  if (sources?.liveness !== undefined) sampleLiveness(metrics, sources.liveness());
  if (sources?.network !== undefined) sampleNetwork(metrics, sources.network());
  const stats = await store.stats();
  metrics.storeMessages.set(stats.messages);
  metrics.storeSize.set(stats.approximateBytes);
  metrics.storeHealthy.set(store.isHealthy() ? 1 : 0);
  return metrics.registry.metrics();
}
