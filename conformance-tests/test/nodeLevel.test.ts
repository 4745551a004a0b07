/**
 * The node level (spec/v1/conformance.md#node-level) run for real: the reference harness starts a
 * reference node, the runner joins it as libp2p gossip peers over loopback TCP. A deliberately faulty
 * node (test/fixtures/faulty-node-harness.mjs, a bare gossipsub host) must fail exactly the cases
 * its fault breaks, so the checks are shown to be able to fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultVectorsRoot, loadVectors, runConformance } from '../src/index.js';
import { makeVectorsRoot, packageDir, repoDir } from './helpers.js';

const referenceHarness = path.join(repoDir, 'reference-node/dist/harness/main.js');
const faultyNode = path.join(packageDir, 'test/fixtures/faulty-node-harness.mjs');

function nodeCases() {
  const vectors = loadVectors({ root: defaultVectorsRoot });
  expect(vectors.problems).toEqual([]);
  return vectors;
}

describe('node level', () => {
  it('the reference node passes every node vector', async () => {
    expect(existsSync(referenceHarness), `build the reference node first (npx tsc -b)`).toBe(true);
    const vectors = nodeCases();
    const report = await runConformance({
      argv: [process.execPath, referenceHarness],
      vectors,
      levels: ['node'],
      timeoutMs: 15_000,
    });
    const notPassed = report.cases
      .filter((c) => c.outcome !== 'passed')
      .map((c) => `${c.file}: ${c.description}: ${c.code}: ${c.reason}`);
    expect(notPassed).toEqual([]);
    const node = report.levels.find((l) => l.level === 'node');
    expect(node?.status).toBe('passed');
    expect(node?.cases).toBeGreaterThanOrEqual(26);
    // One harness process served every case: each case started and stopped its own node in it.
    expect(report.spawns).toBe(1);
  });

  it('a node that relays everything fails each invalid-message, penalty, duplicate, equivocation and sync case', async () => {
    const vectors = nodeCases();
    const report = await runConformance({
      argv: [process.execPath, faultyNode, '--mode', 'relay-all'],
      vectors,
      levels: ['node'],
      timeoutMs: 15_000,
    });
    const byOutcome = (o: string) =>
      report.cases
        .filter((c) => c.outcome === o)
        .map((c) => c.description)
        .sort();
    // It relays valid messages, and it never joined topics that are not SFR v1 topics.
    expect(byOutcome('passed')).toEqual([
      'node does not relay a valid envelope published on a topic of another MAJOR',
      'node does not relay a valid envelope published on a topic that is not an SFR topic',
      "node relays a member's message signed by its new key from the rotation's effectiveFromSeq",
      'node relays a retraction of a RecoveryEvent it does not hold',
      'node relays a valid ContagionAlert from a member',
      'node relays a valid RecoveryEvent from a member',
    ]);
    const failed = report.cases.filter((c) => c.outcome === 'failed');
    expect(failed.length).toBe(report.cases.length - 6);
    for (const c of failed) expect(c.code).toBe('HARNESS_RESULT_MISMATCH');
    const reason = (fragment: string) => failed.find((c) => c.description.includes(fragment))?.reason ?? '';
    expect(reason('signature has one byte flipped')).toMatch(/^at \/relayed: expected false, got true; /);
    expect(reason('floods badly signed')).toContain('at /flooderRelayed: expected false, got true');
    expect(reason('floods badly signed')).toContain('40 of which reached the observer');
    expect(reason('same bytes again')).toContain('at /deliveries: expected 1, got 2');
    expect(reason('signed by its old key')).toMatch(/^at \/relayed: expected false, got true; /);
    expect(reason('contract member')).toMatch(/^at \/relayed: expected false, got true; /);
    expect(reason('same issuer and seq')).toContain('at /secondRelayed: expected false, got true');
    expect(reason('same issuer and seq')).toContain('no valid EquivocationEvidence arrived');
    // It has no sync protocol at all.
    expect(reason('catch-up sync')).toMatch(/^at \/seqs: .*the range request .* failed/);
    expect(report.levels.find((l) => l.level === 'node')?.status).toBe('failed');
  });

  it('a node that relays nothing fails even the cases that expect no relay: the barrier proves nothing arrived', async () => {
    // Two cases copied from the real vectors, with a short relay timeout to keep the test quick.
    const pick = (file: string, fragment: string) => {
      const data = JSON.parse(readFileSync(path.join(defaultVectorsRoot, 'v1/node', file), 'utf8'));
      return {
        ...data,
        cases: data.cases.filter((c: { description: string }) => c.description.includes(fragment)),
      };
    };
    const { root, cleanup } = makeVectorsRoot({
      'v1/node/relay/valid.json': pick('relay/valid.json', 'ContagionAlert'),
      'v1/node/relay/invalid.json': pick('relay/invalid.json', 'one byte flipped'),
    });
    try {
      const vectors = loadVectors({ root });
      expect(vectors.problems).toEqual([]);
      const report = await runConformance({
        argv: [process.execPath, faultyNode, '--mode', 'drop-all'],
        vectors,
        levels: ['node'],
        timeoutMs: 15_000,
        nodeTimings: { relayTimeoutMs: 2_000 },
      });
      expect(report.cases.map((c) => [c.description, c.outcome, c.code])).toEqual([
        [
          'node does not relay an envelope whose signature has one byte flipped',
          'failed',
          'HARNESS_RESULT_MISMATCH',
        ],
        ['node relays a valid ContagionAlert from a member', 'failed', 'HARNESS_RESULT_MISMATCH'],
      ]);
      for (const c of report.cases) {
        expect(c.reason).toContain('the node did not relay a valid barrier message');
      }
    } finally {
      cleanup();
    }
  });

  it('an implementation whose nodeStart answers an error fails each case with that error', async () => {
    const vectors = nodeCases();
    const report = await runConformance({
      argv: [process.execPath, path.join(packageDir, 'test/fixtures/faulty-harness.mjs')],
      vectors,
      levels: ['node'],
      filter: 'relay/valid',
    });
    expect(report.cases.map((c) => [c.outcome, c.code])).toEqual([
      ['failed', 'HARNESS_UNEXPECTED_ERROR'],
      ['failed', 'HARNESS_UNEXPECTED_ERROR'],
      ['failed', 'HARNESS_UNEXPECTED_ERROR'],
    ]);
    expect(report.cases[0]?.reason).toBe(
      'nodeStart answered an error: FAULTY_INTERNAL (cannot do nodeStart)',
    );
  });
});
