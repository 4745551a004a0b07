/**
 * Model-based property tests of the pool rules (pools.md): random sequences of filings, votes,
 * equivocations, amendments and time, checked after every step against the invariants every
 * node relies on, and the decision compared across delivery orders.
 */
import type { PoolCharter } from '@sfr/schemas/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemorySigningJournal, type Hex } from '../../src/envelope/index.js';
import {
  applyMessage,
  computePayout,
  createPoolState,
  derivePoolState,
  type PoolLedger,
  type PoolState,
  type PoolView,
  recordPayout,
  serializeClaim,
  serializePoolView,
  splitProRata,
  viewPool,
} from '../../src/pools/index.js';
import {
  charterPayload,
  HOUR,
  type MemberSpec,
  members,
  PoolSigner,
  type Signed,
  T0,
  USDC,
  wires,
} from './fixtures.js';

const U = 1_000_000n;
const N = 5;

type Model = {
  t: number;
  epochs: { epoch: number; effectiveAt: number }[];
  claims: { id: Hex; claimant: number; epoch: number }[];
  incidents: number;
};
type Real = {
  s: PoolSigner;
  ms: MemberSpec[];
  charter: PoolCharter;
  charters: Signed[];
  lastCharter: Signed[];
  messages: Signed[];
  state: PoolState;
  decided: Map<string, string>;
  totals: Map<string, number>;
  maxCommit: Map<string, bigint>;
  maxCapital: bigint;
};

const epochAt = (m: Model, t: number) => m.epochs.filter((e) => e.effectiveAt <= t).at(-1)?.epoch ?? 0;

/** What the generated runs exercised, so the test fails if the generators stop reaching a case. */
const seen = {
  approved: 0,
  rejected: 0,
  expired: 0,
  equivocations: 0,
  amendments: 0,
  lateOrExcluded: 0,
};

function checkInvariants(real: Real, view: PoolView): void {
  if (view.equivocations.length > 0) seen.equivocations++;
  if (view.charters.length > 1) seen.amendments++;
  if (view.refused.some((r) => r.code === 'CLAIM_VOTE_LATE' || r.code === 'CLAIM_ATTESTER_EQUIVOCATED'))
    seen.lateOrExcluded++;
  for (const c of view.claims) {
    if (c.decision) seen[c.decision.outcome]++;
  }
  const capitalPaid = view.ledger.paidOut;
  // Σ payouts ≤ pool capital; no member pays more than it ever committed.
  expect(capitalPaid <= real.maxCapital).toBe(true);
  for (const m of view.ledger.members)
    expect(m.contributed <= (real.maxCommit.get(m.member.toLowerCase()) ?? 0n)).toBe(true);
  let sumApproved = 0n;
  const paidIds = new Set<string>();
  for (const c of view.claims) {
    const claimant = c.claim.claimant.toLowerCase();
    // The claimant's weight is never counted, and it never pays for its own claim.
    expect(c.votes.some((v) => v.member.toLowerCase() === claimant)).toBe(false);
    expect(c.decision?.contributions.some((x) => x.member.toLowerCase() === claimant) ?? false).toBe(false);
    if (c.decision?.outcome === 'approved') {
      // No claim paid twice.
      expect(paidIds.has(c.claim.claimId)).toBe(false);
      paidIds.add(c.claim.claimId);
      sumApproved += c.decision.approvedAmount;
      expect(c.decision.contributions.reduce((a, x) => a + x.amount, 0n)).toBe(c.decision.approvedAmount);
      expect(c.decision.approvedAmount <= c.decision.due && c.decision.due <= c.claim.requestedAmount).toBe(
        true,
      );
    }
    // Weight changes after filing change nothing: the total is the filing snapshot's.
    const total = real.totals.get(c.claim.claimId);
    if (total === undefined) real.totals.set(c.claim.claimId, c.tally.totalWeight);
    else expect(c.tally.totalWeight).toBe(total);
    // A closed decision is final: later messages do not change it.
    if (c.decision) {
      const json = JSON.stringify(serializeClaim(c).decision);
      const before = real.decided.get(c.claim.claimId);
      if (before === undefined) real.decided.set(c.claim.claimId, json);
      else expect(json).toBe(before);
    }
  }
  expect(sumApproved).toBe(capitalPaid);
}

