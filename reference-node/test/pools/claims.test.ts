import { readFileSync } from 'node:fs';
import type { PoolCharter } from '@sfr/schemas/types';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMemorySigningJournal } from '../../src/envelope/index.js';
import {
  buildClaimDecision,
  CLAIM_CODES,
  canWithdraw,
  derivePoolState,
  EMPTY_LEDGER,
  POOL_CODES,
  type PoolView,
  serializeClaim,
  verifyClaimDecision,
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
  WETH,
  wires,
} from './fixtures.js';

const U = 1_000_000n; // one USDC in base units
const FILED = T0 + 3 * HOUR;
const VOTE = T0 + 4 * HOUR;
const LATER = T0 + 1000 * HOUR;

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

function claimOf(view: PoolView, id: string) {
  const c = view.claims.find((x) => x.claim.claimId === id);
  if (!c) throw new Error(`claim ${id} not admitted: ${JSON.stringify(view.refused)}`);
  return c;
}

const codesOf = (view: PoolView, ids: string[]) =>
  view.refused.filter((r) => ids.includes(r.messageId ?? '')).map((r) => r.code);

describe('claim lifecycle (pools.md#lifecycle)', () => {
  it('approves with the lower weighted median of the approved amounts, paid pro rata by the others', async () => {
    const p = await pool();
    const c = await p.s.claim(key(p, 0), FILED);
    const votes = [
      await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 600n * U),
      await p.s.attest(key(p, 2), c.id, VOTE, 'approve', 900n * U),
      await p.s.attest(key(p, 3), c.id, VOTE, 'approve', 1000n * U),
    ];
    const view = derivePoolState(wires(p.charters), wires([c, ...votes]), LATER);
    const claim = claimOf(view, c.id);
    expect(claim.status).toBe('settled');
    expect(claim.closesAt).toBe(VOTE + HOUR); // quorum at VOTE, then the challenge window
    expect(claim.decision?.acceptedLoss).toBe(900n * U);
    expect(claim.decision?.contributions.map((x) => x.amount)).toEqual([300n * U, 300n * U, 300n * U]);
    expect(claim.decision?.contributions.map((x) => x.member.toLowerCase())).not.toContain(
      key(p, 0).address.toLowerCase(),
    );
    expect(view.ledger.paidOut).toBe(900n * U);
    expect(view.refused).toEqual([]);
  });

  it('stays attesting before the close and expires at the voting deadline without quorum', async () => {
    const p = await pool();
    const c = await p.s.claim(key(p, 0), FILED);
    const a = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 10n * U);
    const deadline = FILED + 24 * HOUR;
    const before = claimOf(derivePoolState(wires(p.charters), wires([c, a]), deadline - 1), c.id);
    expect(before.status).toBe('attesting');
    expect(before.decision).toBeNull();
    const after = claimOf(derivePoolState(wires(p.charters), wires([c, a]), deadline), c.id);
    expect(after.status).toBe('expired');
    expect(after.decision).toMatchObject({ outcome: 'expired', approvedAmount: 0n, decidedAt: deadline });
  });

  it('expires early once neither side can reach quorum', async () => {
    const p = await pool(undefined, { quorum: { weightBps: 9000, minMembers: 2 } });
    const c = await p.s.claim(key(p, 0), FILED);
    const a = await p.s.attest(key(p, 1), c.id, VOTE, 'abstain');
    const claim = claimOf(derivePoolState(wires(p.charters), wires([c, a]), VOTE), c.id);
    expect(claim).toMatchObject({ status: 'expired', closesAt: VOTE });
  });

  it('rejects by quorum and forfeits the deposit', async () => {
    const deposit = { asset: USDC, value: String(5n * U) };
    const p = await pool(undefined, { claimDeposit: deposit });
    const noDeposit = await p.s.claim(key(p, 1), FILED);
    const c = await p.s.claim(key(p, 0), FILED, {
      deposit: {
        ...(noDeposit.envelope.payload as never as { evidence: [object] }).evidence[0],
        logIndex: 7,
      } as never,
    });
    const votes = [
      await p.s.attest(key(p, 1), c.id, VOTE, 'reject'),
      await p.s.attest(key(p, 2), c.id, VOTE, 'reject'),
    ];
    const view = derivePoolState(wires(p.charters), wires([noDeposit, c, ...votes]), LATER);
    expect(codesOf(view, [noDeposit.id])).toEqual(['CLAIM_DEPOSIT_MISSING']);
    expect(claimOf(view, c.id).status).toBe('rejected');
    expect(view.ledger.forfeitedDeposits).toBe(5n * U);
  });
});

