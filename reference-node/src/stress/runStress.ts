import type { PoolCharter } from '@sfr/schemas/types';
import { addrKey, BPS, parseUint256, unitCommitment } from '../pools/amounts.js';
import { computePayout, EMPTY_LEDGER, type PoolLedger, recordPayout } from '../pools/computePayout.js';

/** One loss in an explicit scenario: `loss` in unit-asset base units, or `lossBps` of the member's own commitment. */
export type StressEvent = { member: string; loss?: string; lossBps?: number; at?: number };

/**
 * A correlated-failure model (pools.md#stress): in each trial a common shock happens with
 * probability `shockBps`; each member then fails with probability `hitBps` (shock) or `baseBps`
 * (no shock) and claims `lossBps` of its commitment. Integer PRNG (mulberry32) from `seed`.
 */
export type CommonShockModel = {
  kind: 'common_shock';
  trials: number;
  seed: number;
  shockBps: number;
  hitBps: number;
  baseBps: number;
  lossBps: number;
};

export type StressScenario = {
  name: string;
  description?: string;
  events?: StressEvent[];
  model?: CommonShockModel;
};

export type MemberOutcome = {
  member: string;
  claimed: bigint;
  /** What the deductible left of the claims (claimed − covered is lost to the deductible). */
  covered: bigint;
  /** What the caps left of `covered` (covered − due is lost to the caps). */
  due: bigint;
  paid: bigint;
  shortfall: bigint;
  contributed: bigint;
  remaining: bigint;
};

export type ScenarioResult = {
  name: string;
  trials: number;
  claims: number;
  claimed: bigint;
  covered: bigint;
  due: bigint;
  paid: bigint;
  shortfall: bigint;
  /** paid × 10 000 / claimed (10 000 when nothing is claimed); for a model, over all trials together. */
  coverageBps: number;
  /**
   * Where the rest of the claimed amount went, each × 10 000 / claimed (floored, so with
   * coverageBps they sum to 10 000 minus at most 3): the deductible (claimed − covered), the caps
   * (covered − due) and the pool's capital running out (shortfall = due − paid).
   */
  lostToDeductibleBps: number;
  lostToCapsBps: number;
  shortfallBps: number;
  /** For a model: the share of trials in which capital paid all that was due, and coverage percentiles over trials. */
  noShortfallBps?: number;
  coverageP50Bps?: number;
  coverageP5Bps?: number;
  coverageMinBps?: number;
  /** Per member; for a model, totals over all trials (divide by `trials` for the mean). */
  members: MemberOutcome[];
};

/** `capital` is the members' total; `capitalSource` says whether it is the charter's commitments or read from the vault. */
export type StressReport = { capital: bigint; capitalSource: 'charter' | 'vault'; results: ScenarioResult[] };

/**
 * Options of `runStress`. `capital`: each member's capital (lower-case address → base units) to
 * use instead of its charter commitment, e.g. what it can still pay from the vault's escrow.
 */
export type RunStressOptions = {
  capital?: ReadonlyMap<string, bigint>;
  onProgress?: (done: number, total: number) => void;
};

export type RunStressReturnType =
  | { ok: true; report: StressReport }
  | { ok: false; code: 'POOL_SCENARIO_INVALID'; message: string };

/** Largest number of trials one model may ask for (keeps a run bounded: ~1 ms per trial at 128 members). */
export const MAX_TRIALS = 100_000;

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isBps = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 10_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % 10_000;
  };
}

