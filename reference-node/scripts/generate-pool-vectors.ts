/**
 * Writes the pool-logic conformance vectors, conformance-tests/vectors/v1/pool/decide/<suite>.json
 * (proposal 0001 §8, spec/v1/pools.md#harness), from FIXED test keys
 * (private key = keccak256("sfr-pool-member-<i>")) and fixed times.
 *
 * Every case's `expected` is written here BY HAND from pools.md — figures worked out on paper (the
 * comments show the arithmetic), refusals named per message — never read back from the reference.
 * Before writing, the generator runs the reference's `decidePoolOp` on each case and compares its
 * result with the conformance runner's own rule (the PoolDecideResult schema, then the subset
 * rule); a disagreement stops it, so a vector is never written that the reference does not pass
 * and never rewritten to what the reference happens to do.
 * Usage: npx tsx reference-node/scripts/generate-pool-vectors.ts [--check]
 * `--check` writes nothing and exits 1 if regenerating would change any file.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getReasonCode } from '@sfr/schemas';
import type { FundClaim, PoolCharter } from '@sfr/schemas/types';

type LogRef = Extract<FundClaim['evidence'][number], { type: 'log' }>;

import { compareResult } from '../../conformance-tests/src/runner/compareResult.js';
import {
  buildEquivocationEvidence,
  createMemorySigningJournal,
  type Hex,
  hashPayload,
  signEnvelope,
} from '../src/envelope/index.js';
import { decidePoolOp } from '../src/pools/harnessOp.js';
import {
  charterPayload,
  HOUR,
  type MemberSpec,
  members,
  PoolSigner,
  type Signed,
  T0,
  USDC,
  WETH,
} from '../test/pools/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, 'conformance-tests/vectors/v1/pool/decide');
const check = process.argv.includes('--check');

const U = 1_000_000n;
const FILED = T0 + 3 * HOUR;
const VOTE = T0 + 4 * HOUR;
const LATER = T0 + 1000 * HOUR;

type Case = {
  description: string;
  section: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
};
const suites = new Map<string, Case[]>();

// ---- helpers to write expectations by hand ----------------------------------------------------
/** A refusal of `m` with `code`; the outcome is the registry's (schemas/v1/registry/reason-codes). */
function no(m: Signed, code: string) {
  const outcome = getReasonCode(code)?.outcome;
  if (outcome !== 'ignore' && outcome !== 'reject') throw new Error(`${code} is not an ignore/reject code`);
  return { messageId: m.id, outcome, code };
}
/** Refusals in the order pools.md#harness pins: ascending message id, then code. */
function refusals(...rs: ReturnType<typeof no>[]) {
  return rs.sort((a, b) =>
    a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : a.code < b.code ? -1 : 1,
  );
}
const units = (x: bigint) => String(x * U);
const ids = (...xs: Signed[]) => xs.map((x) => x.id).sort();
function tally(
  approve: [number, number],
  reject: [number, number],
  abstain: [number, number],
  totalWeight: number,
  eligibleCount: number,
) {
  return {
    approveWeight: approve[0],
    rejectWeight: reject[0],
    abstainWeight: abstain[0],
    totalWeight,
    approveCount: approve[1],
    rejectCount: reject[1],
    abstainCount: abstain[1],
    eligibleCount,
  };
}
/** A decision that is not `approved`: every amount 0 (pools.md#harness). */
function unpaid(outcome: 'rejected' | 'expired', decidedAt: number, attestations: string[]) {
  return {
    outcome,
    decidedAt,
    acceptedLoss: '0',
    due: '0',
    approvedAmount: '0',
    shortfall: '0',
    haircutBps: 0,
    boundBy: 'none',
    contributions: [],
    attestations,
  };
}

type Pool = { ms: MemberSpec[]; s: PoolSigner; charter: PoolCharter; charters: Signed[] };
async function pool(
  commits = [1000n, 1000n, 1000n, 1000n],
  over: Partial<PoolCharter> = {},
  weights?: number[],
): Promise<Pool> {
  const ms = members(commits.map((c, i) => ({ weight: weights?.[i] ?? 10, commit: c * U })));
  const s = new PoolSigner();
  const charter = charterPayload(ms, over);
  return {
    ms,
    s,
    charter,
    charters: await s.charter(
      charter,
      ms.map((m) => m.key),
    ),
  };
}
const key = (p: Pool, i: number) => (p.ms[i] as MemberSpec).key;

/** Members' lower-case addresses order contributions and ledger rows. */
const addr = (p: Pool, i: number) => key(p, i).address;
function contributions(p: Pool, rows: [number, bigint][]) {
  return rows
    .map(([i, amount]) => ({ member: addr(p, i), amount: String(amount) }))
    .sort((a, b) => (a.member.toLowerCase() < b.member.toLowerCase() ? -1 : 1));
}
/** Ledger rows [member, committed, contributed, received] (remaining = max(committed − contributed, 0)). */
function ledgerRows(p: Pool, rows: [number, bigint, bigint, bigint][]) {
  return rows
    .map(([i, committed, contributed, received]) => ({
      member: addr(p, i),
      committed: String(committed),
      contributed: String(contributed),
      received: String(received),
      remaining: String(committed > contributed ? committed - contributed : 0n),
    }))
    .sort((a, b) => (a.member.toLowerCase() < b.member.toLowerCase() ? -1 : 1));
}

function add(
  suite: string,
  description: string,
  section: string,
  charters: (Signed | string)[],
  messages: (Signed | string)[],
  now: number,
  expected: Record<string, unknown>,
): void {
  const input = {
    charter: charters.map((m) => (typeof m === 'string' ? m : m.wire)),
    messages: messages.map((m) => (typeof m === 'string' ? m : m.wire)),
    now,
  };
  const r = decidePoolOp(input);
  if (!r.ok) throw new Error(`${description}: ${r.error.message}`);
  const compared = compareResult('decide', expected, JSON.parse(JSON.stringify(r.result)));
  if (!compared.ok)
    throw new Error(
      `${suite} "${description}": the reference departs from the hand-written expectation: ${compared.reason}`,
    );
  const list = suites.get(suite) ?? [];
  list.push({ description, section: `pools.md#${section}`, input, expected });
  suites.set(suite, list);
}

async function approveAll(
  p: Pool,
  claimId: Signed,
  voters: number[],
  amount: bigint,
  at = VOTE,
): Promise<Signed[]> {
  const out: Signed[] = [];
  for (const i of voters) out.push(await p.s.attest(key(p, i), claimId.id, at, 'approve', amount));
  return out;
}

// Member addresses of the fixed keys, ascending lower-case: m1 (0x66d7…) < m2 (0x6885…) < m0
// (0x88b5…) < m3 (0xa094…); "ties to the lower address" below uses this order. The default pool:
// four members of weight 10 and 1 000 USDC each, quorum 50 % and 2 members, voting 24 h,
// challenge 1 h, no deductible, no binding cap or rate limit. Claims ask 1 000 USDC, filed by m0
// at FILED = T0 + 3 h; votes at VOTE = T0 + 4 h. With three eligible members T = 30.

