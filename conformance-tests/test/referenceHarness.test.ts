import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultVectorsRoot, loadVectors, runConformance } from '../src/index.js';
import { repoDir } from './helpers.js';

// The reference implementation's harness (reference-node/src/harness), driven from the outside
// exactly as another language's implementation would be.
const harness = path.join(repoDir, 'reference-node/dist/harness/main.js');

describe('runner against the reference harness', () => {
  it('passes every schema, envelope and settlement vector', async () => {
    expect(
      existsSync(harness),
      `${harness} is missing: build the reference node first (npx tsc -b reference-node)`,
    ).toBe(true);
    const vectors = loadVectors({ root: defaultVectorsRoot });
    expect(vectors.problems).toEqual([]);
    const report = await runConformance({
      argv: [process.execPath, harness],
      vectors,
      levels: ['schema', 'envelope', 'settlement'],
      timeoutMs: 10_000,
    });
    const notPassed = report.cases
      .filter((c) => c.outcome !== 'passed')
      .map((c) => `${c.file}: ${c.description}: ${c.code}: ${c.reason}`);
    expect(notPassed).toEqual([]);
    const counts = Object.fromEntries(report.levels.map((l) => [l.level, l.status]));
    expect({
      schema: counts['schema'],
      envelope: counts['envelope'],
      settlement: counts['settlement'],
    }).toEqual({ schema: 'passed', envelope: 'passed', settlement: 'passed' });
    expect(report.spawns).toBe(1);
  });
});
