import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { stressPool } from '../../src/cli/stress.js';
import { deriveTestKey } from '../../src/envelope/index.js';
import { waitFor } from '../node/fixtures.js';
import { charterFor, claimFor, POOL_ID, U } from '../poolsNode/poolHarness.js';
import {
  EVIDENCE,
  startTwoNodePool,
  TOKEN,
  type TwoNodePool,
  twoMemberCharter,
} from '../poolsNode/twoNodePool.js';
import { cli } from './captureCli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sfr-cli-pools-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sfr stress', () => {
  const members = [0, 1, 2, 3].map((i) => deriveTestKey(`sfr-cli-stress-${i}`).address);
  const files = async () => {
    const pool = path.join(dir, 'charter.json');
    const scenarios = path.join(dir, 'scenarios.json');
    await writeFile(pool, JSON.stringify(charterFor(members, 1_767_225_600_000)));
    await writeFile(
      scenarios,
      JSON.stringify({
        scenarios: [
          {
            name: 'everyone fails',
            events: members.map((m) => ({ member: m, loss: String(2000n * U) })),
          },
          {
            name: 'common shock',
            model: {
              kind: 'common_shock',
              trials: 300,
              seed: 7,
              shockBps: 1000,
              hitBps: 7000,
              baseBps: 200,
              lossBps: 6000,
            },
          },
        ],
      }),
    );
    return { pool, scenarios };
  };

  it('prints coverage and shortfall as a table, JSON and CSV', async () => {
    const f = await files();
    const json = await cli('stress', '--pool', f.pool, '--scenarios', f.scenarios, '--json');
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(json.stdout) as { capital: string; results: Record<string, unknown>[] };
    expect(report.capital).toBe((4000n * U).toString());
    // 8 000 due against 3 000 of the others' capital per claim, capital used once: 4 000 paid at most.
    expect(report.results[0]).toMatchObject({
      name: 'everyone fails',
      claims: 4,
      due: (8000n * U).toString(),
    });
    const r0 = report.results[0] as { paid: string; shortfall: string; due: string };
    expect(BigInt(r0.paid) + BigInt(r0.shortfall)).toBe(BigInt(r0.due));
    expect(BigInt(r0.paid)).toBeLessThanOrEqual(4000n * U);
    expect(report.results[1]).toMatchObject({ name: 'common shock', trials: 300 });

    const csv = await cli('stress', '--pool', f.pool, '--scenarios', f.scenarios, '--csv');
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'scenario,member,trials,claimed,covered,due,paid,shortfall,contributed,remaining,coverage_bps,lost_to_deductible_bps,lost_to_caps_bps,shortfall_bps',
    );
    expect(lines).toHaveLength(1 + 2 * 5);

    const human = await cli('stress', '--pool', f.pool, '--scenarios', f.scenarios);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      /^capital 4000000000 \(committed\)\nscenario\s+trials\s+claimed\s+paid\s+coverage\s+deductible\s+caps\s+shortfall/,
    );
    expect(human.stdout).toContain('everyone fails');
  });

  it('draws a progress bar on stderr for a long run when asked (the CLI asks only on a TTY)', async () => {
    const f = await files();
    const long = path.join(dir, 'long.json');
    const model = {
      kind: 'common_shock',
      trials: 3000,
      seed: 1,
      shockBps: 1000,
      hitBps: 5000,
      baseBps: 100,
      lossBps: 5000,
    };
    await writeFile(long, JSON.stringify({ scenarios: [{ name: 'long', model }] }));
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const report = await stressPool({ pool: f.pool, scenarios: long, progress: true });
      expect(report.results[0]?.trials).toBe(3000);
      const quiet = await stressPool({ pool: f.pool, scenarios: f.scenarios, progress: true });
      expect(quiet.results).toHaveLength(2);
    } finally {
      process.stderr.write = write;
    }
    const text = written.join('');
    expect(text).toContain('stress [');
    expect(text).toContain('3000/3000 trials');
    // The short run (300 trials) drew nothing: only the long one's bar is there.
    expect(text).not.toContain('/300 trials');
  });

  it('refuses bad input with a code and the right exit status', async () => {
    const f = await files();
    const bad = path.join(dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({
        scenarios: [
          { name: 'x', events: [{ member: '0x0000000000000000000000000000000000000001', loss: '1' }] },
        ],
      }),
    );
    const r = await cli('stress', '--pool', f.pool, '--scenarios', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error POOL_SCENARIO_INVALID: scenario 0 event 0/);
    const notCharter = await cli('stress', '--pool', f.scenarios, '--scenarios', f.scenarios);
    expect(notCharter.code).toBe(1);
    expect(notCharter.stderr).toMatch(/^error SCHEMA_[A-Z_]+: .* is not a PoolCharter/);
    expect((await cli('stress', '--pool', f.pool, '--scenarios', f.scenarios, '--json', '--csv')).code).toBe(
      2,
    );
    expect((await cli('stress', '--pool', f.pool)).code).toBe(2);
    // Nothing listens on port 1: the vault cannot be read, and nothing is printed but the error.
    const noRpc = await cli(
      'stress',
      '--pool',
      f.pool,
      '--scenarios',
      f.scenarios,
      '--rpc',
      'http://127.0.0.1:1',
    );
    expect(noRpc).toMatchObject({ code: 1, stdout: '' });
    expect(noRpc.stderr).toMatch(
      /^error VAULT_RPC_UNAVAILABLE: could not read the vault 0x[0-9a-fA-F]{40} through http:\/\/127\.0\.0\.1:1/,
    );
  });
});

