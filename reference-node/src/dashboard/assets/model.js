/**
 * The dashboard's state: what the node's JSON routes and streams said, folded message by message.
 * Alert groups and their corroboration use the node's own pure modules (served from
 * dist/contagion), so the page and the responder count issuers and combine confidence identically.
 */
import { corroborate, groupKey, severityRank } from './corroboration.js';
import { normalizeSubject } from './matchSubject.js';
import { DASHBOARD_PART_OF_TYPE } from './messageParts.js';

/** Recovery events, notices and attestations kept in memory (the page shows the newest). */
const KEEP_EVENTS = 50;
const KEEP_NOTICES = 50;
const KEEP_ATTESTATIONS = 2000;

export function createModel() {
  return {
    status: null,
    health: null,
    peers: [],
    /** Items of the liveness route when the node serves one (GET /v1/members), else null. */
    members: null,
    /** ContagionAlert items by message id (active ones: not expired, not resolved). */
    alerts: new Map(),
    events: [],
    /** Retracted event id → {by, at, issuer} of the retraction seen (messages.md#retraction). */
    retractions: new Map(),
    notices: [],
    /** Alert message id → the `alert` notice that said it touches this protocol's exposure. */
    touched: new Map(),
    /** Member (lower case) → latest NodeAnnouncement {at, payload}. */
    announcements: new Map(),
    /** Issuer (lower case) → issuedAt of the latest message seen from it. */
    lastSeen: new Map(),
    /** Pool id → the charter of the highest epoch seen. */
    charters: new Map(),
    /** Pool id → GET /v1/pools/{id}. */
    pools: new Map(),
    claims: [],
    /** Claim id → attestation messages [{messageId, issuer, verdict, approvedAmount, issuedAt}]. */
    attestations: new Map(),
    attestationCount: 0,
    routes: new Set(),
    stream: 'connecting',
  };
}

const lower = (s) => (typeof s === 'string' ? s.toLowerCase() : '');

/**
 * Folds one MessageListItem ({messageId, receivedAt, envelope}) into the model; answers which
 * parts changed ('alerts', 'events', 'pools', 'members'), so the page re-renders only those.
 */
export function addMessage(model, item, now = Date.now()) {
  const changed = new Set();
  const env = item?.envelope;
  if (env === null || typeof env !== 'object' || typeof env.payload !== 'object') return changed;
  const issuer = lower(env.issuer);
  const p = env.payload;
  if (issuer && (model.lastSeen.get(issuer) ?? 0) < env.issuedAt) {
    model.lastSeen.set(issuer, env.issuedAt);
    changed.add('members');
  }
  switch (env.type) {
    case 'ContagionAlert':
      if (typeof p.resolves === 'string') {
        const resolved = model.alerts.get(p.resolves);
        if (resolved !== undefined && lower(resolved.envelope.issuer) === issuer) {
          model.alerts.delete(p.resolves);
          changed.add('alerts');
        }
      } else if (typeof p.expiresAt === 'number' && p.expiresAt > now && !model.alerts.has(item.messageId)) {
        model.alerts.set(item.messageId, item);
        changed.add('alerts');
      }
      break;
    case 'RecoveryEvent': {
      // A retraction marks its event (only one of the same issuer), whichever arrives first; it is
      // not listed itself. The `event_retracted` notice marks it too (addNotice).
      const retracts = p.extensions?.['sfr.retraction']?.retracts;
      if (typeof retracts === 'string') {
        if (!model.retractions.has(retracts))
          model.retractions.set(retracts, { by: item.messageId, at: env.issuedAt, issuer });
        const event = model.events.find((e) => e.messageId === retracts);
        if (event !== undefined && markRetracted(model, event)) changed.add('events');
        break;
      }
      if (!model.events.some((e) => e.messageId === item.messageId)) {
        markRetracted(model, item);
        model.events.push(item);
        model.events.sort((a, b) => b.envelope.issuedAt - a.envelope.issuedAt);
        model.events.length = Math.min(model.events.length, KEEP_EVENTS);
        changed.add('events');
      }
      break;
    }
    case 'NodeAnnouncement': {
      const member = lower(p.member) || issuer;
      if ((model.announcements.get(member)?.at ?? 0) < env.issuedAt) {
        model.announcements.set(member, { at: env.issuedAt, payload: p });
        changed.add('members');
      }
      break;
    }
    case 'PoolCharter': {
      const poolId = lower(p.poolId);
      const known = model.charters.get(poolId);
      if (known === undefined || known.epoch <= p.epoch) model.charters.set(poolId, p);
      changed.add('pools');
      break;
    }
    case 'ClaimAttestation': {
      const list = model.attestations.get(p.claimId) ?? [];
      if (!list.some((a) => a.messageId === item.messageId) && model.attestationCount < KEEP_ATTESTATIONS) {
        list.push({
          messageId: item.messageId,
          issuer,
          verdict: p.verdict,
          approvedAmount: p.approvedAmount,
          reasonCode: p.reasonCode,
          issuedAt: env.issuedAt,
        });
        model.attestationCount += 1;
        model.attestations.set(p.claimId, list);
      }
      changed.add('pools');
      break;
    }
    default:
      // The types the page only re-renders for (FundClaim, ClaimDecision, EquivocationEvidence): the
      // part comes from the table every message type must be in (messageParts.ts); an unknown type
      // (a newer minor) changes nothing.
      if (Object.hasOwn(DASHBOARD_PART_OF_TYPE, env.type)) changed.add(DASHBOARD_PART_OF_TYPE[env.type]);
  }
  return changed;
}

