/**
 * The outcome check of a crisis replay (spec/v1/node.md#crisis-replays rule 5), pure: from what each
 * node holds, the notices it pushed and its view of each claim, one case per expectation with each
 * node's answer. The RecoveryEvents and ContagionAlerts must be exactly the expected ones at every
 * node; notices are per node; every claim is decided the same way at every node.
 */
import type { Scenario } from '@sfr/schemas/types';
import type { NoticeItem, ReplayNode, StreamItem } from './scenarioNetwork.js';

export interface OutcomeCase {
  /** The expectation, in words. */
  readonly what: string;
  readonly ok: boolean;
  /**
   * A failed case that can no longer hold whatever arrives later (node.md#crisis-replays rule 5):
   * a node holds more of a message than expected, or one not expected. A held message is never
   * undone, so the runner may conclude without waiting out its time. A claim's case is never final:
   * a node's decision is derived from the votes it holds, and a vote synced late can change it.
   */
  readonly final?: true;
  /** Each node's answer (the nodes the expectation is about). */
  readonly nodes: readonly { readonly node: string; readonly ok: boolean; readonly got: string }[];
}

/** What `checkOutcome` reads of the network. */
export interface OutcomeSource {
  readonly nodes: readonly Pick<ReplayNode, 'name' | 'member' | 'held' | 'notices'>[];
  nameOf(member: string): string;
}

const COUNTED = new Set(['RecoveryEvent', 'ContagionAlert']);

function keyOf(type: string, issuer: string, what: string | undefined): string {
  return `${type} ${what ?? '*'} from ${issuer}`;
}

function messageKey(m: StreamItem, nameOf: (member: string) => string): string {
  const p = m.envelope.payload;
  return keyOf(
    m.envelope.type,
    nameOf(m.envelope.issuer),
    String(m.envelope.type === 'ContagionAlert' ? p['indicator'] : p['kind']),
  );
}

function noticeMatches(n: NoticeItem, want: NonNullable<Scenario['expect']['notices']>[number]): boolean {
  if (n.event !== want.event) return false;
  const b = n.body as {
    alert?: { payload?: { indicator?: string } };
    event?: { payload?: { kind?: string } };
    policy?: string;
    outcome?: string;
  };
  if (want.indicator !== undefined && b.alert?.payload?.indicator !== want.indicator) return false;
  if (want.kind !== undefined && b.event?.payload?.kind !== want.kind) return false;
  if (want.action !== undefined && (b.policy !== want.action || b.outcome !== 'reported')) return false;
  return true;
}

type Decision = {
  outcome?: string;
  approvedAmount?: string;
  contributions?: { member: string; amount: string }[];
};