// payout: shortfall, caps, deductible, rounding
{
  const p = await pool([1000n, 100n, 100n, 100n]);
  const c = await p.s.claim(key(p, 0), FILED);
  const v = await approveAll(p, c, [1, 2, 3], 1000n * U);
  // quorum at the second vote (20 of 30, 2 members) at VOTE → closes VOTE + 1 h; the third counts.
  // accepted 1000, due 1000; the others hold 3 × 100 = 300 → paid 300, shortfall 700, 7000 bps.
  add(
    'payout',
    'shortfall: the others hold 300 of the 1000 due; each pays all it has, shortfall 700, haircut 7000 bps',
    'payout',
    p.charters,
    [c, ...v],
    LATER,
    {
      poolId: p.charter.poolId,
      epochs: [{ epoch: 0, effectiveAt: T0, adoptedAt: T0 - HOUR }],
      claims: [
        {
          // every field of a decided claim (pools.md#harness)
          claimId: c.id,
          claimant: addr(p, 0),
          incidentId: 'incident-1',
          filedAt: FILED,
          epoch: 0,
          requestedAmount: units(1000n),
          status: 'settled',
          round: 0,
          closesAt: VOTE + HOUR,
          standing: 'approved',
          tally: tally([30, 3], [0, 0], [0, 0], 30, 3),
          decision: {
            outcome: 'approved',
            decidedAt: VOTE + HOUR,
            acceptedLoss: units(1000n),
            due: units(1000n),
            approvedAmount: units(300n),
            shortfall: units(700n),
            haircutBps: 7000,
            boundBy: 'none',
            contributions: contributions(p, [
              [1, 100n * U],
              [2, 100n * U],
              [3, 100n * U],
            ]),
            attestations: ids(...v),
          },
          settlement: { firstAt: VOTE + HOUR, lastAt: VOTE + HOUR, tranches: 1 },
        },
      ],
      equivocations: [],
      refused: [],
      ledger: {
        capital: units(1300n),
        paidOut: units(300n),
        forfeitedDeposits: '0',
        members: ledgerRows(p, [
          [0, 1000n * U, 0n, 300n * U],
          [1, 100n * U, 100n * U, 0n],
          [2, 100n * U, 100n * U, 0n],
          [3, 100n * U, 100n * U, 0n],
        ]),
      },
    },
  );
}
{
  const p = await pool(undefined, {
    caps: {
      perClaim: String(500n * U),
      perMemberPerPeriod: String(10n ** 15n),
      perPeriod: String(10n ** 15n),
      periodMs: 720 * HOUR,
    },
  });
  const c = await p.s.claim(key(p, 0), FILED);
  const v = await approveAll(p, c, [1, 2], 1000n * U);
  // due = min(1000, perClaim 500) = 500; 500 000 000 × 1000/3000 = 166 666 666.67 each: floors sum to
  // 499 999 998, the 2 units left go (equal remainders) to the two lower addresses m1, m2.
  add('payout', 'perClaim cap: 1000 approved, 500 paid', 'payout', p.charters, [c, ...v], LATER, {
    claims: [
      {
        claimId: c.id,
        status: 'settled',
        closesAt: VOTE + HOUR,
        tally: tally([20, 2], [0, 0], [0, 0], 30, 3),
        decision: {
          outcome: 'approved',
          acceptedLoss: units(1000n),
          due: units(500n),
          approvedAmount: units(500n),
          shortfall: '0',
          haircutBps: 0,
          boundBy: 'perClaim',
          contributions: contributions(p, [
            [1, 166_666_667n],
            [2, 166_666_667n],
            [3, 166_666_666n],
          ]),
          attestations: ids(...v),
        },
      },
    ],
    refused: [],
    ledger: { capital: units(4000n), paidOut: units(500n) },
  });
}
{
  const caps = {
    perClaim: String(10n ** 15n),
    perMemberPerPeriod: String(1200n * U),
    perPeriod: String(1500n * U),
    periodMs: 720 * HOUR,
  };
  const p = await pool([5000n, 5000n, 5000n, 5000n], { caps });
  const c1 = await p.s.claim(key(p, 0), FILED);
  const c2 = await p.s.claim(key(p, 0), FILED + 10 * HOUR, { incidentId: 'incident-2' });
  const c3 = await p.s.claim(key(p, 1), FILED + 20 * HOUR, { incidentId: 'incident-3' });
  const v1 = await approveAll(p, c1, [1, 2], 1000n * U);
  const v2 = await approveAll(p, c2, [1, 2], 1000n * U, VOTE + 10 * HOUR);
  const v3 = await approveAll(p, c3, [2, 3], 1000n * U, VOTE + 20 * HOUR);
  // c1: 1000 due, split 333 333 334 (m1, lowest address gets the unit) / 333 333 333 / 333 333 333.
  // c2 (m0 again, within the period): perMemberPerPeriod room 1200 − 1000 = 200 binds. Remaining
  //   m1 4 666 666 666, m2 and m3 4 666 666 667 of R = 14 000 000 000: floors 66 666 666 each with
  //   remainders 9.2e9 (m1) and 9.4e9 (m2, m3) → the 2 units to m2 and m3.
  // c3 (m1): perPeriod room 1500 − 1200 = 300 binds. Remaining m0 5 000 000 000, m2 and m3
  //   4 600 000 000, R = 14 200 000 000: floors 105 633 802 / 97 183 098 / 97 183 098, remainders
  //   1.16e10 / 8.4e9 / 8.4e9 → units to m0 and (tie) the lower of m2, m3: m2.
  const one = (
    c: Signed,
    closesAt: number,
    due: bigint,
    boundBy: string,
    rows: [number, bigint][],
    v: Signed[],
  ) => ({
    claimId: c.id,
    closesAt,
    status: 'settled',
    decision: {
      outcome: 'approved',
      acceptedLoss: units(1000n),
      due: String(due),
      approvedAmount: String(due),
      shortfall: '0',
      boundBy,
      contributions: contributions(p, rows),
      attestations: ids(...v),
    },
  });
  add(
    'payout',
    'perMemberPerPeriod and perPeriod caps over three claims in one period',
    'payout',
    p.charters,
    [c1, c2, c3, ...v1, ...v2, ...v3],
    LATER,
    {
      claims: [
        one(
          c1,
          VOTE + HOUR,
          1000n * U,
          'none',
          [
            [1, 333_333_334n],
            [2, 333_333_333n],
            [3, 333_333_333n],
          ],
          v1,
        ),
        one(
          c2,
          VOTE + 11 * HOUR,
          200n * U,
          'perMemberPerPeriod',
          [
            [1, 66_666_666n],
            [2, 66_666_667n],
            [3, 66_666_667n],
          ],
          v2,
        ),
        one(
          c3,
          VOTE + 21 * HOUR,
          300n * U,
          'perPeriod',
          [
            [0, 105_633_803n],
            [2, 97_183_099n],
            [3, 97_183_098n],
          ],
          v3,
        ),
      ],
      ledger: {
        capital: units(20_000n),
        paidOut: units(1500n),
        forfeitedDeposits: '0',
        members: ledgerRows(p, [
          [0, 5000n * U, 105_633_803n, 1200n * U],
          [1, 5000n * U, 400_000_000n, 300n * U],
          [2, 5000n * U, 497_183_099n, 0n],
          [3, 5000n * U, 497_183_098n, 0n],
        ]),
      },
    },
  );
}
{
  const p = await pool(undefined, { deductible: { fixed: String(100n * U), bps: 1000 } });
  const c = await p.s.claim(key(p, 0), FILED);
  const v = await approveAll(p, c, [1, 2], 1000n * U);
  // covered = (1000 − 100) × (10 000 − 1000) / 10 000 = 810, 270 each.
  add(
    'payout',
    'deductible: 100 fixed plus 10 % of the rest: 1000 accepted, 810 paid',
    'payout',
    p.charters,
    [c, ...v],
    LATER,
    {
      claims: [
        {
          claimId: c.id,
          decision: {
            outcome: 'approved',
            acceptedLoss: units(1000n),
            due: units(810n),
            approvedAmount: units(810n),
            boundBy: 'none',
            contributions: contributions(p, [
              [1, 270n * U],
              [2, 270n * U],
              [3, 270n * U],
            ]),
          },
        },
      ],
    },
  );
}
{
  const p = await pool([1000n, 1n, 2n, 4n]);
  const c = await p.s.claim(key(p, 0), FILED);
  const v = [
    await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 5_000_000n),
    await p.s.attest(key(p, 2), c.id, VOTE, 'approve', 3_000_000n),
    await p.s.attest(key(p, 3), c.id, VOTE, 'approve', 3_000_001n),
  ];
  // lower weighted median of 3 000 000 / 3 000 001 / 5 000 000 (weight 10 each, 30 in all): the
  // smallest a with 2 × weight(≤ a) ≥ 30 is 3 000 001. Split over 1:2:4 USDC (R = 7 000 000):
  // floors 428 571 / 857 143 / 1 714 286 (sum 3 000 000), remainders 4e6 / 1e6 / 2e6 → m1 gets the unit.
  add(
    'payout',
    'rounding: the weighted median 3 000 001 split over commitments 1:2:4 USDC, floor then largest remainder',
    'rounding',
    p.charters,
    [c, ...v],
    LATER,
    {
      claims: [
        {
          claimId: c.id,
          decision: {
            outcome: 'approved',
            acceptedLoss: '3000001',
            due: '3000001',
            approvedAmount: '3000001',
            shortfall: '0',
            contributions: contributions(p, [
              [1, 428_572n],
              [2, 857_143n],
              [3, 1_714_286n],
            ]),
          },
        },
      ],
    },
  );
}
{
  const p = await pool(undefined, { payoutRateLimit: { maxAmount: String(400n * U), windowMs: HOUR } });
  const c = await p.s.claim(key(p, 0), FILED);
  const v = await approveAll(p, c, [1, 2], 900n * U);
  // decided T0 + 5 h (a window start): 400 then, 400 at T0 + 6 h, 100 at T0 + 7 h; now T0 + 6 h.
  add(
    'payout',
    'rate limit: 900 paid in tranches of at most 400 per hour; approved (not settled) before the last tranche',
    'rate-limit',
    p.charters,
    [c, ...v],
    VOTE + 2 * HOUR,
    {
      claims: [
        {
          claimId: c.id,
          status: 'approved',
          decision: {
            outcome: 'approved',
            approvedAmount: units(900n),
            contributions: contributions(p, [
              [1, 300n * U],
              [2, 300n * U],
              [3, 300n * U],
            ]),
          },
          settlement: { firstAt: T0 + 5 * HOUR, lastAt: T0 + 7 * HOUR, tranches: 3 },
        },
      ],
    },
  );
}
{
  // issue 14 point 8: with maxAmount 0 nothing leaves the vault: approved for ever, settlement null.
  const p = await pool(undefined, { payoutRateLimit: { maxAmount: '0', windowMs: HOUR } });
  const c = await p.s.claim(key(p, 0), FILED);
  const v = await approveAll(p, c, [1, 2], 1000n * U);
  add(
    'payout',
    'rate limit 0: the claim is approved and stays approved, with no settlement',
    'rate-limit',
    p.charters,
    [c, ...v],
    LATER,
    {
      claims: [
        {
          claimId: c.id,
          status: 'approved',
          decision: { outcome: 'approved', approvedAmount: units(1000n) },
          settlement: null,
        },
      ],
      ledger: { paidOut: units(1000n) },
    },
  );
}
{
  // issue 14 point 9: the rate limit of each claim's snapshot, usage counted in unix time.
  const p = await pool(undefined, { payoutRateLimit: { maxAmount: String(400n * U), windowMs: HOUR } });
  const amended: PoolCharter = {
    ...p.charter,
    epoch: 1,
    previousCharter: (p.charters[0] as Signed).id,
    effectiveAt: FILED + HOUR / 2,
    payoutRateLimit: { maxAmount: String(1000n * U), windowMs: 2 * HOUR },
  };
  const amendment = await p.s.charter(amended, [key(p, 0), key(p, 1), key(p, 2)], FILED);
  const c1 = await p.s.claim(key(p, 0), FILED);
  const v1 = await approveAll(p, c1, [1, 2], 900n * U);
  const c2 = await p.s.claim(
    key(p, 1),
    VOTE,
    {
      incidentId: 'incident-2',
      requestedAmount: String(800n * U),
      losses: [{ role: 'bad_debt', amount: { asset: USDC, value: String(800n * U) } }],
    },
    1,
  );
  const v2 = [
    await p.s.attest(key(p, 2), c2.id, VOTE + 1.5 * HOUR, 'approve', 800n * U, { epoch: 1 }),
    await p.s.attest(key(p, 3), c2.id, VOTE + 1.5 * HOUR, 'approve', 800n * U, { epoch: 1 }),
  ];
  // c1 (epoch 0: 400 per 1 h window) decided T0 + 5 h: 400 @ 5 h, 400 @ 6 h, 100 @ 7 h.
  // c2 (epoch 1: 1000 per 2 h window) decided T0 + 6.5 h; starts at max(6.5 h, 7 h) = T0 + 7 h, in
  // the window [T0 + 6 h, T0 + 8 h) where c1's tranches due at 6 h and 7 h used 500: 500 due at
  // T0 + 7 h, the other 300 at T0 + 8 h. Its contributors m0, m2, m3 hold 1000, 700, 700
  // (R = 2400): floors 333 333 333 / 233 333 333 / 233 333 333, remainders 8e8 each → the unit to
  // the lowest address, m2.
  add(
    'payout',
    'rate limit across charters: a claim under a 2 h / 1000 limit queues behind one under 1 h / 400, sharing the window in unix time',
    'rate-limit',
    p.charters,
    [...amendment, c1, c2, ...v1, ...v2],
    T0 + 7.5 * HOUR,
    {
      epochs: [{ epoch: 0 }, { epoch: 1, effectiveAt: FILED + HOUR / 2, adoptedAt: FILED }],
      claims: [
        {
          claimId: c1.id,
          epoch: 0,
          status: 'settled',
          settlement: { firstAt: T0 + 5 * HOUR, lastAt: T0 + 7 * HOUR, tranches: 3 },
        },
        {
          claimId: c2.id,
          epoch: 1,
          status: 'approved',
          closesAt: T0 + 6.5 * HOUR,
          decision: {
            approvedAmount: units(800n),
            contributions: contributions(p, [
              [0, 333_333_333n],
              [2, 233_333_334n],
              [3, 233_333_333n],
            ]),
          },
          settlement: { firstAt: T0 + 7 * HOUR, lastAt: T0 + 8 * HOUR, tranches: 2 },
        },
      ],
      refused: [],
    },
  );
}
{
  // issue 14 point 3: a departed member's contribution stays in the ledger.
  const p = await pool();
  const c = await p.s.claim(key(p, 0), FILED);
  const v = await approveAll(p, c, [1, 2], 1000n * U);
  const e1 = FILED + 3 * HOUR;
  const leavingAt = e1 + p.charter.noticePeriodMs;
  const notice: PoolCharter = {
    ...p.charter,
    epoch: 1,
    previousCharter: (p.charters[0] as Signed).id,
    effectiveAt: e1,
    members: p.charter.members.map((m, i) => (i === 3 ? { ...m, leavingAt } : m)),
  };
  const a1 = await p.s.charter(notice, [key(p, 0), key(p, 1), key(p, 2)], FILED + 2.5 * HOUR);
  const dropped: PoolCharter = {
    ...notice,
    epoch: 2,
    previousCharter: (a1[0] as Signed).id,
    effectiveAt: leavingAt,
    members: notice.members.slice(0, 3),
  };
  const a2 = await p.s.charter(dropped, [key(p, 0), key(p, 1), key(p, 2)], FILED + 3 * HOUR);
  // 1000 paid 333 333 334 (m1) / 333 333 333 / 333 333 333 (m3); m3 leaves and is dropped in
  // epoch 2, in force at LATER: it keeps its line with committed 0, so Σ contributed = paidOut.
  add(
    'payout',
    'ledger: a member that contributed, gave notice and was dropped keeps its contribution; Σ contributed = paidOut',
    'ledger',
    p.charters,
    [c, ...v, ...a1, ...a2],
    LATER,
    {
      epochs: [
        { epoch: 0, effectiveAt: T0, adoptedAt: T0 - HOUR },
        { epoch: 1, effectiveAt: e1, adoptedAt: FILED + 2.5 * HOUR },
        { epoch: 2, effectiveAt: leavingAt, adoptedAt: FILED + 3 * HOUR },
      ],
      refused: [],
      ledger: {
        capital: units(3000n),
        paidOut: units(1000n),
        forfeitedDeposits: '0',
        members: ledgerRows(p, [
          [0, 1000n * U, 0n, 1000n * U],
          [1, 1000n * U, 333_333_334n, 0n],
          [2, 1000n * U, 333_333_333n, 0n],
          [3, 0n, 333_333_333n, 0n],
        ]),
      },
    },
  );
}

