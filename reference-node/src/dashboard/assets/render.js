/**
 * DOM building for the dashboard. Every string goes in as a text node or through setAttribute,
 * never as markup: payloads are signed by peers but their text is untrusted.
 */
import {
  formatAmount,
  formatBps,
  formatCompact,
  formatDuration,
  formatRelative,
  formatTime,
  shareBps,
  shortHex,
  shortPeer,
  subjectName,
  words,
} from './format.js';

/**
 * h('div', {class: 'x', title: 't', data: {id: '1'}}, 'text', child, [more]): an element whose
 * string children become text nodes; null, undefined and false children are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'data') for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = String(dv);
    else if (k === 'width') el.style.width = `${Math.max(0, Math.min(100, v))}%`;
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** A relative time kept current by `refreshTimes` (its absolute time as the tooltip). */
export function rel(at, prefix = '') {
  return h('time', { data: { at, prefix }, title: formatTime(at) }, prefix + formatRelative(at, Date.now()));
}

/** Rewrites every relative time on the page (called each second). */
export function refreshTimes(root, now = Date.now()) {
  for (const t of root.querySelectorAll('time[data-at]')) {
    const text = (t.dataset.prefix ?? '') + formatRelative(Number(t.dataset.at), now);
    if (t.textContent !== text) t.textContent = text;
  }
}

const SEVERITY_CLASS = new Set(['unknown', 'info', 'low', 'medium', 'high', 'critical']);
function badge(severity) {
  const s = SEVERITY_CLASS.has(severity) ? severity : 'unknown';
  return h('span', { class: `badge sev-${s}` }, s);
}

function empty(text) {
  return h('p', { class: 'empty' }, text);
}

function member(addr, protocolOf) {
  const protocol = protocolOf(addr);
  return h(
    'span',
    { class: 'member', title: addr },
    protocol ? h('strong', {}, protocol) : null,
    h('span', { class: 'mono muted' }, shortHex(addr)),
  );
}

/** Summary tiles. */
export function renderTiles(el, m, groups, rows, now) {
  const critical = groups.filter((g) => g.severity === 'critical' || g.severity === 'high').length;
  const day = m.events.filter((e) => e.envelope.issuedAt > now - 86_400_000).length;
  const open = m.claims.filter((c) => c.status === 'attesting').length;
  const connected = m.peers.filter((p) => p.connected).length;
  const pools = [...m.pools.values()];
  const capital = pools.map((p) => {
    const asset = m.charters.get(p.poolId)?.valuation?.unitAsset;
    return [formatCompact(p.ledger?.capital, asset?.decimals ?? 0), asset?.symbol ?? ''];
  });
  const tile = (label, value, note, tone = '') =>
    h(
      'div',
      { class: `tile ${tone}` },
      h('span', { class: 'tile-label' }, label),
      h('strong', {}, value),
      h('span', { class: 'tile-note' }, note),
    );
  el.replaceChildren(
    tile('Active alerts', String(groups.length), `${critical} high or critical`, critical > 0 ? 'warn' : ''),
    tile('Recovery events', String(day), 'in the last 24 h'),
    tile('Members', String(rows.length), `${rows.filter((r) => r.connected || r.self).length} reachable`),
    tile('Peers', String(connected), 'connected'),
    tile(
      'Pool capital',
      capital[0]?.[0] ?? '—',
      [capital[0]?.[1], pools.length === 1 ? '1 pool' : `${pools.length} pools`].filter(Boolean).join(' · '),
    ),
    tile('Open claims', String(open), `${m.claims.length} filed`, open > 0 ? 'info' : ''),
  );
}