describe('the payout rule (pools.md#payout)', () => {
  it('applies the deductible: fixed, then bps of the rest, floored', async () => {
    const p = await pool(undefined, { deductible: { fixed: String(100n * U), bps: 1000 } });
    const c = await p.s.claim(key(p, 0), FILED);
    const votes = [1, 2].map((i) => p.s.attest(key(p, i), c.id, VOTE, 'approve', 1000n * U));
    const claim = claimOf(
      derivePoolState(wires(p.charters), wires([c, ...(await Promise.all(votes))]), LATER),
      c.id,
    );
    expect(claim.decision).toMatchObject({ acceptedLoss: 1000n * U, due: 810n * U });
    expect(claim.decision?.approvedAmount).toBe(810n * U);
  });

  it('caps one claim at perClaim', async () => {
    const p = await pool(undefined, {
      caps: {
        perClaim: String(500n * U),
        perMemberPerPeriod: String(10n ** 15n),
        perPeriod: String(10n ** 15n),
        periodMs: 720 * HOUR,
      },
    });
    const c = await p.s.claim(key(p, 0), FILED);
    const votes = await Promise.all(
      [1, 2].map((i) => p.s.attest(key(p, i), c.id, VOTE, 'approve', 1000n * U)),
    );
    const d = claimOf(derivePoolState(wires(p.charters), wires([c, ...votes]), LATER), c.id).decision;
    expect(d).toMatchObject({ approvedAmount: 500n * U, boundBy: 'perClaim', shortfall: 0n });
  });

  it('caps a member per period and the pool per period', async () => {
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
    const votes = [];
    for (const [c, t, voters] of [
      [c1, VOTE, [1, 2]],
      [c2, VOTE + 10 * HOUR, [1, 2]],
      [c3, VOTE + 20 * HOUR, [2, 3]],
    ] as const) {
      for (const i of voters) votes.push(await p.s.attest(key(p, i), c.id, t, 'approve', 1000n * U));
    }
    const view = derivePoolState(wires(p.charters), wires([c1, c2, c3, ...votes]), LATER);
    expect(claimOf(view, c1.id).decision?.approvedAmount).toBe(1000n * U);
    expect(claimOf(view, c2.id).decision).toMatchObject({
      approvedAmount: 200n * U,
      boundBy: 'perMemberPerPeriod',
    });
    expect(claimOf(view, c3.id).decision).toMatchObject({ approvedAmount: 300n * U, boundBy: 'perPeriod' });
  });

  it('haircuts pro rata when the others cannot cover the amount due', async () => {
    const p = await pool([1000n, 100n, 100n, 100n]);
    const c = await p.s.claim(key(p, 0), FILED);
    const votes = await Promise.all(
      [1, 2, 3].map((i) => p.s.attest(key(p, i), c.id, VOTE, 'approve', 1000n * U)),
    );
    const view = derivePoolState(wires(p.charters), wires([c, ...votes]), LATER);
    const d = claimOf(view, c.id).decision;
    expect(d).toMatchObject({
      due: 1000n * U,
      approvedAmount: 300n * U,
      shortfall: 700n * U,
      haircutBps: 7000,
    });
    expect(d?.contributions.map((x) => x.amount)).toEqual([100n * U, 100n * U, 100n * U]);
    expect(view.ledger.members.filter((m) => m.remaining === 0n)).toHaveLength(3);
  });

  it('never pays out of an exhausted member again, and never the claimant', async () => {
    const p = await pool([1000n, 300n, 300n, 300n]);
    const c1 = await p.s.claim(key(p, 0), FILED);
    const c2 = await p.s.claim(key(p, 1), FILED + HOUR, { incidentId: 'incident-9' });
    const v = [
      ...(await Promise.all([1, 2, 3].map((i) => p.s.attest(key(p, i), c1.id, VOTE, 'approve', 600n * U)))),
      ...(await Promise.all(
        [0, 2, 3].map((i) => p.s.attest(key(p, i), c2.id, VOTE + HOUR, 'approve', 2000n * U)),
      )),
    ];
    const view = derivePoolState(wires(p.charters), wires([c1, c2, ...v]), LATER);
    const d2 = claimOf(view, c2.id).decision;
    // M1 claims 1000 (request cap); M0 has 1000 left, M2 and M3 have 100 each after the first claim.
    expect(d2?.approvedAmount).toBe(1000n * U);
    expect(d2?.contributions.map((x) => x.member)).not.toContain(key(p, 1).address);
    expect(view.ledger.paidOut).toBeLessThanOrEqual(view.ledger.capital);
  });
});

