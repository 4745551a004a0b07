/**
 * THE one place where a pipeline result becomes a gossipsub verdict and a metric
 * (spec/v1/p2p.md#validation). An unexpected internal error becomes IGNORE (`GOSSIP_INTERNAL_ERROR`),
 * never REJECT: a bug of ours must never penalise an honest peer.
 */
import { topicLabel as labelOfTopic } from '../metrics/index.js';
import type { Screened, ValidationPipeline } from './pipeline.js';
import type { AdmitResult, IngestContext, IngestResult } from './types.js';

/** A gossipsub verdict: deliver and relay, drop, or drop and penalise the sender. */
export type Verdict = IngestResult['outcome'];

/** Metric sink (E2's prom-client registry implements it); labels are bounded. */
export interface ValidationMetrics {
  /** `sfr_validation_outcomes_total{topic, outcome, code}` */
  recordOutcome(topic: string, outcome: Verdict, code: string): void;
}

/** A bounded metric label for a topic: pool topics collapse to `pool`, unknown ones to `other`. */
export function topicLabel(topic: string | undefined): string {
  return topic === undefined ? 'sync' : labelOfTopic(topic);
}

export function toGossipVerdict(result: IngestResult): Verdict {
  return result.outcome;
}

/** Runs the pipeline for one message (answered once it is durable) and maps its result; never throws. */
export function runValidation(
  pipeline: ValidationPipeline,
  wire: Uint8Array,
  ctx: IngestContext,
  metrics?: ValidationMetrics,
): Promise<IngestResult> {
  return measured(() => pipeline.ingest(wire, ctx), ctx, metrics);
}

/**
 * Runs the pipeline for one message answered before its durable append (the gossip path: relay on
 * validation, p2p.md#validation) and maps its result; never throws.
 */
export function runAdmission(
  pipeline: ValidationPipeline,
  wire: Uint8Array,
  ctx: IngestContext,
  metrics?: ValidationMetrics,
  screened?: Screened,
): Promise<AdmitResult> {
  return measured(() => pipeline.admit(wire, ctx, screened), ctx, metrics);
}

async function measured<R extends IngestResult>(
  run: () => Promise<R>,
  ctx: IngestContext,
  metrics: ValidationMetrics | undefined,
): Promise<R | Exclude<IngestResult, { outcome: 'accept' }>> {
  let result: R | Exclude<IngestResult, { outcome: 'accept' }>;
  try {
    result = await run();
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
