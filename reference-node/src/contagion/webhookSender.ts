/**
 * Webhook delivery (spec/v1/contagion.md#webhook-delivery): persist to the outbox, then POST; on
 * failure retry on the backoff schedule until acknowledged (2xx), finally rejected (other 4xx) or
 * exhausted. At-least-once: a receiver de-duplicates by `sfr-delivery-id` (= `idempotency-key`).
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../logging/index.js';
import type { ContagionMetrics } from './contagionMetrics.js';
import type { Outbox, OutboxEntry } from './outbox.js';
import { postWebhook } from './postWebhook.js';
import { DEFAULT_RETRY, isRetryableStatus, type RetryPolicy, retryDelayMs } from './retrySchedule.js';
import { signWebhook } from './signWebhook.js';

/** [sfr] One attempt may take at most 5 s (the receiver should answer at once and work later). */
export const ATTEMPT_TIMEOUT_MS = 5_000;
/** [sfr] At most 4 requests in flight per node: a slow receiver cannot exhaust sockets. */
export const MAX_IN_FLIGHT = 4;

export interface WebhookTarget {
  readonly url: string;
  readonly secret: Uint8Array;
  readonly events: readonly string[];
  readonly minSeverity: string;
}

export function deliveryIdOf(url: string, event: string, subjectId: string): string {
  return createHash('sha256').update(`${url}\n${event}\n${subjectId}`).digest('hex');
}

export interface WebhookSender {
  /** Persists then schedules an immediate attempt; resolves once persisted. */
  enqueue(
    target: WebhookTarget,
    event: string,
    subjectId: string,
    body: Record<string, unknown>,
  ): Promise<void>;
  /** Loads the outbox left by a previous run and schedules it. */
  resume(): Promise<void>;
  stop(): Promise<void>;
  /** Pending deliveries (tests, status). */
  pending(): number;
}