/** Active alert groups as cards. */
export function renderAlerts(el, groups, protocolOf) {
  if (groups.length === 0) {
    el.replaceChildren(empty('No active alerts. Nothing on the network is reported unsafe right now.'));
    return;
  }
  el.replaceChildren(
    ...groups.map((g) => {
      const lead = g.alerts[0].envelope.payload;
      const s = g.subject ?? {};
      const c = g.corroboration;
      return h(
        'article',
        {
          class: `card sev-${SEVERITY_CLASS.has(g.severity) ? g.severity : 'unknown'}`,
          data: { group: g.key },
        },
        h(
          'div',
          { class: 'card-head' },
          badge(g.severity),
          h('h3', {}, subjectName(s), h('span', { class: 'indicator' }, words(g.indicator))),
          g.touched
            ? h(
                'span',
                { class: 'chip exposed', title: 'This alert touches the exposure profile' },
                'affects this protocol',
              )
            : null,
        ),
        h(
          'p',
          { class: 'subject mono muted' },
          [words(s.kind), s.chain, s.address ? shortHex(s.address, 8, 6) : null, s.protocol]
            .filter((x) => typeof x === 'string')
            .join(' · '),
        ),
        h(
          'div',
          {
            class: 'corro',
            title: 'Combined confidence of one alert per distinct issuer (contagion.md#corroboration)',
          },
          h('div', { class: 'meter' }, h('span', { width: c.confidenceBps / 100 })),
          h('strong', {}, formatBps(c.confidenceBps)),
          h('span', { class: 'muted' }, `${c.issuers} issuer${c.issuers === 1 ? '' : 's'}`),
        ),
        typeof lead.summary === 'string' ? h('p', { class: 'summary' }, lead.summary) : null,
        Array.isArray(lead.recommendedActions) && lead.recommendedActions.length > 0
          ? h(
              'ul',
              { class: 'actions', 'aria-label': 'Recommended actions' },
              lead.recommendedActions
                .slice(0, 8)
                .map((a) => h('li', { class: 'chip', title: a.note ?? '' }, words(a.action))),
            )
          : null,
        h(
          'ul',
          { class: 'issuers' },
          g.alerts.map((a) =>
            h(
              'li',
              { data: { alertId: a.messageId } },
              member(a.envelope.issuer, protocolOf),
              h('span', { class: 'num' }, formatBps(a.envelope.payload.confidence)),
              badge(a.envelope.payload.severity),
              rel(a.envelope.issuedAt),
            ),
          ),
        ),
        h(
          'p',
          { class: 'card-foot muted' },
          rel(g.expiresAt, 'expires '),
          ' · ',
          rel(g.firstSeenAt, 'first raised '),
        ),
      );
    }),
  );
}

/** Recovery events, newest first. */
export function renderEvents(el, events, protocolOf) {
  if (events.length === 0) {
    el.replaceChildren(empty('No recovery events in the last 7 days.'));
    return;
  }
  el.replaceChildren(
    ...events.slice(0, 20).map((e) => {
      const p = e.envelope.payload;
      const retracted = e.retracted !== undefined;
      return h(
        'li',
        { data: { eventId: e.messageId }, ...(retracted ? { class: 'retracted' } : {}) },
        h(
          'div',
          { class: 'feed-head' },
          badge(p.severity),
          h('strong', {}, words(p.kind)),
          h('span', { class: 'muted' }, p.protocol ?? ''),
          retracted ? h('span', { class: 'badge retracted-badge' }, 'retracted') : null,
          rel(e.envelope.issuedAt),
        ),
        typeof p.summary === 'string' ? h('p', { class: 'summary' }, p.summary) : null,
        h(
          'p',
          { class: 'muted small' },
          [p.scope?.chain, `by ${protocolOf(e.envelope.issuer) ?? shortHex(e.envelope.issuer)}`]
            .filter(Boolean)
            .join(' · '),
        ),
      );
    }),
  );
}