describe('sfr claim file / claims / vote / pool ledger against two real nodes', () => {
  let t: TwoNodePool;
  let tokenFile: string;
  beforeAll(async () => {
    t = await startTwoNodePool();
    tokenFile = path.join(dir, 'token');
    await writeFile(tokenFile, `${TOKEN}\n`);
    const charter = twoMemberCharter(t.net);
    for (const s of t.services) await s.signCharter(charter);
    await waitFor(
      () => t.services.every((s) => s.view(POOL_ID).charters.length === 1),
      TIMEOUTS.event,
      'pool founded',
    );
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await t?.stop();
  });

  it('files a claim at one node, votes on it by hand at the other, and shows the decision and ledger', async () => {
    // The pool gauges in node 1's /metrics (sampled at each scrape) move with the claim.
    const pool = `pool="${POOL_ID}"`;
    const gauges = async () => {
      const text = await (await fetch(`${t.urls[1]}/metrics`)).text();
      const value = (series: string) =>
        Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
      return {
        pools: value('sfr_pools'),
        attesting: value(`sfr_pool_claims{${pool},status="attesting"}`),
        approved: value(`sfr_pool_claims{${pool},status="approved"}`),
        settled: value(`sfr_pool_claims{${pool},status="settled"}`),
        awaitingVote: value(`sfr_pool_claims_awaiting_vote{${pool}}`),
        capital: value(`sfr_pool_capital_base_units{${pool}}`),
        paidOut: value(`sfr_pool_paid_out_base_units{${pool}}`),
      };
    };
    const before = await gauges();
    expect(before).toMatchObject({ pools: 1, attesting: 0, settled: 0, awaitingVote: 0, paidOut: 0 });
    expect(before.capital).toBeGreaterThan(0);
    const claimFile = path.join(dir, 'claim.json');
    await writeFile(claimFile, JSON.stringify(claimFor(EVIDENCE, 'cli-1', 400n * U, Date.now())));
    const noToken = await cli('claim', 'file', '--pool', POOL_ID, '--file', claimFile, '--api', t.urls[0]!);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/^error API_UNAUTHORIZED/);
    const filed = await cli(
      'claim',
      'file',
      '--pool',
      POOL_ID,
      '--file',
      claimFile,
      '--api',
      t.urls[0]!,
      '--token-file',
      tokenFile,
      '--json',
    );
    expect(filed.code).toBe(0);
    const { messageId: claimId } = JSON.parse(filed.stdout) as { messageId: string };
    // Queued for a vote, not only folded: node 1 queues it in its pool job after the claim is held.
    await waitFor(
      () => t.services[1]!.getClaim(claimId)?.pendingVote != null,
      TIMEOUTS.event,
      'the claim queued for a vote at node 1',
    );

    const listed = await cli('claims', '--pool', POOL_ID, '--api', t.urls[1]!, '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { claimId, status: 'attesting', pendingVote: 'manual_policy' },
    ]);
    expect(await gauges()).toMatchObject({ attesting: 1, settled: 0, awaitingVote: 1, paidOut: 0 });
    const table = await cli('claims', '--api', t.urls[1]!);
    expect(table.stdout).toMatch(/^claim\s+pool\s+status\s+requested\s+decided\s+my vote\s+waiting for\n/);
    expect(table.stdout).toContain('your vote (manual_policy)');

    expect((await cli('vote', claimId, 'maybe', '--api', t.urls[1]!, '--token-file', tokenFile)).code).toBe(
      2,
    );
    const own = await cli('vote', claimId, 'approve', '--api', t.urls[0]!, '--token-file', tokenFile);
    expect(own.code).toBe(1);
    expect(own.stderr).toMatch(/^error CLAIM_ATTESTER_IS_CLAIMANT/);
    // The API's problem names the field and what it expected (api.md#errors); the CLI prints both.
    const notAmount = await cli(
      'vote',
      claimId,
      'approve',
      '--amount',
      '12.5',
      '--api',
      t.urls[1]!,
      '--token-file',
      tokenFile,
    );
    expect(notAmount.code).toBe(1);
    expect(notAmount.stderr).toBe(
      `error SCHEMA_PATTERN: ${t.urls[1]} answered 422: The request body does not match its schema (does not match the pattern); field /approvedAmount; expected ^(0|[1-9][0-9]{0,77})$\n`,
    );
    const voted = await cli(
      'vote',
      claimId,
      'approve',
      '--amount',
      (300n * U).toString(),
      '--api',
      t.urls[1]!,
      '--token-file',
      tokenFile,
    );
    expect(voted.code).toBe(0);
    expect(voted.stdout).toMatch(new RegExp(`^approve on ${claimId}: 0x[0-9a-f]{64} \\(seq \\d+\\)\\n$`));

    await waitFor(
      () => t.services.every((s) => s.getClaim(claimId)?.['decision'] != null),
      TIMEOUTS.event,
      'the decision at both nodes',
    );
    // Approved: paid out in the ledger at once, and settled once its one tranche is due (the round's
    // close, derivePoolState), which can come a moment after the decision.
    let after = await gauges();
    expect(after).toMatchObject({ attesting: 0, awaitingVote: 0, paidOut: Number(300n * U) });
    expect(after.approved + after.settled).toBe(1);
    await waitFor(
      async () => {
        after = await gauges();
        return after.settled === 1;
      },
      TIMEOUTS.event,
      'the claim settled in /metrics',
    );
    expect(after).toMatchObject({ approved: 0, settled: 1, capital: before.capital });
    const ledger = await cli('pool', 'ledger', POOL_ID, '--api', t.urls[0]!);
    expect(ledger.code).toBe(0);
    expect(ledger.stdout).toContain(`pool      ${POOL_ID}`);
    expect(ledger.stdout).toMatch(/paid out 300000000 /);
    const view = JSON.parse((await cli('pool', 'ledger', POOL_ID, '--api', t.urls[1]!, '--json')).stdout) as {
      claims: { decision: { outcome: string; approvedAmount: string } }[];
    };
    expect(view.claims[0]?.decision).toMatchObject({
      outcome: 'approved',
      approvedAmount: (300n * U).toString(),
    });
    const unknown = await cli('pool', 'ledger', `0x${'99'.repeat(32)}`, '--api', t.urls[0]!);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error POOL_NOT_FOUNDED/);
    // sfr pool settle: these nodes follow no vault, so they move no money; bad ids are usage errors.
    const settle = await cli(
      'pool',
      'settle',
      POOL_ID,
      claimId,
      '--api',
      t.urls[1]!,
      '--token-file',
      tokenFile,
    );
    expect(settle.code).toBe(1);
    expect(settle.stderr).toMatch(/^error VAULT_NOT_FOLLOWED: .* answered 409/);
    expect(settle.stderr).toMatch(
      /; expected a chains\[\] entry with an RPC for eip155:\d+, where the pool's vault 0x/,
    );
    const badId = await cli(
      'pool',
      'settle',
      POOL_ID,
      '0xZZ',
      '--api',
      t.urls[1]!,
      '--token-file',
      tokenFile,
    );
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('claimId must be 0x and 64 lower-case hex digits');
    const notHere = await cli(
      'pool',
      'settle',
      POOL_ID,
      `0x${'99'.repeat(32)}`,
      '--api',
      t.urls[1]!,
      '--token-file',
      tokenFile,
    );
    expect(notHere.code).toBe(1);
    expect(notHere.stderr).toMatch(/^error CLAIM_UNKNOWN/);
  });

  it('sfr pool leave: refuses a bad or too early time naming the field, then gives notice (pools.md#giving-notice)', async () => {
    const flags = ['--api', t.urls[0]!, '--token-file', tokenFile];
    const notTime = await cli('pool', 'leave', POOL_ID, '--at', 'tomorrow', ...flags);
    expect(notTime.code).toBe(2);
    expect(notTime.stderr).toMatch(/^error API_BAD_PARAMETER: --at must be an ISO 8601 time/);
    const charter = t.services[0]!.view(POOL_ID).charters[0]!.charter;
    const early = await cli('pool', 'leave', POOL_ID, '--at', new Date(Date.now()).toISOString(), ...flags);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(
      /^error POOL_NOTICE_TOO_SHORT: .* answered 422: .*; field leavingAt; expected unix ms ≥ \d+ \(.*: now \+ votingMs \d+ \+ noticePeriodMs \d+\) and < 2\^48\n$/,
    );
    expect(t.services[0]!.view(POOL_ID).charters).toHaveLength(1); // nothing signed
    // A quorum of one other member here (minMembers 1, weight 50 %): the leaver's own signature adopts it.
    const before = Date.now();
    const left = await cli('pool', 'leave', POOL_ID, ...flags, '--json');
    expect(left.stderr).toBe('');
    expect(left.code).toBe(0);
    const r = JSON.parse(left.stdout) as {
      epoch: number;
      effectiveAt: number;
      leavingAt: number;
      adopted: boolean;
    };
    expect(r).toMatchObject({ epoch: 1, adopted: true, registered: null });
    expect(r.effectiveAt).toBeGreaterThanOrEqual(before + charter.windows.votingMs);
    expect(r.leavingAt).toBe(r.effectiveAt + charter.noticePeriodMs);
    // the leaver's node answered once it adopted the notice; node 1 holds it once gossip brings it
    await waitFor(
      () => t.services[1]!.view(POOL_ID).charters.length === 2,
      TIMEOUTS.event,
      'the notice adopted at node 1',
    );
    const ledger = await cli('pool', 'ledger', POOL_ID, '--api', t.urls[1]!);
    expect(ledger.stdout).toContain(
      `notice    ${t.net.keys[0]!.address.toLowerCase()} leaves at ${new Date(r.leavingAt).toISOString()}: epoch 1 adopted`,
    );
  });
});
