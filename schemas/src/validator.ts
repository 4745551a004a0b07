import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { createAjv } from './createAjv.js';
import type { RegisteredCodeOf } from './generated/v1/reasonCodes.js';
import { validators as precompiled } from './generated/v1/validators.js';
import { escapePointerToken, type ValidationIssue } from './issue.js';

/**
 * One ajv instance for the process, built on first use, for a schema `$id` the generated validators
 * do not hold (none, while they are current: `npm run check:generated` fails otherwise).
 */
let ajvInstance: Ajv2020 | undefined;

export function getAjv(): Ajv2020 {
  ajvInstance ??= createAjv();
  return ajvInstance;
}

const compiled = new Map<string, ValidateFunction>();

/**
 * The validator of a schema `$id`, cached; undefined if no such schema. Each one comes precompiled
 * (generated/v1/validators.ts, ajv's standalone code of the same schemas and options): compiling them
 * at run time cost a node about 0.7 s of CPU at every start (the NodeConfig schema, then the
 * envelope's at the first message), 45 nodes starting on 2 cores (issue 13). ajv compiles only an
 * `$id` the generated module lacks.
 */
export function getValidateFunction(id: string): ValidateFunction | undefined {
  const cached = compiled.get(id);
  if (cached !== undefined) return cached;
  const fn = (precompiled[id] as ValidateFunction | undefined) ?? getAjv().getSchema(id);
  if (fn !== undefined) compiled.set(id, fn);
  return fn;
}

/**
 * Turns ajv's errors (first-error mode) into the one issue that explains the failure. In first-error mode
 * ajv's list ends with the keyword that failed the document; errors of a failed `if`'s `then` come before
 * the `if` error, so the last error that is not an `if` is the cause. For `anyOf` / `oneOf` that is the
 * combinator itself (its branches' errors come before it), which is the honest answer.
 */
export function toIssue(errors: readonly ErrorObject[] | null | undefined): ValidationIssue {
  const list = errors ?? [];
  let error: ErrorObject | undefined;
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i]!.keyword !== 'if') {
      error = list[i];
      break;
    }
  }
  if (error === undefined) error = list[list.length - 1];
  if (error === undefined) {
    return {
      code: 'SCHEMA_INTERNAL_ERROR',
      pointer: '',
      keyword: 'internal',
      message: 'validator failed without a reason',
    };
  }
  return mapError(error);
}

function child(pointer: string, token: string): string {
  return `${pointer}/${escapePointerToken(token)}`;
}

function mapError(e: ErrorObject): ValidationIssue {
  const p = e.params as Record<string, unknown>;
  const at = e.instancePath;
  const issue = (
    code: RegisteredCodeOf<'SCHEMA'>,
    pointer: string,
    message: string,
    expected?: string,
  ): ValidationIssue =>
    expected === undefined
      ? { code, pointer, keyword: e.keyword, message }
      : { code, pointer, keyword: e.keyword, message, expected };
  if (
    e.propertyName !== undefined ||
    (e.keyword === 'propertyNames' && typeof p['propertyName'] === 'string')
  ) {
    const name = e.propertyName ?? String(p['propertyName']);
    return issue('SCHEMA_PROPERTY_NAME', child(at, name), `property name "${name}" is not allowed here`);
  }
  switch (e.keyword) {
    case 'required':
    case 'dependentRequired': {
      const name = String(p['missingProperty']);
      return issue(
        'SCHEMA_REQUIRED',
        child(at, name),
        `missing required property "${name}"`,
        `property "${name}"`,
      );
    }
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const name = String(p['additionalProperty'] ?? p['unevaluatedProperty']);
      return issue(
        'SCHEMA_ADDITIONAL_PROPERTY',
        child(at, name),
        `unknown property "${name}"`,
        'no such property',
      );
    }
    case 'false schema':
      return issue(
        'SCHEMA_FORBIDDEN_PROPERTY',
        at,
        'property not allowed in this context',
        'property absent',
      );
    case 'type':
      return issue('SCHEMA_TYPE', at, `must be ${String(p['type'])}`, String(p['type']));
    case 'enum': {
      const allowed = (p['allowedValues'] as unknown[] | undefined) ?? [];
      return issue(
        'SCHEMA_ENUM',
        at,
        'must be one of the allowed values',
        allowed.map((v) => JSON.stringify(v)).join(' | '),
      );
    }
    case 'const':
      // A constant is a one-value enum.
      return issue('SCHEMA_ENUM', at, 'must equal the constant', JSON.stringify(p['allowedValue']));
    case 'pattern':
      return issue('SCHEMA_PATTERN', at, 'does not match the pattern', String(p['pattern']));
    case 'format': {
      const format = String(p['format']);
      if (format === 'uint256')
        return issue('SCHEMA_UINT256_OVERFLOW', at, 'must be below 2^256', 'an integer < 2^256');
      if (format === 'int256') {
        return issue(
          'SCHEMA_INT256_OVERFLOW',
          at,
          'must be within the int256 range',
          'an integer in [-2^255, 2^255)',
        );
      }
      return issue('SCHEMA_FORMAT', at, `must be a valid ${format}`, format);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return issue(
        'SCHEMA_OUT_OF_RANGE',
        at,
        `must be ${String(p['comparison'])} ${String(p['limit'])}`,
        `${String(p['comparison'])} ${String(p['limit'])}`,
      );
    case 'multipleOf':
      return issue('SCHEMA_OUT_OF_RANGE', at, `must be a multiple of ${String(p['multipleOf'])}`);
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties': {
      const bound = e.keyword.startsWith('min') ? 'at least' : 'at most';
      const limit = Number(p['limit']);
      const kind = e.keyword.endsWith('Length')
        ? 'character'
        : e.keyword.endsWith('Items')
          ? 'item'
          : 'property';
      const unit = limit === 1 ? kind : kind === 'property' ? 'properties' : `${kind}s`;
      const expected = `${bound} ${limit} ${unit}`;
      return issue('SCHEMA_LENGTH', at, `must have ${expected}`, expected);
    }
    case 'uniqueItems':
      return issue(
        'SCHEMA_DUPLICATE_ITEM',
        child(at, String(p['i'])),
        `duplicates item ${String(p['j'])}`,
        'unique items',
      );
    case 'oneOf':
      return issue('SCHEMA_ONE_OF', at, 'must match exactly one of the alternatives');
    case 'anyOf':
      return issue('SCHEMA_ONE_OF', at, 'must match at least one of the alternatives');
    case 'discriminator': {
      const tag = String(p['tag']);
      const pointer = child(at, tag);
      if (p['error'] === 'mapping') return issue('SCHEMA_ENUM', pointer, `"${tag}" has no known value`);
      if (p['tagValue'] === undefined)
        return issue('SCHEMA_REQUIRED', pointer, `missing required property "${tag}"`, `property "${tag}"`);
      return issue('SCHEMA_TYPE', pointer, `"${tag}" must be string`, 'string');
    }
    default:
      return issue('SCHEMA_INVALID', at, e.message ?? `fails keyword ${e.keyword}`);
  }
}