const NOTICE_TEXT = {
  alert: (b) =>
    `${subjectName(b.alert?.payload?.subject)} ${words(b.alert?.payload?.indicator)} · ${formatBps(b.corroboration?.confidenceBps)} from ${b.corroboration?.issuers ?? '?'} issuer(s)`,
  alert_resolved: (b) => `all-clear for ${shortHex(b.resolves)}`,
  recovery_event: (b) => `${words(b.event?.payload?.kind)} at ${b.event?.payload?.protocol ?? '?'}`,
  // contagion.md#notices: `policy` is the policy's name; `member` is {member, protocol?, peerId?}.
  protective_action: (b) => `${b.policy ?? 'policy'} ${b.outcome ?? ''}`,
  member_silent: (b) => `${memberLabel(b.member)} went silent`,
  member_back: (b) => `${memberLabel(b.member)} is back`,
  event_retracted: (b) =>
    `${words(b.event?.payload?.kind)} at ${b.event?.payload?.protocol ?? '?'} retracted: its evidence was reorged out`,
};

function memberLabel(m) {
  return m?.protocol ?? shortHex(m?.member);
}

/** Notices pushed to the protocol (/v1/notices), newest first. */
export function renderNotices(el, notices, mounted) {
  if (!mounted) {
    el.replaceChildren(empty('This node runs no contagion responder, so it pushes no notices.'));
    return;
  }
  if (notices.length === 0) {
    el.replaceChildren(
      empty('No notices since the node started. Alerts touching the exposure profile appear here.'),
    );
    return;
  }
  el.replaceChildren(
    ...notices.slice(0, 20).map((n) => {
      const text = NOTICE_TEXT[n.event]?.(n.body ?? {}) ?? '';
      return h(
        'li',
        {},
        h(
          'div',
          { class: 'feed-head' },
          h('span', { class: `badge ev ev-${n.event.replace(/[^a-z_]/g, '')}` }, words(n.event)),
          rel(n.at),
        ),
        h('p', { class: 'summary' }, text),
      );
    }),
  );
}

function table(head, rows, cls = '') {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: cls },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          head.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

const VERDICT = { approve: ['✓', 'approve'], reject: ['✗', 'reject'], abstain: ['–', 'abstain'] };

/** Pools: ledger per member, then claims with attestations and decision. */
export function renderPools(el, m, protocolOf) {
  if (!m.routes.has('/v1/claims')) {
    el.replaceChildren(empty('This node takes part in no pools.'));
    return;
  }
  const pools = [...m.pools.values()];
  if (pools.length === 0) {
    el.replaceChildren(empty('No pool is founded yet among this node’s pools.'));
    return;
  }
  el.replaceChildren(
    ...pools.map((pool) => {
      const charter = m.charters.get(pool.poolId);
      const asset = charter?.valuation?.unitAsset ?? {};
      const amt = (v) => formatAmount(v, asset.decimals ?? 0, asset.symbol ?? '');
      const ledger = pool.ledger ?? { members: [] };
      const claims = m.claims
        .filter((c) => c.poolId === pool.poolId)
        .slice()
        .reverse();
      return h(
        'article',
        { class: 'pool', data: { poolId: pool.poolId } },
        h(
          'div',
          { class: 'pool-head' },
          h('h3', {}, charter?.name ?? 'Pool'),
          h('span', { class: 'mono muted', title: pool.poolId }, shortHex(pool.poolId, 10, 6)),
          h('span', { class: 'chip' }, `epoch ${pool.epochs?.at(-1)?.epoch ?? '—'}`),
          charter?.quorum
            ? h('span', { class: 'chip' }, `quorum ${formatBps(charter.quorum.weightBps)}`)
            : null,
        ),
        h(
          'div',
          { class: 'kpis' },
          [
            ['Capital', amt(ledger.capital)],
            ['Paid out', amt(ledger.paidOut)],
            ['Claims', String(claims.length)],
          ].map(([k, v]) => h('div', { class: 'kpi' }, h('span', {}, k), h('strong', {}, v))),
        ),
        table(
          ['Member', 'Committed', 'Contributed', 'Received', 'Remaining'],
          ledger.members.map((x) =>
            h(
              'tr',
              {},
              h('td', {}, member(x.member, protocolOf)),
              h('td', { class: 'num' }, amt(x.committed)),
              h('td', { class: 'num' }, amt(x.contributed)),
              h('td', { class: 'num' }, amt(x.received)),
              h(
                'td',
                { class: 'num' },
                h(
                  'div',
                  { class: 'remaining' },
                  h('span', {}, amt(x.remaining)),
                  h(
                    'div',
                    { class: 'meter thin' },
                    h('span', { width: shareBps(x.remaining, x.committed) / 100 }),
                  ),
                ),
              ),
            ),
          ),
          'ledger',
        ),
        claims.length === 0
          ? empty('No claims filed against this pool.')
          : h(
              'div',
              { class: 'claims' },
              claims.map((c) => renderClaim(c, m, amt, protocolOf)),
            ),
      );
    }),
  );
}

