/**
 * The adapter level (spec/v1/conformance.md#adapter-level) run for real: the runner starts anvil,
 * plays each scenario, and the reference harness answers with the real adapter packages. A
 * deliberately faulty harness (test/fixtures/faulty-adapter-harness.mjs, which rewrites the
 * reference harness's answers) must fail exactly the cases its fault breaks, so the checks are
 * shown to be able to fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultVectorsRoot, loadVectors, main, runConformance } from '../src/index.js';
import { captureIo, makeVectorsRoot, packageDir, repoDir } from './helpers.js';

const referenceHarness = path.join(repoDir, 'reference-node/dist/harness/main.js');
const faultyAdapters = path.join(packageDir, 'test/fixtures/faulty-adapter-harness.mjs');

function vectors() {
  const loaded = loadVectors({ root: defaultVectorsRoot });
  expect(loaded.problems).toEqual([]);
  return loaded;
}

const faulty = (modes: string) => [
  process.execPath,
  faultyAdapters,
  '--mode',
  modes,
  '--',
  process.execPath,
  referenceHarness,
];

describe('adapter level', () => {
  it('the reference adapters pass every adapter vector, each case on a fresh anvil', async () => {
    expect(existsSync(referenceHarness), 'build the reference node first (npx tsc -b)').toBe(true);
    const report = await runConformance({
      argv: [process.execPath, referenceHarness],
      vectors: vectors(),
      levels: ['adapter'],
      timeoutMs: 15_000,
    });
    const notPassed = report.cases
      .filter((c) => c.outcome !== 'passed')
      .map((c) => `${c.file}: ${c.description}: ${c.code}: ${c.reason}`);
    expect(notPassed).toEqual([]);
    const adapter = report.levels.find((l) => l.level === 'adapter');
    expect(adapter?.status).toBe('passed');
    expect(adapter?.cases).toBeGreaterThanOrEqual(130);
    const files = new Set(report.cases.map((c) => c.file));
    for (const suite of ['pausable', 'aave-v3', 'compound-v3', 'chainlink', 'liquity-v2', 'gmx-v2']) {
      expect(files).toContain(`adapter/scan/${suite}.json`);
      expect(files).toContain(`adapter/verifyEvidence/${suite}.json`);
    }
    expect(report.spawns).toBe(1);
  });

  it('an adapter that reports the wrong kind and accepts any evidence ref fails exactly those cases', async () => {
    const loaded = vectors();
    const report = await runConformance({
      argv: faulty('wrong-kind,accept-all'),
      vectors: loaded,
      levels: ['adapter'],
      timeoutMs: 15_000,
    });
    const failed = report.cases.filter((c) => c.outcome === 'failed');
    for (const c of failed) expect(c.code).toBe('HARNESS_RESULT_MISMATCH');
    // wrong-kind: every scan case that expects an emergency_pause, and no other.
    expect(
      failed
        .filter((c) => c.handler === 'scan')
        .map((c) => c.description)
        .sort(),
    ).toEqual([
      'aave-v3: a pool-wide pause (three ReservePaused in one transaction) is ONE emergency_pause (critical) citing all three; unpausing is ONE resume',
      'aave-v3: one ReservePaused(true) → emergency_pause (guardian, high) citing its log',
      'compound-v3: PauseAction is the full pause state: some flags → emergency_pause (high), all five → critical, none → resume',
      'compound-v3: three PauseAction in three transactions of one block → three outputs in log order',
      'gmx-v2: SetBool of a *_FEATURE_DISABLED key → emergency_pause (governance); IS_MARKET_DISABLED → market_frozen then resume; another key → nothing',
      'pausable: Paused → emergency_pause (high), then Unpaused → resume (info), citing each log',
      'pausable: pauseSeverity from the config sets the severity of emergency_pause',
      'pausable: six Paused mined in one block yield six emergency_pause, in log order',
      'pausable: the incident is reported once it has the 3 configured confirmations',
    ]);
    const reason = (fragment: string) => failed.find((c) => c.description.includes(fragment))?.reason ?? '';
    expect(reason('pausable: Paused → emergency_pause')).toMatch(
      /^at \/outputs\/0\/payload\/kind: expected "emergency_pause", got "market_frozen"/,
    );
    // accept-all: every evidence case whose answer is a refusal, and no other.
    const refusals = failed.filter((c) => c.handler === 'verifyEvidence');
    expect(refusals.map((c) => c.description).sort()).toEqual(
      loaded.files
        .filter((f) => f.runner === 'adapter' && f.handler === 'verifyEvidence')
        .flatMap((f) => f.cases)
        .filter((c) => c.expected['ok'] === false)
        .map((c) => c.description)
        .sort(),
    );
    expect(refusals).toHaveLength(78);
    for (const c of refusals) expect(c.reason).toMatch(/^at \/ok: expected false, got true/);
    const codes = new Set(refusals.map((c) => c.expected['code']));
    expect([...codes].sort()).toEqual([
      'EVIDENCE_INSUFFICIENT_CONFIRMATIONS',
      'EVIDENCE_MALFORMED',
      'EVIDENCE_NOT_FOUND',
      'EVIDENCE_REORGED',
      'EVIDENCE_RESULT_MISMATCH',
      'EVIDENCE_RPC_UNAVAILABLE',
      'EVIDENCE_UNKNOWN_CALL',
      'EVIDENCE_WRONG_CHAIN',
      'EVIDENCE_WRONG_EMITTER',
      'EVIDENCE_WRONG_TOPIC',
    ]);
    expect(report.cases.filter((c) => c.outcome === 'passed')).toHaveLength(report.cases.length - 87);
    expect(report.levels.find((l) => l.level === 'adapter')?.status).toBe('failed');
  });

  it('an implementation without an adapter answers HARNESS_UNSUPPORTED_OP: its cases are unsupported, not failed', async () => {
    const report = await runConformance({
      argv: faulty('no-aave'),
      vectors: vectors(),
      levels: ['adapter'],
      filter: 'aave-v3: aave-v3: ',
      timeoutMs: 15_000,
    });
    expect(report.cases.length).toBe(25);
    for (const c of report.cases) {
      expect([c.outcome, c.code, c.reason]).toEqual([
        'unsupported',
        'HARNESS_UNSUPPORTED_OP',
        expect.stringMatching(
          /^the implementation does not support adapter(Scan|VerifyEvidence) for adapter aave-v3$/,
        ),
      ]);
    }
    expect(report.levels.find((l) => l.level === 'adapter')?.status).toBe('incomplete');
  });

  it('a scenario the runner cannot play fails its case before the implementation is asked', async () => {
    const data = JSON.parse(
      readFileSync(path.join(defaultVectorsRoot, 'v1/adapter/scan/pausable.json'), 'utf8'),
    ) as { cases: { description: string; input: { scenario: { steps: Record<string, unknown>[] } } }[] };
    const [first, second] = data.cases as [(typeof data.cases)[0], (typeof data.cases)[0]];
    // PausableMock has no such function and no fallback: the transaction reverts.
    first.input.scenario.steps = [{ kind: 'call', contract: 'watched', function: 'explode()', args: [] }];
    // A placeholder naming a transaction the scenario does not label.
    second.input.scenario.steps = [{ kind: 'call', contract: 'watched', function: 'pause()', args: [] }];
    const { root, cleanup } = makeVectorsRoot({
      'v1/adapter/scan/pausable.json': { ...data, cases: [first, second] },
    });
    try {
      const loaded = loadVectors({ root });
      expect(loaded.problems).toEqual([]);
      const report = await runConformance({ argv: faulty(''), vectors: loaded, levels: ['adapter'] });
      expect(report.cases.map((c) => [c.outcome, c.code, c.reason, c.actual])).toEqual([
        [
          'failed',
          'HARNESS_INVALID_VECTOR_FILE',
          'the runner could not play the scenario on anvil: watched.explode() reverted',
          undefined,
        ],
        [
          'failed',
          'HARNESS_INVALID_VECTOR_FILE',
          'the runner could not play the scenario on anvil: placeholder {{block:pause}}: no transaction labelled pause',
          undefined,
        ],
      ]);
    } finally {
      cleanup();
    }
  });

  it('without anvil the level is NOT AVAILABLE and a run that requests it exits 1', async () => {
    const { io, out } = captureIo();
    const code = await main(
      [
        'run',
        '--impl',
        `${process.execPath} ${referenceHarness}`,
        '--level',
        'adapter',
        '--anvil',
        '/nonexistent/anvil',
      ],
      io,
    );
    expect(code).toBe(1);
    expect(out.stdout).toContain(
      '| adapter | – | – | – | NOT AVAILABLE: anvil at /nonexistent/anvil is not an executable file |',
    );
  });
});