async function step(
  model: Model,
  real: Real,
  dt: number,
  sign: (t: number) => Promise<Signed | Signed[]>,
): Promise<void> {
  model.t += dt;
  const signed = await sign(model.t);
  for (const x of Array.isArray(signed) ? signed : [signed]) {
    real.messages.push(x);
    real.state = applyMessage(real.state, x.wire);
  }
  checkInvariants(real, viewPool(real.state, model.t));
}

class FileClaim implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly who: number,
    readonly amount: number,
    readonly dt: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    await step(m, r, this.dt, async (t) => {
      const epoch = epochAt(m, t);
      const signed = await r.s.claim(
        (r.ms[this.who] as MemberSpec).key,
        t,
        {
          incidentId: `inc-${m.incidents++}`,
          requestedAmount: String(BigInt(this.amount) * U),
          losses: [{ role: 'bad_debt', amount: { asset: USDC, value: String(BigInt(this.amount) * U) } }],
        },
        epoch,
      );
      m.claims.push({ id: signed.id, claimant: this.who, epoch });
      return signed;
    });
  }
  toString = () => `file(${this.who}, ${this.amount}, +${this.dt})`;
}

class Attest implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly who: number,
    readonly claim: number,
    readonly verdict: 'approve' | 'reject' | 'abstain',
    readonly amount: number,
    readonly dt: number,
    readonly equivocate: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.claims.length > 0;
  async run(m: Model, r: Real) {
    // `claim` counts back from the latest claim.
    const c = m.claims[m.claims.length - 1 - (this.claim % m.claims.length)] as Model['claims'][number];
    await step(m, r, this.dt, async (t) => {
      try {
        return await r.s.attest(
          (r.ms[this.who] as MemberSpec).key,
          c.id,
          t,
          this.verdict,
          BigInt(this.amount) * U,
          {
            epoch: c.epoch,
            // An equivocating node signs from a journal that does not know its earlier vote.
            ...(this.equivocate ? { journal: createMemorySigningJournal(), note: `x${this.amount}` } : {}),
          },
        );
      } catch (error) {
        // An honest node's journal refuses a second, different vote on one claim: nothing is sent.
        if ((error as { code?: string }).code === 'ENVELOPE_SLOT_CONFLICT') return [];
        throw error;
      }
    });
  }
  toString = () =>
    `${this.equivocate ? 'equivocate' : 'attest'}(${this.who}, #${this.claim}, ${this.verdict}, ${this.amount}, +${this.dt})`;
}

/** Every member but the claimant votes on the latest claim, mostly the same way. */
class VoteAll implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly verdicts: ('approve' | 'reject' | 'abstain')[],
    readonly amounts: number[],
    readonly dt: number,
  ) {}
  check = (m: Readonly<Model>) => m.claims.length > 0;
  async run(m: Model, r: Real) {
    const c = m.claims.at(-1) as Model['claims'][number];
    await step(m, r, this.dt, async (t) => {
      const out: Signed[] = [];
      for (let i = 0; i < N; i++) {
        if (i === c.claimant) continue;
        try {
          const v = this.verdicts[i] ?? 'approve';
          out.push(
            await r.s.attest((r.ms[i] as MemberSpec).key, c.id, t, v, BigInt(this.amounts[i] ?? 0) * U, {
              epoch: c.epoch,
            }),
          );
        } catch (error) {
          if ((error as { code?: string }).code !== 'ENVELOPE_SLOT_CONFLICT') throw error;
        }
      }
      return out;
    });
  }
  toString = () => `voteAll(${this.verdicts}, ${this.amounts}, +${this.dt})`;
}