function renderClaim(c, m, amt, protocolOf) {
  const d = c.decision;
  const votes = m.attestations.get(c.claimId) ?? [];
  const t = c.tally ?? {};
  return h(
    'div',
    { class: 'claim', data: { claimId: c.claimId } },
    h(
      'div',
      { class: 'claim-head' },
      h('span', { class: `badge st st-${String(c.status).replace(/[^a-z_]/g, '')}` }, c.status),
      h('strong', {}, c.incidentId ?? shortHex(c.claimId)),
      h('span', { class: 'muted' }, 'filed by '),
      member(c.claimant, protocolOf),
      rel(c.filedAt),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, 'Requested'), h('dd', {}, amt(c.requestedAmount))),
      h(
        'div',
        {},
        h('dt', {}, 'Tally'),
        h(
          'dd',
          {},
          `${t.approveCount ?? 0} approve · ${t.rejectCount ?? 0} reject · ${t.abstainCount ?? 0} abstain of ${t.eligibleCount ?? '?'}`,
        ),
      ),
      d
        ? h(
            'div',
            {},
            h('dt', {}, 'Decision'),
            h(
              'dd',
              {},
              `${d.outcome} · ${amt(d.approvedAmount)}`,
              d.boundBy ? h('span', { class: 'muted' }, ` (bound by ${words(d.boundBy)})`) : null,
            ),
          )
        : h('div', {}, h('dt', {}, 'Voting closes'), h('dd', {}, rel(c.closesAt))),
      d && d.shortfall !== '0' ? h('div', {}, h('dt', {}, 'Shortfall'), h('dd', {}, amt(d.shortfall))) : null,
    ),
    votes.length === 0
      ? null
      : h(
          'ul',
          { class: 'votes', 'aria-label': 'Attestations' },
          votes.map((v) => {
            const [mark, label] = VERDICT[v.verdict] ?? ['?', String(v.verdict)];
            return h(
              'li',
              { class: `vote v-${label}`, title: `${label} · ${formatTime(v.issuedAt)} · ${v.messageId}` },
              h('span', { class: 'mark' }, mark),
              protocolOf(v.issuer) ?? shortHex(v.issuer),
              v.verdict === 'approve' && v.approvedAmount
                ? h('span', { class: 'muted' }, ` ${amt(v.approvedAmount)}`)
                : null,
              v.reasonCode ? h('span', { class: 'muted mono' }, ` ${v.reasonCode}`) : null,
            );
          }),
        ),
    d && Array.isArray(d.contributions) && d.contributions.length > 0
      ? h(
          'p',
          { class: 'muted small' },
          'Paid by ',
          d.contributions.map((x, i) => [
            i ? ', ' : '',
            protocolOf(x.member) ?? shortHex(x.member),
            ` ${amt(x.amount)}`,
          ]),
        )
      : null,
  );
}

