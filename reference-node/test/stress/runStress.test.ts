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
  it('runs an explicit correlated scenario through the payout rule, in order, with coverage and per-member shortfall', () => {
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
    // Due: min(90 % of loss, 800) = 800 each. Claim 1 is paid in full by the 2 000 of the others;
    // claim 2 by the remaining 1 600 of members 0, 2, 3 (pro rata); claim 3 by what is left of 0 and 1.
    expect(r.report.capital).toBe(3000n * U);
    expect(s).toMatchObject({ claims: 3, claimed: 4000n * U, due: 2400n * U });
    expect(s?.paid).toBeLessThanOrEqual(r.report.capital);
    expect(s?.paid).toBe(2400n * U);
    expect(s?.coverageBps).toBe(10_000);
    const sumContrib = s?.members.reduce((a, m) => a + m.contributed, 0n);
    expect(sumContrib).toBe(s?.paid);
  });

  it('reports a shortfall per member when capital runs out', () => {
    const r = runStress(open, {
      scenarios: [
        {
          name: 'everyone fails',
          events: [0, 1, 2, 3].map((i) => ({ member: addr(i), loss: String(2000n * U), at: 0 })),
        },
      ],
    });
    if (!r.ok) throw new Error(r.message);
    const s = r.report.results[0];
    expect(s?.due).toBe(8000n * U);
    expect(s?.paid).toBeLessThanOrEqual(3000n * U); // capital is never used twice
    expect(s?.shortfall).toBe((s?.due ?? 0n) - (s?.paid ?? 0n));
    expect(s?.shortfall).toBeGreaterThanOrEqual(5000n * U);
    expect(s?.coverageBps).toBe(Number(((s?.paid ?? 0n) * 10_000n) / (s?.due ?? 1n)));
    expect(s?.members.reduce((a, m) => a + m.shortfall, 0n)).toBe(s?.shortfall);
    expect(s?.members.every((m) => m.contributed <= 1000n * U)).toBe(true);
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
    const a = runStress(charter, { scenarios: [{ name: 'shock', model }] }, (done, total) =>
      progress.push(done * 1000 + total),
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
      coverageBps: 10_000,
      fullyCoveredBps: 10_000,
    });
    const doom = runStress(open, {
      scenarios: [
        { name: 'doom', model: { ...model, trials: 10, shockBps: 10_000, hitBps: 10_000, lossBps: 10_000 } },
      ],
    });
    if (!doom.ok) throw new Error(doom.message);
    // Every member loses its whole commitment in every trial: 3 000 due per trial, ten identical trials.
    expect(doom.report.results[0]).toMatchObject({ claims: 40, due: 30_000n * U });
    expect(doom.report.results[0]?.paid).toBeLessThanOrEqual(30_000n * U);
    expect([0, 10_000]).toContain(doom.report.results[0]?.fullyCoveredBps);
    expect(doom.report.results[0]?.coverageMinBps).toBe(doom.report.results[0]?.coverageP50Bps);
  });

  it('writes CSV for a table or plot', () => {
    const r = runStress(charter, {
      scenarios: [{ name: 'one, "quoted"', events: [{ member: addr(3), loss: '5' }] }],
    });
    if (!r.ok) throw new Error(r.message);
    const csv = stressReportToCsv(r.report).trim().split('\n');
    expect(csv[0]).toBe(
      'scenario,member,trials,claimed,due,paid,shortfall,contributed,remaining,coverage_bps',
    );
    expect(csv).toHaveLength(2 + ms.length);
    expect(csv[1]).toBe('"one, ""quoted""",*,1,5,4,4,0,,,10000');
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
