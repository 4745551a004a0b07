import type { RegisteredCodeOf } from './generated/v1/reasonCodes.js';

/** One reason a document is not valid. */
export interface ValidationIssue {
  /** A stable reason code from the `SCHEMA` registry (`schemas/v1/registry/reason-codes/SCHEMA.json`). */
  readonly code: RegisteredCodeOf<'SCHEMA'>;
  /** RFC 6901 JSON pointer to the offending value (for a missing or extra property: to that property). */
  readonly pointer: string;
  /** The JSON Schema keyword that failed (`required`, `pattern` …), or the pre-check that did (`depth`, `json` …). */
  readonly keyword: string;
  /** A short English message; its wording is part of the API and covered by tests. */
  readonly message: string;
  /** What was expected, when it can be said briefly (an enum's values, a pattern, a bound). */
  readonly expected?: string;
}

export type ValidateResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/** Escapes one JSON pointer reference token (RFC 6901 §3). */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function fail(issue: ValidationIssue): {
  readonly ok: false;
  readonly issues: readonly ValidationIssue[];
} {
  return { ok: false, issues: [issue] };
}