describe('who counts (pools.md#attesting, #equivocation, #timing)', () => {
  it("never counts the claimant's own vote, nor its weight in the total", async () => {
    const p = await pool();
    const c = await p.s.claim(key(p, 0), FILED);
    const own = await p.s.attest(key(p, 0), c.id, VOTE, 'approve', 1000n * U);
    const one = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 1000n * U);
    const view = derivePoolState(wires(p.charters), wires([c, own, one]), LATER);
    const claim = claimOf(view, c.id);
    expect(codesOf(view, [own.id])).toEqual(['CLAIM_ATTESTER_IS_CLAIMANT']);
    expect(claim.tally).toMatchObject({ approveWeight: 10, totalWeight: 30, approveCount: 1 });
    expect(claim.status).toBe('expired');
  });

  it('excludes an equivocating attester from the round and reports the evidence', async () => {
    const p = await pool();
    const c = await p.s.claim(key(p, 0), FILED);
    const yes = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 1000n * U);
    // A second node with the same key (its own journal) signs a conflicting verdict.
    const no = await p.s.attest(key(p, 1), c.id, VOTE + 1, 'reject', undefined, {
      journal: createMemorySigningJournal(),
    });
    const others = await Promise.all(
      [2, 3].map((i) => p.s.attest(key(p, i), c.id, VOTE, 'approve', 500n * U)),
    );
    const view = derivePoolState(wires(p.charters), wires([c, yes, no, ...others]), LATER);
    expect(codesOf(view, [yes.id, no.id]).sort()).toEqual([
      'CLAIM_ATTESTER_EQUIVOCATED',
      'CLAIM_ATTESTER_EQUIVOCATED',
    ]);
    expect(view.equivocations).toHaveLength(1);
    expect(view.equivocations[0]).toMatchObject({
      offender: key(p, 1).address,
      offense: 'conflicting_attestation',
      claimId: c.id,
    });
    const claim = claimOf(view, c.id);
    expect(claim.tally.approveCount).toBe(2);
    expect(claim.decision?.approvedAmount).toBe(500n * U);
  });

  it('keeps a closed decision when the attester equivocates after the close, and reports the evidence', async () => {
    const p = await pool();
    const c = await p.s.claim(key(p, 0), FILED);
    const votes = await Promise.all(
      [1, 2].map((i) => p.s.attest(key(p, i), c.id, VOTE, 'approve', 800n * U)),
    );
    const before = claimOf(derivePoolState(wires(p.charters), wires([c, ...votes]), LATER), c.id);
    const after = VOTE + 2 * HOUR; // the round closed at VOTE + 1 h
    const flip = await p.s.attest(key(p, 1), c.id, after, 'reject', undefined, {
      journal: createMemorySigningJournal(),
    });
    const view = derivePoolState(wires(p.charters), wires([c, ...votes, flip]), LATER);
    expect(claimOf(view, c.id).decision).toEqual(before.decision);
    expect(view.equivocations.map((e) => e.offender)).toEqual([key(p, 1).address]);
    expect(codesOf(view, [flip.id])).toEqual(['CLAIM_VOTE_LATE']);
  });

  it('does not count a vote after the close (late vote)', async () => {
    const p = await pool();
    const c = await p.s.claim(key(p, 0), FILED);
    const a = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 1000n * U);
    const late = await p.s.attest(key(p, 2), c.id, FILED + 24 * HOUR + 1, 'approve', 1000n * U);
    const view = derivePoolState(wires(p.charters), wires([c, a, late]), LATER);
    expect(codesOf(view, [late.id])).toEqual(['CLAIM_VOTE_LATE']);
    expect(claimOf(view, c.id).status).toBe('expired');
  });

  it('extends the round when a last-minute vote changes the outcome (anti-sniping)', async () => {
    const p = await pool();
    const c = await p.s.claim(key(p, 0), FILED);
    const deadline = FILED + 24 * HOUR;
    const a1 = await p.s.attest(key(p, 1), c.id, deadline - 2 * HOUR, 'approve', 1000n * U);
    const a2 = await p.s.attest(key(p, 2), c.id, deadline - 1000, 'approve', 1000n * U);
    const r3 = await p.s.attest(key(p, 3), c.id, deadline + HOUR / 2, 'reject');
    const claim = claimOf(derivePoolState(wires(p.charters), wires([c, a1, a2, r3]), LATER), c.id);
    expect(claim.closesAt).toBe(deadline - 1000 + HOUR);
    expect(claim.tally.rejectCount).toBe(1); // counted although after the original deadline
    expect(claim.status).toBe('settled');
  });

  it('caps a heavy member at maxMemberWeightBps and needs minMembers distinct members', async () => {
    const p = await pool(undefined, { maxMemberWeightBps: 4000 }, [10, 70, 10, 10]);
    const c = await p.s.claim(key(p, 0), FILED);
    const whale = await p.s.attest(key(p, 1), c.id, VOTE, 'approve', 1000n * U);
    const view = derivePoolState(wires(p.charters), wires([c, whale]), FILED + 24 * HOUR);
    const claim = claimOf(view, c.id);
    expect(claim.tally).toMatchObject({ approveWeight: 36, totalWeight: 56 });
    expect(claim.status).toBe('expired');
  });

  it('decides a claim under its filing snapshot although the charter is amended mid-claim', async () => {
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
    const votes = [
      await p.s.attest(key(p, 1), c.id, t, 'approve', 1000n * U),
      await p.s.attest(key(p, 2), c.id, t, 'approve', 1000n * U),
      await p.s.attest(key(p, 3), c.id, t, 'reject'),
    ];
    const wrongEpoch = await p.s.attest(key(p, 3), c.id, t, 'reject', undefined, {
      epoch: 1,
      journal: createMemorySigningJournal(),
    });
    const view = derivePoolState(wires(p.charters), wires([...amendment, c, ...votes, wrongEpoch]), LATER);
    expect(view.charters.map((x) => x.epoch)).toEqual([0, 1]);
    const claim = claimOf(view, c.id);
    expect(claim.claim.snapshot.epoch).toBe(0);
    expect(claim.tally).toMatchObject({ approveWeight: 20, rejectWeight: 10, totalWeight: 30 });
    expect(claim.decision?.outcome).toBe('approved');
    // The same verdict scoped to the amended epoch is not counted (it is not a conflicting payload).
    expect(codesOf(view, [wrongEpoch.id])).toEqual(['CLAIM_WRONG_EPOCH']);
    // A claim filed after the amendment takes effect is decided under epoch 1.
    const c2 = await p.s.claim(key(p, 1), FILED + 3 * HOUR, { incidentId: 'later' }, 1);
    const v2 = derivePoolState(wires(p.charters), wires([...amendment, c2]), LATER);
    expect(claimOf(v2, c2.id).tally.totalWeight).toBe(1020);
  });
});

