/**
 * The multi-host scenarios of issue 13 (deliver item 3), each on a running `NetnsNetwork` and each
 * returning its figures (the caller prints and judges them): the e2e test runs them small, `npm run
 * netns` at any size.
 * - latency: alerts from every node over 50–200 ms links: delivery and delay;
 * - partition: a third of the hosts cut off from the rest, alerts published on both sides, then healed:
 *   how long after the heal every alert is at every node;
 * - sybil: sybil processes (a third of all peers) flood invalid and valid-but-spammy alerts: honest
 *   delivery and delay against the same workload without attack in the same run, and how long each
 *   sybil stays connected to honest nodes.
 */
import os from 'node:os';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { api } from '../e2e/processNetwork.js';
import {
  alertsAt,
  type Delivery,
  measureDelivery,
  type NetnsNetwork,
  type Published,
  publishSeries,
  quantile,
  type SybilEvent,
  spamMembers,
  startSybils,
  stopSybils,
  waitDelivered,
} from './netnsNetwork.js';

function load(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
}

/** Distinct addresses the nodes see their peers at, from each node's /v1/peers (connected ones). */
export async function peerAddresses(nw: NetnsNetwork): Promise<{ perNode: number[]; distinct: number }> {
  const all = new Set<string>();
  const perNode: number[] = [];
  for (const node of nw.nodes) {
    const r = await api(node, 'GET', '/v1/peers');
    const ips = new Set<string>();
    for (const p of r.json.peers as { connected: boolean; addresses: string[] }[]) {
      if (!p.connected) continue;
      for (const a of p.addresses) {
        const ip = /^\/ip4\/([\d.]+)\//.exec(a)?.[1];
        if (ip !== undefined) ips.add(ip);
      }
    }
    perNode.push(ips.size);
    for (const ip of ips) all.add(ip);
  }
  return { perNode, distinct: all.size };
}

export interface LatencyFigures extends Delivery {
  readonly nodes: number;
  readonly messages: number;
  readonly load: string;
}

/** `messages` alerts, one per `gapMs`, from each node in turn; waits for all of them everywhere. */
export async function runLatency(
  nw: NetnsNetwork,
  opts: { readonly messages: number; readonly gapMs: number },
): Promise<LatencyFigures> {
  const origins = nw.nodes.map((n) => n.index);
  const published = await publishSeries(nw, origins, opts.messages, opts.gapMs);
  await waitDelivered(nw, published, TIMEOUTS.event).catch(() => {});
  const d = await measureDelivery(nw, published);
  return { nodes: nw.nodes.length, messages: published.length, ...d, load: load() };
}

export interface PartitionFigures {
  readonly nodes: number;
  readonly minority: number;
  readonly partitionMs: number;
  readonly messages: number;
  /** Alerts of its own side each side held before the heal (pairs held / expected). */
  readonly withinSidesBeforeHeal: string;
  /**
   * From the heal until every alert was at every node, ms, by the nodes' own acceptance times (each
   * store's receivedAt); undefined if not all within TIMEOUTS.scenario.
   */
  readonly healMs: number | undefined;
  /**
   * When the harness saw it, polling every node's store over HTTP: later than `healMs` by the polling
   * itself, which on a loaded machine took up to 12 s with 16 nodes (a 23.8 s heal read as 36.1 s).
   */
  readonly healSeenMs: number | undefined;
  readonly delivered: number;
  readonly expected: number;
  /**
   * The nodes' catch-up sessions from the heal until every alert was everywhere (their 'sync session'
   * log lines: those that fetched something or ended in error): how many, messages stored, errors by code.
   */
  readonly syncAfterHeal: {
    readonly sessions: number;
    readonly accepted: number;
    readonly errors: Readonly<Record<string, number>>;
    /** Up to 5 distinct offences' details (errorDetail of SYNC_BAD_RESPONSE and the like). */
    readonly offences: readonly string[];
  };
  /** When each node held every alert, ms after the heal: p50, p90, max. */
  readonly nodeDoneMs: readonly number[];
  readonly load: string;
}

/**
 * Splits the hosts: the first third (the minority) apart from the rest, for `partitionMs`; alerts are
 * published on both sides meanwhile; then heals and measures until every alert is everywhere.
 */
