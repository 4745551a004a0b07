/**
 * `createContagionResponder(params)`: the node's contagion response (spec/v1/contagion.md). A
 * Startable: it follows the store's appends (every accepted message is stored first) from its
 * catch-up checkpoint, so a crash never loses a delivery; it matches ContagionAlerts (and
 * RecoveryEvents) to the protocol's exposure profile, keeps the bounded corroboration state, pushes
 * matching alerts to the configured webhooks through the durable outbox, tells local listeners (the
 * SSE stream), and fires the pre-authorized protective actions at most once per episode, reporting
 * each as a signed RecoveryEvent that cites the alerts in `relatesTo`.
 *
 *   const responder = await createContagionResponder({ node, config, dataDir, logger });
 *   await responder.start();   …   await responder.stop();
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import {
  type Address,
  isAddress,
  type NodeConfig,
  type ProtectiveActionPolicy,
  type WebhookEvent,
} from '@sfr/schemas';
import type { Registry } from 'prom-client';
import { lowerHex, retractedIdOf, retractionExtensionOf } from '../envelope/index.js';
import type { Logger } from '../logging/index.js';
import { ContagionError } from './codes.js';
import { type ContagionMetrics, createContagionMetrics } from './contagionMetrics.js';
import { CorroborationState, corroborate, type GroupView, severityRank } from './corroboration.js';
import { isAlertVoid, sourceEventsOf } from './isAlertVoid.js';
import {
  type AdapterExposure,
  buildExposureProfile,
  type ExposureEntry,
  type ExposureProfile,
  matchSubject,
  normalizeSubject,
} from './matchSubject.js';
import { openOutbox } from './outbox.js';
import type { RetryPolicy } from './retrySchedule.js';
import { DEFAULT_ACTION_TIMEOUT_MS, parseActionReport, runCommand } from './runProtectiveAction.js';
import { createWebhookSender, type WebhookSender, type WebhookTarget } from './webhookSender.js';

/** [sfr] The least secret length accepted: 16 bytes (128 bits) against brute force of the HMAC key. */
export const MIN_SECRET_BYTES = 16;
/** [sfr] Expired alerts are pruned from the corroboration state every 10 s. */
export const PRUNE_INTERVAL_MS = 10_000;
/** [sfr] How often the catch-up checkpoint is written (at most this much is handled again after a crash). */
export const CHECKPOINT_INTERVAL_MS = 1_000;
/** [RecoveryEvent.relatesTo maxItems] */
const MAX_RELATES_TO = 32;

/** A stored message as the responder reads it: its type, arrival cursor and canonical wire bytes. */
export interface ContagionStoredMessage {
  readonly id: string;
  readonly type: string;
  readonly cursor: number;
  readonly wire: Uint8Array;
}

/** A message as the accepted-message event carries it: decoded once, by the node's pipeline. */
export interface ContagionAcceptedMessage {
  readonly id: string;
  readonly cursor: number;
  readonly envelope: ContagionEnvelope;
}