// voting: equivocation, the claimant's own vote, late vote, expiry, anti-sniping, weight cap
{
  const p = await pool();
  const c = await p.s.claim(key(p, 0), FILED);
  const yes = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 1000n * U);
  const no_ = await p.s.attest(key(p, 1), c.id, VOTE + 1, 'reject', undefined, {
    journal: createMemorySigningJournal(),
  });
  const others = await approveAll(p, c, [2, 3], 500n * U);
  // at VOTE three approvals (quorum); at VOTE + 1 m1 is taken out: 20 of 30 still stands, so the
  // close stays VOTE + 1 h. Approved 500 (m2, m3), paid by m1, m2, m3: 166 666 667 / …667 / …666.
  add(
    'voting',
    'equivocation: a member approves and rejects one claim; both its votes are excluded and the evidence reported',
    'equivocation',
    p.charters,
    [c, yes, no_, ...others],
    LATER,
    {
      claims: [
        {
          claimId: c.id,
          closesAt: VOTE + HOUR,
          tally: tally([20, 2], [0, 0], [0, 0], 30, 3),
          decision: {
            outcome: 'approved',
            approvedAmount: units(500n),
            contributions: contributions(p, [
              [1, 166_666_667n],
              [2, 166_666_667n],
              [3, 166_666_666n],
            ]),
            attestations: ids(...others),
          },
        },
      ],
      equivocations: [
        {
          offender: addr(p, 1),
          claimId: c.id,
          round: 0,
          offense: 'conflicting_attestation',
          first: ids(yes, no_)[0],
          second: ids(yes, no_)[1],
          provableAt: VOTE + 1,
        },
      ],
      refused: refusals(no(yes, 'CLAIM_ATTESTER_EQUIVOCATED'), no(no_, 'CLAIM_ATTESTER_EQUIVOCATED')),
    },
  );
}
{
  // issue 14 point 6: three conflicting votes, and a refused vote that does not take a valid one out.
  const p = await pool();
  const c = await p.s.claim(key(p, 0), FILED);
  const a = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 200n * U);
  const r = await p.s.attest(key(p, 1), c.id, VOTE + 100, 'reject', undefined, {
    journal: createMemorySigningJournal(),
  });
  const x = await p.s.attest(key(p, 1), c.id, VOTE + 50, 'abstain', undefined, {
    journal: createMemorySigningJournal(),
  });
  const early = await p.s.attest(key(p, 2), c.id, FILED - 1, 'approve', 100n * U);
  const valid = await p.s.attest(key(p, 2), c.id, VOTE, 'approve', 200n * U, {
    journal: createMemorySigningJournal(),
  });
  const m3 = await p.s.attest(key(p, 3), c.id, VOTE, 'approve', 200n * U);
  // pairs of m1: (a, x) provable at VOTE + 50, (a, r) and (x, r) at VOTE + 100 → (a, x) reported.
  // m2's pre-filing vote is refused, so it is no candidate and forms no pair: its valid vote counts.
  // Approved 200 (m2, m3): 66 666 667 to m1 and m2 (equal remainders, lower addresses), 66 666 666 to m3.
  add(
    'voting',
    'equivocation: of three conflicting votes the pair provable earliest is reported; a refused pre-filing vote does not exclude the member’s valid vote',
    'equivocation',
    p.charters,
    [c, a, r, x, early, valid, m3],
    LATER,
    {
      claims: [
        {
          claimId: c.id,
          closesAt: VOTE + HOUR,
          tally: tally([20, 2], [0, 0], [0, 0], 30, 3),
          decision: {
            outcome: 'approved',
            approvedAmount: units(200n),
            contributions: contributions(p, [
              [1, 66_666_667n],
              [2, 66_666_667n],
              [3, 66_666_666n],
            ]),
            attestations: ids(valid, m3),
          },
        },
      ],
      equivocations: [
        {
          offender: addr(p, 1),
          claimId: c.id,
          round: 0,
          offense: 'conflicting_attestation',
          first: ids(a, x)[0],
          second: ids(a, x)[1],
          provableAt: VOTE + 50,
        },
      ],
      refused: refusals(
        no(a, 'CLAIM_ATTESTER_EQUIVOCATED'),
        no(r, 'CLAIM_ATTESTER_EQUIVOCATED'),
        no(x, 'CLAIM_ATTESTER_EQUIVOCATED'),
        no(early, 'CLAIM_VOTE_BEFORE_FILING'),
      ),
    },
  );
}
{
  // issue 14 point 1: events at the instant an early expiry closes the round are applied.
  const p = await pool(undefined, { quorum: { weightBps: 9000, minMembers: 2 } });
  const c = await p.s.claim(key(p, 0), FILED);
  const abstain = await p.s.attest(key(p, 1), c.id, VOTE, 'abstain');
  const approve = await p.s.attest(key(p, 2), c.id, VOTE, 'approve', 500n * U);
  const e1 = await p.s.attest(key(p, 3), c.id, VOTE, 'approve', 500n * U);
  const e2 = await p.s.attest(key(p, 3), c.id, VOTE, 'reject', undefined, {
    journal: createMemorySigningJournal(),
  });
  // at VOTE: m3's exclusion first (exclusions before votes) leaves 20 of 30 < 90 % for either
  // side: the round closes at VOTE. The votes dated VOTE still apply: m1's abstention and m2's
  // approval count, m3's two votes are EQUIVOCATED — none is LATE.
  add(
    'voting',
    'early expiry at an equivocation: the votes of that same instant count or are EQUIVOCATED, never LATE',
    'timing',
    p.charters,
    [c, abstain, approve, e1, e2],
    LATER,
    {
      claims: [
        {
          claimId: c.id,
          status: 'expired',
          closesAt: VOTE,
          standing: null,
          tally: tally([10, 1], [0, 0], [10, 1], 30, 3),
          decision: unpaid('expired', VOTE, ids(abstain, approve)),
          settlement: null,
        },
      ],
      equivocations: [
        {
          offender: addr(p, 3),
          claimId: c.id,
          offense: 'conflicting_attestation',
          first: ids(e1, e2)[0],
          second: ids(e1, e2)[1],
          provableAt: VOTE,
        },
      ],
      refused: refusals(no(e1, 'CLAIM_ATTESTER_EQUIVOCATED'), no(e2, 'CLAIM_ATTESTER_EQUIVOCATED')),
    },
  );
}
{
  const p = await pool();
  const c = await p.s.claim(key(p, 0), FILED);
  const own = await p.s.attest(key(p, 0), c.id, VOTE, 'approve', 1000n * U);
  const one = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 1000n * U);
  // T = 30 without the claimant; 10 from one member is short of 2 members → expires at the deadline.
  add(
    'voting',
    "the claimant's own vote is ignored and its weight is not in the total; one approval is not quorum",
    'attesting',
    p.charters,
    [c, own, one],
    LATER,
    {
      claims: [
        {
          claimId: c.id,
          status: 'expired',
          closesAt: FILED + 24 * HOUR,
          tally: tally([10, 1], [0, 0], [0, 0], 30, 3),
          decision: unpaid('expired', FILED + 24 * HOUR, ids(one)),
        },
      ],
      refused: refusals(no(own, 'CLAIM_ATTESTER_IS_CLAIMANT')),
    },
  );
}
{
  const p = await pool();
  const c = await p.s.claim(key(p, 0), FILED);
  const a = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 1000n * U);
  const late = await p.s.attest(key(p, 2), c.id, FILED + 24 * HOUR + 1, 'approve', 1000n * U);
  add(
    'voting',
    'late vote: a vote 1 ms after the voting window (no standing outcome) is not counted; the claim expires',
    'timing',
    p.charters,
    [c, a, late],
    LATER,
    {
      claims: [
        {
          claimId: c.id,
          status: 'expired',
          closesAt: FILED + 24 * HOUR,
          tally: tally([10, 1], [0, 0], [0, 0], 30, 3),
        },
      ],
      refused: refusals(no(late, 'CLAIM_VOTE_LATE')),
    },
  );
}
{
  const p = await pool();
  const c = await p.s.claim(key(p, 0), FILED);
  const a = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 10n * U);
  add(
    'voting',
    'expiry: still attesting 1 ms before the voting deadline',
    'timing',
    p.charters,
    [c, a],
    FILED + 24 * HOUR - 1,
    {
      claims: [
        {
          claimId: c.id,
          status: 'attesting',
          closesAt: FILED + 24 * HOUR,
          standing: null,
          decision: null,
          settlement: null,
        },
      ],
    },
  );
  add(
    'voting',
    'expiry: expired at the voting deadline without quorum',
    'timing',
    p.charters,
    [c, a],
    FILED + 24 * HOUR,
    {
      claims: [{ claimId: c.id, status: 'expired', decision: unpaid('expired', FILED + 24 * HOUR, ids(a)) }],
    },
  );
}
{
  const p = await pool(undefined, { quorum: { weightBps: 9000, minMembers: 2 } });
  const c = await p.s.claim(key(p, 0), FILED);
  const a = await p.s.attest(key(p, 1), c.id, VOTE, 'abstain');
  // after one abstention at most 20 of 30 (67 %) can join either side: closed at VOTE.
  add(
    'voting',
    'early expiry: after one abstention neither side can reach a 90 % quorum',
    'timing',
    p.charters,
    [c, a],
    VOTE,
    {
      claims: [
        {
          claimId: c.id,
          status: 'expired',
          closesAt: VOTE,
          tally: tally([0, 0], [0, 0], [10, 1], 30, 3),
          decision: unpaid('expired', VOTE, ids(a)),
        },
      ],
    },
  );
}
{
  const p = await pool();
  const c = await p.s.claim(key(p, 0), FILED);
  const deadline = FILED + 24 * HOUR;
  const v = [
    await p.s.attest(key(p, 1), c.id, deadline - 2 * HOUR, 'approve', 1000n * U),
    await p.s.attest(key(p, 2), c.id, deadline - 1000, 'approve', 1000n * U),
    await p.s.attest(key(p, 3), c.id, deadline + HOUR / 2, 'reject'),
  ];
  // quorum at deadline − 1 s → open until deadline − 1 s + 1 h; the reject at deadline + 30 min counts.
  add(
    'voting',
    'anti-sniping: quorum reached 1 s before the deadline keeps the round open for the challenge window; a vote after the deadline counts',
    'timing',
    p.charters,
    [c, ...v],
    LATER,
    {
      claims: [
        {
          claimId: c.id,
          closesAt: deadline - 1000 + HOUR,
          tally: tally([20, 2], [10, 1], [0, 0], 30, 3),
          decision: {
            outcome: 'approved',
            approvedAmount: units(1000n),
            contributions: contributions(p, [
              [1, 333_333_334n],
              [2, 333_333_333n],
              [3, 333_333_333n],
            ]),
            attestations: ids(...v),
          },
        },
      ],
      refused: [],
    },
  );
}
{
  const p = await pool(undefined, { maxMemberWeightBps: 4000 }, [10, 70, 10, 10]);
  const c = await p.s.claim(key(p, 0), FILED);
  const whale = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 1000n * U);
  // eligible 70 + 10 + 10 = 90, cap 90 × 40 % = 36: T = 56; 36 from one member is below minMembers 2.
  add(
    'voting',
    'weight cap: a 70-weight member counts 36 of 56 and alone is below minMembers',
    'weights',
    p.charters,
    [c, whale],
    FILED + 24 * HOUR,
    {
      claims: [
        { claimId: c.id, status: 'expired', standing: null, tally: tally([36, 1], [0, 0], [0, 0], 56, 3) },
      ],
    },
  );
}