class Amend implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly weights: number[],
    readonly commits: number[],
    readonly dt: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    await step(m, r, this.dt, async (t) => {
      const prev = m.epochs.at(-1) as Model['epochs'][number];
      const next: PoolCharter = {
        ...r.charter,
        epoch: prev.epoch + 1,
        previousCharter: (r.lastCharter[0] as Signed).id,
        effectiveAt: t + 1,
        members: r.charter.members.map((x, i) => ({
          ...x,
          weight: this.weights[i] ?? 1,
          commitments: [{ asset: USDC, value: String(BigInt(this.commits[i] ?? 0) * U) }],
        })),
      };
      const signed = await r.s.charter(
        next,
        r.ms.map((x) => x.key),
        t,
      );
      r.charter = next;
      r.lastCharter = signed;
      m.epochs.push({ epoch: next.epoch, effectiveAt: next.effectiveAt });
      next.members.forEach((x, i) => {
        const k = x.member.toLowerCase();
        const v = BigInt(this.commits[i] ?? 0) * U;
        if (v > (r.maxCommit.get(k) ?? 0n)) r.maxCommit.set(k, v);
      });
      const cap = this.commits.reduce((a, c) => a + BigInt(c) * U, 0n);
      if (cap > r.maxCapital) r.maxCapital = cap;
      return signed;
    });
  }
  toString = () => `amend(${this.weights}, ${this.commits}, +${this.dt})`;
}

class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly dt: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    m.t += this.dt;
    checkInvariants(r, viewPool(r.state, m.t));
  }
  toString = () => `advance(+${this.dt})`;
}

const member = fc.integer({ min: 0, max: N - 1 });
const dt = fc
  .tuple(fc.boolean(), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 3 * HOUR }))
  .map(([k, a, b]) => (k ? a : b));
const recent = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(5) });
const verdict = fc.oneof(
  { weight: 4, arbitrary: fc.constant('approve' as const) },
  { weight: 2, arbitrary: fc.constant('reject' as const) },
  { weight: 1, arbitrary: fc.constant('abstain' as const) },
);
const voteDt = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 600_000 }) },
  { weight: 1, arbitrary: dt },
);
const attest = fc
  .tuple(member, recent, verdict, fc.integer({ min: 0, max: 3000 }), voteDt)
  .map(([w, c, v, a, d]) => new Attest(w, c, v, a, d, false));
const voteAll = fc
  .tuple(
    fc.constantFrom('approve', 'reject').chain((main) =>
      fc.array(fc.constantFrom(main, main, main, 'approve', 'reject', 'abstain'), {
        minLength: N,
        maxLength: N,
      }),
    ) as fc.Arbitrary<('approve' | 'reject' | 'abstain')[]>,
    fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: N, maxLength: N }),
    voteDt,
  )
  .map(([v, a, d]) => new VoteAll(v, a, d));
const commands = [
  voteAll,
  voteAll,
  attest,
  attest,
  fc.tuple(member, fc.integer({ min: 1, max: 3000 }), dt).map(([w, a, d]) => new FileClaim(w, a, d)),
  fc
    .tuple(
      member,
      fc.nat(),
      fc.constantFrom('approve', 'reject', 'abstain') as fc.Arbitrary<'approve' | 'reject' | 'abstain'>,
      fc.integer({ min: 0, max: 3000 }),
      dt,
    )
    .map(([w, c, v, a, d]) => new Attest(w, c, v, a, d, false)),
  fc
    .tuple(
      member,
      fc.nat(),
      fc.constantFrom('approve', 'reject') as fc.Arbitrary<'approve' | 'reject'>,
      fc.integer({ min: 0, max: 3000 }),
      dt,
    )
    .map(([w, c, v, a, d]) => new Attest(w, c, v, a, d, true)),
  fc
    .tuple(
      fc.array(fc.integer({ min: 1, max: 100 }), { minLength: N, maxLength: N }),
      fc.array(fc.integer({ min: 0, max: 4000 }), { minLength: N, maxLength: N }),
      dt,
    )
    .map(([w, c, d]) => new Amend(w, c, d)),
  fc.integer({ min: 1, max: 8 * HOUR }).map((d) => new Advance(d)),
];