/** Members and their liveness. */
export function renderMembers(el, hint, rows, hasApi) {
  const anyHeartbeat = hasApi || rows.some((r) => r.heartbeat !== undefined);
  hint.textContent = hasApi
    ? 'heartbeats tracked by this node'
    : anyHeartbeat
      ? 'from signed announcements'
      : 'no heartbeats announced yet';
  if (rows.length === 0) {
    el.replaceChildren(empty('No members known yet.'));
    return;
  }
  el.replaceChildren(
    table(
      ['Member', 'Liveness', 'Last heartbeat', 'Last message'],
      rows.map((r) => {
        const state = r.liveness ?? (r.self ? 'live' : r.connected ? 'connected' : 'no_heartbeat');
        const hb = r.heartbeatAt ?? r.announcedAt;
        return h(
          'tr',
          { data: { member: r.member.toLowerCase() } },
          h(
            'td',
            {},
            h(
              'span',
              { class: 'member', title: r.member },
              h('strong', {}, r.protocol ?? '—'),
              h('span', { class: 'mono muted' }, shortHex(r.member)),
            ),
            r.self ? h('span', { class: 'chip' }, 'this node') : null,
          ),
          h(
            'td',
            {},
            h('span', { class: `dot-label live-${state.replace(/[^a-z_]/g, '')}` }, words(state)),
            r.missed ? h('span', { class: 'muted small' }, ` ${r.missed} missed`) : null,
          ),
          h(
            'td',
            {},
            hb ? rel(hb) : h('span', { class: 'muted' }, '—'),
            r.heartbeat?.uptimeMs
              ? h('span', { class: 'muted small' }, ` · up ${formatDuration(r.heartbeat.uptimeMs)}`)
              : null,
          ),
          h('td', {}, r.lastSeenAt ? rel(r.lastSeenAt) : h('span', { class: 'muted' }, '—')),
        );
      }),
      'members',
    ),
  );
}

/** Connected peers. */
export function renderPeers(el, peers, protocolOf) {
  if (peers.length === 0) {
    el.replaceChildren(empty('No peers connected. The node is alone on the network.'));
    return;
  }
  el.replaceChildren(
    table(
      ['Peer', 'Member', 'Address', 'Score'],
      peers.map((p) =>
        h(
          'tr',
          {},
          h('td', { class: 'mono', title: p.peerId }, shortPeer(p.peerId)),
          h(
            'td',
            {},
            p.member
              ? member(p.member, protocolOf)
              : h('span', { class: 'muted', title: 'No member announced this peer id yet' }, 'unknown'),
          ),
          h('td', { class: 'mono small' }, (p.addresses?.[0] ?? '').replace(/\/p2p\/.*$/, '')),
          h('td', { class: 'num' }, typeof p.score === 'number' ? p.score.toFixed(1) : '—'),
        ),
      ),
      'peers',
    ),
  );
}

/** Health checks, identity, topics and store. */
export function renderNode(el, status, health) {
  const checks = health?.checks ?? [];
  el.replaceChildren(
    h(
      'ul',
      { class: 'checks' },
      checks.map((c) =>
        h(
          'li',
          {},
          h(
            'span',
            {
              class: `dot-label live-${c.status === 'ok' ? 'ok' : c.status === 'degraded' ? 'degraded' : 'down'}`,
            },
            c.name,
          ),
          c.detail ? h('span', { class: 'muted small' }, c.detail) : null,
        ),
      ),
    ),
    status
      ? h(
          'dl',
          { class: 'facts' },
          h(
            'div',
            {},
            h('dt', {}, 'Version'),
            h('dd', {}, `${status.version} · spec ${(status.specVersions ?? []).join(', ')}`),
          ),
          h('div', {}, h('dt', {}, 'Up since'), h('dd', {}, rel(status.startedAt))),
          h('div', {}, h('dt', {}, 'Own head seq'), h('dd', {}, String(status.headSeq ?? '—'))),
          h('div', {}, h('dt', {}, 'Store'), h('dd', {}, `${status.store?.messages ?? '—'} messages`)),
        )
      : null,
    status?.topics?.length
      ? table(
          ['Topic', 'Mesh peers'],
          status.topics.map((t) =>
            h(
              'tr',
              {},
              h(
                'td',
                { class: 'mono small', title: t.topic },
                t.topic.replace(/^\/sfr\/1\//, '').replace(/^(pool\/[0-9a-f]{8})[0-9a-f]+$/, '$1…'),
              ),
              h('td', { class: 'num' }, String(t.meshPeers)),
            ),
          ),
          'topics',
        )
      : null,
  );
}