// amendments
{
  const p = await pool();
  const amended: PoolCharter = {
    ...p.charter,
    epoch: 1,
    previousCharter: (p.charters[0] as Signed).id,
    effectiveAt: FILED + HOUR,
    members: p.charter.members.map((m, i) => (i === 3 ? { ...m, weight: 1000 } : m)),
  };
  const amendment = await p.s.charter(amended, [key(p, 1), key(p, 2), key(p, 3)], FILED + HOUR / 2);
  const c = await p.s.claim(key(p, 0), FILED);
  const t = FILED + 2 * HOUR;
  const v = [
    await p.s.attest(key(p, 1), c.id, t, 'approve', 1000n * U),
    await p.s.attest(key(p, 2), c.id, t, 'approve', 1000n * U),
    await p.s.attest(key(p, 3), c.id, t, 'reject'),
  ];
  // epoch 0 snapshot: 20 for, 10 against of 30 → approved at t, closes t + 1 h (m3's 1000 is epoch 1's).
  add(
    'amendments',
    'amendment mid-claim: a weight raised after filing changes nothing; the claim is decided under its epoch-0 snapshot',
    'snapshot',
    p.charters,
    [...amendment, c, ...v],
    LATER,
    {
      epochs: [
        { epoch: 0, effectiveAt: T0, adoptedAt: T0 - HOUR },
        { epoch: 1, effectiveAt: FILED + HOUR, adoptedAt: FILED + HOUR / 2 },
      ],
      claims: [
        {
          claimId: c.id,
          epoch: 0,
          closesAt: t + HOUR,
          tally: tally([20, 2], [10, 1], [0, 0], 30, 3),
          decision: {
            outcome: 'approved',
            approvedAmount: units(1000n),
            contributions: contributions(p, [
              [1, 333_333_334n],
              [2, 333_333_333n],
              [3, 333_333_333n],
            ]),
          },
        },
      ],
      refused: [],
    },
  );
  const c2 = await p.s.claim(key(p, 1), FILED + 3 * HOUR, { incidentId: 'later' }, 1);
  const stale = await p.s.claim(key(p, 2), FILED + 3 * HOUR, { incidentId: 'stale' }, 0);
  add(
    'amendments',
    'a claim filed after the amendment is decided under epoch 1; one scoped to epoch 0 is refused',
    'filing',
    p.charters,
    [...amendment, c2, stale],
    FILED + 3 * HOUR,
    {
      claims: [
        {
          claimId: c2.id,
          epoch: 1,
          status: 'attesting',
          closesAt: FILED + 27 * HOUR,
          tally: tally([0, 0], [0, 0], [0, 0], 1020, 3),
        },
      ],
      refused: refusals(no(stale, 'CLAIM_WRONG_EPOCH')),
    },
  );
  const few = await new PoolSigner().charter({ ...amended, name: 'Minority' }, [key(p, 1)], FILED + HOUR / 2);
  add(
    'amendments',
    'an amendment signed by a minority is not adopted',
    'amendments',
    p.charters,
    [...few],
    LATER,
    {
      epochs: [{ epoch: 0 }],
      refused: refusals(no(few[0] as Signed, 'POOL_AMENDMENT_NO_QUORUM')),
    },
  );
  add(
    'amendments',
    'the pool is not founded until every founding member signed',
    'charter-adoption',
    p.charters.slice(0, 3),
    [c],
    LATER,
    {
      poolId: null,
      epochs: [],
      claims: [],
      refused: refusals(
        ...p.charters.slice(0, 3).map((m) => no(m, 'POOL_NOT_FOUNDED')),
        no(c, 'POOL_NOT_FOUNDED'),
      ),
    },
  );
}
{
  // pools.md#terminology: each member's copy carries its own vault-terms signature in sfr.settlement
  // (settlement.md#registering-on-adoption); the text is the payload without it, so the four
  // different payloads carry one text, adopted under the bare text's payload hash.
  const p = await pool();
  const s = new PoolSigner();
  const copies: Signed[] = [];
  for (const [i, m] of p.ms.entries())
    copies.push(
      await s.sign(
        m.key,
        'PoolCharter',
        { ...p.charter, extensions: { 'sfr.settlement': { signature: `0x${String(i + 1).repeat(130)}` } } },
        T0 - HOUR,
        0,
      ),
    );
  add(
    'amendments',
    "signed copies differing only in each signer's sfr.settlement extension carry one text: the pool is founded under the text's payload hash",
    'terminology',
    copies,
    [],
    LATER,
    {
      poolId: p.charter.poolId,
      epochs: [{ epoch: 0, effectiveAt: T0, adoptedAt: T0 - HOUR, payloadHash: hashPayload(p.charter) }],
      refused: [],
    },
  );
}
{
  // issue 14 point 9: a partly signed rival text after founding; a lone text with an unsigned newcomer.
  const p = await pool();
  const rival = await p.s.charter({ ...p.charter, name: 'Rival' }, [key(p, 0), key(p, 1)], T0 - HOUR / 2);
  const stranger = members([{ weight: 5, commit: 5n * U }], 50)[0] as MemberSpec;
  const withNew = await p.s.charter(
    {
      ...p.charter,
      epoch: 1,
      previousCharter: (p.charters[0] as Signed).id,
      effectiveAt: T0 + 10 * HOUR,
      members: [
        ...p.charter.members,
        {
          member: stranger.key.address,
          protocol: 'newcomer',
          weight: 5,
          commitments: [{ asset: USDC, value: '5' }],
        },
      ],
    },
    [key(p, 0), key(p, 1), key(p, 2)],
    T0 + HOUR,
  );
  add(
    'amendments',
    'a partly signed rival founding text is superseded once the pool is founded; an amendment whose new member has not signed waits',
    'charter-envelopes',
    p.charters,
    [...rival, ...withNew],
    T0 + 2 * HOUR,
    {
      epochs: [{ epoch: 0 }],
      refused: refusals(
        ...rival.map((m) => no(m, 'POOL_AMENDMENT_SUPERSEDED')),
        ...withNew.map((m) => no(m, 'POOL_NEW_MEMBER_NOT_SIGNED')),
      ),
    },
  );
}

