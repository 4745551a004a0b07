import { checkJsonValue } from './checkJsonValue.js';
import type { SchemaTypeMap } from './generated/v1/types.js';
import { fail, type ValidateResult } from './issue.js';
import { resolveLimits, type ValidationLimits } from './limits.js';
import { type SchemaKind, schemaIdOf, schemaKinds } from './schemaKinds.js';
import { getValidateFunction, toIssue } from './validator.js';

const kindSet: ReadonlySet<string> = new Set(schemaKinds);

/** Is `kind` one of the kinds `validate` knows? */
export function isSchemaKind(kind: unknown): kind is SchemaKind {
  return typeof kind === 'string' && kindSet.has(kind);
}

/**
 * Validates a parsed document against the schema of `kind`.
 *
 * Never throws and never modifies `value`. Before the schema, the value is checked to be plain JSON within
 * `limits` (size, depth, node count; no `__proto__` / `constructor` / `prototype` keys). On failure the
 * result carries one issue: the first problem found, with a stable `SCHEMA_*` code and a JSON pointer.
 */
export function validate<K extends SchemaKind>(
  kind: K,
  value: unknown,
  limits?: Partial<ValidationLimits>,
): ValidateResult<SchemaTypeMap[K]>;
export function validate(
  kind: string,
  value: unknown,
  limits?: Partial<ValidationLimits>,
): ValidateResult<unknown>;
export function validate(
  kind: string,
  value: unknown,
  limits?: Partial<ValidationLimits>,
): ValidateResult<unknown> {
  try {
    if (!isSchemaKind(kind)) {
      return fail({
        code: 'SCHEMA_UNKNOWN_KIND',
        pointer: '',
        keyword: 'kind',
        message: `unknown schema kind ${JSON.stringify(String(kind)).slice(0, 80)}`,
        expected: schemaKinds.join(' | '),
      });
    }
    const problem = checkJsonValue(value, resolveLimits(limits));
    if (problem !== undefined) return fail(problem);
    return validateChecked(kind, value);
  } catch (cause) {
    return internalError(cause);
  }
}

/** Runs the compiled schema on a value already known to be plain JSON within limits. */
export function validateChecked(kind: SchemaKind, value: unknown): ValidateResult<unknown> {
  const fn = getValidateFunction(schemaIdOf(kind));
  if (fn === undefined) {
    return fail({
      code: 'SCHEMA_INTERNAL_ERROR',
      pointer: '',
      keyword: 'internal',
      message: `schema of ${kind} missing`,
    });
  }
  if (fn(value) === true) return { ok: true, value };
  return fail(toIssue(fn.errors));
}

export function internalError(cause: unknown): ValidateResult<never> {
  // A stack overflow or a bug of ours: reported as an issue (the node maps it to IGNORE), never thrown.
  const what = cause instanceof Error ? cause.name : typeof cause;
  return fail({
    code: 'SCHEMA_INTERNAL_ERROR',
    pointer: '',
    keyword: 'internal',
    message: `validator failed internally (${what})`,
  });
}