export function checkOutcome(
  scenario: Scenario,
  net: OutcomeSource,
  claimViews: ReadonlyMap<string, ReadonlyMap<string, Record<string, unknown> | undefined>>,
): OutcomeCase[] {
  const cases: OutcomeCase[] = [];
  // Messages: exact counts per expectation, and nothing else, at every node.
  type Want = Scenario['expect']['messages'][number];
  const matches = (m: StreamItem, w: Want) => {
    const p = m.envelope.payload;
    const what = w.type === 'ContagionAlert' ? w.indicator : w.kind;
    return (
      m.envelope.type === w.type &&
      net.nameOf(m.envelope.issuer) === w.issuer &&
      (what === undefined || (w.type === 'ContagionAlert' ? p['indicator'] : p['kind']) === what)
    );
  };
  const counted = (n: OutcomeSource['nodes'][number]) =>
    [...n.held.values()].filter((m) => COUNTED.has(m.envelope.type));
  for (const w of scenario.expect.messages) {
    const want = w.count ?? 1;
    const nodes = net.nodes.map((n) => {
      const got = counted(n).filter((m) => matches(m, w)).length;
      return { node: n.name, ok: got === want, got: `${got}`, over: got > want };
    });
    const what = w.type === 'ContagionAlert' ? w.indicator : w.kind;
    cases.push({
      what: `${want} × ${keyOf(w.type, w.issuer, what)}`,
      ok: nodes.every((n) => n.ok),
      ...(nodes.some((n) => n.over) ? { final: true as const } : {}),
      nodes: nodes.map(({ node, ok, got }) => ({ node, ok, got })),
    });
  }
  const unexpected = net.nodes.map((n) => {
    const extra = new Map<string, number>();
    for (const m of counted(n)) {
      if (scenario.expect.messages.some((w) => matches(m, w))) continue;
      const k = messageKey(m, (a) => net.nameOf(a));
      extra.set(k, (extra.get(k) ?? 0) + 1);
    }
    return {
      node: n.name,
      ok: extra.size === 0,
      got: extra.size === 0 ? 'none' : [...extra].map(([k, c]) => `${c} × ${k}`).join('; '),
    };
  });
  cases.push({
    what: 'no other RecoveryEvent or ContagionAlert',
    ok: unexpected.every((n) => n.ok),
    ...(unexpected.every((n) => n.ok) ? {} : { final: true as const }),
    nodes: unexpected,
  });

  for (const want of scenario.expect.notices ?? []) {
    const n = net.nodes.find((x) => x.name === want.node)!;
    const got = n.notices.filter((x) => noticeMatches(x, want)).length;
    const min = want.count ?? 1;
    const filter = want.indicator ?? want.kind ?? want.action;
    cases.push({
      what: `${want.node} pushed ≥ ${min} × ${want.event}${filter === undefined ? '' : ` ${filter}`} notice`,
      ok: got >= min,
      nodes: [{ node: n.name, ok: got >= min, got: `${got}` }],
    });
  }

  for (const want of scenario.expect.claims ?? []) {
    const views = claimViews.get(want.incidentId);
    const decisions = net.nodes.map((n) => {
      const v = views?.get(n.name);
      return { node: n.name, decision: (v?.['decision'] ?? null) as Decision | null };
    });
    const first = JSON.stringify(decisions[0]?.decision ?? null);
    const nodes = decisions.map(({ node, decision }) => {
      if (decision === null) return { node, ok: false, got: views === undefined ? 'not filed' : 'undecided' };
      const paid = Object.fromEntries(
        (decision.contributions ?? [])
          .filter((c) => c.amount !== '0')
          .map((c) => [net.nameOf(c.member), c.amount]),
      );
      const contributionsOk =
        want.contributions === undefined ||
        Object.entries(want.contributions).every(([name, amount]) => (paid[name] ?? '0') === amount);
      const ok =
        decision.outcome === want.outcome &&
        decision.approvedAmount === want.approvedAmount &&
        contributionsOk &&
        JSON.stringify(decision) === first;
      const shares = Object.entries(paid)
        .map(([name, a]) => `${name} ${a}`)
        .join(', ');
      return {
        node,
        ok,
        got: `${decision.outcome} ${decision.approvedAmount}${shares === '' ? '' : ` (${shares})`}${JSON.stringify(decision) === first ? '' : ' — differs from the first node'}`,
      };
    });
    cases.push({
      what: `claim ${want.incidentId} ${want.outcome} for ${want.approvedAmount}${
        want.contributions === undefined
          ? ''
          : ` (${Object.entries(want.contributions)
              .map(([n, a]) => `${n} ${a}`)
              .join(', ')})`
      }, the same decision at every node`,
      ok: nodes.every((n) => n.ok),
      nodes,
    });
  }
  return cases;
}

/**
 * True once the outcome cannot change any more: every case holds, or every case either holds or
 * has failed for good (`final`). Until then a runner keeps waiting, up to its bound.
 */
export function outcomeSettled(cases: readonly OutcomeCase[]): boolean {
  return cases.every((c) => c.ok || c.final === true);
}

/** The case-by-case report, one block per expectation, ✓ / ✗ per node. */
export function formatOutcome(name: string, cases: readonly OutcomeCase[]): string {
  const lines = [`replay ${name}: ${cases.filter((c) => c.ok).length}/${cases.length} expectations hold`];
  for (const c of cases) {
    lines.push(`${c.ok ? '✓' : '✗'} ${c.what}`);
    for (const n of c.nodes) lines.push(`    ${n.ok ? '✓' : '✗'} ${n.node.padEnd(12)} ${n.got}`);
  }
  return `${lines.join('\n')}\n`;
}