// filing
{
  const p = await pool(undefined, {
    windows: { votingMs: 24 * HOUR, challengeMs: HOUR, cooldownMs: 12 * HOUR },
    claimDeposit: { asset: USDC, value: '0' },
  });
  const c1 = await p.s.claim(key(p, 0), FILED);
  const dup = await p.s.claim(key(p, 0), FILED + 1);
  const soon = await p.s.claim(key(p, 0), FILED + HOUR, { incidentId: 'other' });
  const kind = await p.s.claim(key(p, 1), FILED, { coveredKind: 'resume' });
  const window = await p.s.claim(key(p, 2), FILED, { incidentWindow: { from: FILED, to: FILED + 1 } });
  const stranger = members([{ weight: 1, commit: 1n }], 50)[0] as MemberSpec;
  const outsider = await new PoolSigner().claim(stranger.key, FILED);
  const unknown = await p.s.attest(key(p, 3), outsider.id, VOTE, 'approve', 1n);
  add(
    'filing',
    'filing rules: duplicate incident, cooldown, uncovered kind, bad incident window, non-member claimant, vote on an unknown claim',
    'filing',
    p.charters,
    [c1, dup, soon, kind, window, outsider, unknown],
    FILED + HOUR,
    {
      claims: [{ claimId: c1.id, status: 'attesting' }],
      refused: refusals(
        no(dup, 'CLAIM_DUPLICATE_INCIDENT'),
        no(soon, 'CLAIM_COOLDOWN'),
        no(kind, 'CLAIM_KIND_NOT_COVERED'),
        no(window, 'CLAIM_BAD_INCIDENT_WINDOW'),
        no(outsider, 'CLAIM_CLAIMANT_NOT_MEMBER'),
        no(unknown, 'CLAIM_UNKNOWN'),
      ),
    },
  );
}
{
  // One loss is paid once: a piece of evidence (chain, transaction, log index) backs at most one
  // open or approved claim of the pool, whatever the claimant or the incident id. A rejected claim's
  // evidence is free again.
  const p = await pool(undefined, { windows: { votingMs: 24 * HOUR, challengeMs: HOUR, cooldownMs: 0 } });
  const first = await p.s.claim(key(p, 0), FILED);
  const ref = (first.envelope.payload as unknown as FundClaim).evidence[0] as LogRef;
  const again = await p.s.claim(key(p, 1), FILED + 1, { incidentId: 'another-incident', evidence: [ref] });
  const nextLog = await p.s.claim(key(p, 3), FILED + 3, {
    incidentId: 'fourth',
    evidence: [{ ...ref, logIndex: 1 }],
  });
  add(
    'filing',
    'duplicate evidence: the same log cited by a claim of another member under another incident id is refused; the next log of that transaction is not',
    'filing',
    p.charters,
    [first, again, nextLog],
    FILED + HOUR,
    {
      claims: [
        { claimId: first.id, status: 'attesting' },
        { claimId: nextLog.id, status: 'attesting' },
      ],
      refused: refusals(no(again, 'CLAIM_DUPLICATE_EVIDENCE')),
    },
  );
}
{
  const p = await pool();
  const from = FILED - 2 * HOUR;
  const weth = { role: 'bad_debt' as const, amount: { asset: WETH, value: String(2n * 10n ** 18n) } };
  const input = (observedAt: number, price: string) => ({ asset: WETH, price, priceDecimals: 2, observedAt });
  // lower median of 3000.00 / 3100.00 / 9900.00 is 3100.00: 2 WETH = 6200 USDC.
  const ok = await p.s.claim(key(p, 0), FILED, {
    losses: [weth],
    requestedAmount: String(6000n * U),
    valuationInputs: [
      input(from - 600_000, '300000'),
      input(from - 300_000, '310000'),
      input(from - 100_000, '990000'),
    ],
  });
  const over = await p.s.claim(key(p, 1), FILED, {
    losses: [weth],
    requestedAmount: String(6201n * U),
    valuationInputs: [input(from - 600_000, '310000')],
  });
  const pumped = await p.s.claim(key(p, 2), FILED, {
    losses: [weth],
    requestedAmount: String(6000n * U),
    valuationInputs: [input(from + 1, '300000')],
  });
  const missing = await p.s.claim(key(p, 3), FILED, { losses: [weth], requestedAmount: String(6000n * U) });
  add(
    'filing',
    'valuation: pre-incident median price; a request above it, an in-incident (pumpable) price and a missing price are refused',
    'valuation',
    p.charters,
    [ok, over, pumped, missing],
    FILED,
    {
      claims: [{ claimId: ok.id, status: 'attesting', requestedAmount: units(6000n) }],
      refused: refusals(
        no(over, 'CLAIM_REQUEST_EXCEEDS_VALUATION'),
        no(pumped, 'CLAIM_VALUATION_NOT_PRE_INCIDENT'),
        no(missing, 'CLAIM_VALUATION_MISSING'),
      ),
    },
  );
}
{
  // issue 14 point 7: TWAP inputs observed at one instant — the lowest holds, in any listing order.
  const p = await pool(undefined, {
    valuation: { unitAsset: USDC, method: 'pre_incident_twap', lookbackMs: HOUR, maxDeviationBps: 200 },
  });
  const from = FILED - 2 * HOUR;
  const weth = { role: 'bad_debt' as const, amount: { asset: WETH, value: String(2n * 10n ** 18n) } };
  const input = (observedAt: number, price: string) => ({ asset: WETH, price, priceDecimals: 2, observedAt });
  const high = input(from - 600_000, '330000');
  const low = input(from - 600_000, '300000');
  const next = input(from - 300_000, '310000');
  // 3000.00 holds 300 s (the lower of the two at from − 600 s), 3100.00 the last 300 s: mean
  // 3050.00, 2 WETH = 6100 USDC (had 3300.00 held: 3200.00, 6400).
  const fits = await p.s.claim(key(p, 0), FILED, {
    losses: [weth],
    requestedAmount: String(6100n * U),
    valuationInputs: [high, low, next],
  });
  const over = await p.s.claim(key(p, 1), FILED, {
    losses: [weth],
    requestedAmount: String(6101n * U),
    valuationInputs: [low, high, next],
  });
  add(
    'filing',
    'TWAP: of two prices observed at one instant the lower holds, whatever their order; 6100 fits, 6101 exceeds',
    'valuation',
    p.charters,
    [fits, over],
    FILED,
    {
      claims: [{ claimId: fits.id, status: 'attesting' }],
      refused: refusals(no(over, 'CLAIM_REQUEST_EXCEEDS_VALUATION')),
    },
  );
}