/** The envelope fields the responder reads. */
interface ContagionEnvelope {
  readonly type: string;
  readonly issuer: string;
  readonly seq: number;
  readonly issuedAt: number;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** The narrow view of the node the responder needs (SfrNode satisfies it). */
export interface ContagionNode {
  readonly member: string;
  /** A RecoveryEvent's own-protocol verdict on the announcements held now (messages.md#recoveryevent). */
  judgeOwnProtocol(event: { issuer: string; seq: number; protocol: unknown }): 'own' | 'foreign' | 'unknown';
  readonly store: {
    activeAlerts(p?: { now?: number; limit?: number }): Promise<{ id: string; wire: Uint8Array }[]>;
    getMessage(id: string): Promise<{ wire: Uint8Array } | undefined>;
    /** The id of the all-clear by `issuer` held for an alert, whichever arrived first. */
    resolvedBy(alertId: string, issuer: string): Promise<string | undefined>;
    /** The id of the first retraction by `issuer` held for a RecoveryEvent, whichever arrived first. */
    retractedBy(eventId: string, issuer: string): Promise<string | undefined>;
    /** Cursor of the newest stored message (0 when empty). */
    readonly lastCursor: number;
    /** Stored messages after a cursor, oldest first (the catch-up after a restart). */
    readFrom(
      after: number,
      limit?: number,
    ): Promise<{ readonly messages: readonly ContagionStoredMessage[]; readonly nextCursor: number | null }>;
  };
  /** The node's accepted-message event (after the durable append, in cursor order, decoded envelope). */
  onAccepted(listener: (m: ContagionAcceptedMessage) => void): () => void;
  publish(type: string, payload: Record<string, unknown>): Promise<{ messageId: string }>;
}

/** What the responder tells local listeners (the SSE stream) and webhooks. */
export interface ContagionNotice {
  /** The webhook events this responder pushes: all of NodeConfig's but the pools' claim notices. */
  readonly event: Exclude<WebhookEvent, 'claim_filed' | 'claim_decided'>;
  /**
   * The message the notice is about (alert, event, the protective RecoveryEvent, or for liveness the
   * member's last heartbeat before silence / the heartbeat that brought it back).
   */
  readonly messageId: string;
  readonly body: Record<string, unknown>;
}

export interface CreateContagionResponderParameters {
  readonly node: ContagionNode;
  readonly config: Pick<NodeConfig, 'identity' | 'exposure' | 'webhooks' | 'policy'>;
  readonly dataDir: string;
  /** Exposure reported by the loaded adapters (adapters/kit `exposure()`). */
  readonly adapterExposure?: readonly AdapterExposure[];
  /** Resolves relative `secretFile` paths (default: the process's cwd). */
  readonly baseDir?: string;
  readonly logger?: Logger;
  /** The node's Prometheus registry; the responder registers its metrics on it. */
  readonly registry?: Registry;
  readonly retry?: RetryPolicy;
  readonly now?: () => number;
}

export interface ContagionResponder {
  readonly profile: ExposureProfile;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Local subscribers (an SSE route): every notice the responder delivers. */
  onNotice(listener: (n: ContagionNotice) => void): () => void;
  /**
   * Delivers a notice another component raised (member liveness, node.md#liveness) the way the
   * responder's own are delivered: to local subscribers and to every webhook that lists its event.
   * The body gets the node's identity; resolves once the outbox writes are done.
   */
  push(n: ContagionNotice): Promise<void>;
  /**
   * Replaces the webhooks (a config reload, node.md#configuration), re-reading every secret file
   * first: an unreadable one throws `ALERT_WEBHOOK_SECRET_UNREADABLE` and changes nothing. Pending
   * deliveries to a URL no longer configured are given up (`ALERT_WEBHOOK_REJECTED`).
   */
  reloadWebhooks(webhooks: NodeConfig['webhooks'], baseDir?: string): Promise<void>;
  /** Current corroboration of a subject × indicator, for status pages and tests. */
  groups(): GroupView[];
  /** Resolves once queued protective actions and webhook enqueues have settled (tests). */
  idle(): Promise<void>;
  pendingDeliveries(): number;
}

interface ActionMarker {
  readonly policy: string;
  readonly group: string;
  readonly state: 'started' | 'reported' | 'failed' | 'interrupted';
  readonly alertIds: string[];
  /** The episode lasts until the counted alerts expire; the policy fires again only after. */
  readonly until: number;
  readonly startedAt: number;
  readonly eventId?: string;
  readonly code?: string;
}

async function writeDurable(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const h = await open(tmp, 'w', 0o600);
  try {
    await h.writeFile(text);
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, file);
  const d = await open(path.dirname(file), 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

async function readSecret(file: string): Promise<Uint8Array> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (error) {
    throw new ContagionError(
      'ALERT_WEBHOOK_SECRET_UNREADABLE',
      `cannot read webhook secretFile ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const secret = Buffer.from(buf.toString('utf8').trim(), 'utf8');
  if (secret.length < MIN_SECRET_BYTES) {
    throw new ContagionError(
      'ALERT_WEBHOOK_SECRET_UNREADABLE',
      `webhook secretFile ${file} must hold at least ${MIN_SECRET_BYTES} bytes`,
    );
  }
  return secret;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export async function createContagionResponder(
  p: CreateContagionResponderParameters,
): Promise<ContagionResponder> {
  const now = p.now ?? Date.now;
  const log = p.logger?.child({ component: 'contagion' });
  const metrics: ContagionMetrics | undefined =
    p.registry === undefined ? undefined : createContagionMetrics(p.registry);
  const profile = buildExposureProfile({ config: p.config.exposure, adapters: p.adapterExposure });
  const protocol = p.config.identity.protocol;
  const baseDir = p.baseDir ?? process.cwd();
  const readTargets = async (webhooks: NodeConfig['webhooks'], dir: string): Promise<WebhookTarget[]> => {
    const out: WebhookTarget[] = [];
    for (const w of webhooks ?? []) {
      out.push({
        url: w.url,
        secret: await readSecret(path.resolve(dir, w.secretFile)),
        events: w.events,
        minSeverity: w.minSeverity ?? 'low',
      });
    }
    return out;
  };
  // Shared with the sender, which looks a pending delivery's target up by URL: a reload replaces the
  // contents in place.
  const targets: WebhookTarget[] = await readTargets(p.config.webhooks, baseDir);
  const policies: readonly ProtectiveActionPolicy[] = p.config.policy?.protectiveActions ?? [];
  const actionsDir = path.join(p.dataDir, 'contagion', 'actions');
  await mkdir(actionsDir, { recursive: true, mode: 0o700 });
  const outbox = await openOutbox(p.dataDir);
  const sender: WebhookSender = createWebhookSender({
    outbox,
    targets,
    logger: log,
    metrics,
    ...(p.retry === undefined ? {} : { retry: p.retry }),
    now,
  });
  const state = new CorroborationState();
  const listeners = new Set<(n: ContagionNotice) => void>();
  const markers = new Map<string, ActionMarker>();
  const tasks = new Set<Promise<unknown>>();
  let unsubscribe: (() => void) | undefined;
  let pruneTimer: ReturnType<typeof setInterval> | undefined;
  let started = false;
  /** Alert id → the normalized subject it was about (for resolutions of matched alerts). */
  const alertSubjects = new Map<string, ExposureEntry>();

  /** Counted alert id → its issuer and `sourceEvents`, for the alerts a retraction makes void. */
  const alertSources = new Map<string, { issuer: string; sources: string[] }>();
  const citeSources = (id: string, issuer: string, alert: Record<string, unknown>): void => {
    const sources = sourceEventsOf(alert);
    if (sources.length === 0) return;
    alertSources.set(id, { issuer, sources });
    if (alertSources.size > 65_536) alertSources.delete(alertSources.keys().next().value as string);
  };
  /**
   * contagion.md#expiry-and-resolution rule 4: the counted alerts citing `eventId` (just marked
   * retracted) whose every source event is now retracted leave the corroboration state; their ids, sorted.
   */
  const voidAlertsCiting = async (eventId: string): Promise<string[]> => {
    const voided: string[] = [];
    for (const [alertId, held] of [...alertSources]) {
      if (!held.sources.includes(eventId)) continue;
      if (!(await isAlertVoid({ sourceEvents: held.sources }, p.node.store))) continue;
      state.resolve(alertId, held.issuer);
      alertSources.delete(alertId);
      alertSubjects.delete(alertId);
      metrics?.alertsMatched.inc({ outcome: 'void' });
      voided.push(alertId);
    }
    if (voided.length > 0)
      log?.info({ messageId: eventId, voids: voided }, 'alerts void: every source event retracted');
    return voided.sort();
  };

  /** The store lookups of arriving alerts, chained so that alerts are counted in acceptance order. */
  let lookups: Promise<unknown> = Promise.resolve();
  const track = (t: Promise<unknown>): void => {
    tasks.add(t);
    t.finally(() => tasks.delete(t)).catch(() => {});
  };

  /** Tells listeners and enqueues webhook deliveries; resolves once the outbox writes are done. */
  const notify = (n: ContagionNotice, severity: string | undefined): Promise<unknown> => {
    const writes: Promise<unknown>[] = [];
    for (const l of listeners) {
      try {
        l(n);
      } catch (err) {
        log?.warn({ err: String(err) }, 'contagion listener threw');
      }
    }
    for (const t of targets) {
      if (!t.events.includes(n.event)) continue;
      if (severity !== undefined && severityRank(severity) < severityRank(t.minSeverity)) continue;
      const write = sender
        .enqueue(t, n.event, n.messageId, n.body)
        .catch((err: unknown) =>
          log?.error({ err: String(err), messageId: n.messageId }, 'outbox write failed'),
        );
      track(write);
      writes.push(write);
    }
    return Promise.all(writes);
  };

  const nodeInfo = () => ({ member: p.node.member, protocol });

  function onAlert(
    id: string,
    env: { issuer: string; seq: number; issuedAt: number; payload: Record<string, unknown> },
  ): void {
    const a = env.payload;
    const t = now();
    const subject = normalizeSubject((a['subject'] ?? { kind: 'other' }) as { kind: string });
    const indicator = str(a['indicator']) ?? 'other';
    const severity = str(a['severity']) ?? 'unknown';
    const resolves = str(a['resolves']);
    const issuer = env.issuer.toLowerCase();
    if (resolves !== undefined) {
      const r = state.resolve(resolves, issuer);
      if (r.wrongIssuer) {
        metrics?.alertsMatched.inc({ outcome: 'resolve_refused' });
        log?.info(
          { messageId: id, resolves, code: 'ALERT_RESOLVE_NOT_ISSUER' },
          'all-clear from another issuer ignored',
        );
        return;
      }
      const deliver = (resolvedNow: boolean): Promise<unknown> => {
        const about = alertSubjects.get(resolves) ?? subject;
        if (about === undefined || matchSubject(profile, about).length === 0) return Promise.resolve();
        alertSubjects.delete(resolves);
        metrics?.alertsMatched.inc({ outcome: 'resolved' });
        return notify(
          {
            event: 'alert_resolved',
            messageId: id,
            body: {
              node: nodeInfo(),
              createdAt: t,
              alert: { messageId: id, issuer, seq: env.seq, issuedAt: env.issuedAt, payload: a },
              resolves,
              resolvedNow,
            },
          },
          undefined,
        );
      };
      if (r.resolved) {
        void deliver(true);
        return;
      }
      // Not in the state (expired, already resolved, or never exposed): check the issuer in the store.
      track(
        p.node.store.getMessage(resolves).then(
          (held) => {
            if (held === undefined) {
              log?.debug({ messageId: id, resolves }, 'all-clear for an alert this node does not hold');
              return;
            }
            const original = JSON.parse(Buffer.from(held.wire).toString('utf8')) as { issuer?: string };
            if (original.issuer?.toLowerCase() !== issuer) {
              metrics?.alertsMatched.inc({ outcome: 'resolve_refused' });
              log?.info(
                { messageId: id, resolves, code: 'ALERT_RESOLVE_NOT_ISSUER' },
                'all-clear from another issuer ignored',
              );
              return;
            }
            return deliver(false);
          },
          (err: unknown) => log?.warn({ err: String(err), resolves }, 'store lookup failed'),
        ),
      );
      return;
    }
    const expiresAt = num(a['expiresAt']) ?? 0;
    if (expiresAt <= t) {
      metrics?.alertsMatched.inc({ outcome: 'expired' });
      log?.debug({ messageId: id, code: 'ALERT_EXPIRED' }, 'expired alert not delivered');
      return;
    }
    const matched = subject === undefined ? [] : matchSubject(profile, subject);
    if (subject === undefined || matched.length === 0) {
      metrics?.alertsMatched.inc({ outcome: 'not_exposed' });
      log?.debug({ messageId: id, code: 'ALERT_NOT_EXPOSED' }, 'alert does not touch the exposure profile');
      return;
    }
    // messages.md#contagionalert rule 4, judged when read: an alert whose own issuer's all-clear the
    // store already holds (it arrived first) is resolved on arrival, as if they had come in order; one
    // whose every source event is already retracted is void on arrival (expiry and resolution rule 4).
    // Looked up in arrival order, so alerts are counted in the order they were accepted.
    const exposed = subject;
    const lookup = lookups.then(async () => ({
      by: await p.node.store.resolvedBy(id, issuer),
      void: await isAlertVoid(a, p.node.store),
    }));
    lookups = lookup.catch(() => undefined);
    const observed = lookup.then(
      (held) => {
        if (held.void) {
          metrics?.alertsMatched.inc({ outcome: 'void' });
          log?.info({ messageId: id }, 'alert void: every source event retracted by its issuer; not counted');
          return undefined;
        }
        if (held.by === undefined) return observe();
        metrics?.alertsMatched.inc({ outcome: 'resolved' });
        log?.info(
          { messageId: id, resolvedBy: held.by },
          'alert already resolved by its issuer; not counted',
        );
        return undefined;
      },
      (err: unknown) => {
        log?.warn({ err: String(err), messageId: id }, 'store lookup failed; alert counted');
        return observe();
      },
    );
    track(observed);

    function observe(): Promise<unknown> {
      alertSubjects.set(id, exposed);
      if (alertSubjects.size > 65_536) alertSubjects.delete(alertSubjects.keys().next().value as string);
      citeSources(id, issuer, a);
      const obs = state.observe(
        exposed,
        indicator,
        { id, issuer, seq: env.seq, confidence: num(a['confidence']) ?? 0, severity, expiresAt },
        t,
      );
      if (obs.status === 'expired') return Promise.resolve();
      if (obs.status === 'counted' && obs.evicted !== undefined)
        log?.warn(
          { evicted: obs.evicted, code: 'ALERT_STATE_FULL' },
          'corroboration state full; evicted a group',
        );
      const c = corroborate(obs.group);
      metrics?.alertsMatched.inc({ outcome: 'matched' });
      log?.info(
        {
          messageId: id,
          issuer,
          matched: matched.length,
          issuers: c.issuers,
          confidenceBps: c.confidenceBps,
        },
        'alert touches the exposure profile',
      );
      const work: Promise<unknown>[] = [];
      work.push(
        notify(
          {
            event: 'alert',
            messageId: id,
            body: {
              node: nodeInfo(),
              createdAt: t,
              alert: { messageId: id, issuer, seq: env.seq, issuedAt: env.issuedAt, payload: a },
              exposure: { matched },
              corroboration: { issuers: c.issuers, confidenceBps: c.confidenceBps, alertIds: c.alertIds },
              recommendedActions: Array.isArray(a['recommendedActions']) ? a['recommendedActions'] : [],
            },
          },
          severity,
        ),
      );
      for (const policy of policies) {
        if (!(policy.indicators as readonly string[]).includes(indicator)) continue;
        const pc = corroborate(obs.group, policy.minSeverity);
        if (pc.issuers < policy.minIssuers || pc.confidenceBps < policy.minConfidenceBps) continue;
        work.push(fire(policy, obs.group, pc, { id, env }));
      }
      return Promise.all(work);
    }
  }

  /**
   * A RecoveryEvent or a retraction: judged on what the store holds when it is handled, in arrival
   * order. An event its own issuer retracted, whichever of the two arrived first, gets one
   * `event_retracted` notice (messages.md#retraction) and is never delivered as a `recovery_event`.
   */
  function onRecoveryEvent(
    id: string,
    env: { issuer: string; seq: number; issuedAt: number; payload: Record<string, unknown> },
  ): void {
    const issuer = env.issuer.toLowerCase();
    const retracts = retractedIdOf(env.payload);
    const lookup = lookups.then(async () => {
      if (retracts === undefined) {
        const by = await p.node.store.retractedBy(id, issuer);
        if (by === undefined) return deliverRecoveryEvent(id, env);
        const retraction = await p.node.store.getMessage(by);
        if (retraction !== undefined) await notifyRetracted(id, env, by, parsedEnvelope(retraction.wire));
        return;
      }
      // Only the first retraction by the event's own issuer marks it, and only once the event is held.
      if ((await p.node.store.retractedBy(retracts, issuer)) !== id) return;
      const event = await p.node.store.getMessage(retracts);
      if (event !== undefined) await notifyRetracted(retracts, parsedEnvelope(event.wire), id, env);
    });
    lookups = lookup.catch(() => undefined);
    track(
      lookup.catch((err: unknown) =>
        log?.warn({ err: String(err), messageId: id }, 'store lookup of a recovery event failed'),
      ),
    );
  }

  function parsedEnvelope(wire: Uint8Array): {
    issuer: string;
    issuedAt: number;
    payload: Record<string, unknown>;
  } {
    return JSON.parse(Buffer.from(wire).toString('utf8')) as {
      issuer: string;
      issuedAt: number;
      payload: Record<string, unknown>;
    };
  }

  /** What of the exposure profile a RecoveryEvent's protocol, contracts and assets touch. */
  function eventExposure(e: Record<string, unknown>): ReturnType<typeof matchSubject> {
    const slug = str(e['protocol']);
    const scope = (e['scope'] ?? {}) as { chain?: unknown; contracts?: unknown; assets?: unknown };
    const subjects: ExposureEntry[] = [];
    if (slug !== undefined) subjects.push({ kind: 'protocol', protocol: slug });
    if (typeof scope.chain === 'string' && Array.isArray(scope.contracts))
      for (const c of scope.contracts.slice(0, 64))
        if (isAddress(c)) subjects.push({ kind: 'contract', chain: scope.chain, address: lowerHex(c) });
    if (Array.isArray(scope.assets))
      for (const a of scope.assets.slice(0, 64)) {
        const n = normalizeSubject({ kind: 'asset', ...(a as { chain?: string; address?: Address }) });
        if (n !== undefined) subjects.push(n);
      }
    return subjects.flatMap((s) => matchSubject(profile, s));
  }

  /**
   * contagion.md#webhook-delivery: `event_retracted`, once per retracted event (its id names the
   * delivery), whatever the exposure, at the retracted event's severity.
   */
  async function notifyRetracted(
    eventId: string,
    event: { issuer: string; payload: Record<string, unknown> },
    retractionId: string,
    retraction: { issuedAt: number; payload: Record<string, unknown> },
  ): Promise<unknown> {
    const ext = retractionExtensionOf(retraction.payload) as { ancestorBlock?: unknown } | undefined;
    log?.info({ messageId: eventId, retractedBy: retractionId }, 'recovery event retracted by its issuer');
    const voids = await voidAlertsCiting(eventId);
    return notify(
      {
        event: 'event_retracted',
        messageId: eventId,
        body: {
          node: nodeInfo(),
          createdAt: now(),
          event: { messageId: eventId, issuer: event.issuer, payload: event.payload },
          retraction: {
            messageId: retractionId,
            issuedAt: retraction.issuedAt,
            ...(typeof ext?.ancestorBlock === 'string' ? { ancestorBlock: ext.ancestorBlock } : {}),
          },
          exposure: { matched: eventExposure(event.payload) },
          voids,
        },
      },
      str(event.payload['severity']),
    );
  }

  function deliverRecoveryEvent(
    id: string,
    env: { issuer: string; seq: number; payload: Record<string, unknown> },
  ): void {
    if (env.issuer.toLowerCase() === p.node.member) return; // our own reports go out as protective_action
    const e = env.payload;
    // messages.md#recoveryevent: judged when read; an event about another protocol than its issuer's is not delivered.
    if (
      p.node.judgeOwnProtocol({ issuer: env.issuer, seq: env.seq, protocol: e['protocol'] }) === 'foreign'
    ) {
      log?.info({ messageId: id, code: 'GOSSIP_RECOVERY_NOT_OWN_PROTOCOL' }, 'recovery event not delivered');
      return;
    }
    const matched = eventExposure(e);
    if (matched.length === 0) return;
    void notify(
      {
        event: 'recovery_event',
        messageId: id,
        body: {
          node: nodeInfo(),
          createdAt: now(),
          event: { messageId: id, issuer: env.issuer, payload: e },
          exposure: { matched },
        },
      },
      str(e['severity']),
    );
  }

  const markerFile = (key: string) => path.join(actionsDir, `${key}.json`);

  async function saveMarker(key: string, m: ActionMarker): Promise<void> {
    markers.set(key, m);
    await writeDurable(markerFile(key), JSON.stringify(m));
  }

  /** Serializes firings per marker key so two alerts arriving together cannot both fire. */
  const firing = new Map<string, Promise<void>>();

  function fire(
    policy: ProtectiveActionPolicy,
    group: GroupView,
    c: { issuers: number; confidenceBps: number; alertIds: string[] },
    trigger: { id: string; env: { issuer: string; payload: Record<string, unknown> } },
  ): Promise<void> {
    const key = createHash('sha256').update(`${policy.name}\n${group.key}`).digest('hex');
    const prev = firing.get(key) ?? Promise.resolve();
    const next = prev.then(() => fireOnce(key, policy, group, c, trigger));
    firing.set(
      key,
      next.catch(() => {}),
    );
    return next;
  }

  async function fireOnce(
    key: string,
    policy: ProtectiveActionPolicy,
    group: GroupView,
    c: { issuers: number; confidenceBps: number; alertIds: string[] },
    trigger: { id: string; env: { issuer: string; payload: Record<string, unknown> } },
  ): Promise<void> {
    const t = now();
    const existing = markers.get(key);
    if (existing !== undefined && existing.until > t) return; // at most once per episode
    const until = Math.max(...group.alerts.map((a) => a.expiresAt));
    // Persist-then-run: a crash while the command runs leaves `started`, and it is never run again.
    await saveMarker(key, {
      policy: policy.name,
      group: group.key,
      state: 'started',
      alertIds: c.alertIds,
      until,
      startedAt: t,
    });
    const input = JSON.stringify({
      policy: policy.name,
      node: nodeInfo(),
      subject: group.subject,
      indicator: group.indicator,
      corroboration: c,
      trigger: { messageId: trigger.id, issuer: trigger.env.issuer, payload: trigger.env.payload },
    });
    log?.warn(
      { policy: policy.name, group: group.key, issuers: c.issuers, confidenceBps: c.confidenceBps },
      'protective action firing',
    );
    let eventId: string | undefined;
    let code: string | undefined;
    let message: string | undefined;
    try {
      const stdout = await runCommand(policy.command, input, policy.timeoutMs ?? DEFAULT_ACTION_TIMEOUT_MS);
      const report = parseActionReport(stdout);
      const t2 = now();
      const payload: Record<string, unknown> = {
        kind: report.kind,
        protocol,
        severity: str(trigger.env.payload['severity']) ?? 'critical',
        occurredAt: t2,
        detectedAt: t2,
        scope: report.scope,
        ...(report.mechanism === undefined ? {} : { mechanism: report.mechanism }),
        evidence: report.evidence,
        relatesTo: c.alertIds.slice(0, MAX_RELATES_TO),
        summary: report.summary ?? `protective action ${policy.name} on ${group.indicator}`.slice(0, 280),
      };
      try {
        eventId = (await p.node.publish('RecoveryEvent', payload)).messageId;
      } catch (err) {
        const inner = (err as { details?: { code?: string } }).details?.code;
        throw new ContagionError(
          'ALERT_ACTION_REPORT_REFUSED',
          `the RecoveryEvent was refused (${inner ?? String(err)})`,
          {
            cause: err,
          },
        );
      }
    } catch (err) {
      code = err instanceof ContagionError ? err.code : 'ALERT_ACTION_FAILED';
      message = (err as Error).message;
    }
    await saveMarker(key, {
      policy: policy.name,
      group: group.key,
      state: code === undefined ? 'reported' : 'failed',
      alertIds: c.alertIds,
      until,
      startedAt: t,
      ...(eventId === undefined ? {} : { eventId }),
      ...(code === undefined ? {} : { code }),
    });
    metrics?.actions.inc({ outcome: code === undefined ? 'reported' : 'failed', code: code ?? '' });
    if (code === undefined) log?.warn({ policy: policy.name, eventId }, 'protective action reported');
    else log?.error({ policy: policy.name, code, message }, 'protective action failed');
    await notify(
      {
        event: 'protective_action',
        messageId: eventId ?? key,
        body: {
          node: nodeInfo(),
          createdAt: now(),
          policy: policy.name,
          subject: group.subject,
          indicator: group.indicator,
          corroboration: c,
          outcome: code === undefined ? 'reported' : 'failed',
          ...(eventId === undefined ? {} : { recoveryEventId: eventId }),
          ...(code === undefined ? {} : { code, message }),
        },
      },
      undefined,
    );
  }

  async function loadMarkers(): Promise<void> {
    for (const name of await readdir(actionsDir)) {
      if (!/^[0-9a-f]{64}\.json$/.test(name)) continue;
      const key = name.slice(0, 64);
      try {
        const m = JSON.parse(await readFile(path.join(actionsDir, name), 'utf8')) as ActionMarker;
        if (m.state === 'started') {
          log?.error(
            { policy: m.policy, code: 'ALERT_ACTION_INTERRUPTED' },
            'a protective action was interrupted; not run again',
          );
          await saveMarker(key, { ...m, state: 'interrupted', code: 'ALERT_ACTION_INTERRUPTED' });
        } else markers.set(key, m);
      } catch {
        log?.warn({ file: name }, 'unreadable action marker ignored');
      }
    }
  }

  // ---- catch-up checkpoint (spec/v1/contagion.md#catch-up): the store cursor up to which every
  // message has been handled and every outbox write it caused is done.
  const checkpointFile = path.join(p.dataDir, 'contagion', 'checkpoint.json');
  /** Cursor of the last message handed to `handle`. */
  let handled = 0;
  /** Cursor last written to `checkpointFile`. */
  let checkpointed = 0;
  let checkpointing: Promise<void> | undefined;
  let checkpointTimer: ReturnType<typeof setInterval> | undefined;

  async function readCheckpoint(): Promise<number | undefined> {
    let text: string;
    try {
      text = await readFile(checkpointFile, 'utf8');
    } catch {
      return undefined; // none yet: the first start with contagion response
    }
    let cursor: unknown;
    try {
      cursor = (JSON.parse(text) as { cursor?: unknown }).cursor;
    } catch {
      cursor = undefined;
    }
    if (typeof cursor === 'number' && Number.isSafeInteger(cursor) && cursor >= 0) return cursor;
    // Written atomically, so only outside damage gets here: say so, and start from the tail.
    log?.error(
      { file: checkpointFile, code: 'ALERT_OUTBOX_UNREADABLE' },
      'contagion checkpoint unreadable; starting from the store tail (deliveries since the last checkpoint are not retried)',
    );
    return undefined;
  }

  /** Handles one accepted message; synchronous, so the tasks it starts exist when it returns. */
  function handle(m: ContagionAcceptedMessage): void {
    if (m.cursor <= handled) return;
    handled = m.cursor;
    const env = m.envelope as ContagionEnvelope & { payload: Record<string, unknown> };
    if (env.type === 'ContagionAlert') onAlert(m.id, env);
    else if (env.type === 'RecoveryEvent') onRecoveryEvent(m.id, env);
  }

  /** Handles one message read back from the store (catch-up): only alerts and events are parsed. */
  function handleStored(m: ContagionStoredMessage): void {
    if (m.cursor <= handled) return;
    if (m.type !== 'ContagionAlert' && m.type !== 'RecoveryEvent') {
      handled = m.cursor;
      return;
    }
    let envelope: ContagionEnvelope;
    try {
      envelope = JSON.parse(Buffer.from(m.wire).toString('utf8')) as ContagionEnvelope;
    } catch {
      handled = m.cursor;
      return; // stored messages are canonical JSON; a parse failure is skipped, never fatal
    }
    handle({ id: m.id, cursor: m.cursor, envelope });
  }

  /**
   * Writes the checkpoint once the tasks of every message handled so far have settled (nested tasks
   * are chained to the task that starts them). A crash before it only means the messages after the
   * previous checkpoint are handled again at start: deliveries are at least once, actions at most once.
   */
  function checkpoint(): Promise<void> {
    checkpointing ??= (async () => {
      try {
        const cursor = handled;
        await Promise.allSettled([...tasks]);
        if (cursor > checkpointed) {
          await writeDurable(checkpointFile, JSON.stringify({ cursor }));
          checkpointed = cursor;
        }
      } catch (err) {
        log?.warn({ err: String(err) }, 'contagion checkpoint not written');
      } finally {
        checkpointing = undefined;
      }
    })();
    return checkpointing;
  }

  return {
    profile,
    async start() {
      if (started) return;
      started = true;
      await loadMarkers();
      // Rebuild corroboration from the store's active alerts (the state is derived, never authoritative).
      const t = now();
      for (const s of await p.node.store.activeAlerts({ now: t, limit: 10_000 })) {
        try {
          const env = JSON.parse(Buffer.from(s.wire).toString('utf8')) as {
            issuer: string;
            seq: number;
            payload: Record<string, unknown>;
          };
          const a = env.payload;
          const subject = normalizeSubject((a['subject'] ?? { kind: 'other' }) as { kind: string });
          if (
            subject === undefined ||
            matchSubject(profile, subject).length === 0 ||
            a['resolves'] !== undefined ||
            (await isAlertVoid(a, p.node.store))
          )
            continue;
          alertSubjects.set(s.id, subject);
          citeSources(s.id, env.issuer.toLowerCase(), a);
          state.observe(
            subject,
            str(a['indicator']) ?? 'other',
            {
              id: s.id,
              issuer: env.issuer.toLowerCase(),
              seq: env.seq,
              confidence: num(a['confidence']) ?? 0,
              severity: str(a['severity']) ?? 'unknown',
              expiresAt: num(a['expiresAt']) ?? 0,
            },
            t,
          );
        } catch {
          // a stored message is valid by construction; a parse failure is skipped, never fatal
        }
      }
      await sender.resume();
      // Live appends wait in `held` while the messages stored after the checkpoint are handled, so
      // every message is handled once, in cursor order (spec/v1/contagion.md#catch-up).
      let live = false;
      const held: ContagionAcceptedMessage[] = [];
      const saved = await readCheckpoint();
      // The tail is read and the feed subscribed in one tick: no append falls between them.
      const tail = p.node.store.lastCursor;
      unsubscribe = p.node.onAccepted((m) => {
        if (live) handle(m);
        else held.push(m);
      });
      if (saved === undefined) {
        // First start with contagion response: begin at the store's tail, not with its history.
        handled = tail;
        checkpointed = handled;
        await writeDurable(checkpointFile, JSON.stringify({ cursor: handled }));
      } else {
        handled = saved;
        checkpointed = saved;
        let replayed = 0;
        for (let after = saved; ; ) {
          const page = await p.node.store.readFrom(after, 500);
          for (const m of page.messages) {
            handleStored(m);
            replayed++;
          }
          if (page.nextCursor === null || page.messages.length === 0) break;
          after = page.messages[page.messages.length - 1]!.cursor;
        }
        if (replayed > 0)
          log?.info(
            { from: saved, to: handled, messages: replayed },
            'handled messages stored since the checkpoint',
          );
      }
      live = true;
      for (const m of held.splice(0)) handle(m);
      checkpointTimer = setInterval(() => void checkpoint(), CHECKPOINT_INTERVAL_MS);
      checkpointTimer.unref();
      pruneTimer = setInterval(() => state.prune(now()), PRUNE_INTERVAL_MS);
      pruneTimer.unref();
      log?.info(
        {
          exposure: profile.entries.length,
          webhooks: targets.length,
          policies: policies.length,
          groups: state.size,
        },
        'contagion responder started',
      );
    },
    async stop() {
      if (!started) return;
      started = false;
      unsubscribe?.();
      if (pruneTimer !== undefined) clearInterval(pruneTimer);
      if (checkpointTimer !== undefined) clearInterval(checkpointTimer);
      await Promise.allSettled([...tasks]);
      await checkpoint();
      await sender.stop();
    },
    onNotice(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async reloadWebhooks(webhooks, dir = baseDir) {
      const next = await readTargets(webhooks, dir);
      targets.splice(0, targets.length, ...next);
    },
    async push(n) {
      if (!started) return;
      await notify({ ...n, body: { node: nodeInfo(), ...n.body } }, undefined);
    },
    groups: () => state.views(now()),
    async idle() {
      while (tasks.size > 0) await Promise.allSettled([...tasks]);
    },
    pendingDeliveries: () => sender.pending(),
  };
}