export function createWebhookSender(p: {
  readonly outbox: Outbox;
  readonly targets: readonly WebhookTarget[];
  readonly logger?: Logger | undefined;
  readonly metrics?: ContagionMetrics | undefined;
  readonly retry?: RetryPolicy;
  readonly attemptTimeoutMs?: number;
  readonly now?: () => number;
}): WebhookSender {
  const now = p.now ?? Date.now;
  const retry = p.retry ?? DEFAULT_RETRY;
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const entries = new Map<string, OutboxEntry>();
  const queue: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const aborter = new AbortController();
  /** Outbox writes of new entries still in progress, by delivery id. */
  const writes = new Map<string, Promise<boolean>>();
  let running = 0;
  let stopped = false;

  const targetOf = (url: string) => p.targets.find((t) => t.url === url);

  const schedule = (e: OutboxEntry): void => {
    entries.set(e.deliveryId, e);
    const wait = Math.max(0, e.nextAttemptAt - now());
    const t = setTimeout(() => {
      timers.delete(e.deliveryId);
      queue.push(e.deliveryId);
      pump();
    }, wait);
    t.unref();
    timers.set(e.deliveryId, t);
  };

  const pump = (): void => {
    while (!stopped && running < MAX_IN_FLIGHT && queue.length > 0) {
      const id = queue.shift()!;
      const e = entries.get(id);
      if (e === undefined) continue;
      running++;
      const job = attempt(e)
        .catch((err: unknown) =>
          p.logger?.error({ err: String(err), deliveryId: id }, 'webhook attempt crashed'),
        )
        .finally(() => {
          running--;
          inFlight.delete(job);
          pump();
        });
      inFlight.add(job);
    }
  };

  async function attempt(e: OutboxEntry): Promise<void> {
    const target = targetOf(e.url);
    const settle = async (): Promise<void> => {
      await writes.get(e.deliveryId)?.catch(() => false);
    };
    if (target === undefined) {
      await settle();
      await p.outbox.bury(e, 'ALERT_WEBHOOK_REJECTED');
      entries.delete(e.deliveryId);
      p.logger?.warn(
        { deliveryId: e.deliveryId, code: 'ALERT_WEBHOOK_REJECTED' },
        'webhook no longer configured',
      );
      return;
    }
    const ts = now();
    let status = 0;
    let error: string | undefined;
    const started = performance.now();
    try {
      status = await postWebhook({
        url: e.url,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'sfr-reference-node/1',
          'sfr-delivery-id': e.deliveryId,
          'idempotency-key': e.deliveryId,
          'sfr-event': e.event,
          'sfr-timestamp': String(ts),
          'sfr-attempt': String(e.attempts + 1),
          'sfr-signature': signWebhook(target.secret, ts, e.body),
        },
        body: e.body,
        timeoutMs: p.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS,
        signal: aborter.signal,
      });
    } catch (err) {
      error = String((err as Error).message ?? err);
    }
    p.metrics?.webhookDuration.observe((performance.now() - started) / 1000);
    await settle();
    if (stopped && status === 0) return; // aborted by stop(): stays in the outbox for the next run
    const attempts = e.attempts + 1;
    if (status >= 200 && status < 300) {
      await p.outbox.remove(e.deliveryId);
      entries.delete(e.deliveryId);
      p.metrics?.webhookDeliveries.inc({ outcome: 'delivered', code: '' });
      p.logger?.debug({ deliveryId: e.deliveryId, attempts, status }, 'webhook delivered');
      return;
    }
    if (status !== 0 && !isRetryableStatus(status)) {
      await p.outbox.bury({ ...e, attempts, lastError: `HTTP ${status}` }, 'ALERT_WEBHOOK_REJECTED');
      entries.delete(e.deliveryId);
      p.metrics?.webhookDeliveries.inc({ outcome: 'dead', code: 'ALERT_WEBHOOK_REJECTED' });
      p.logger?.warn(
        { deliveryId: e.deliveryId, status, code: 'ALERT_WEBHOOK_REJECTED' },
        'webhook rejected',
      );
      return;
    }
    const lastError = error ?? `HTTP ${status}`;
    const delay = retryDelayMs(attempts, retry);
    if (delay === undefined) {
      await p.outbox.bury({ ...e, attempts, lastError }, 'ALERT_WEBHOOK_EXHAUSTED');
      entries.delete(e.deliveryId);
      p.metrics?.webhookDeliveries.inc({ outcome: 'dead', code: 'ALERT_WEBHOOK_EXHAUSTED' });
      p.logger?.warn(
        { deliveryId: e.deliveryId, attempts, code: 'ALERT_WEBHOOK_EXHAUSTED' },
        'webhook gave up',
      );
      return;
    }
    const next: OutboxEntry = { ...e, attempts, nextAttemptAt: now() + delay, lastError };
    await p.outbox.update(next);
    p.metrics?.webhookDeliveries.inc({ outcome: 'retry', code: 'ALERT_WEBHOOK_FAILED' });
    p.logger?.info(
      { deliveryId: e.deliveryId, attempts, delayMs: delay, code: 'ALERT_WEBHOOK_FAILED' },
      'webhook retry',
    );
    if (!stopped) schedule(next);
  }

  return {
    async enqueue(target, event, subjectId, body) {
      if (stopped) return;
      const deliveryId = deliveryIdOf(target.url, event, subjectId);
      const t = now();
      const entry: OutboxEntry = {
        deliveryId,
        url: target.url,
        event,
        body: JSON.stringify({ deliveryId, event, ...body }),
        createdAt: t,
        attempts: 0,
        nextAttemptAt: t,
      };
      if (p.outbox.has(deliveryId)) return; // already pending: never enqueued twice
      // The first attempt starts while the entry is being fsync'd (a loaded disk can take hundreds of
      // ms); every outbox change an attempt makes waits for this write, so the order on disk holds.
      const persisted = p.outbox.add(entry);
      writes.set(deliveryId, persisted);
      schedule(entry);
      try {
        if (!(await persisted)) return;
      } finally {
        if (writes.get(deliveryId) === persisted) writes.delete(deliveryId);
      }
      p.metrics?.webhookEnqueued.inc({ event });
    },
    async resume() {
      const { entries: loaded, unreadable } = await p.outbox.load();
      for (const name of unreadable)
        p.logger?.warn(
          { file: name, code: 'ALERT_OUTBOX_UNREADABLE' },
          'outbox file unreadable; moved to dead/',
        );
      for (const e of loaded) schedule(e);
      if (loaded.length > 0) p.logger?.info({ pending: loaded.length }, 'outbox resumed');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      aborter.abort();
      await Promise.allSettled([...inFlight]);
    },
    pending: () => entries.size,
  };
}