describe('filing rules (pools.md#filing, #valuation)', () => {
  it('refuses a second open claim for one incident, and claims within the cooldown', async () => {
    const p = await pool(undefined, {
      windows: { votingMs: 24 * HOUR, challengeMs: HOUR, cooldownMs: 12 * HOUR },
    });
    const c1 = await p.s.claim(key(p, 0), FILED);
    const dup = await p.s.claim(key(p, 0), FILED + 1);
    const soon = await p.s.claim(key(p, 0), FILED + HOUR, { incidentId: 'other' });
    const view = derivePoolState(wires(p.charters), wires([soon, dup, c1]), LATER);
    expect(codesOf(view, [dup.id])).toEqual(['CLAIM_DUPLICATE_INCIDENT']);
    expect(codesOf(view, [soon.id])).toEqual(['CLAIM_COOLDOWN']);
  });

  it('values other assets at the pre-incident price and refuses requests above it', async () => {
    const p = await pool();
    const from = FILED - 2 * HOUR;
    const weth = { role: 'bad_debt' as const, amount: { asset: WETH, value: String(2n * 10n ** 18n) } };
    const input = (observedAt: number, price: string) => ({
      asset: WETH,
      price,
      priceDecimals: 2,
      observedAt,
    });
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
    const view = derivePoolState(wires(p.charters), wires([ok, over, pumped, missing]), FILED);
    expect(claimOf(view, ok.id).claim.valuation).toBe(6200n * U); // median of 3000, 3100, 9900
    expect(codesOf(view, [over.id])).toEqual(['CLAIM_REQUEST_EXCEEDS_VALUATION']);
    expect(codesOf(view, [pumped.id])).toEqual(['CLAIM_VALUATION_NOT_PRE_INCIDENT']);
    expect(codesOf(view, [missing.id])).toEqual(['CLAIM_VALUATION_MISSING']);
  });

  it('refuses claims of non-members, uncovered kinds and bad windows; attestations on unknown claims', async () => {
    const p = await pool();
    const outsider = new PoolSigner();
    const stranger = members([{ weight: 1, commit: 1n }], 50)[0] as MemberSpec;
    const c1 = await outsider.claim(stranger.key, FILED);
    const c2 = await p.s.claim(key(p, 1), FILED, { coveredKind: 'resume' });
    const c3 = await p.s.claim(key(p, 2), FILED, { incidentWindow: { from: FILED, to: FILED + 1 } });
    const a = await p.s.attest(key(p, 3), c1.id, VOTE, 'approve', 1n);
    const view = derivePoolState(wires(p.charters), wires([c1, c2, c3, a]), LATER);
    // codesOf lists the refusals in message-id order: compare as sets of (message, code).
    const refusal = new Map(view.refused.map((r) => [r.messageId, r.code]));
    expect([c1.id, c2.id, c3.id, a.id].map((id) => refusal.get(id))).toEqual([
      'CLAIM_CLAIMANT_NOT_MEMBER',
      'CLAIM_KIND_NOT_COVERED',
      'CLAIM_BAD_INCIDENT_WINDOW',
      'CLAIM_UNKNOWN',
    ]);
  });
});

