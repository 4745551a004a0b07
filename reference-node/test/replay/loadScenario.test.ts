/**
 * Scenario files (spec/v1/node.md#crisis-replays): every shipped one is valid, and a bad file is a
 * coded error naming the field and what was expected, before anything starts.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { SCENARIOS_DIR } from '../../src/cli/replay.js';
import { loadScenario, parseScenario, ReplayError } from '../../src/replay/index.js';

const EXAMPLE = path.resolve(
  import.meta.dirname,
  '../../../schemas/v1/examples/Scenario/valid/pause-seen-everywhere.json',
);
let dir: string;
let example: Record<string, unknown>;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sfr-scenario-'));
  example = JSON.parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: each case edits the example loosely, as a person would
const edit = (f: (d: any) => void): unknown => {
  const d = structuredClone(example);
  f(d);
  return d;
};
const failure = (f: () => unknown): { code: string; message: string; pointer?: string } => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ReplayError);
    const r = e as ReplayError;
    return { code: r.code, message: r.message, ...(r.pointer === undefined ? {} : { pointer: r.pointer }) };
  }
  throw new Error('no error');
};

describe('scenario files', () => {
  it('every shipped scenario is valid and named after its file', async () => {
    const files = (await readdir(SCENARIOS_DIR)).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(1);
    for (const f of files) {
      const s = await loadScenario(path.join(SCENARIOS_DIR, f));
      expect(`${s.name}.json`).toBe(f);
    }
  });

  it('a file that is missing or not JSON: REPLAY_SCENARIO_UNREADABLE', async () => {
    await expect(loadScenario(path.join(dir, 'none.json'))).rejects.toMatchObject({
      code: 'REPLAY_SCENARIO_UNREADABLE',
    });
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '{"name": ');
    await expect(loadScenario(bad)).rejects.toThrow(`${bad} is not JSON`);
  });

  it('a schema violation names the field, what was expected and the SCHEMA code', () => {
    expect(
      failure(() =>
        parseScenario(
          edit((d) => (d.nodes[0].name = 'Perps')),
          'x.json',
        ),
      ),
    ).toEqual({
      code: 'REPLAY_SCENARIO_INVALID',
      message:
        'x.json at /nodes/0/name: does not match the pattern (expected ^[a-z][a-z0-9-]{0,31}$) [SCHEMA_PATTERN]',
      pointer: '/nodes/0/name',
    });
    expect(failure(() => parseScenario(edit((d) => (d.steps[0].advanceTime = { seconds: 5 })))).code).toBe(
      'REPLAY_SCENARIO_INVALID',
    );
  });

  it('a name the scenario does not define: REPLAY_UNKNOWN_NAME with what is defined', () => {
    expect(
      failure(() =>
        parseScenario(
          edit((d) => (d.expect.notices[0].node = 'lendr')),
          'x.json',
        ),
      ),
    ).toEqual({
      code: 'REPLAY_UNKNOWN_NAME',
      message: 'x.json at /expect/notices/0/node: no node named "lendr" (defined: perps, lender)',
      pointer: '/expect/notices/0/node',
    });
    expect(
      failure(() =>
        parseScenario(
          edit((d) => (d.nodes[0].adapters[0].config.contracts[0].address = '$vualt')),
          'x.json',
        ),
      ).message,
    ).toBe(
      'x.json at /nodes/0/adapters/0/config/contracts/0/address: no contract named "vualt" (defined: vault)',
    );
    expect(
      failure(() =>
        parseScenario(
          edit((d) => (d.nodes[1].name = 'perps')),
          'x.json',
        ),
      ).message,
    ).toBe('x.json at /nodes/1/name: "perps" is defined twice');
    expect(
      failure(() =>
        parseScenario(
          edit((d) =>
            d.steps.push({
              claim: { node: 'perps', incidentId: 'i', kind: 'bad_debt_realized', requestedAmount: '1' },
            }),
          ),
          'x.json',
        ),
      ).message,
    ).toBe("x.json at /steps/1/claim: a claim needs the scenario's pool");
  });

  it('sfr replay answers a bad file with the code on stderr and exit 1, starting nothing', async () => {
    const file = path.join(dir, 'unknown-node.json');
    await writeFile(file, JSON.stringify(edit((d) => (d.steps[0] = { stopNode: 'ghost' }))));
    const err: string[] = [];
    const code = await runCli(['replay', file], { stdout: () => undefined, stderr: (s) => void err.push(s) });
    expect(code).toBe(1);
    expect(err.join('')).toBe(
      `error REPLAY_UNKNOWN_NAME: ${file} at /steps/0/stopNode: no node named "ghost" (defined: perps, lender)\n`,
    );
  });
});