export async function runPartition(
  nw: NetnsNetwork,
  opts: { readonly partitionMs: number; readonly messages: number },
): Promise<PartitionFigures> {
  const n = nw.nodes.length;
  const minority = nw.nodes.slice(0, Math.max(1, Math.floor(n / 3))).map((x) => x.index);
  const majority = nw.nodes.filter((x) => !minority.includes(x.index)).map((x) => x.index);
  const t0 = Date.now();
  await nw.proxy.partition([minority, majority]);
  // Alerts on both sides, spread over the first half of the partition.
  const gapMs = Math.floor(opts.partitionMs / 2 / Math.max(1, opts.messages));
  const published: Published[] = await publishSeries(
    nw,
    nw.nodes.map((x) => x.index),
    opts.messages,
    gapMs,
    10_000,
  );
  const side = (i: number): number[] => (minority.includes(i) ? minority : majority);
  const within = async (): Promise<[number, number]> => {
    let held = 0;
    let expected = 0;
    for (const group of [minority, majority]) {
      const mine = published.filter((p) => side(p.origin) === group);
      const d = await measureDelivery(nw, mine, group);
      held += d.delivered;
      expected += d.expected;
    }
    return [held, expected];
  };
  // Each side delivers within itself while cut off (gossip), before the heal.
  await waitFor(
    async () => {
      const [h, e] = await within();
      return h === e;
    },
    Math.max(0, opts.partitionMs - (Date.now() - t0)),
    'delivery within each side',
    250,
  ).catch(() => {});
  const [held, expected] = await within();
  const before = await measureDelivery(nw, published);
  if (before.delivered === before.expected)
    throw new Error('partition: an alert crossed the partition (the link proxy let it through)');
  const rest = opts.partitionMs - (Date.now() - t0);
  if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  const healedAt = Date.now();
  await nw.proxy.partition(undefined);
  let healSeenMs: number | undefined;
  try {
    healSeenMs = (await waitDelivered(nw, published, TIMEOUTS.scenario)) - healedAt;
  } catch {
    healSeenMs = undefined;
  }
  const after = await measureDelivery(nw, published);
  const until = healedAt + (healSeenMs ?? TIMEOUTS.scenario);
  const syncAfterHeal = {
    sessions: 0,
    accepted: 0,
    errors: {} as Record<string, number>,
    offences: [] as string[],
  };
  const doneAt: number[] = [];
  for (const node of nw.nodes) {
    for (const line of node.logs) {
      if (!line.includes('"msg":"sync session"')) continue;
      try {
        const j = JSON.parse(line) as {
          time: number;
          accepted: number;
          error?: string;
          errorDetail?: string;
        };
        if (j.time < healedAt || j.time > until) continue;
        syncAfterHeal.sessions++;
        syncAfterHeal.accepted += j.accepted;
        if (j.error !== undefined) syncAfterHeal.errors[j.error] = (syncAfterHeal.errors[j.error] ?? 0) + 1;
        const offence = `${j.error}: ${j.errorDetail}`;
        if (
          ['SYNC_BAD_RESPONSE', 'SYNC_PEER_SERVED_INVALID', 'SYNC_NO_PROGRESS'].includes(j.error ?? '') &&
          syncAfterHeal.offences.length < 5 &&
          !syncAfterHeal.offences.includes(offence)
        )
          syncAfterHeal.offences.push(offence);
      } catch {
        // not a JSON line
      }
    }
    // The node's last acceptance of one of the published alerts (its store's receivedAt).
    const held = await alertsAt(node);
    const times = published.flatMap((p) => (p.origin === node.index ? [] : [held.get(p.id) ?? until]));
    doneAt.push(Math.max(healedAt, ...times) - healedAt);
  }
  doneAt.sort((a, b) => a - b);
  const healMs = after.delivered === after.expected ? doneAt.at(-1) : undefined;
  return {
    nodes: n,
    minority: minority.length,
    partitionMs: healedAt - t0,
    messages: published.length,
    withinSidesBeforeHeal: `${held}/${expected}`,
    healMs,
    healSeenMs,
    delivered: after.delivered,
    expected: after.expected,
    syncAfterHeal,
    nodeDoneMs: [quantile(doneAt, 0.5), quantile(doneAt, 0.9), quantile(doneAt, 1)],
    load: load(),
  };
}