const poolSetup = fc.record({
  weights: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: N, maxLength: N }),
  commits: fc.array(fc.integer({ min: 0, max: 4000 }), { minLength: N, maxLength: N }),
  // Half the pools thinly capitalized (a twentieth), so that shortfalls happen.
  thin: fc.boolean(),
  deductibleBps: fc.integer({ min: 0, max: 3000 }),
  perClaim: fc.integer({ min: 100, max: 3000 }),
  perPeriod: fc.integer({ min: 1, max: 8000 }),
  quorumBps: fc.integer({ min: 3000, max: 9000 }),
  maxMemberWeightBps: fc.integer({ min: 2000, max: 10_000 }),
});

type Setup = typeof poolSetup extends fc.Arbitrary<infer R> ? R : never;

async function setup(p: Setup): Promise<Real> {
  const ms = members(
    p.weights.map((w, i) => ({ weight: w, commit: (BigInt(p.commits[i] ?? 0) * U) / (p.thin ? 20n : 1n) })),
  );
  const s = new PoolSigner();
  const charter = charterPayload(ms, {
    deductible: { fixed: String(10n * U), bps: p.deductibleBps },
    caps: {
      perClaim: String(BigInt(p.perClaim) * U),
      perMemberPerPeriod: String(BigInt(p.perClaim) * 2n * U),
      perPeriod: String(BigInt(p.perPeriod) * U),
      periodMs: 24 * HOUR,
    },
    quorum: { weightBps: p.quorumBps, minMembers: 2 },
    maxMemberWeightBps: p.maxMemberWeightBps,
    windows: { votingMs: 6 * HOUR, challengeMs: HOUR, cooldownMs: 0 },
    payoutRateLimit: { maxAmount: String(500n * U), windowMs: HOUR },
  });
  const charters = await s.charter(
    charter,
    ms.map((m) => m.key),
  );
  return {
    s,
    ms,
    charter,
    charters,
    lastCharter: charters,
    messages: [],
    state: createPoolState(wires(charters)),
    decided: new Map(),
    totals: new Map(),
    maxCommit: new Map(ms.map((m) => [m.key.address.toLowerCase(), m.commit])),
    maxCapital: ms.reduce((a, m) => a + m.commit, 0n),
  };
}

