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
  type Delivery,
  measureDelivery,
  type NetnsNetwork,
  type Published,
  publishSeries,
  SPAM_MEMBER,
  SPAM_MEMBER_SEED,
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
  /** From the heal until every alert was at every node, ms; undefined if not within TIMEOUTS.scenario. */
  readonly healMs: number | undefined;
  readonly delivered: number;
  readonly expected: number;
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
  nw.proxy.partition([minority, majority]);
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
  nw.proxy.partition(undefined);
  let healMs: number | undefined;
  try {
    healMs = (await waitDelivered(nw, published, TIMEOUTS.scenario)) - healedAt;
  } catch {
    healMs = undefined;
  }
  const after = await measureDelivery(nw, published);
  return {
    nodes: n,
    minority: minority.length,
    partitionMs: healedAt - t0,
    messages: published.length,
    withinSidesBeforeHeal: `${held}/${expected}`,
    healMs,
    delivered: after.delivered,
    expected: after.expected,
    load: load(),
  };
}

export interface SybilFigures {
  readonly honest: number;
  readonly sybils: number;
  readonly sybilHosts: number;
  readonly baseline: Delivery;
  readonly attack: Delivery;
  /** attack p99 / baseline p99. */
  readonly p99Ratio: number;
  /** Per sybil: ms from its first flood message until no honest node kept a connection with it. */
  readonly cutMs: readonly (number | undefined)[];
  readonly cutMaxMs: number | undefined;
  /** Per sybil: ms from its first flood message until each honest node closed its connection, sorted. */
  readonly cutPerPeerMs: readonly (readonly number[])[];
  /** Sybils still connected to an honest node at the end, and what each of them reported. */
  readonly notCut: number;
  readonly notCutEvents: readonly string[];
  readonly sent: { readonly invalid: number; readonly replay: number; readonly spam: number };
  /** The compromised member's valid spam alerts the first honest node stored. */
  readonly spamStored: number;
  readonly load: string;
}

/**
 * `sybils` sybil processes on extra hosts (`perHost` each) connect to every honest node; the honest
 * workload (`messages` alerts, `gapMs` apart) runs once without attack, then again while every sybil
 * floods. The network must have been started with `extraHosts` ≥ sybils / perHost and with
 * `SPAM_MEMBER` among its members.
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
    spamMemberSeed: SPAM_MEMBER_SEED,
  });
  try {
    // Same workload without, then with the attack; the sybils are connected (idle) during both.
    const base = await publishSeries(nw, origins, opts.messages, opts.gapMs, 20_000);
    await waitDelivered(nw, base, TIMEOUTS.event).catch(() => {});
    const baseline = await measureDelivery(nw, base);
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
    const cutMs = sybils.map((s) => {
      const e = s.events.find((x) => x.event === 'allCut');
      return e === undefined || (e['stillConnected'] as number) > 0 ? undefined : (e['ms'] as number);
    });
    const sent = { invalid: 0, replay: 0, spam: 0 };
    for (const s of sybils) {
      const e = s.events.find((x) => x.event === 'allCut');
      if (e === undefined) continue;
      sent.invalid += e['invalid'] as number;
      sent.replay += e['replay'] as number;
      sent.spam += e['spam'] as number;
    }
    const held = await api(
      nw.nodes[0]!,
      'GET',
      `/v1/messages?type=ContagionAlert&issuer=${SPAM_MEMBER}&limit=1000`,
    );
    const defined = cutMs.filter((x): x is number => x !== undefined);
    return {
      honest: nw.nodes.length,
      sybils: sybils.length,
      sybilHosts: Math.ceil(sybils.length / opts.perHost),
      baseline,
      attack,
      p99Ratio: attack.p99 / Math.max(1, baseline.p99),
      cutMs,
      cutMaxMs: defined.length === cutMs.length ? Math.max(...defined) : undefined,
      cutPerPeerMs: sybils.map((s) =>
        s.events
          .filter((e) => e.event === 'cut')
          .map((e) => e['ms'] as number)
          .sort((a, b) => a - b),
      ),
      notCut: cutMs.length - defined.length,
      notCutEvents: sybils
        .filter((_, i) => cutMs[i] === undefined)
        .map((s) => s.events.map((e) => JSON.stringify(e)).join(' ')),
      sent,
      spamStored: (held.json.items as unknown[]).length,
      load: load(),
    };
  } finally {
    await stopSybils(sybils);
  }
}
