/**
 * The dashboard's entry: reads the node's JSON routes once, follows /v1/stream (from the store
 * cursor the page was served at, so nothing falls between the first reads and the stream) and
 * /v1/notices, polls status, peers and health, and re-renders the panels a change touched.
 * Routes are discovered from /openapi.json, so panels of features this node does not mount (pools,
 * notices, a member liveness route) say so instead of failing.
 */
import { shortHex, shortPeer } from './format.js';
import { addMessage, addNotice, alertGroups, createModel, memberRows, pruneExpired } from './model.js';
import {
  refreshTimes,
  renderAlerts,
  renderEvents,
  renderMembers,
  renderNode,
  renderNotices,
  renderPeers,
  renderPools,
  renderTiles,
} from './render.js';
import { followEvents } from './sse.js';

/** Status, peers, health and liveness are polled this often (they have no stream). */
const POLL_MS = 5_000;
/** Pool views are re-read at most this often after pool messages arrive. */
const POOL_REFRESH_MS = 300;
/** Recovery events shown from this far back at load. */
const EVENTS_SINCE_MS = 7 * 86_400_000;
/** Pages of 1 000 read at load for each message type the page folds. */
const MAX_PAGES = 10;

const model = createModel();
const $ = (id) => document.getElementById(id);

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!res.ok) throw Object.assign(new Error(`${path}: HTTP ${res.status}`), { status: res.status });
  return res.json();
}

/** Every accepted message of a type (issued since `since`), oldest first, folded into the model. */
async function readMessages(type, since) {
  let cursor;
  for (let page = 0; page < MAX_PAGES; page++) {
    const q = new URLSearchParams({ type, limit: '1000' });
    if (since !== undefined) q.set('since', String(since));
    if (cursor !== undefined) q.set('cursor', cursor);
    const r = await getJson(`/v1/messages?${q}`);
    for (const item of r.items) addMessage(model, item);
    cursor = r.nextCursor;
    if (cursor === undefined) break;
  }
}

const dirty = new Set();
let frame = 0;
function changed(parts) {
  for (const p of parts) dirty.add(p);
  if (dirty.size > 0 && frame === 0) frame = requestAnimationFrame(render);
}

function render() {
  frame = 0;
  const now = Date.now();
  const groups = alertGroups(model, now);
  const rows = memberRows(model);
  const protocols = new Map(rows.map((r) => [r.member.toLowerCase(), r.protocol]));
  const nameOf = (addr) => (typeof addr === 'string' ? protocols.get(addr.toLowerCase()) : undefined);
  renderTiles($('tiles'), model, groups, rows, now);
  if (dirty.has('alerts') || dirty.has('members')) renderAlerts($('alerts'), groups, nameOf);
  if (dirty.has('events') || dirty.has('members')) renderEvents($('events'), model.events, nameOf);
  if (dirty.has('notices')) renderNotices($('notices'), model.notices, model.routes.has('/v1/notices'));
  if (dirty.has('pools') || dirty.has('members')) renderPools($('pools'), model, nameOf);
  if (dirty.has('members') || dirty.has('peers'))
    renderMembers($('members'), $('members-hint'), rows, Array.isArray(model.members));
  if (dirty.has('peers') || dirty.has('members')) renderPeers($('peers'), model.peers, nameOf);
  if (dirty.has('node')) renderNode($('node'), model.status, model.health);
  renderHeader();
  dirty.clear();
}

function renderHeader() {
  const s = model.status;
  if (s) {
    $('protocol').textContent = s.protocol;
    $('identity').textContent = `member ${shortHex(s.member)} · peer ${shortPeer(s.peerId)} · v${s.version}`;
    $('identity').title = `${s.member}\n${s.peerId}`;
  }
  const health = model.health?.status ?? 'unknown';
  $('health').className = `pill live-${health.replace(/[^a-z]/g, '')}`;
  $('health').textContent = `health ${health}`;
  $('live').className = `pill live-${model.stream === 'live' ? 'ok' : 'degraded'}`;
  $('live').textContent = model.stream === 'live' ? 'live' : model.stream;
  document.body.dataset.stream = model.stream;
}