/** Folds one notice of /v1/notices ({event, body}). */
export function addNotice(model, event, body, now = Date.now()) {
  model.notices.unshift({ event, body, at: typeof body?.createdAt === 'number' ? body.createdAt : now });
  model.notices.length = Math.min(model.notices.length, KEEP_NOTICES);
  if (event === 'alert' && typeof body?.alert?.messageId === 'string')
    model.touched.set(body.alert.messageId, body);
  const retracted = body?.event?.messageId;
  if (event === 'event_retracted' && typeof retracted === 'string' && !model.retractions.has(retracted)) {
    const r = body.retraction ?? {};
    model.retractions.set(retracted, { by: r.messageId, at: r.issuedAt, issuer: lower(body.event.issuer) });
    const item = model.events.find((e) => e.messageId === retracted);
    if (item !== undefined) markRetracted(model, item);
  }
}

/** Marks an event item retracted by a retraction of its own issuer the model holds; answers whether it changed. */
function markRetracted(model, item) {
  if (item.retracted !== undefined) return false;
  const r = model.retractions.get(item.messageId);
  if (r === undefined || r.issuer !== lower(item.envelope.issuer)) return false;
  item.retracted = { by: r.by, at: r.at };
  return true;
}

/** Drops alerts that expired; answers whether any did. */
export function pruneExpired(model, now = Date.now()) {
  let any = false;
  for (const [id, item] of model.alerts) {
    if (item.envelope.payload.expiresAt <= now) {
      model.alerts.delete(id);
      any = true;
    }
  }
  return any;
}

/**
 * Active alerts grouped by subject and indicator (spec/v1/contagion.md#corroboration): one alert
 * per issuer (its highest seq), the combined confidence over those, the latest expiry; most severe
 * and most confident first. An alert whose subject names nothing matchable is a group of its own.
 */
export function alertGroups(model, now = Date.now()) {
  const groups = new Map();
  for (const item of model.alerts.values()) {
    const env = item.envelope;
    const p = env.payload;
    if (p.expiresAt <= now) continue;
    const entry = normalizeSubject(p.subject ?? {});
    const key = entry === undefined ? `message:${item.messageId}` : groupKey(entry, p.indicator);
    let g = groups.get(key);
    if (g === undefined) {
      g = { key, subject: p.subject, entry, indicator: p.indicator, byIssuer: new Map() };
      groups.set(key, g);
    }
    const issuer = lower(env.issuer);
    const prev = g.byIssuer.get(issuer);
    if (prev === undefined || prev.envelope.seq < env.seq) g.byIssuer.set(issuer, item);
  }
  const out = [];
  for (const g of groups.values()) {
    const alerts = [...g.byIssuer.values()].sort(
      (a, b) => b.envelope.payload.confidence - a.envelope.payload.confidence,
    );
    const corroboration = corroborate({
      key: g.key,
      subject: g.entry,
      indicator: g.indicator,
      alerts: alerts.map((a) => ({
        id: a.messageId,
        issuer: lower(a.envelope.issuer),
        seq: a.envelope.seq,
        confidence: a.envelope.payload.confidence,
        severity: a.envelope.payload.severity,
        expiresAt: a.envelope.payload.expiresAt,
      })),
    });
    const severity = alerts.reduce(
      (s, a) =>
        severityRank(a.envelope.payload.severity) > severityRank(s) ? a.envelope.payload.severity : s,
      'unknown',
    );
    out.push({
      key: g.key,
      subject: g.subject,
      indicator: g.indicator,
      alerts,
      severity,
      corroboration,
      expiresAt: Math.max(...alerts.map((a) => a.envelope.payload.expiresAt)),
      firstSeenAt: Math.min(...alerts.map((a) => a.envelope.issuedAt)),
      touched: alerts.map((a) => model.touched.get(a.messageId)).find((n) => n !== undefined),
    });
  }
  return out.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      b.corroboration.confidenceBps - a.corroboration.confidenceBps ||
      b.firstSeenAt - a.firstSeenAt,
  );
}

/**
 * Members as the page knows them: the liveness route's items when the node serves one; otherwise
 * everyone named by a charter, an announcement, a message or this node's status, with what is
 * known of each (protocol, last announcement and its heartbeat, last message, connected peer).
 */
export function memberRows(model) {
  const rows = new Map();
  const row = (member) => {
    const key = lower(member);
    let r = rows.get(key);
    if (r === undefined) {
      r = { member, protocol: undefined, self: false, connected: false, lastSeenAt: undefined };
      rows.set(key, r);
    }
    return r;
  };
  for (const charter of model.charters.values())
    for (const m of charter.members ?? []) row(m.member).protocol ??= m.protocol;
  if (model.status?.member) {
    const me = row(model.status.member);
    me.self = true;
    me.protocol = model.status.protocol;
  }
  for (const [member, a] of model.announcements) {
    const r = row(a.payload.member ?? member);
    r.protocol ??= a.payload.protocol;
    r.announcedAt = a.at;
    r.heartbeat = a.payload.heartbeat;
    r.peerId = a.payload.peerId;
  }
  for (const [issuer, at] of model.lastSeen) row(issuer).lastSeenAt = at;
  for (const peer of model.peers) if (peer.member && peer.connected) row(peer.member).connected = true;
  if (Array.isArray(model.members)) {
    for (const m of model.members) {
      if (typeof m?.member !== 'string') continue;
      const r = row(m.member);
      r.protocol ??= m.protocol;
      r.liveness = typeof m.status === 'string' ? m.status : undefined;
      r.heartbeatAt = m.lastHeartbeatAt ?? m.lastSeenAt;
      r.missed = m.missedHeartbeats;
    }
  }
  return [...rows.values()].sort(
    (a, b) => Number(b.self) - Number(a.self) || lower(a.member).localeCompare(lower(b.member)),
  );
}