/** What one sybil did and how it was cut off. */
export interface SybilReport {
  readonly index: number;
  /** Honest nodes it was connected to once its dials were done (`ready`). */
  readonly peersAtReady: number;
  /**
   * Honest nodes it was connected to when told to flood. Below `peersAtReady` when connections closed in
   * between with no denial: before b4f372c, libp2p's 5 s ping timeout closed up to 16 of a sybil's 27–30
   * in the 45-peer run while the honest baseline ran; in the run after it, none.
   */
  readonly peersAtGo: number;
  /** ms from `go` to its first batch that reached an honest node; undefined: it never sent anything. */
  readonly firstSentMs: number | undefined;
  /** (message, honest peer) deliveries it handed to the transport, by kind. */
  readonly sent: { readonly invalid: number; readonly replay: number; readonly spam: number };
  /**
   * ms from its first sent batch until the last honest node dropped it: each honest node's drop is when
   * that node logged it below the graylist threshold (disconnected and denied), or, for a node that
   * logged nothing, when the sybil saw that connection close. Undefined when it sent nothing (it never
   * flooded, so it was not "cut off") or when an honest node kept its connection.
   */
  readonly cutMs: number | undefined;
  /** Each honest node's drop, ms from its first sent batch, sorted. */
  readonly cutPerPeerMs: readonly number[];
  /**
   * Each denying node's denial, ms from when this sybil's first batch for that node left the sybil's
   * process (its socket's first flood write, sybil.ts `firstWrittenMs`), sorted: the link and the node,
   * without the sybil's own lag in getting its batch out (its starved event loop, `loopDelayMs`).
   */
  readonly cutFromWirePerPeerMs: readonly number[];
  /**
   * Each denying node's reaction, sorted: ms from the first penalty it gave this sybil (its first
   * invalid message read and refused) to the denial, as the node logged it (`offendingMs`).
   */
  readonly reactionPerPeerMs: readonly number[];
  /** Honest nodes that graylisted it (the others closed without a denial), and their logged scores. */
  readonly denied: number;
  readonly deniedScores: readonly number[];
  /** Its own event loop's delay while it flooded, ms (p50, p99, max): how late its batches left. */
  readonly loopDelayMs?: { readonly p50: number; readonly p99: number; readonly max: number };
  /** ms from its first sent batch until the sybil saw its last honest connection close (link delay included). */
  readonly closedSeenMs: number | undefined;
  /** Why `cutMs` is undefined, when it is. */
  readonly notCut?: string;
  /** Its dials that failed after every attempt, by reason (sybil.ts). */
  readonly dialFailures?: Readonly<Record<string, number>>;
  /**
   * Every honest node refused it at connect (no connection after every attempt): it never delivered a
   * byte of its flood, so it counts as cut off at 0 ms.
   */
  readonly refusedAtConnect?: true;
}

/** An honest node's log line saying it graylisted a peer. */
interface Denial {
  /** The honest node's peer id. */
  readonly by: string;
  /** The peer it denied. */
  readonly peer: string;
  readonly at: number;
  readonly score: number;
  /** ms from the node's first penalty of the peer to the denial (undefined: denied by the periodic pass). */
  readonly offendingMs: number | undefined;
}

export interface SybilFigures {
  readonly honest: number;
  readonly sybils: number;
  readonly sybilHosts: number;
  readonly baseline: Delivery;
  readonly attack: Delivery;
  /** attack p99 / baseline p99. */
  readonly p99Ratio: number;
  readonly perSybil: readonly SybilReport[];
  /** The slowest sybil's cutMs; undefined if any sybil was not cut off (or never flooded). */
  readonly cutMaxMs: number | undefined;
  /**
   * Every (sybil, denying node) pair's cut from its first flood bytes on the wire (`cutFromWirePerPeerMs`):
   * p50, p90, max, and how many pairs it covers (a denial with no flood write seen is left out).
   */
  readonly cutFromWireMs: readonly [number, number, number, number] | undefined;
  /** Every (sybil, denying node) reaction, first penalty to denial: p50, p90, max (ms). */
  readonly reactionMs: readonly [number, number, number] | undefined;
  /** Sybils not cut off, those among them that never sent anything included. */
  readonly notCut: number;
  /** Sybils every honest node refused at connect (counted as cut at 0 ms, and among `neverSent`). */
  readonly refusedAtConnect: number;
  readonly neverSent: number;
  readonly sent: { readonly invalid: number; readonly replay: number; readonly spam: number };
  /** The compromised members' valid spam alerts the first honest node stored (all sybils together). */
  readonly spamStored: number;
  /**
   * Each link-proxy process's own lag (LinkStats), the sybil hosts' links in the last: chunks it
   * delivered ≥ 100 ms late during the attack, and its largest lag by the end and before `go`. A late
   * chunk reached its node that much later than the link's delay says: part of a sybil's `cutMs` when
   * it carried the sybil's first batch.
   */
  readonly proxyLag: readonly {
    readonly lateChunks: number;
    readonly lateMaxMs: number;
    readonly lateMaxMsBefore: number;
  }[];
  readonly load: string;
}