// refusals: every rule's code on one message
{
  const p = await pool();
  const other = `0x${'6e'.repeat(32)}` as const;
  const stranger = members([{ weight: 5, commit: 5n * U }], 50)[0] as MemberSpec;
  const claimBase = (await p.s.claim(key(p, 3), FILED)).envelope.payload as Record<string, unknown>;
  const wrongPool = await p.s.sign(key(p, 0), 'FundClaim', { ...claimBase, poolId: other }, FILED, 0, {
    poolId: other,
  });
  const scopeMismatch = await p.s.sign(key(p, 1), 'FundClaim', { ...claimBase, poolId: other }, FILED, 0);
  const badTexts = [
    { ...p.charter, name: 'dupes', members: [p.charter.members[0], ...p.charter.members] },
    { ...p.charter, name: 'unreachable', quorum: { weightBps: 5000, minMembers: 4 } },
    { ...p.charter, name: 'zero cap', maxMemberWeightBps: 0 },
    { ...p.charter, name: 'unit not paid', payoutAssets: [WETH] },
  ] as PoolCharter[];
  const bad: Signed[] = [];
  for (const t of badTexts) bad.push(...(await p.s.charter(t, [key(p, 0)], T0)));
  const prev = (p.charters[0] as Signed).id;
  const amend = (over: Partial<PoolCharter>): PoolCharter => ({
    ...p.charter,
    epoch: 1,
    previousCharter: prev,
    effectiveAt: T0 + 10 * HOUR,
    ...over,
  });
  const q = [key(p, 0), key(p, 1), key(p, 2)];
  const good = await p.s.charter(amend({ name: 'amended' }), q, T0 + HOUR);
  const intruder = await new PoolSigner().charter(amend({ name: 'amended' }), [stranger.key], T0 + HOUR);
  const later = await p.s.charter(amend({ name: 'later' }), q, T0 + 2 * HOUR);
  const retro = await p.s.charter(amend({ name: 'retro', effectiveAt: T0 + HOUR }), q, T0 + 2 * HOUR);
  const withNew = await p.s.charter(
    amend({
      name: 'new member',
      members: [
        ...p.charter.members,
        {
          member: stranger.key.address,
          protocol: 'newcomer',
          weight: 5,
          commitments: [{ asset: USDC, value: '5' }],
        },
      ],
    }),
    q,
    T0 + HOUR,
  );
  const dropped = await p.s.charter(
    amend({ name: 'dropped', members: p.charter.members.slice(0, 3) }),
    q,
    T0 + HOUR,
  );
  const hasty = await p.s.charter(
    amend({
      name: 'hasty',
      members: p.charter.members.map((m, i) => (i === 3 ? { ...m, leavingAt: T0 + 11 * HOUR } : m)),
    }),
    q,
    T0 + HOUR,
  );
  const skip = await p.s.charter(
    { ...amend({ name: 'skip' }), epoch: 2, previousCharter: `0x${'99'.repeat(32)}` },
    q,
    T0 + HOUR,
  );
  // 'amended' completes at T0 + 1 h (quorum at its second signature) and is adopted; 'later'
  // completes at T0 + 2 h (superseded), 'new member' waits for its newcomer (superseded, rule 9).
  add(
    'refusals',
    'charter and amendment refusals: duplicate member, unreachable quorum, zero weight cap, unpaid unit asset, stranger, superseded, retroactive, unconsented member, no-notice drop, short notice, bad previous charter; foreign pool or scope',
    'charter-envelopes',
    p.charters,
    [
      ...bad,
      ...good,
      ...intruder,
      ...later,
      ...retro,
      ...withNew,
      ...dropped,
      ...hasty,
      ...skip,
      wrongPool,
      scopeMismatch,
    ],
    T0 + 20 * HOUR,
    {
      epochs: [{ epoch: 0 }, { epoch: 1, effectiveAt: T0 + 10 * HOUR, adoptedAt: T0 + HOUR }],
      claims: [],
      refused: refusals(
        no(bad[0] as Signed, 'POOL_DUPLICATE_MEMBER'),
        no(bad[1] as Signed, 'POOL_QUORUM_UNREACHABLE'),
        no(bad[2] as Signed, 'POOL_WEIGHT_CAP_INVALID'),
        no(bad[3] as Signed, 'POOL_UNIT_ASSET_NOT_PAYOUT'),
        ...intruder.map((m) => no(m, 'POOL_SIGNER_NOT_MEMBER')),
        ...later.map((m) => no(m, 'POOL_AMENDMENT_SUPERSEDED')),
        ...retro.map((m) => no(m, 'POOL_AMENDMENT_RETROACTIVE')),
        ...withNew.map((m) => no(m, 'POOL_AMENDMENT_SUPERSEDED')),
        ...dropped.map((m) => no(m, 'POOL_MEMBER_REMOVED_WITHOUT_NOTICE')),
        ...hasty.map((m) => no(m, 'POOL_NOTICE_TOO_SHORT')),
        ...skip.map((m) => no(m, 'POOL_AMENDMENT_BAD_PREVIOUS')),
        no(wrongPool, 'POOL_WRONG_POOL'),
        no(scopeMismatch, 'POOL_SCOPE_MISMATCH'),
      ),
    },
  );
  // issue 14 point 5: one refusal per envelope, the signer rule before the text's rules.
  const retroByStranger = await new PoolSigner().charter(
    amend({ name: 'retro', effectiveAt: T0 + HOUR }),
    [stranger.key],
    T0 + 2 * HOUR,
  );
  const hastyByStranger = await new PoolSigner().charter(
    amend({
      name: 'hasty',
      members: p.charter.members.map((m, i) => (i === 3 ? { ...m, leavingAt: T0 + 11 * HOUR } : m)),
    }),
    [stranger.key],
    T0 + HOUR,
  );
  const wrongDomainFounder = await p.s.sign(key(p, 0), 'PoolCharter', p.charter, T0 - HOUR, 0, {
    domain: { chainId: 1, verifyingContract: p.charter.settlement.vault as Hex },
  });
  add(
    'refusals',
    'rule order: a stranger signing a retroactive or short-notice text gets POOL_SIGNER_NOT_MEMBER only, the members the text’s code; a founder’s signature under another domain is ENVELOPE_DOMAIN_MISMATCH',
    'charter-envelopes',
    [...p.charters, wrongDomainFounder],
    [...retro, ...retroByStranger, ...hasty, ...hastyByStranger],
    T0 + 20 * HOUR,
    {
      epochs: [{ epoch: 0 }],
      refused: refusals(
        ...retro.map((m) => no(m, 'POOL_AMENDMENT_RETROACTIVE')),
        ...retroByStranger.map((m) => no(m, 'POOL_SIGNER_NOT_MEMBER')),
        ...hasty.map((m) => no(m, 'POOL_NOTICE_TOO_SHORT')),
        ...hastyByStranger.map((m) => no(m, 'POOL_SIGNER_NOT_MEMBER')),
        no(wrongDomainFounder, 'ENVELOPE_DOMAIN_MISMATCH'),
      ),
    },
  );
}
{
  const deposit = { asset: USDC, value: String(5n * U) };
  const p = await pool(undefined, { claimDeposit: deposit });
  const ev = ((await p.s.claim(key(p, 3), FILED)).envelope.payload as { evidence: object[] })
    .evidence[0] as object;
  const withDeposit = { deposit: { ...ev, logIndex: 9 } } as never;
  const early = await p.s.claim(key(p, 0), T0 - 1, withDeposit);
  const noDeposit = await p.s.claim(key(p, 1), FILED);
  const zero = await p.s.claim(key(p, 2), FILED, { ...(withDeposit as object), requestedAmount: '0' });
  const c = await p.s.claim(key(p, 0), FILED, withDeposit);
  const stranger = members([{ weight: 5, commit: 5n * U }], 50)[0] as MemberSpec;
  const outsider = await new PoolSigner().attest(stranger.key, c.id, VOTE, 'approve', 1n);
  const round1 = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 1n, { round: 1 });
  const before = await p.s.attest(key(p, 2), c.id, FILED - 1, 'approve', 100n * U);
  const first = await p.s.attest(key(p, 3), c.id, VOTE, 'approve', 100n * U);
  const again = await p.s.attest(key(p, 3), c.id, VOTE + 5, 'approve', 100n * U, {
    journal: createMemorySigningJournal(),
  });
  const second = await p.s.attest(key(p, 1), c.id, VOTE + 10, 'approve', 100n * U, {
    journal: createMemorySigningJournal(),
  });
  // Counted: m3 at VOTE, m1 at VOTE + 10 (quorum then) → closes VOTE + 10 + 1 h; 100 split
  // 33 333 334 (m1) / 33 333 333 / 33 333 333. The ClaimDecision, written out field by field
  // (pools.md#decision-messages):
  const decidedAt = VOTE + 10 + HOUR;
  const payload = {
    poolId: p.charter.poolId,
    claimId: c.id,
    round: 0,
    outcome: 'approved',
    approvedAmount: units(100n),
    contributions: contributions(p, [
      [1, 33_333_334n],
      [2, 33_333_333n],
      [3, 33_333_333n],
    ]),
    shortfall: '0',
    tally: { approveWeight: 20, rejectWeight: 0, abstainWeight: 0, totalWeight: 30 },
    attestations: (first.id < second.id ? [first, second] : [second, first]).map((x) => x.envelope),
    decidedAt,
  };
  const published = await p.s.sign(key(p, 2), 'ClaimDecision', payload, LATER, 0);
  const tampered = await p.s.sign(
    key(p, 2),
    'ClaimDecision',
    { ...payload, approvedAmount: '1', contributions: [] },
    LATER,
    0,
  );
  const smuggled = await p.s.sign(
    key(p, 2),
    'ClaimDecision',
    { ...payload, attestations: [...payload.attestations, outsider.envelope] },
    LATER,
    0,
  );
  add(
    'refusals',
    'claim and vote rules: filed before the pool, no deposit, zero amount; a non-member, a round-1, a pre-filing and a duplicate vote; published decisions that agree, differ, or embed a non-member vote',
    'attesting',
    p.charters,
    [
      early,
      noDeposit,
      zero,
      c,
      outsider,
      round1,
      before,
      first,
      again,
      second,
      published,
      tampered,
      smuggled,
    ],
    LATER,
    {
      claims: [
        {
          claimId: c.id,
          status: 'settled',
          closesAt: decidedAt,
          decision: {
            outcome: 'approved',
            decidedAt,
            approvedAmount: units(100n),
            contributions: payload.contributions,
            attestations: ids(first, second),
          },
        },
      ],
      refused: refusals(
        no(early, 'CLAIM_POOL_NOT_ACTIVE'),
        no(noDeposit, 'CLAIM_DEPOSIT_MISSING'),
        no(zero, 'CLAIM_ZERO_AMOUNT'),
        no(outsider, 'CLAIM_ATTESTER_NOT_MEMBER'),
        no(round1, 'CLAIM_ROUND_NOT_OPEN'),
        no(before, 'CLAIM_VOTE_BEFORE_FILING'),
        no(again, 'CLAIM_DUPLICATE_VOTE'),
        no(tampered, 'CLAIM_DECISION_MISMATCH'),
        no(smuggled, 'CLAIM_DECISION_BAD_ATTESTATION'),
      ),
    },
  );
  add(
    'refusals',
    'a decision published before the round closed is ignored',
    'decision-messages',
    p.charters,
    [c, first, second, published],
    VOTE + 10,
    {
      claims: [{ claimId: c.id, status: 'attesting', decision: null }],
      refused: refusals(no(published, 'CLAIM_DECISION_NOT_CLOSED')),
    },
  );
  // issue 14 points 2 and 8: embedded attestations out of order or of another round are
  // BAD_ATTESTATION; the payload's form is pinned (tally and shortfall present, the charter's spelling).
  const reversed = await p.s.sign(
    key(p, 2),
    'ClaimDecision',
    { ...payload, attestations: [...payload.attestations].reverse() },
    LATER,
    0,
  );
  const otherRound = await p.s.attest(key(p, 2), c.id, VOTE, 'approve', 100n * U, {
    round: 1,
    journal: createMemorySigningJournal(),
  });
  const withOther = [
    ...payload.attestations.map((e, i) => ({
      e,
      id: i === 0 ? ids(first, second)[0] : ids(first, second)[1],
    })),
    { e: otherRound.envelope, id: otherRound.id },
  ]
    .sort((a, b) => ((a.id ?? '') < (b.id ?? '') ? -1 : 1))
    .map((x) => x.e);
  const mixedRound = await p.s.sign(
    key(p, 2),
    'ClaimDecision',
    { ...payload, attestations: withOther },
    LATER,
    0,
  );
  const { tally: _t, shortfall: _s, ...bare } = payload;
  const noTally = await p.s.sign(key(p, 2), 'ClaimDecision', bare, LATER, 0);
  const lowerCase = await p.s.sign(
    key(p, 2),
    'ClaimDecision',
    {
      ...payload,
      contributions: payload.contributions.map((x) => ({ ...x, member: x.member.toLowerCase() })),
    },
    LATER,
    0,
  );
  add(
    'refusals',
    'published decisions: embedded attestations out of order or of another round are BAD_ATTESTATION; one without tally and shortfall, or with member addresses re-spelled, is MISMATCH',
    'decision-messages',
    p.charters,
    [c, first, second, published, reversed, mixedRound, noTally, lowerCase],
    LATER,
    {
      refused: refusals(
        no(reversed, 'CLAIM_DECISION_BAD_ATTESTATION'),
        no(mixedRound, 'CLAIM_DECISION_BAD_ATTESTATION'),
        no(noTally, 'CLAIM_DECISION_MISMATCH'),
        no(lowerCase, 'CLAIM_DECISION_MISMATCH'),
      ),
    },
  );
}
{
  // issue 9: the pool's EIP-712 domain on claims, votes and decisions.
  const p = await pool();
  const vault = p.charter.settlement.vault as Hex;
  const c = await p.s.claim(key(p, 0), FILED);
  const otherChain = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 1000n * U, {
    domain: { chainId: 1, verifyingContract: vault },
  });
  const none = await p.s.attest(key(p, 2), c.id, VOTE, 'approve', 1000n * U, { domain: null });
  const right = await p.s.attest(key(p, 3), c.id, VOTE, 'approve', 1000n * U);
  const badClaim = await p.s.sign(
    key(p, 1),
    'FundClaim',
    { ...(c.envelope.payload as object), incidentId: 'incident-x' },
    FILED,
    0,
    { domain: { chainId: 8453, verifyingContract: `0x${'00'.repeat(19)}01` as Hex } },
  );
  // only m3's vote counts: 10 of 30 from one member → expired at the deadline.
  const deadline = FILED + 24 * HOUR;
  const decision = {
    poolId: p.charter.poolId,
    claimId: c.id,
    round: 0,
    outcome: 'expired',
    approvedAmount: '0',
    contributions: [],
    shortfall: '0',
    tally: { approveWeight: 10, rejectWeight: 0, abstainWeight: 0, totalWeight: 30 },
    attestations: [right.envelope],
    decidedAt: deadline,
  };
  const ok = await p.s.sign(key(p, 1), 'ClaimDecision', decision, LATER, 0);
  const wrong = await p.s.sign(key(p, 2), 'ClaimDecision', decision, LATER, 0, {
    domain: { chainId: 1, verifyingContract: vault },
  });
  const bare = await p.s.sign(key(p, 3), 'ClaimDecision', decision, LATER, 0, { domain: null });
  add(
    'refusals',
    'domain: votes signed for another chain or with no domain are not counted; a decision under a wrong or no domain and a claim for another vault are refused',
    'messages',
    p.charters,
    [c, otherChain, none, right, badClaim, ok, wrong, bare],
    LATER,
    {
      claims: [
        {
          claimId: c.id,
          status: 'expired',
          tally: tally([10, 1], [0, 0], [0, 0], 30, 3),
          decision: unpaid('expired', deadline, ids(right)),
        },
      ],
      refused: refusals(
        no(otherChain, 'ENVELOPE_DOMAIN_MISMATCH'),
        no(none, 'ENVELOPE_DOMAIN_MISMATCH'),
        no(badClaim, 'ENVELOPE_DOMAIN_MISMATCH'),
        no(wrong, 'ENVELOPE_DOMAIN_MISMATCH'),
        no(bare, 'ENVELOPE_DOMAIN_MISMATCH'),
      ),
    },
  );
}
{
  // issue 14 point 4: EquivocationEvidence in a pool not founded.
  const p = await pool();
  const claimId = `0x${'c1'.repeat(32)}` as Hex;
  const a = await p.s.attest(key(p, 1), claimId, VOTE, 'approve', 1n);
  const b = await p.s.attest(key(p, 1), claimId, VOTE + 1, 'reject', undefined, {
    journal: createMemorySigningJournal(),
  });
  const evidence = buildEquivocationEvidence(
    { envelope: a.envelope, messageId: a.id },
    { envelope: b.envelope, messageId: b.id },
  );
  const reporter = key(p, 2);
  const signed = await signEnvelope({
    privateKey: reporter.privateKey,
    guard: createMemorySigningJournal(),
    unsigned: {
      sfr: '1.0',
      type: 'EquivocationEvidence',
      issuer: reporter.address,
      seq: 1000,
      issuedAt: VOTE + 2,
      payload: JSON.parse(JSON.stringify(evidence)),
    },
  });
  const ev: Signed = {
    envelope: signed.envelope,
    wire: new TextDecoder().decode(signed.wire),
    id: signed.messageId,
  };
  const founders = p.charters.slice(0, 3);
  add(
    'refusals',
    'EquivocationEvidence in a pool not founded is POOL_NOT_FOUNDED, and so are the two envelopes it carries',
    'messages',
    founders,
    [ev],
    LATER,
    {
      poolId: null,
      refused: refusals(
        ...founders.map((m) => no(m, 'POOL_NOT_FOUNDED')),
        no(ev, 'POOL_NOT_FOUNDED'),
        no(a, 'POOL_NOT_FOUNDED'),
        no(b, 'POOL_NOT_FOUNDED'),
      ),
    },
  );
}

