/**
 * The contagion responder's Prometheus metrics, registered on the node's registry. (They belong in
 * src/metrics/index.ts with every other metric; they live here until its owner moves them.)
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export function createContagionMetrics(registry: Registry) {
  const r = [registry];
  return {
    alertsMatched: new Counter({
      name: 'sfr_contagion_alerts_total',
      help: 'Accepted ContagionAlerts by outcome (matched, not_exposed, expired, resolved, void: every source event retracted).',
      labelNames: ['outcome'] as const,
      registers: r,
    }),
    webhookEnqueued: new Counter({
      name: 'sfr_contagion_webhook_enqueued_total',
      help: 'Webhook deliveries persisted to the outbox, by event.',
      labelNames: ['event'] as const,
      registers: r,
    }),
    webhookDeliveries: new Counter({
      name: 'sfr_contagion_webhook_attempts_total',
      help: 'Webhook attempt results: delivered, retry, dead; with the reason code.',
      labelNames: ['outcome', 'code'] as const,
      registers: r,
    }),
    webhookDuration: new Histogram({
      name: 'sfr_contagion_webhook_attempt_duration_seconds',
      help: 'Time of one webhook POST attempt.',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: r,
    }),
    actions: new Counter({
      name: 'sfr_contagion_protective_actions_total',
      help: 'Protective actions by outcome (reported, failed) and reason code.',
      labelNames: ['outcome', 'code'] as const,
      registers: r,
    }),
  };
}
export type ContagionMetrics = ReturnType<typeof createContagionMetrics>;
