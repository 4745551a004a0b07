import { validate } from '@sfr/schemas';
import { isRecord } from '../vectors/loadVectors.js';

export type CompareResultReturnType = { ok: true } | { ok: false; reason: string };

/**
 * Compares an op's `result` with a case's `expected`, by the rules of
 * spec/v1/conformance.md#comparison:
 * - `validate`: `{valid: true}` needs `valid === true`; `{valid: false, code, pointer}` needs
 *   `valid === false` and at least one returned issue with exactly that code and pointer (other
 *   issues may be present: a schema validator may report more than one problem);
 * - `decide`: `result` must be a valid `PoolDecideResult` (schemas/v1, pools.md#harness: every field,
 *   its form and every array's order are pinned), then `expected` is a subset of it;
 * - every other handler: `expected` is a subset of `result` (see {@link matchSubset}).
 */
export function compareResult(handler: string, expected: Record<string, unknown>, actual: unknown) {
  if (handler === 'validate') return compareValidate(expected, actual);
  if (handler === 'decide') {
    const checked = validate('PoolDecideResult', actual);
    if (!checked.ok) {
      const issue = checked.issues[0];
      return {
        ok: false as const,
        reason: `result is not a PoolDecideResult (pools.md#harness): ${issue?.code} at ${pointerText(issue?.pointer ?? '')}: ${issue?.message ?? ''}`,
      };
    }
  }
  return matchSubset(expected, actual);
}

function compareValidate(expected: Record<string, unknown>, actual: unknown): CompareResultReturnType {
  if (!isRecord(actual) || typeof actual['valid'] !== 'boolean') {
    return { ok: false, reason: 'result has no boolean `valid`' };
  }
  if (expected['valid'] === true) {
    if (actual['valid']) return { ok: true };
    return {
      ok: false,
      reason: `expected valid, got invalid with issues ${summarizeIssues(actual['issues'])}`,
    };
  }
  if (actual['valid']) {
    return {
      ok: false,
      reason: `expected invalid (${expected['code']} at ${pointerText(expected['pointer'])}), got valid`,
    };
  }
  const issues = actual['issues'];
  if (!Array.isArray(issues)) return { ok: false, reason: 'result is invalid but has no `issues` array' };
  const found = issues.some(
    (issue) =>
      isRecord(issue) && issue['code'] === expected['code'] && issue['pointer'] === expected['pointer'],
  );
  if (found) return { ok: true };
  return {
    ok: false,
    reason: `no issue with code ${expected['code']} at ${pointerText(expected['pointer'])}; got ${summarizeIssues(issues)}`,
  };
}

function pointerText(pointer: unknown): string {
  return pointer === '' ? '"" (the document root)' : JSON.stringify(pointer);
}

function summarizeIssues(issues: unknown): string {
  if (!Array.isArray(issues)) return '(no issues array)';
  const shown = issues
    .slice(0, 5)
    .map((i) =>
      isRecord(i) ? `${String(i['code'])} at ${JSON.stringify(i['pointer'])}` : JSON.stringify(i),
    );
  return `[${shown.join(', ')}${issues.length > 5 ? `, … ${issues.length - 5} more` : ''}]`;
}

/**
 * Subset deep-equality: every property of an expected object must be present in the actual object
 * and match recursively (extra actual properties are allowed); arrays must have the same length
 * and match element by element; everything else compares with `===` (strings byte for byte, so
 * hex case matters). Returns the JSON pointer of the first difference.
 */
export function matchSubset(expected: unknown, actual: unknown, at = ''): CompareResultReturnType {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return mismatch(at, 'an array', actual);
    if (actual.length !== expected.length) {
      return {
        ok: false,
        reason: `at ${where(at)}: expected ${expected.length} items, got ${actual.length}`,
      };
    }
    for (let i = 0; i < expected.length; i++) {
      const r = matchSubset(expected[i], actual[i], `${at}/${i}`);
      if (!r.ok) return r;
    }
    return { ok: true };
  }
  if (isRecord(expected)) {
    if (!isRecord(actual)) return mismatch(at, 'an object', actual);
    for (const key of Object.keys(expected)) {
      const child = `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (!Object.hasOwn(actual, key)) return { ok: false, reason: `at ${where(child)}: missing` };
      const r = matchSubset(expected[key], actual[key], child);
      if (!r.ok) return r;
    }
    return { ok: true };
  }
  if (expected === actual) return { ok: true };
  return mismatch(at, truncate(JSON.stringify(expected)), actual);
}

function mismatch(at: string, wanted: string, actual: unknown): CompareResultReturnType {
  return {
    ok: false,
    reason: `at ${where(at)}: expected ${wanted}, got ${truncate(JSON.stringify(actual) ?? 'undefined')}`,
  };
}

function where(pointer: string): string {
  return pointer === '' ? '/' : pointer;
}

/** Shortens a value for one line of a report. */
export function truncate(text: string, max = 160): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