// refusals: a type the pool rules do not take
{
  const p = await pool();
  // A valid NodeAnnouncement of a member about itself (as schemas/v1/examples/NodeAnnouncement; it
  // carries no scope, envelope.md#data). pools.md#messages: types other than PoolCharter, FundClaim,
  // ClaimAttestation, ClaimDecision and EquivocationEvidence are IGNORE POOL_UNEXPECTED_TYPE —
  // handed in as a charter or as a message alike; the pool is founded all the same.
  const announce = async (i: number, at: number): Promise<Signed> => {
    const k = key(p, i);
    const r = await signEnvelope({
      privateKey: k.privateKey,
      guard: createMemorySigningJournal(),
      unsigned: {
        sfr: '1.0',
        type: 'NodeAnnouncement',
        issuer: k.address,
        seq: 500,
        issuedAt: at,
        payload: {
          peerId: '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA',
          member: k.address,
          protocol: `member-${i}`,
          addresses: [],
          specVersions: ['1.0'],
          capabilities: ['relay'],
        },
      },
    });
    return { envelope: r.envelope, wire: new TextDecoder().decode(r.wire), id: r.messageId };
  };
  const asCharter = await announce(1, T0);
  const asMessage = await announce(2, FILED);
  add(
    'refusals',
    'a NodeAnnouncement among the charters or the messages is IGNORE POOL_UNEXPECTED_TYPE, and the pool is founded all the same',
    'messages',
    [...p.charters, asCharter],
    [asMessage],
    FILED,
    {
      poolId: p.charter.poolId,
      epochs: [{ epoch: 0 }],
      claims: [],
      refused: refusals(no(asCharter, 'POOL_UNEXPECTED_TYPE'), no(asMessage, 'POOL_UNEXPECTED_TYPE')),
    },
  );
}