/** Fisher–Yates driven by the given random integers, so fast-check can shrink it. */
function permute<T>(xs: readonly T[], rand: readonly number[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (rand[i % rand.length] ?? 0) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('pool rules: model-based properties (pools.md#determinism)', () => {
  it('Σ payouts ≤ capital, no claim paid twice, claimant never counted, snapshots and closed decisions never change, and every delivery order gives the same view', async () => {
    await fc.assert(
      fc.asyncProperty(
        poolSetup,
        fc.commands(commands, { maxCommands: 30, size: '+1' }),
        fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        async (p, cmds, rand) => {
          const real = await setup(p);
          const model: Model = {
            t: T0 + HOUR,
            epochs: [{ epoch: 0, effectiveAt: T0 }],
            claims: [],
            incidents: 0,
          };
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          const end = model.t + 10 * HOUR;
          const expected = JSON.stringify(serializePoolView(viewPool(real.state, end)));
          // Every message in one shuffled batch, charter signatures shuffled too, through the whole pipeline.
          const shuffled = derivePoolState(
            permute(wires(real.charters), rand),
            permute(
              wires(real.messages),
              rand.map((x) => x * 7 + 3),
            ),
            end,
          );
          expect(JSON.stringify(serializePoolView(shuffled))).toBe(expected);
          // Reversed, with amendment signatures delivered among the claim messages.
          let state = createPoolState(wires(real.charters).reverse());
          for (const m of [...real.messages].reverse()) state = applyMessage(state, m.wire);
          expect(JSON.stringify(serializePoolView(viewPool(state, end)))).toBe(expected);
        },
      ),
      { numRuns: 30, interruptAfterTimeLimit: 50_000 },
    );
    for (const [what, n] of Object.entries(seen))
      expect(n, `no generated run reached: ${what}`).toBeGreaterThan(0);
  });
});

describe('payout rule: properties (pools.md#payout, #rounding)', () => {
  const amount = fc.bigInt({ min: 0n, max: 10n ** 30n });
  it('splits exactly: shares sum to the amount, never exceed a member’s remaining capital, and differ from the exact pro-rata share by less than 1 wei', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 24n }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rem, frac) => {
          const parts = rem.map((r, i) => ({
            member: `0x${i.toString(16).padStart(40, '0')}` as const,
            remaining: r,
          }));
          const total = rem.reduce((a, b) => a + b, 0n);
          const amt = (total * BigInt(Math.floor(frac * 1e6))) / 1_000_000n;
          const shares = splitProRata(amt, parts);
          expect(shares.reduce((a, s) => a + s.amount, 0n)).toBe(amt);
          for (const s of shares) {
            const part = parts.find((p) => p.member === s.member) as (typeof parts)[number];
            expect(s.amount <= part.remaining).toBe(true);
            const exactTimesTotal = amt * part.remaining;
            expect(
              s.amount * total - exactTimesTotal < total && exactTimesTotal - s.amount * total < total,
            ).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('over any sequence of claims: paid ≤ due ≤ covered ≤ accepted loss ≤ request, Σ payouts ≤ capital, a claim recorded twice is paid once', () => {
    let shortfallRuns = 0;
    const ms = members(Array.from({ length: 6 }, () => ({ weight: 1, commit: 0n })));
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 27n }), { minLength: 6, maxLength: 6 }),
        fc.array(
          fc.record({
            claimant: fc.integer({ min: 0, max: 5 }),
            request: amount,
            approvals: fc.array(fc.record({ amount, weight: fc.bigInt({ min: 0n, max: 1000n }) }), {
              maxLength: 6,
            }),
            dt: fc.integer({ min: 0, max: 10 * HOUR }),
          }),
          { maxLength: 12 },
        ),
        fc.record({
          fixed: fc.bigInt({ min: 0n, max: 10n ** 27n }),
          bps: fc.integer({ min: 0, max: 10_000 }),
          perClaim: amount,
          perMember: amount,
          perPeriod: amount,
        }),
        (commits, claims, rule) => {
          const charter = charterPayload(
            ms.map((m, i) => ({ ...m, commit: commits[i] ?? 0n })),
            {
              deductible: { fixed: String(rule.fixed), bps: rule.bps },
              caps: {
                perClaim: String(rule.perClaim),
                perMemberPerPeriod: String(rule.perMember),
                perPeriod: String(rule.perPeriod),
                periodMs: 24 * HOUR,
              },
            },
          );
          const capital = commits.reduce((a, b) => a + b, 0n);
          let ledger: PoolLedger = { contributed: new Map(), payouts: [] };
          let t = T0;
          let paid = 0n;
          let haircuts = 0;
          claims.forEach((c, i) => {
            t += c.dt;
            const claimant = (ms[c.claimant] as MemberSpec).key.address;
            const r = computePayout(
              charter,
              { claimant, requestedAmount: c.request, filedAt: t, decidedAt: t },
              c.approvals,
              ledger,
            );
            expect(
              r.approvedAmount <= r.due &&
                r.due <= r.covered &&
                r.covered <= r.acceptedLoss &&
                r.acceptedLoss <= c.request,
            ).toBe(true);
            expect(r.approvedAmount + r.shortfall).toBe(r.due);
            expect(r.contributions.some((x) => x.member === claimant)).toBe(false);
            const entry = { claimId: `claim-${i}`, claimant, decidedAt: t, contributions: r.contributions };
            ledger = recordPayout(ledger, entry);
            expect(recordPayout(ledger, entry)).toBe(ledger);
            paid += r.approvedAmount;
            if (r.haircutBps > 0) haircuts++;
          });
          expect(paid <= capital).toBe(true);
          shortfallRuns += haircuts > 0 ? 1 : 0;
          for (const [i, m] of ms.entries())
            expect((ledger.contributed.get(m.key.address.toLowerCase()) ?? 0n) <= (commits[i] ?? 0n)).toBe(
              true,
            );
        },
      ),
      { numRuns: 300 },
    );
    // The generator reaches shortfalls (pro-rata haircuts), not only fully covered claims.
    expect(shortfallRuns).toBeGreaterThan(0);
  });
});