/** Checks a scenario file's shape: `{scenarios: [...]}` or a bare array. Returns a message or the scenarios. */
export function parseScenarios(charter: PoolCharter, input: unknown): StressScenario[] | string {
  const list = Array.isArray(input) ? input : isObj(input) ? input['scenarios'] : undefined;
  if (!Array.isArray(list) || list.length === 0)
    return 'expected {"scenarios": [...]} with at least one scenario';
  const members = new Set(charter.members.map((m) => addrKey(m.member)));
  const out: StressScenario[] = [];
  for (const [i, s] of list.entries()) {
    if (!isObj(s) || typeof s['name'] !== 'string' || s['name'].length === 0)
      return `scenario ${i}: needs a name`;
    const hasEvents = s['events'] !== undefined;
    const hasModel = s['model'] !== undefined;
    if (hasEvents === hasModel) return `scenario ${i}: give either "events" or "model"`;
    if (hasEvents) {
      if (!Array.isArray(s['events'])) return `scenario ${i}: "events" must be an array`;
      for (const [j, e] of s['events'].entries()) {
        if (!isObj(e) || typeof e['member'] !== 'string' || !members.has(addrKey(e['member'])))
          return `scenario ${i} event ${j}: "member" must be a member of the charter`;
        if ((e['loss'] === undefined) === (e['lossBps'] === undefined))
          return `scenario ${i} event ${j}: give either "loss" or "lossBps"`;
        if (e['loss'] !== undefined && parseUint256(e['loss']) === null)
          return `scenario ${i} event ${j}: "loss" must be a Uint256 decimal string`;
        if (e['lossBps'] !== undefined && !isBps(e['lossBps']))
          return `scenario ${i} event ${j}: "lossBps" must be 0 … 10000`;
        if (e['at'] !== undefined && !(Number.isSafeInteger(e['at']) && (e['at'] as number) >= 0))
          return `scenario ${i} event ${j}: "at" must be a non-negative integer (ms)`;
      }
    } else {
      const m = s['model'];
      if (!isObj(m) || m['kind'] !== 'common_shock')
        return `scenario ${i}: "model.kind" must be "common_shock"`;
      if (
        !(
          Number.isInteger(m['trials']) &&
          (m['trials'] as number) >= 1 &&
          (m['trials'] as number) <= MAX_TRIALS
        )
      )
        return `scenario ${i}: "model.trials" must be 1 … ${MAX_TRIALS}`;
      if (!(Number.isInteger(m['seed']) && (m['seed'] as number) >= 0 && (m['seed'] as number) < 2 ** 32))
        return `scenario ${i}: "model.seed" must be a 32-bit unsigned integer`;
      for (const k of ['shockBps', 'hitBps', 'baseBps', 'lossBps'])
        if (!isBps(m[k])) return `scenario ${i}: "model.${k}" must be 0 … 10000`;
    }
    out.push(s as unknown as StressScenario);
  }
  return out;
}

type Claim = { member: string; loss: bigint; at: number };

/** One sequence of claims through the payout rule, each approved at its full loss (pools.md#stress). */
function simulate(charter: PoolCharter, claims: Claim[]) {
  const start = charter.effectiveAt;
  let ledger: PoolLedger = EMPTY_LEDGER;
  const per = new Map<string, { claimed: bigint; covered: bigint; due: bigint; paid: bigint }>();
  let covered = 0n;
  let due = 0n;
  let paid = 0n;
  let claimed = 0n;
  const ordered = claims
    .map((c, i) => ({ ...c, i }))
    .sort(
      (a, b) =>
        a.at - b.at ||
        (addrKey(a.member) < addrKey(b.member) ? -1 : addrKey(a.member) > addrKey(b.member) ? 1 : a.i - b.i),
    );
  for (const [n, c] of ordered.entries()) {
    const t = start + c.at;
    const r = computePayout(
      charter,
      { claimant: c.member, requestedAmount: c.loss, filedAt: t, decidedAt: t },
      [{ amount: c.loss, weight: 1n }],
      ledger,
    );
    ledger = recordPayout(ledger, {
      claimId: `stress-${n}`,
      claimant: c.member,
      decidedAt: t,
      contributions: r.contributions,
    });
    const k = addrKey(c.member);
    const row = per.get(k) ?? { claimed: 0n, covered: 0n, due: 0n, paid: 0n };
    row.claimed += c.loss;
    row.covered += r.covered;
    row.due += r.due;
    row.paid += r.approvedAmount;
    per.set(k, row);
    claimed += c.loss;
    covered += r.covered;
    due += r.due;
    paid += r.approvedAmount;
  }
  return { ledger, per, covered, due, paid, claimed };
}

