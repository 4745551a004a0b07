/**
 * THE one place where a pipeline result becomes a gossipsub verdict and a metric
 * (spec/v1/p2p.md#validation). An unexpected internal error becomes IGNORE (`GOSSIP_INTERNAL_ERROR`),
 * never REJECT: a bug of ours must never penalise an honest peer.
 */
import type { GossipVerdict } from '../network/gossip/gossipRouter.js';
import { parseTopic } from '../network/topics.js';
import type { ValidationPipeline } from './pipeline.js';
import type { IngestContext, IngestResult } from './types.js';

/** Metric sink (E2's prom-client registry implements it); labels are bounded. */
export interface ValidationMetrics {
  /** `sfr_validation_outcomes_total{topic, outcome, code}` */
  recordOutcome(topic: string, outcome: GossipVerdict, code: string): void;
}

/** A bounded metric label for a topic: pool topics collapse to `pool`, unknown ones to `other`. */
export function topicLabel(topic: string | undefined): string {
  if (topic === undefined) return 'sync';
  const parsed = parseTopic(topic);
  if (!parsed.ok) return 'other';
  return parsed.topic.kind;
}

export function toGossipVerdict(result: IngestResult): GossipVerdict {
  return result.outcome;
}

/** Runs the pipeline for one message and maps its result; never throws. */
export async function runValidation(
  pipeline: ValidationPipeline,
  wire: Uint8Array,
  ctx: IngestContext,
  metrics?: ValidationMetrics,
): Promise<IngestResult> {
  let result: IngestResult;
  try {
    result = await pipeline.ingest(wire, ctx);
  } catch (err) {
    result = { outcome: 'ignore', code: 'GOSSIP_INTERNAL_ERROR', meta: { error: String(err) } };
  }
  metrics?.recordOutcome(
    topicLabel(ctx.source === 'gossip' ? ctx.topic : undefined),
    toGossipVerdict(result),
    result.outcome === 'accept' ? 'ACCEPT' : result.code,
  );
  return result;
}
