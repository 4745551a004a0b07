/**
 * Writes the pool-logic conformance vectors, conformance-tests/vectors/v1/pool/decide/<suite>.json
 * (proposal 0001 §8, spec/v1/pools.md#harness), from FIXED test keys
 * (private key = keccak256("sfr-pool-member-<i>")) and fixed times; the expected results come from
 * the reference implementation's `decidePoolOp`.
 * Usage: npx tsx reference-node/scripts/generate-pool-vectors.ts [--check]
 * `--check` writes nothing and exits 1 if regenerating would change any file.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PoolCharter } from '@sfr/schemas/types';
import { createMemorySigningJournal } from '../src/envelope/index.js';
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
  wires,
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

function add(
  suite: string,
  description: string,
  section: string,
  charters: Signed[],
  messages: (Signed | string)[],
  now: number,
): void {
  const input = {
    charter: wires(charters),
    messages: messages.map((m) => (typeof m === 'string' ? m : m.wire)),
    now,
  };
  const r = decidePoolOp(input);
  if (!r.ok) throw new Error(`${description}: ${r.error.message}`);
  const { claims, refused, equivocations, ledger, epochs } = r.result;
  const list = suites.get(suite) ?? [];
  list.push({
    description,
    section: `pools.md#${section}`,
    input,
    expected: { epochs, claims, refused, equivocations, ledger },
  });
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

// payout: shortfall, caps, deductible, rounding
{
  const p = await pool([1000n, 100n, 100n, 100n]);
  const c = await p.s.claim(key(p, 0), FILED);
  add(
    'payout',
    'shortfall: the others hold 300 of the 1000 due; each pays all it has, shortfall 700, haircut 7000 bps',
    'payout',
    p.charters,
    [c, ...(await approveAll(p, c, [1, 2, 3], 1000n * U))],
    LATER,
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
  add(
    'payout',
    'perClaim cap: 1000 approved, 500 paid',
    'payout',
    p.charters,
    [c, ...(await approveAll(p, c, [1, 2], 1000n * U))],
    LATER,
  );
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
  const v = [
    ...(await approveAll(p, c1, [1, 2], 1000n * U)),
    ...(await approveAll(p, c2, [1, 2], 1000n * U, VOTE + 10 * HOUR)),
    ...(await approveAll(p, c3, [2, 3], 1000n * U, VOTE + 20 * HOUR)),
  ];
  add(
    'payout',
    'perMemberPerPeriod and perPeriod caps over three claims in one period',
    'payout',
    p.charters,
    [c1, c2, c3, ...v],
    LATER,
  );
}
{
  const p = await pool(undefined, { deductible: { fixed: String(100n * U), bps: 1000 } });
  const c = await p.s.claim(key(p, 0), FILED);
  add(
    'payout',
    'deductible: 100 fixed plus 10 % of the rest: 1000 accepted, 810 paid',
    'payout',
    p.charters,
    [c, ...(await approveAll(p, c, [1, 2], 1000n * U))],
    LATER,
  );
}
{
  const p = await pool([1000n, 1n, 2n, 4n].map((x) => x));
  const c = await p.s.claim(key(p, 0), FILED);
  const v = [
    await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 5_000_000n),
    await p.s.attest(key(p, 2), c.id, VOTE, 'approve', 3_000_000n),
    await p.s.attest(key(p, 3), c.id, VOTE, 'approve', 3_000_001n),
  ];
  add(
    'payout',
    'rounding: 3 000 000 split over commitments 1:2:4 USDC, floor then largest remainder, weighted median of the approvals',
    'rounding',
    p.charters,
    [c, ...v],
    LATER,
  );
}
{
  const p = await pool(undefined, { payoutRateLimit: { maxAmount: String(400n * U), windowMs: HOUR } });
  const c = await p.s.claim(key(p, 0), FILED);
  const v = await approveAll(p, c, [1, 2], 900n * U);
  add(
    'payout',
    'rate limit: 900 paid in tranches of at most 400 per hour; approved (not settled) before the last tranche',
    'rate-limit',
    p.charters,
    [c, ...v],
    VOTE + 2 * HOUR,
  );
}

// voting: equivocation, the claimant's own vote, late vote, expiry, anti-sniping, weight cap
{
  const p = await pool();
  const c = await p.s.claim(key(p, 0), FILED);
  const yes = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 1000n * U);
  const no = await p.s.attest(key(p, 1), c.id, VOTE + 1, 'reject', undefined, {
    journal: createMemorySigningJournal(),
  });
  const others = await approveAll(p, c, [2, 3], 500n * U);
  add(
    'voting',
    'equivocation: a member approves and rejects one claim; both its votes are excluded and the evidence reported',
    'equivocation',
    p.charters,
    [c, yes, no, ...others],
    LATER,
  );
}
{
  const p = await pool();
  const c = await p.s.claim(key(p, 0), FILED);
  const own = await p.s.attest(key(p, 0), c.id, VOTE, 'approve', 1000n * U);
  const one = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 1000n * U);
  add(
    'voting',
    "the claimant's own vote is ignored and its weight is not in the total; one approval is not quorum",
    'attesting',
    p.charters,
    [c, own, one],
    LATER,
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
  );
  add(
    'voting',
    'expiry: expired at the voting deadline without quorum',
    'timing',
    p.charters,
    [c, a],
    FILED + 24 * HOUR,
  );
}
{
  const p = await pool(undefined, { quorum: { weightBps: 9000, minMembers: 2 } });
  const c = await p.s.claim(key(p, 0), FILED);
  const a = await p.s.attest(key(p, 1), c.id, VOTE, 'abstain');
  add(
    'voting',
    'early expiry: after one abstention neither side can reach a 90 % quorum',
    'timing',
    p.charters,
    [c, a],
    VOTE,
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
  add(
    'voting',
    'anti-sniping: quorum reached 1 s before the deadline keeps the round open for the challenge window; a vote after the deadline counts',
    'timing',
    p.charters,
    [c, ...v],
    LATER,
  );
}
{
  const p = await pool(undefined, { maxMemberWeightBps: 4000 }, [10, 70, 10, 10]);
  const c = await p.s.claim(key(p, 0), FILED);
  const whale = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 1000n * U);
  add(
    'voting',
    'weight cap: a 70-weight member counts 36 of 56 and alone is below minMembers',
    'weights',
    p.charters,
    [c, whale],
    FILED + 24 * HOUR,
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
  add(
    'amendments',
    'amendment mid-claim: a weight raised after filing changes nothing; the claim is decided under its epoch-0 snapshot',
    'snapshot',
    p.charters,
    [...amendment, c, ...v],
    LATER,
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
  );
  const few = await new PoolSigner().charter({ ...amended, name: 'Minority' }, [key(p, 1)], FILED + HOUR / 2);
  add(
    'amendments',
    'an amendment signed by a minority is not adopted',
    'amendments',
    p.charters,
    [...few],
    LATER,
  );
  add(
    'amendments',
    'the pool is not founded until every founding member signed',
    'charter-adoption',
    p.charters.slice(0, 3),
    [c],
    LATER,
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
  );
}
{
  const p = await pool();
  const from = FILED - 2 * HOUR;
  const weth = { role: 'bad_debt' as const, amount: { asset: WETH, value: String(2n * 10n ** 18n) } };
  const input = (observedAt: number, price: string) => ({ asset: WETH, price, priceDecimals: 2, observedAt });
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
  const bad = [];
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
  add(
    'refusals',
    'charter and amendment refusals: duplicate member, unreachable quorum, zero weight cap, unpaid unit asset, stranger, superseded, retroactive, unconsented member, no-notice drop, short notice, bad previous charter; foreign pool or scope',
    'amendments',
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
  const decided = decidePoolOp({
    charter: wires(p.charters),
    messages: wires([c, first, second]),
    now: LATER,
  });
  if (!decided.ok) throw new Error('setup');
  const row = (
    decided.result['claims'] as {
      decision: { approvedAmount: string; contributions: unknown[]; decidedAt: number };
    }[]
  )[0];
  const payload = {
    poolId: p.charter.poolId,
    claimId: c.id,
    round: 0,
    outcome: 'approved',
    approvedAmount: row?.decision.approvedAmount,
    contributions: row?.decision.contributions,
    shortfall: '0',
    tally: { approveWeight: 20, rejectWeight: 0, abstainWeight: 0, totalWeight: 30 },
    attestations: (first.id < second.id ? [first, second] : [second, first]).map((x) => x.envelope),
    decidedAt: row?.decision.decidedAt,
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
  );
  add(
    'refusals',
    'a decision published before the round closed is ignored',
    'decision-messages',
    p.charters,
    [c, first, second, published],
    VOTE + 10,
  );
}

// permutations: one message set, several delivery orders, one expected result
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
