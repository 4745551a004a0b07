import { describe, expect, it } from 'vitest';
import { runStress, stressReportToCsv, stressReportToJson } from '../../src/stress/index.js';
import { charterPayload, HOUR, type MemberSpec, members } from '../pools/fixtures.js';

const U = 1_000_000n;
const ms = members([1000n, 1000n, 500n, 500n].map((c) => ({ weight: 10, commit: c * U })));
const addr = (i: number) => (ms[i] as MemberSpec).key.address;
const charter = charterPayload(ms, {
  deductible: { fixed: '0', bps: 1000 },
  caps: {
    perClaim: String(800n * U),
    perMemberPerPeriod: String(10n ** 15n),
    perPeriod: String(10n ** 15n),
    periodMs: 24 * HOUR,
  },
});

// No deductible and no caps: every loss is due in full.
const open = charterPayload(ms, {
  caps: {
    perClaim: String(10n ** 15n),
    perMemberPerPeriod: String(10n ** 15n),
    perPeriod: String(10n ** 15n),
    periodMs: 24 * HOUR,
  },
});

describe('runStress (pools.md#stress)', () => {
  it('measures coverage against what was claimed, with the share lost to the deductible, the caps and the shortfall', () => {
    const r = runStress(charter, {
      scenarios: [
        {
          name: 'oracle failure hits three members',
          events: [
            { member: addr(0), loss: String(1000n * U), at: 0 },
            { member: addr(1), lossBps: 10_000, at: 1 },
            { member: addr(2), loss: String(2000n * U), at: 2 },
          ],
        },
      ],
    });
    if (!r.ok) throw new Error(r.message);
    const s = r.report.results[0];
    // By hand: the 10 % deductible leaves 900, 900, 1 800 covered (3 600 of 4 000 claimed); the 800
    // per-claim cap leaves 800 each due (2 400). Claim 1 is paid by the 2 000 of the others, claim 2
    // by the remaining 1 600 of members 0, 2, 3, claim 3 by what is left of 0 and 1: 2 400 paid.
    // Paid over due would say 100 %; of the 4 000 claimed, 60 % was paid, 10 % went to the
    // deductible, 30 % to the cap and nothing to a shortfall.
    expect(r.report).toMatchObject({ capital: 3000n * U, capitalSource: 'charter' });
    expect(s).toMatchObject({
      claims: 3,
      claimed: 4000n * U,
      covered: 3600n * U,
      due: 2400n * U,
      paid: 2400n * U,
      shortfall: 0n,
      coverageBps: 6000,
      lostToDeductibleBps: 1000,
      lostToCapsBps: 3000,
      shortfallBps: 0,
    });
    const sumContrib = s?.members.reduce((a, m) => a + m.contributed, 0n);
    expect(sumContrib).toBe(s?.paid);
    expect(s?.members.find((m) => m.member === addr(2))).toMatchObject({
      claimed: 2000n * U,
      covered: 1800n * U,
      due: 800n * U,
      paid: 800n * U,
    });
  });

  it('reports the shortfall when capital runs out, per member', () => {
    const r = runStress(open, {
      scenarios: [
        {
          name: 'everyone fails',
          events: [0, 1, 2, 3].map((i) => ({ member: addr(i), loss: String(2000n * U), at: i })),
        },
      ],
    });
    if (!r.ok) throw new Error(r.message);
    const s = r.report.results[0];
    // By hand (capital 1 000, 1 000, 500, 500): member 0's 2 000 is paid by 1, 2, 3 (1 000 + 500 +
    // 500), member 1's only by member 0's 1 000, members 2 and 3 find nothing left: 3 000 of 8 000.
    expect(s).toMatchObject({
      claimed: 8000n * U,
      covered: 8000n * U,
      due: 8000n * U,
      paid: 3000n * U,
      shortfall: 5000n * U,
      coverageBps: 3750,
      lostToDeductibleBps: 0,
      lostToCapsBps: 0,
      shortfallBps: 6250,
    });
    const row = (i: number) => {
      const m = s?.members.find((x) => x.member === addr(i));
      return [m?.paid, m?.shortfall, m?.contributed, m?.remaining];
    };
    expect([0, 1, 2, 3].map(row)).toEqual([
      [2000n * U, 0n, 1000n * U, 0n],
      [1000n * U, 1000n * U, 1000n * U, 0n],
      [0n, 2000n * U, 500n * U, 0n],
      [0n, 2000n * U, 500n * U, 0n],
    ]);
  });

  it("takes each member's capital from options.capital (the vault) instead of its commitment", () => {
    const capital = new Map(
      [0, 1, 2, 3].map((i) => [addr(i).toLowerCase(), ([1000n, 200n, 500n, 500n][i] as bigint) * U]),
    );
    const r = runStress(
      open,
      { scenarios: [{ name: 'one', events: [{ member: addr(0), loss: String(2000n * U) }] }] },
      { capital },
    );
    if (!r.ok) throw new Error(r.message);
    // By hand: the others can pay 200 + 500 + 500 = 1 200 of the 2 000 due.
    expect(r.report).toMatchObject({ capital: 2200n * U, capitalSource: 'vault' });
    expect(r.report.results[0]).toMatchObject({ paid: 1200n * U, shortfall: 800n * U, coverageBps: 6000 });
    expect(r.report.results[0]?.members.find((m) => m.member === addr(1))).toMatchObject({
      contributed: 200n * U,
      remaining: 0n,
    });
  });

  it('runs a seeded common-shock model deterministically, with progress, and the extremes behave', () => {
    const model = {
      kind: 'common_shock',
      trials: 250,
      seed: 42,
      shockBps: 1000,
      hitBps: 7000,
      baseBps: 200,
      lossBps: 6000,
    };
    const progress: number[] = [];
    const a = runStress(
      charter,
      { scenarios: [{ name: 'shock', model }] },
      { onProgress: (done, total) => progress.push(done * 1000 + total) },
    );
    const b = runStress(charter, { scenarios: [{ name: 'shock', model }] });
    expect(JSON.stringify(a.ok && stressReportToJson(a.report))).toBe(
      JSON.stringify(b.ok && stressReportToJson(b.report)),
    );
    expect(progress).toEqual([100_250, 200_250, 250_250]);
    const calm = runStress(charter, {
      scenarios: [{ name: 'calm', model: { ...model, shockBps: 0, baseBps: 0 } }],
    });
    expect(calm.ok && calm.report.results[0]).toMatchObject({
      claims: 0,
      claimed: 0n,
      coverageBps: 10_000,
      lostToDeductibleBps: 0,
      noShortfallBps: 10_000,
    });
    const doom = runStress(open, {
      scenarios: [
        { name: 'doom', model: { ...model, trials: 10, shockBps: 10_000, hitBps: 10_000, lossBps: 10_000 } },
      ],
    });
    if (!doom.ok) throw new Error(doom.message);
    const d = doom.report.results[0];
    // Every member loses its whole commitment in every trial: 3 000 claimed per trial against 3 000
    // of capital. Whatever the order, the last claimant still holds capital of its own (it paid the
    // earlier claims pro rata, never all it had), which cannot pay its own claim: every trial falls
    // short, so none is without shortfall, and the ten identical trials agree.
    expect(d).toMatchObject({ claims: 40, claimed: 30_000n * U, due: 30_000n * U, noShortfallBps: 0 });
    expect(d?.shortfall).toBeGreaterThan(0n);
    expect(d?.coverageBps).toBeLessThan(10_000);
    expect(d?.coverageBps).toBe(Number(((d?.paid ?? 0n) * 10_000n) / (30_000n * U)));
    expect(d?.coverageMinBps).toBe(d?.coverageBps);
    expect(d?.coverageP50Bps).toBe(d?.coverageBps);
  });

  it('writes CSV for a table or plot', () => {
    const r = runStress(charter, {
      scenarios: [{ name: 'one, "quoted"', events: [{ member: addr(3), loss: '5' }] }],
    });
    if (!r.ok) throw new Error(r.message);
    const csv = stressReportToCsv(r.report).trim().split('\n');
    expect(csv[0]).toBe(
      'scenario,member,trials,claimed,covered,due,paid,shortfall,contributed,remaining,coverage_bps,lost_to_deductible_bps,lost_to_caps_bps,shortfall_bps',
    );
    expect(csv).toHaveLength(2 + ms.length);
    // 5 claimed, 10 % deductible: floor(4.5) = 4 covered, due and paid: 80 % coverage, 20 % deductible.
    expect(csv[1]).toBe('"one, ""quoted""",*,1,5,4,4,4,0,,,8000,2000,0,0');
  });

  it('refuses a malformed scenario file with POOL_SCENARIO_INVALID, never a throw', () => {
    for (const bad of [
      null,
      {},
      { scenarios: [] },
      [{ name: 'x' }],
      [{ name: 'x', events: [{ member: '0x0000000000000000000000000000000000000001', loss: '1' }] }],
      [{ name: 'x', events: [{ member: addr(0), loss: '-1' }] }],
      [
        {
          name: 'x',
          model: {
            kind: 'common_shock',
            trials: 1e9,
            seed: 1,
            shockBps: 1,
            hitBps: 1,
            baseBps: 1,
            lossBps: 1,
          },
        },
      ],
    ]) {
      expect(runStress(charter, bad)).toMatchObject({ ok: false, code: 'POOL_SCENARIO_INVALID' });
    }
  });
});