describe('decisions anyone can verify (pools.md#decision-messages)', () => {
  let p: Pool;
  let c: Signed;
  let view: PoolView;
  beforeAll(async () => {
    p = await pool();
    c = await p.s.claim(key(p, 0), FILED);
    const votes = await Promise.all(
      [1, 2, 3].map((i) => p.s.attest(key(p, i), c.id, VOTE, i === 3 ? 'reject' : 'approve', 700n * U)),
    );
    view = derivePoolState(wires(p.charters), wires([c, ...votes]), LATER);
  });

  it('builds a ClaimDecision that verifies exactly from the charter and the claim', () => {
    const d = buildClaimDecision(view.poolId as never, claimOf(view, c.id));
    expect(d?.attestations).toHaveLength(3);
    expect(
      verifyClaimDecision(d as never, { charter: p.charter, claim: c.wire, ledger: EMPTY_LEDGER }),
    ).toEqual({ outcome: 'accept', exact: true });
    expect(verifyClaimDecision(d as never, { charter: p.charter, claim: c.wire })).toEqual({
      outcome: 'accept',
      exact: false,
    });
  });

  it('refuses a decision whose amount, outcome or attestations were tampered with', async () => {
    const d = buildClaimDecision(view.poolId as never, claimOf(view, c.id));
    if (!d) throw new Error('no decision');
    const more = { ...d, approvedAmount: String(701n * U) };
    expect(verifyClaimDecision(more, { charter: p.charter, claim: c.wire })).toMatchObject({
      outcome: 'reject',
      code: 'CLAIM_DECISION_MISMATCH',
    });
    expect(
      verifyClaimDecision({ ...d, outcome: 'rejected' }, { charter: p.charter, claim: c.wire }),
    ).toMatchObject({ code: 'CLAIM_DECISION_MISMATCH' });
    const own = await p.s.attest(key(p, 0), c.id, VOTE, 'approve', 1000n * U);
    const withOwn = {
      ...d,
      attestations: [...d.attestations, own.envelope].sort((a, b) => 0 * (a.seq - b.seq)),
    } as typeof d;
    expect(verifyClaimDecision(withOwn, { charter: p.charter, claim: c.wire })).toMatchObject({
      outcome: 'reject',
      code: 'CLAIM_DECISION_BAD_ATTESTATION',
    });
    const forged = {
      ...d,
      attestations: d.attestations.map((e, i) => (i === 0 ? { ...e, issuedAt: e.issuedAt + 1 } : e)),
    };
    expect(verifyClaimDecision(forged, { charter: p.charter, claim: c.wire })).toMatchObject({
      code: 'CLAIM_DECISION_BAD_ATTESTATION',
    });
  });

  it('accepts a published decision equal to its own and flags one that differs', async () => {
    const d = buildClaimDecision(view.poolId as never, claimOf(view, c.id));
    const good = await p.s.sign(key(p, 2), 'ClaimDecision', d as object, LATER, 0);
    const bad = await p.s.sign(
      key(p, 2),
      'ClaimDecision',
      { ...d, approvedAmount: '1', contributions: [] },
      LATER,
      0,
    );
    const votes = claimOf(view, c.id).votes.map((v) => v.message.envelope);
    const v2 = derivePoolState(wires(p.charters), [c.wire, ...votes, good.wire, bad.wire], LATER);
    expect(codesOf(v2, [good.id])).toEqual([]);
    expect(codesOf(v2, [bad.id])).toEqual(['CLAIM_DECISION_MISMATCH']);
    const early = derivePoolState(wires(p.charters), [c.wire, good.wire], VOTE);
    expect(codesOf(early, [good.id])).toEqual(['CLAIM_DECISION_NOT_CLOSED']);
  });
});