async function poll() {
  const [status, peers, health, members] = await Promise.allSettled([
    getJson('/v1/status'),
    getJson('/v1/peers'),
    // 503 answers the same body: the node is down, and the page says so.
    fetch('/health', { cache: 'no-store' }).then((r) => r.json()),
    model.routes.has('/v1/members') ? getJson('/v1/members') : Promise.resolve(undefined),
  ]);
  if (status.status === 'fulfilled') model.status = status.value;
  if (peers.status === 'fulfilled') model.peers = peers.value.peers ?? [];
  model.health =
    health.status === 'fulfilled'
      ? health.value
      : {
          status: 'unreachable',
          checks: [{ name: 'api', status: 'down', detail: 'the node does not answer' }],
        };
  if (members.status === 'fulfilled' && members.value !== undefined)
    model.members = members.value.items ?? members.value.members ?? [];
  changed(['node', 'peers', 'members']);
}

let poolTimer = 0;
function refreshPools() {
  if (!model.routes.has('/v1/claims') || poolTimer !== 0) return;
  poolTimer = setTimeout(async () => {
    poolTimer = 0;
    try {
      model.claims = (await getJson('/v1/claims')).items ?? [];
      const ids = new Set([...model.charters.keys(), ...model.claims.map((c) => c.poolId)]);
      for (const id of ids) {
        try {
          model.pools.set(id, await getJson(`/v1/pools/${id}`));
        } catch (error) {
          if (error.status === 404) model.pools.delete(id);
        }
      }
    } catch {
      // the next pool message or poll retries
    }
    changed(['pools']);
  }, POOL_REFRESH_MS);
}

function fold(item) {
  const parts = addMessage(model, item);
  if (parts.has('pools')) refreshPools();
  changed(parts);
}

function followStream(after) {
  const source = new EventSource(`/v1/stream?after=${after}`);
  source.addEventListener('open', () => {
    model.stream = 'live';
    changed(['header']);
  });
  source.addEventListener('error', () => {
    // EventSource reconnects by itself with Last-Event-ID; the node replays what was missed.
    model.stream = source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting';
    changed(['header']);
  });
  source.addEventListener('message', (e) => {
    try {
      fold(JSON.parse(e.data));
    } catch {
      // a frame that is not a MessageListItem is ignored
    }
  });
}

const NOTICE_EVENTS = new Set([
  'alert',
  'alert_resolved',
  'recovery_event',
  'protective_action',
  'member_silent',
  'member_back',
  'event_retracted',
]);
/**
 * Follows /v1/notices from the oldest notice the node still holds: an id of no run of the node
 * (`0.0`) makes it send `reset`, then every notice it holds, then live ones.
 */
function followNotices() {
  followEvents('/v1/notices', {
    lastEventId: '0.0',
    onEvent(event, data) {
      if (event === 'reset') {
        getJson('/v1/alerts/active').then(
          (r) => {
            for (const item of r.items) fold(item);
          },
          () => {},
        );
        return;
      }
      if (!NOTICE_EVENTS.has(event)) return;
      try {
        addNotice(model, event, JSON.parse(data));
      } catch {
        return;
      }
      if (event === 'member_silent' || event === 'member_back') poll();
      changed(event === 'event_retracted' ? ['notices', 'alerts', 'events'] : ['notices', 'alerts']);
    },
  });
}

async function start() {
  const after = Number(document.body.dataset.streamAfter);
  followStream(Number.isSafeInteger(after) && after >= 0 ? after : 0);
  try {
    model.routes = new Set(Object.keys((await getJson('/openapi.json')).paths ?? {}));
  } catch {
    model.routes = new Set();
  }
  if (model.routes.has('/v1/notices')) followNotices();
  const since = Date.now() - EVENTS_SINCE_MS;
  await Promise.allSettled([
    poll(),
    getJson('/v1/alerts/active').then((r) => {
      for (const item of r.items) addMessage(model, item);
    }),
    readMessages('RecoveryEvent', since),
    readMessages('NodeAnnouncement', since),
    readMessages('PoolCharter'),
    model.routes.has('/v1/claims') ? readMessages('ClaimAttestation', since) : undefined,
  ]);
  refreshPools();
  changed(['alerts', 'events', 'notices', 'pools', 'members', 'peers', 'node']);
  setInterval(poll, POLL_MS);
  setInterval(() => {
    if (pruneExpired(model)) changed(['alerts']);
    refreshTimes(document.body);
  }, 1_000);
}

start();