/** part × 10 000 / claimed, floored; 10 000 for the paid part when nothing was claimed. */
const shareOf = (part: bigint, claimed: bigint, whenNone: number) =>
  claimed === 0n ? whenNone : Number((part * BPS) / claimed);

type Totals = { claimed: bigint; covered: bigint; due: bigint; paid: bigint };

/** The coverage of what was claimed and where the rest went (pools.md#stress). */
function breakdown(t: Totals) {
  return {
    claimed: t.claimed,
    covered: t.covered,
    due: t.due,
    paid: t.paid,
    shortfall: t.due - t.paid,
    coverageBps: shareOf(t.paid, t.claimed, 10_000),
    lostToDeductibleBps: shareOf(t.claimed - t.covered, t.claimed, 0),
    lostToCapsBps: shareOf(t.covered - t.due, t.claimed, 0),
    shortfallBps: shareOf(t.due - t.paid, t.claimed, 0),
  };
}

/** The charter with each member's capital replaced by `capital` (one commitment in the unit asset). */
function withCapital(charter: PoolCharter, capital: ReadonlyMap<string, bigint>): PoolCharter {
  return {
    ...charter,
    members: charter.members.map((m) => ({
      ...m,
      commitments: [
        { asset: charter.valuation.unitAsset, value: String(capital.get(addrKey(m.member)) ?? 0n) },
      ],
    })),
  };
}

function memberRows(charter: PoolCharter, sums: Map<string, MemberOutcome>): MemberOutcome[] {
  return charter.members
    .map((m) => sums.get(addrKey(m.member)) as MemberOutcome)
    .sort((a, b) => (addrKey(a.member) < addrKey(b.member) ? -1 : 1));
}

/**
 * Whether the pool's capital covers correlated failures (pools.md#stress): for each scenario, the
 * claims run through the payout rule in order (each approved at its full loss), giving the amounts
 * claimed, covered (after the deductible), due (after the caps), paid and short, the coverage of
 * what was claimed with the share lost to the deductible, the caps and the shortfall, and each
 * member's outcome. Capital is the charter's commitments unless `options.capital` gives it (e.g.
 * from the vault). `options.onProgress(done, total)` is called after each scenario and every 100
 * trials. Pure; never throws.
 */