describe('settlement, rate limit and the bank-run guard (pools.md#rate-limit, #leaving)', () => {
  it('pays in tranches under the rate limit and settles after the last one', async () => {
    const p = await pool(undefined, { payoutRateLimit: { maxAmount: String(400n * U), windowMs: HOUR } });
    const c = await p.s.claim(key(p, 0), FILED);
    const votes = await Promise.all(
      [1, 2].map((i) => p.s.attest(key(p, i), c.id, VOTE, 'approve', 900n * U)),
    );
    const at = (now: number) => claimOf(derivePoolState(wires(p.charters), wires([c, ...votes]), now), c.id);
    const decided = VOTE + HOUR;
    expect(at(decided).schedule).toEqual({ firstAt: decided, lastAt: decided + 2 * HOUR, tranches: 3 });
    expect(at(decided + HOUR).status).toBe('approved');
    expect(at(decided + 2 * HOUR).status).toBe('settled');
  });

  it('locks withdrawal until notice ran out and no claim the member is liable for is open', async () => {
    const p = await pool();
    const leaving: PoolCharter = {
      ...p.charter,
      epoch: 1,
      previousCharter: (p.charters[0] as Signed).id,
      effectiveAt: T0 + HOUR,
      members: p.charter.members.map((m, i) =>
        i === 3 ? { ...m, leavingAt: T0 + HOUR + 7 * 24 * HOUR } : m,
      ),
    };
    const tooSoon = {
      ...leaving,
      members: p.charter.members.map((m, i) => (i === 3 ? { ...m, leavingAt: T0 + 2 * HOUR } : m)),
    };
    const amendment = await p.s.charter(leaving, [key(p, 0), key(p, 1), key(p, 3)], T0);
    const bad = await p.s.charter(tooSoon, [key(p, 0), key(p, 1), key(p, 2)], T0);
    const leaveAt = T0 + HOUR + 7 * 24 * HOUR;
    const c = await p.s.claim(key(p, 0), leaveAt - HOUR, {}, 1);
    const view = derivePoolState(wires(p.charters), wires([...amendment, ...bad, c]), leaveAt + HOUR);
    expect(
      codesOf(
        view,
        bad.map((x) => x.id),
      ),
    ).toEqual(['POOL_NOTICE_TOO_SHORT', 'POOL_NOTICE_TOO_SHORT', 'POOL_NOTICE_TOO_SHORT']);
    expect(canWithdraw(view, key(p, 3).address, leaveAt - 1)).toMatchObject({
      ok: false,
      reason: 'notice_running',
    });
    expect(canWithdraw(view, key(p, 3).address, leaveAt + HOUR)).toMatchObject({
      ok: false,
      reason: 'claim_open',
    });
    expect(canWithdraw(view, key(p, 1).address, leaveAt + HOUR)).toMatchObject({
      ok: false,
      reason: 'not_leaving',
    });
    const closed = derivePoolState(wires(p.charters), wires([...amendment, c]), leaveAt + 30 * HOUR);
    expect(canWithdraw(closed, key(p, 3).address, leaveAt + 30 * HOUR)).toEqual({ ok: true });
  });
});

