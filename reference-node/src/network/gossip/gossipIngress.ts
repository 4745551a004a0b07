/**
 * Inbound gossip path: router → rules 1–19 on arrival (`pipeline.screen`, synchronous: a refusal is
 * answered at once) → per-topic bounded queue of decoded envelopes (served round-robin by issuer) → the
 * rest of the validation pipeline → verdict back to the router, as soon as the message is valid and
 * recorded (relay on validation, p2p.md#validation); its durable append follows off the relay path.
 * Queue-level refusals (full, stale, stopping) are IGNORE and go through the same metric.
 */

import { runAdmission, topicLabel, type ValidationMetrics } from '../../validation/gossipAdapter.js';
import type { Screened, ValidationPipeline } from '../../validation/pipeline.js';
import type { IngestAccepted } from '../../validation/types.js';
import type { GossipRouter, InboundGossipMessage } from './gossipRouter.js';
import { TOPIC_QUEUE_CAPACITY, TOPIC_QUEUE_CONCURRENCY, TOPIC_QUEUE_MAX_WAIT_MS } from './scoringParams.js';
import { TopicQueue } from './topicQueue.js';

export interface GossipIngressOptions {
  readonly router: GossipRouter;
  readonly pipeline: ValidationPipeline;
  readonly metrics?: ValidationMetrics;
  readonly queueCapacity?: number;
  readonly queueMaxWaitMs?: number;
  /** Messages of one queue validated at once (default `TOPIC_QUEUE_CONCURRENCY`). */
  readonly queueConcurrency?: number;
  /** Called once per accepted message, when it is reported (its durable append may still run). */
  readonly onAccepted?: (accepted: IngestAccepted, message: InboundGossipMessage) => void;
  /** Called when an accepted (and relayed) message could not be stored after all. */
  readonly onNotStored?: (code: string, message: InboundGossipMessage) => void;
  /** Called once per refused message (tests, logs at debug). */
  readonly onRefused?: (code: string, outcome: 'ignore' | 'reject', message: InboundGossipMessage) => void;
  /** Upper bound on the number of distinct topic queues (pool topics are created at run time). */
  readonly maxTopics?: number;
}

export interface GossipIngress {
  /** Queue lengths by topic label. */
  queueLengths(): Record<string, number>;
  /** Messages refused because their queue was full, by topic label. */
  queueDrops(): Record<string, number>;
  /** Resolves when every queue is drained. */
  onIdle(): Promise<void>;
  /** Stops: queued messages are answered IGNORE `GOSSIP_NODE_STOPPING`. */
  stop(): void;
}

/** A message that passed rules 1–19 on arrival, waiting in its topic's queue for the rest. */
interface Queued {
  readonly m: InboundGossipMessage;
  readonly screened: Screened;
}

export function startGossipIngress(opts: GossipIngressOptions): GossipIngress {
  const queues = new Map<string, TopicQueue<Queued>>();
  // [sfr] 4 fixed topics + pools; 256 topics at 1024 × 64 KiB worst case is bounded by queue capacity anyway.
  const maxTopics = opts.maxTopics ?? 256;
  let stopped = false;

  const answer = (m: InboundGossipMessage, outcome: 'ignore' | 'reject', code: string): void => {
    opts.router.reportVerdict(m.msgId, m.from, outcome, code);
    opts.metrics?.recordOutcome(topicLabel(m.topic), outcome, code);
    opts.onRefused?.(code, outcome, m);
  };

  const work = async ({ m, screened }: Queued): Promise<void> => {
    const result = await runAdmission(
      opts.pipeline,
      m.data,
      // msgId is the router's own keccak of m.data (gossipsub's msgIdFn), not a peer's claim.
      { source: 'gossip', topic: m.topic, from: m.from, messageId: m.msgId },
      opts.metrics,
      screened,
    );
    opts.router.reportVerdict(
      m.msgId,
      m.from,
      result.outcome,
      result.outcome === 'accept' ? undefined : result.code,
    );
    if (result.outcome === 'accept') {
      opts.onAccepted?.(result, m);
      void result.durable.then((failed) => {
        if (failed !== null) opts.onNotStored?.(failed.code, m);
      });
    } else opts.onRefused?.(result.code, result.outcome, m);
  };

  const queueFor = (topic: string): TopicQueue<Queued> | undefined => {
    let q = queues.get(topic);
    if (q === undefined) {
      if (queues.size >= maxTopics) return undefined;
      q = new TopicQueue<Queued>({
        capacity: opts.queueCapacity ?? TOPIC_QUEUE_CAPACITY,
        maxWaitMs: opts.queueMaxWaitMs ?? TOPIC_QUEUE_MAX_WAIT_MS,
        concurrency: opts.queueConcurrency ?? TOPIC_QUEUE_CONCURRENCY,
        worker: work,
        keyOf: (x) => x.screened.envelope.issuer.toLowerCase(),
        onEvicted: (x) => answer(x.m, 'ignore', 'GOSSIP_QUEUE_FULL'),
        onStale: (x) => answer(x.m, 'ignore', 'GOSSIP_QUEUE_STALE'),
      });
      queues.set(topic, q);
    }
    return q;
  };

  opts.router.onMessage((m) => {
    if (stopped) return answer(m, 'ignore', 'GOSSIP_NODE_STOPPING');
    // p2p.md#queues: rules 1–19 as the message arrives; a refusal is answered in the same turn (a
    // flooding peer's REJECTs reach its score before its next RPC is read), and what waits is decoded.
    const screened = opts.pipeline.screen(m.data, {
      source: 'gossip',
      topic: m.topic,
      from: m.from,
      messageId: m.msgId,
    });
    if (screened.outcome !== 'screened') return answer(m, screened.outcome, screened.code);
    const q = queueFor(m.topic);
    if (q === undefined || !q.offer({ m, screened })) answer(m, 'ignore', 'GOSSIP_QUEUE_FULL');
  });

  const byLabel = (f: (q: TopicQueue<Queued>) => number): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [topic, q] of queues) {
      const label = topicLabel(topic);
      out[label] = (out[label] ?? 0) + f(q);
    }
    return out;
  };

  return {
    queueLengths: () => byLabel((q) => q.length),
    queueDrops: () => byLabel((q) => q.dropped),
    onIdle: async () => {
      await Promise.all([...queues.values()].map((q) => q.onIdle()));
    },
    stop() {
      stopped = true;
      for (const q of queues.values())
        for (const x of q.stop()) answer(x.m, 'ignore', 'GOSSIP_NODE_STOPPING');
    },
  };
}
