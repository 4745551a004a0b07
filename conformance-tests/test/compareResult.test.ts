import { describe, expect, it } from 'vitest';
import { compareResult, matchSubset, parseCommandLine } from '../src/index.js';

describe('compareResult', () => {
  it('validate: an invalid expectation passes when some issue has that code and pointer', () => {
    const expected = { valid: false, code: 'SCHEMA_REQUIRED', pointer: '/payload/kind' };
    const issues = [
      { code: 'SCHEMA_TYPE', pointer: '/seq' },
      { code: 'SCHEMA_REQUIRED', pointer: '/payload/kind', keyword: 'required' },
    ];
    expect(compareResult('validate', expected, { valid: false, issues })).toEqual({ ok: true });
    expect(compareResult('validate', expected, { valid: false, issues: issues.slice(0, 1) })).toEqual({
      ok: false,
      reason: 'no issue with code SCHEMA_REQUIRED at "/payload/kind"; got [SCHEMA_TYPE at "/seq"]',
    });
    expect(compareResult('validate', expected, { valid: true })).toEqual({
      ok: false,
      reason: 'expected invalid (SCHEMA_REQUIRED at "/payload/kind"), got valid',
    });
    expect(
      compareResult('validate', { valid: true }, { valid: false, issues: [{ code: 'X_Y', pointer: '' }] }),
    ).toEqual({
      ok: false,
      reason: 'expected valid, got invalid with issues [X_Y at ""]',
    });
    expect(compareResult('validate', { valid: true }, { ok: true })).toEqual({
      ok: false,
      reason: 'result has no boolean `valid`',
    });
  });

  it('decide: the result must be a PoolDecideResult before the subset comparison (pools.md#harness)', () => {
    const result = {
      poolId: null,
      epochs: [],
      claims: [],
      equivocations: [],
      refused: [],
      ledger: { capital: '0', paidOut: '0', forfeitedDeposits: '0', members: [] },
    };
    expect(compareResult('decide', { claims: [] }, result)).toEqual({ ok: true });
    // a subset match alone would pass; the schema says amounts are decimal strings
    const r = compareResult(
      'decide',
      { claims: [] },
      { ...result, ledger: { ...result.ledger, paidOut: 0 } },
    );
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(
      /^result is not a PoolDecideResult \(pools\.md#harness\): SCHEMA_TYPE at "\/ledger\/paidOut"/,
    );
  });

  it('other handlers: expected is a subset of the result; arrays match item by item', () => {
    expect(compareResult('verify', { outcome: 'accept' }, { outcome: 'accept', meta: { x: 1 } })).toEqual({
      ok: true,
    });
    expect(
      matchSubset({ results: [{ outcome: 'accept' }] }, { results: [{ outcome: 'accept' }, {}] }),
    ).toEqual({
      ok: false,
      reason: 'at /results: expected 1 items, got 2',
    });
    expect(matchSubset({ a: { 'b/c': 1 } }, { a: {} })).toEqual({ ok: false, reason: 'at /a/b~1c: missing' });
    expect(matchSubset({ hash: '0xab' }, { hash: '0xAB' })).toEqual({
      ok: false,
      reason: 'at /hash: expected "0xab", got "0xAB"',
    });
    expect(matchSubset({ n: 1 }, { n: '1' })).toEqual({ ok: false, reason: 'at /n: expected 1, got "1"' });
    expect(matchSubset([1], { 0: 1 })).toEqual({ ok: false, reason: 'at /: expected an array, got {"0":1}' });
  });
});

describe('parseCommandLine', () => {
  it('splits like a shell without running one', () => {
    expect(parseCommandLine(`node  "my dir/h.js" --x='a b' \\$HOME "q\\"q"`)).toEqual({
      ok: true,
      argv: ['node', 'my dir/h.js', '--x=a b', '$HOME', 'q"q'],
    });
    expect(parseCommandLine(`node ''`)).toEqual({ ok: true, argv: ['node', ''] });
    expect(parseCommandLine('   ')).toEqual({ ok: false, message: 'empty command line' });
    expect(parseCommandLine(`node 'x`)).toEqual({ ok: false, message: 'unterminated single quote' });
    expect(parseCommandLine(`node "x`)).toEqual({ ok: false, message: 'unterminated double quote' });
  });
});