describe('charters (pools.md#charter-adoption)', () => {
  it('founds the pool only when every founding member signed', async () => {
    const p = await pool();
    const c = await p.s.claim(key(p, 0), FILED);
    const view = derivePoolState(wires(p.charters.slice(0, 3)), wires([c]), LATER);
    expect(view.poolId).toBeNull();
    expect(codesOf(view, [c.id])).toEqual(['POOL_NOT_FOUNDED']);
  });

  it('refuses a charter that breaks its own rules', async () => {
    const p = await pool();
    const dupes = { ...p.charter, members: [p.charter.members[0], ...p.charter.members] } as PoolCharter;
    const signed = await p.s.charter(dupes, [key(p, 0)]);
    const view = derivePoolState(wires(signed), [], LATER);
    expect(view.refused.map((r) => r.code)).toEqual(['POOL_DUPLICATE_MEMBER']);
  });

  it('serializes claims with amounts as decimal strings', async () => {
    const p = await pool();
    const c = await p.s.claim(key(p, 0), FILED);
    const json = serializeClaim(claimOf(derivePoolState(wires(p.charters), wires([c]), FILED), c.id));
    expect(json).toMatchObject({
      claimId: c.id,
      status: 'attesting',
      requestedAmount: '1000000000',
      decision: null,
    });
  });
});

describe('reason-code registry', () => {
  it('registers every POOL_* and CLAIM_* code with the outcome the code returns', () => {
    for (const [domain, table] of [
      ['POOL', POOL_CODES],
      ['CLAIM', CLAIM_CODES],
    ] as const) {
      const file = JSON.parse(
        readFileSync(
          new URL(`../../../schemas/v1/registry/reason-codes/${domain}.json`, import.meta.url),
          'utf8',
        ),
      ) as {
        codes: { code: string; outcome: string; section: string }[];
      };
      expect(Object.fromEntries(file.codes.map((c) => [c.code, c.outcome]))).toEqual(table);
      for (const c of file.codes) expect(c.section).toMatch(/^pools\.md#[a-z-]+$/);
    }
  });
});