/** One sybil's report from the events it printed and the honest nodes' denials. */
function sybilReport(index: number, events: readonly SybilEvent[], denials: readonly Denial[]): SybilReport {
  const find = (name: string): SybilEvent | undefined => events.find((e) => e.event === name);
  const flooding = find('flooding');
  const first = find('firstSent');
  const end = find('allCut');
  const firstSentMs = first === undefined ? undefined : (first['ms'] as number);
  const sent = {
    invalid: (end?.['invalid'] as number | undefined) ?? 0,
    replay: (end?.['replay'] as number | undefined) ?? 0,
    spam: (end?.['spam'] as number | undefined) ?? 0,
  };
  const firstAt = ((flooding?.['t0'] as number | undefined) ?? 0) + (firstSentMs ?? 0);
  const peerId = find('ready')?.['peerId'];
  const deniedBy = new Map<string, Denial>();
  for (const d of denials)
    if (d.peer === peerId && (deniedBy.get(d.by)?.at ?? Number.POSITIVE_INFINITY) > d.at)
      deniedBy.set(d.by, d);
  // Each honest node's drop: its denial, else the close the sybil saw.
  const drops = new Map<string, number>();
  for (const d of deniedBy.values()) drops.set(d.by, d.at - firstAt);
  let closedSeenMs: number | undefined;
  for (const e of events.filter((x) => x.event === 'cut')) {
    const ms = (e['ms'] as number) - (firstSentMs ?? 0);
    closedSeenMs = Math.max(closedSeenMs ?? 0, ms);
    if (!drops.has(e['peer'] as string)) drops.set(e['peer'] as string, ms);
  }
  const cutPerPeerMs = [...drops.values()].sort((a, b) => a - b);
  const written = (end?.['firstWrittenMs'] ?? {}) as Record<string, number>;
  const t0 = (flooding?.['t0'] as number | undefined) ?? 0;
  const cutFromWirePerPeerMs = [...deniedBy.values()]
    .flatMap((d) => (written[d.by] === undefined ? [] : [d.at - (t0 + written[d.by]!)]))
    .sort((a, b) => a - b);
  const ready = find('ready');
  const dialFailures = ready?.['dialFailures'] as Record<string, number> | undefined;
  const refusedAtConnect =
    ready?.['peers'] === 0 && firstSentMs === undefined && Object.keys(dialFailures ?? {}).length > 0;
  let notCut: string | undefined;
  if (refusedAtConnect) notCut = undefined;
  else if (flooding === undefined) notCut = 'never told to flood';
  else if (firstSentMs === undefined) notCut = `sent nothing (peers at go ${flooding['peers']})`;
  else if (end === undefined) notCut = 'still flooding at the end';
  else if ((end['stillConnected'] as number) > 0) notCut = `${end['stillConnected']} honest peers kept it`;
  return {
    index,
    peersAtReady: (ready?.['peers'] as number | undefined) ?? 0,
    peersAtGo: (flooding?.['peers'] as number | undefined) ?? 0,
    firstSentMs,
    sent,
    cutMs: refusedAtConnect ? 0 : notCut === undefined ? cutPerPeerMs.at(-1) : undefined,
    cutPerPeerMs,
    cutFromWirePerPeerMs,
    reactionPerPeerMs: [...deniedBy.values()]
      .flatMap((d) => (d.offendingMs === undefined ? [] : [d.offendingMs]))
      .sort((a, b) => a - b),
    denied: deniedBy.size,
    deniedScores: [...deniedBy.values()].map((d) => Math.round(d.score)),
    closedSeenMs,
    ...(end?.['loopDelayMs'] === undefined
      ? {}
      : { loopDelayMs: end['loopDelayMs'] as { p50: number; p99: number; max: number } }),
    ...(notCut === undefined ? {} : { notCut }),
    ...(dialFailures !== undefined && Object.keys(dialFailures).length > 0 ? { dialFailures } : {}),
    ...(refusedAtConnect ? { refusedAtConnect: true as const } : {}),
  };
}

/**
 * `sybils` sybil processes on extra hosts (`perHost` each) connect to every honest node; the honest
 * workload (`messages` alerts, `gapMs` apart) runs once without attack, then again while every sybil
 * floods. The network must have been started with `extraHosts` ≥ sybils / perHost and with
 * `spamMembers(sybils)` among its members.
 */
