import { describe, expect, it } from 'vitest';
import { loadVectors, renderMarkdown, runConformance } from '../src/index.js';
import { faultyHarness, fixtureVectors } from './helpers.js';

// The fixture harness answers some ops wrongly, crashes on messageId, hangs on typedDataDigest,
// prints garbage for sign, answers verify with a wrong id once, and does not support ingest.
// The per-request timeout covers a cold start of node on a loaded 2-core machine.
const timeoutMs = 2000;

describe('runner against a faulty harness', () => {
  it('reports exactly the faulty cases, with readable reasons, and restarts after each fault', async () => {
    const vectors = loadVectors({ root: fixtureVectors });
    expect(vectors.problems).toEqual([]);
    const report = await runConformance({ argv: ['node', faultyHarness], vectors, timeoutMs });
    const outcomes = Object.fromEntries(
      report.cases.map((c) => [c.description, c.outcome === 'passed' ? 'passed' : `${c.outcome} ${c.code}`]),
    );
    expect(outcomes).toEqual({
      'fixture: a valid thing': 'passed',
      'fixture: a thing without a': 'failed HARNESS_RESULT_MISMATCH',
      'fixture: keys are sorted': 'passed',
      'fixture: nested keys are sorted': 'passed',
      'fixture: ingest a replay': 'unsupported HARNESS_UNSUPPORTED_OP',
      'fixture: message id, first': 'failed HARNESS_CRASHED',
      'fixture: message id, second': 'failed HARNESS_CRASHED',
      'fixture: payload hash of an empty object': 'failed HARNESS_RESULT_MISMATCH',
      'fixture: sign': 'failed HARNESS_BAD_RESPONSE',
      'fixture: typed-data digest': 'failed HARNESS_TIMEOUT',
      'fixture: verify accepts a good envelope': 'passed',
      'fixture: verify rejects a bad signature': 'failed HARNESS_RESULT_MISMATCH',
      'fixture: verify answered with the wrong id': 'failed HARNESS_BAD_RESPONSE',
      'fixture: verify after a restart': 'passed',
      'fixture: decide': 'failed HARNESS_UNEXPECTED_ERROR',
    });
    const reason = (d: string) => report.cases.find((c) => c.description === d)?.reason;
    expect(reason('fixture: a thing without a')).toBe(
      'expected invalid (SCHEMA_REQUIRED at "/a"), got valid',
    );
    expect(reason('fixture: message id, first')).toBe(
      'the implementation exited (exit code 3) while handling the request; stderr ends with: faulty-harness: messageId is not implemented correctly, giving up',
    );
    expect(reason('fixture: payload hash of an empty object')).toBe(
      `at /hash: expected "0x${'ab'.repeat(32)}", got "0x${'00'.repeat(32)}"`,
    );
    expect(reason('fixture: sign')).toBe('response is not JSON: "this is not json"');
    expect(reason('fixture: typed-data digest')).toBe(
      `no response within ${timeoutMs} ms; the implementation was restarted`,
    );
    expect(reason('fixture: verify rejects a bad signature')).toBe(
      'at /outcome: expected "reject", got "accept"',
    );
    expect(reason('fixture: verify answered with the wrong id')).toMatch(
      /^response id \d+ does not match request id \d+$/,
    );
    expect(reason('fixture: decide')).toBe(
      'the implementation answered an error instead of a result: FAULTY_INTERNAL (cannot do decide)',
    );
    // One start, then one restart after each of: two crashes, garbage, the hang, the wrong id.
    expect(report.spawns).toBe(6);
    expect(report.warnings).toEqual([]);

    const summary = Object.fromEntries(
      report.levels.map((l) => [l.level, `${l.status} ${l.passed}/${l.failed}/${l.unsupported}`]),
    );
    expect(summary).toEqual({
      schema: 'failed 1/1/0',
      envelope: 'failed 4/7/1',
      pool: 'failed 0/1/0',
      node: 'not-available 0/0/0',
      adapter: 'not-available 0/0/0',
      settlement: 'not-available 0/0/0',
    });

    const markdown = renderMarkdown(report);
    expect(markdown).toContain('| envelope | 4 | 7 | 1 | FAIL |');
    expect(markdown).toContain('**5 passed, 9 failed, 1 unsupported** of 15 cases run.');
    expect(markdown).toContain('### envelope/verify/basic.json: fixture: verify rejects a bad signature');
    expect(markdown).toContain('- section: `spec/v1/envelope.md#verification`');
    expect(markdown).toContain('- expected: `{"outcome":"reject","code":"ENVELOPE_BAD_SIGNATURE"}`');
    expect(markdown).toContain('- actual: `{"outcome":"accept"}`');
    expect(markdown).toContain('- envelope: ingest — 1 case(s) answered HARNESS_UNSUPPORTED_OP');
    // The fixture vectors have no node cases: the level is not available, not passed.
    expect(markdown).toContain('| node | – | – | – | NOT AVAILABLE: no vectors for this level in v1/node/ |');
  });

  it('fails every case with HARNESS_SPAWN_FAILED when the command cannot be started, trying once', async () => {
    const vectors = loadVectors({ root: fixtureVectors });
    const report = await runConformance({ argv: ['/nonexistent/sfr-harness'], vectors, timeoutMs });
    expect(report.cases).toHaveLength(15);
    expect(new Set(report.cases.map((c) => `${c.outcome} ${c.code}`))).toEqual(
      new Set(['failed HARNESS_SPAWN_FAILED']),
    );
    expect(report.cases[0]?.reason).toContain(
      'cannot start "/nonexistent/sfr-harness": spawn /nonexistent/sfr-harness ENOENT',
    );
    expect(report.spawns).toBe(1);
    expect(report.warnings[0]).toMatch(/^not run: the implementation could not be started/);
  });

  it('stops restarting an implementation that dies before answering, after 5 tries', async () => {
    const vectors = loadVectors({ root: fixtureVectors });
    const report = await runConformance({
      argv: ['node', '-e', 'process.stderr.write("no config\\n"); process.exit(1)'],
      vectors,
      timeoutMs,
    });
    expect(report.spawns).toBe(5);
    expect(report.cases.slice(0, 5).map((c) => c.code)).toEqual(Array(5).fill('HARNESS_CRASHED'));
    expect(report.cases[0]?.reason).toBe(
      'the implementation exited (exit code 1) while handling the request; stderr ends with: no config',
    );
    expect(report.cases.slice(5).every((c) => c.code === 'HARNESS_SPAWN_FAILED')).toBe(true);
  });
});