export function runStress(
  base: PoolCharter,
  scenarios: unknown,
  options: RunStressOptions = {},
): RunStressReturnType {
  const { onProgress } = options;
  const parsed = parseScenarios(base, scenarios);
  if (typeof parsed === 'string') return { ok: false, code: 'POOL_SCENARIO_INVALID', message: parsed };
  const charter = options.capital ? withCapital(base, options.capital) : base;
  const commitments = new Map(charter.members.map((m) => [addrKey(m.member), unitCommitment(charter, m)]));
  const capital = [...commitments.values()].reduce((a, b) => a + b, 0n);
  const total = parsed.reduce((a, s) => a + (s.model ? s.model.trials : 1), 0);
  let done = 0;
  const results: ScenarioResult[] = [];
  const lossOf = (member: string, loss: string | undefined, bps: number | undefined) =>
    loss !== undefined
      ? (parseUint256(loss) ?? 0n)
      : ((commitments.get(addrKey(member)) ?? 0n) * BigInt(bps ?? 0)) / BPS;
  for (const s of parsed) {
    const sums = new Map<string, MemberOutcome>(
      charter.members.map((m) => [
        addrKey(m.member),
        {
          member: m.member,
          claimed: 0n,
          covered: 0n,
          due: 0n,
          paid: 0n,
          shortfall: 0n,
          contributed: 0n,
          remaining: 0n,
        },
      ]),
    );
    const add = (run: ReturnType<typeof simulate>) => {
      for (const [k, row] of sums) {
        const p = run.per.get(k);
        const contributed = run.ledger.contributed.get(k) ?? 0n;
        const committed = commitments.get(k) ?? 0n;
        row.claimed += p?.claimed ?? 0n;
        row.covered += p?.covered ?? 0n;
        row.due += p?.due ?? 0n;
        row.paid += p?.paid ?? 0n;
        row.shortfall += (p?.due ?? 0n) - (p?.paid ?? 0n);
        row.contributed += contributed;
        row.remaining += committed > contributed ? committed - contributed : 0n;
      }
    };
    if (s.events) {
      const run = simulate(
        charter,
        s.events.map((e, i) => ({
          member: e.member,
          loss: lossOf(e.member, e.loss, e.lossBps),
          at: e.at ?? i,
        })),
      );
      add(run);
      results.push({
        name: s.name,
        trials: 1,
        claims: s.events.length,
        ...breakdown(run),
        members: memberRows(charter, sums),
      });
      onProgress?.(++done, total);
      continue;
    }
    const m = s.model as CommonShockModel;
    const rand = mulberry32(m.seed);
    const perTrial: number[] = [];
    let claims = 0;
    let claimed = 0n;
    let covered = 0n;
    let due = 0n;
    let paid = 0n;
    let full = 0;
    for (let trial = 0; trial < m.trials; trial++) {
      const shock = rand() < m.shockBps;
      const failing: Claim[] = [];
      for (const member of charter.members) {
        if (rand() < (shock ? m.hitBps : m.baseBps))
          failing.push({ member: member.member, loss: lossOf(member.member, undefined, m.lossBps), at: 0 });
      }
      const run = simulate(charter, failing);
      add(run);
      claims += failing.length;
      claimed += run.claimed;
      covered += run.covered;
      due += run.due;
      paid += run.paid;
      if (run.paid === run.due) full++;
      perTrial.push(shareOf(run.paid, run.claimed, 10_000));
      done++;
      if (done % 100 === 0 || trial + 1 === m.trials) onProgress?.(done, total);
    }
    perTrial.sort((a, b) => a - b);
    const pct = (q: number) =>
      perTrial[Math.min(perTrial.length - 1, Math.floor((perTrial.length * q) / 100))] as number;
    results.push({
      name: s.name,
      trials: m.trials,
      claims,
      ...breakdown({ claimed, covered, due, paid }),
      noShortfallBps: Math.floor((full * 10_000) / m.trials),
      coverageP50Bps: pct(50),
      coverageP5Bps: pct(5),
      coverageMinBps: perTrial[0] as number,
      members: memberRows(charter, sums),
    });
  }
  return {
    ok: true,
    report: { capital, capitalSource: options.capital ? 'vault' : 'charter', results },
  };
}

/** The report as JSON-ready data (amounts as decimal strings). */
export function stressReportToJson(report: StressReport): Record<string, unknown> {
  const str = (v: unknown): unknown =>
    typeof v === 'bigint'
      ? v.toString()
      : Array.isArray(v)
        ? v.map(str)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, str(x)]))
          : v;
  return str(report) as Record<string, unknown>;
}

/** The report as CSV, one row per scenario and member plus a `*` total row per scenario, ready for a table or plot. */
export function stressReportToCsv(report: StressReport): string {
  const lines = [
    'scenario,member,trials,claimed,covered,due,paid,shortfall,contributed,remaining,coverage_bps,lost_to_deductible_bps,lost_to_caps_bps,shortfall_bps',
  ];
  const cell = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  for (const r of report.results) {
    const shares = (b: ReturnType<typeof breakdown>) => [
      b.coverageBps,
      b.lostToDeductibleBps,
      b.lostToCapsBps,
      b.shortfallBps,
    ];
    lines.push(
      [
        cell(r.name),
        '*',
        r.trials,
        r.claimed,
        r.covered,
        r.due,
        r.paid,
        r.shortfall,
        '',
        '',
        ...shares(breakdown(r)),
      ].join(','),
    );
    for (const m of r.members) {
      lines.push(
        [
          cell(r.name),
          m.member,
          r.trials,
          m.claimed,
          m.covered,
          m.due,
          m.paid,
          m.shortfall,
          m.contributed,
          m.remaining,
          ...shares(breakdown(m)),
        ].join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