export async function runSybil(
  nw: NetnsNetwork,
  opts: {
    readonly sybils: number;
    readonly perHost: number;
    readonly messages: number;
    readonly gapMs: number;
    readonly invalidPerTick?: number;
    readonly replayPerTick?: number;
    readonly spamPerTick?: number;
  },
): Promise<SybilFigures> {
  const origins = nw.nodes.map((n) => n.index);
  const sybils = await startSybils(nw, opts.sybils, {
    perHost: opts.perHost,
    invalidPerTick: opts.invalidPerTick ?? 4,
    replayPerTick: opts.replayPerTick ?? 4,
    spamPerTick: opts.spamPerTick ?? 1,
  });
  try {
    // Same workload without, then with the attack; the sybils are connected (idle) during both.
    const base = await publishSeries(nw, origins, opts.messages, opts.gapMs, 20_000);
    await waitDelivered(nw, base, TIMEOUTS.event).catch(() => {});
    const baseline = await measureDelivery(nw, base);
    const proxyBefore = await nw.proxy.readStatsPerProcess();
    for (const s of sybils) s.send('go');
    const attacked = await publishSeries(nw, origins, opts.messages, opts.gapMs, 30_000);
    await waitFor(
      () => sybils.every((s) => s.events.some((e) => e.event === 'allCut')),
      TIMEOUTS.event,
      'every sybil cut off',
      100,
    ).catch(() => {});
    await waitDelivered(nw, attacked, TIMEOUTS.event).catch(() => {});
    const attack = await measureDelivery(nw, attacked);
    const proxyAfter = await nw.proxy.readStatsPerProcess();
    const denials: Denial[] = nw.nodes.flatMap((n) =>
      n.logs.flatMap((line) => {
        if (!line.includes('below graylist threshold')) return [];
        try {
          const j = JSON.parse(line) as { peer: string; score: number; time: number; offendingMs?: number };
          return [{ by: n.peerId, peer: j.peer, at: j.time, score: j.score, offendingMs: j.offendingMs }];
        } catch {
          return [];
        }
      }),
    );
    const perSybil = sybils.map((s) => sybilReport(s.index, s.events, denials));
    const sent = { invalid: 0, replay: 0, spam: 0 };
    for (const r of perSybil) {
      sent.invalid += r.sent.invalid;
      sent.replay += r.sent.replay;
      sent.spam += r.sent.spam;
    }
    let spamStored = 0;
    for (const member of spamMembers(sybils.length)) {
      const held = await api(
        nw.nodes[0]!,
        'GET',
        `/v1/messages?type=ContagionAlert&issuer=${member}&limit=1000`,
      );
      spamStored += (held.json.items as unknown[]).length;
    }
    const defined = perSybil.flatMap((r) => (r.cutMs === undefined ? [] : [r.cutMs]));
    const reactions = perSybil.flatMap((r) => r.reactionPerPeerMs).sort((a, b) => a - b);
    const fromWire = perSybil.flatMap((r) => r.cutFromWirePerPeerMs).sort((a, b) => a - b);
    return {
      honest: nw.nodes.length,
      sybils: sybils.length,
      sybilHosts: Math.ceil(sybils.length / opts.perHost),
      baseline,
      attack,
      p99Ratio: attack.p99 / Math.max(1, baseline.p99),
      perSybil,
      cutMaxMs: defined.length === perSybil.length ? Math.max(...defined) : undefined,
      cutFromWireMs:
        fromWire.length === 0
          ? undefined
          : [quantile(fromWire, 0.5), quantile(fromWire, 0.9), quantile(fromWire, 1), fromWire.length],
      reactionMs:
        reactions.length === 0
          ? undefined
          : [quantile(reactions, 0.5), quantile(reactions, 0.9), quantile(reactions, 1)],
      notCut: perSybil.length - defined.length,
      refusedAtConnect: perSybil.filter((r) => r.refusedAtConnect === true).length,
      neverSent: perSybil.filter((r) => r.firstSentMs === undefined).length,
      sent,
      spamStored,
      proxyLag: proxyAfter.map((a, i) => ({
        lateChunks: a.lateChunks - (proxyBefore[i]?.lateChunks ?? 0),
        lateMaxMs: a.lateMaxMs,
        lateMaxMsBefore: proxyBefore[i]?.lateMaxMs ?? 0,
      })),
      load: load(),
    };
  } finally {
    await stopSybils(sybils);
  }
}