{
  const p = await pool([1000n, 300n, 300n, 300n], { deductible: { fixed: String(50n * U), bps: 500 } });
  const c1 = await p.s.claim(key(p, 0), FILED);
  const c2 = await p.s.claim(key(p, 1), FILED + 1, { incidentId: 'incident-b' });
  const v = [
    ...(await approveAll(p, c1, [1, 2], 700n * U)),
    await p.s.attest(key(p, 3), c1.id, VOTE, 'reject'),
    ...(await approveAll(p, c2, [0, 2, 3], 900n * U, VOTE)),
    await p.s.attest(key(p, 2), c2.id, VOTE + 1, 'reject', undefined, {
      journal: createMemorySigningJournal(),
    }),
  ];
  // Both rounds close at VOTE + 1 h (m2's equivocation on c2 at VOTE + 1 leaves 20 of 30 standing),
  // so the lower claim id is decided first. c1: covered (700 − 50) × 95 % = 617.5; c2: (900 − 50) ×
  // 95 % = 807.5, approvals m0 and m3. Worked out for both orders:
  //  c1 first: c1 205 833 334 (m1) / 205 833 333 / 205 833 333; then m0 1000, m2 and m3 94 166 667
  //    (R = 1 188 333 334) pay c2 679 523 141 / 63 988 430 (m2) / 63 988 429 (m3).
  //  c2 first: m0 1000, m2 and m3 300 (R = 1600) pay 504 687 500 / 151 406 250 / 151 406 250; then
  //    c1 has m1 300, m2 and m3 148 593 750 = 597 187 500 for 617 500 000 due: shortfall 20 312 500, 328 bps.
  const c1First = c1.id < c2.id;
  const d1 = c1First
    ? {
        approvedAmount: '617500000',
        shortfall: '0',
        haircutBps: 0,
        contributions: contributions(p, [
          [1, 205_833_334n],
          [2, 205_833_333n],
          [3, 205_833_333n],
        ]),
      }
    : {
        approvedAmount: '597187500',
        shortfall: '20312500',
        haircutBps: 328,
        contributions: contributions(p, [
          [1, 300_000_000n],
          [2, 148_593_750n],
          [3, 148_593_750n],
        ]),
      };
  const d2 = c1First
    ? {
        approvedAmount: '807500000',
        contributions: contributions(p, [
          [0, 679_523_141n],
          [2, 63_988_430n],
          [3, 63_988_429n],
        ]),
      }
    : {
        approvedAmount: '807500000',
        contributions: contributions(p, [
          [0, 504_687_500n],
          [2, 151_406_250n],
          [3, 151_406_250n],
        ]),
      };
  const all = [c1, c2, ...v];
  const orders = [
    all,
    [...all].reverse(),
    [...all].sort((a, b) => (a.id < b.id ? -1 : 1)),
    [v[3], c2, v[0], c1, ...v.slice(4), v[1], v[2]] as Signed[],
  ];
  for (const [i, order] of orders.entries()) {
    add(
      'permutations',
      `permuted delivery ${i + 1} of ${orders.length}: two claims, shared capital, an equivocation; the same decisions`,
      'determinism',
      i % 2 ? [...p.charters].reverse() : p.charters,
      order,
      LATER,
      {
        claims: [
          {
            claimId: c1.id,
            closesAt: VOTE + HOUR,
            decision: { outcome: 'approved', acceptedLoss: units(700n), due: '617500000', ...d1 },
          },
          {
            claimId: c2.id,
            closesAt: VOTE + HOUR,
            tally: tally([20, 2], [0, 0], [0, 0], 30, 3),
            decision: { outcome: 'approved', acceptedLoss: units(900n), due: '807500000', ...d2 },
          },
        ],
        equivocations: [{ offender: addr(p, 2), claimId: c2.id, provableAt: VOTE + 1 }],
        refused: refusals(
          no(v[4] as Signed, 'CLAIM_ATTESTER_EQUIVOCATED'),
          no(v[6] as Signed, 'CLAIM_ATTESTER_EQUIVOCATED'),
        ),
      },
    );
  }
}

const files = new Map<string, string>();
for (const [suite, cases] of suites) {
  files.set(
    `${suite}.json`,
    `${JSON.stringify({ runner: 'pool', handler: 'decide', suite, cases }, null, 2)}\n`,
  );
}
let changed = 0;
const existing = (() => {
  try {
    return readdirSync(outDir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
})();
for (const f of existing) {
  if (!files.has(f)) {
    changed++;
    console.log(`stale: ${f}`);
    if (!check) rmSync(path.join(outDir, f));
  }
}
for (const [name, text] of files) {
  const file = path.join(outDir, name);
  let old: string | null = null;
  try {
    old = readFileSync(file, 'utf8');
  } catch {}
  if (old !== text) {
    changed++;
    console.log(`${check ? 'would change' : 'wrote'}: ${path.relative(root, file)}`);
    if (!check) {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(file, text);
    }
  }
}
const total = [...suites.values()].reduce((a, c) => a + c.length, 0);
console.log(
  `${total} pool vectors in ${suites.size} suites; ${changed} file(s) ${check ? 'out of date' : 'changed'}`,
);
if (check && changed > 0) process.exit(1);
