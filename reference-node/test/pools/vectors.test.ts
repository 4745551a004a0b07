import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareResult } from '../../../conformance-tests/src/runner/compareResult.js';
import { decidePoolOp } from '../../src/pools/index.js';

const dir = new URL('../../../conformance-tests/vectors/v1/pool/decide/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

type VectorFile = {
  runner: string;
  handler: string;
  suite: string;
  cases: {
    description: string;
    section: string;
    input: Record<string, unknown>;
    expected: Record<string, unknown>;
  }[];
};

describe('pool conformance vectors (conformance-tests/vectors/v1/pool/decide)', () => {
  it('has the suites the spec lists', () => {
    expect(files.sort()).toEqual([
      'amendments.json',
      'filing.json',
      'payout.json',
      'permutations.json',
      'refusals.json',
      'voting.json',
    ]);
  });
  for (const f of files) {
    const v = JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as VectorFile;
    describe(f, () => {
      it('is a pool/decide file with unique descriptions', () => {
        expect([v.runner, v.handler, `${v.suite}.json`]).toEqual(['pool', 'decide', f]);
        expect(new Set(v.cases.map((c) => c.description)).size).toBe(v.cases.length);
      });
      for (const c of v.cases) {
        it(c.description, () => {
          const r = decidePoolOp(c.input);
          if (!r.ok) throw new Error(r.error.message);
          // The conformance runner's rule: a valid PoolDecideResult, then `expected` a subset of it.
          expect(compareResult('decide', c.expected, JSON.parse(JSON.stringify(r.result)))).toEqual({
            ok: true,
          });
        });
      }
    });
  }

  it('answers bad input with POOL_INPUT_INVALID, never a throw', () => {
    expect(decidePoolOp({ charter: [], messages: [], now: 0 })).toMatchObject({
      ok: false,
      error: { code: 'POOL_INPUT_INVALID' },
    });
    expect(decidePoolOp({ charter: 'x', messages: 'nope', now: 0 })).toMatchObject({
      ok: false,
      error: { code: 'POOL_INPUT_INVALID' },
    });
    expect(decidePoolOp({ charter: 'x', messages: [], now: -1 })).toMatchObject({
      ok: false,
      error: { code: 'POOL_INPUT_INVALID' },
    });
    const garbage = decidePoolOp({ charter: '{"not":"an envelope"}', messages: ['', '[]', '{}'], now: 0 });
    expect(garbage.ok && (garbage.result['refused'] as { code: string }[]).map((x) => x.code)).toEqual([
      'ENVELOPE_MALFORMED',
      'ENVELOPE_MALFORMED',
      'ENVELOPE_MALFORMED',
      'ENVELOPE_MALFORMED',
    ]);
  });
});
