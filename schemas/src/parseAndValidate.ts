import type { SchemaTypeMap } from './generated/v1/types.js';
import { fail, type ValidateResult, type ValidationIssue } from './issue.js';
import { resolveLimits, type ValidationLimits } from './limits.js';
import type { SchemaKind } from './schemaKinds.js';
import { internalError, validate } from './validate.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses JSON text (a string, or UTF-8 bytes) and validates it as `kind`. Size and nesting depth are
 * enforced on the raw text BEFORE `JSON.parse`, so an oversized or deeply nested input costs one linear
 * scan and never reaches the parser or ajv. Never throws.
 */
export function parseAndValidate<K extends SchemaKind>(
  kind: K,
  input: string | Uint8Array,
  limits?: Partial<ValidationLimits>,
): ValidateResult<SchemaTypeMap[K]>;
export function parseAndValidate(
  kind: string,
  input: string | Uint8Array,
  limits?: Partial<ValidationLimits>,
): ValidateResult<unknown>;
export function parseAndValidate(
  kind: string,
  input: string | Uint8Array,
  limits?: Partial<ValidationLimits>,
): ValidateResult<unknown> {
  try {
    const l = resolveLimits(limits);
    let text: string;
    if (typeof input === 'string') {
      // A UTF-16 code unit is at least one UTF-8 byte, so length > maxBytes settles it without encoding.
      if (input.length > l.maxBytes || Buffer.byteLength(input, 'utf8') > l.maxBytes)
        return fail(tooLarge(l));
      text = input;
    } else if (input instanceof Uint8Array) {
      if (input.byteLength > l.maxBytes) return fail(tooLarge(l));
      try {
        text = utf8.decode(input);
      } catch {
        return fail(notJson('bytes are not valid UTF-8'));
      }
    } else {
      return fail(notJson('input is neither a string nor bytes'));
    }
    const depthIssue = checkTextDepth(text, l.maxDepth);
    if (depthIssue !== undefined) return fail(depthIssue);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      return fail(notJson(cause instanceof SyntaxError ? cause.message.slice(0, 200) : 'unparseable'));
    }
    return validate(kind, value, l);
  } catch (cause) {
    return internalError(cause);
  }
}

/** Scans JSON text for its maximum nesting depth, skipping strings; stops at the first excess. */
function checkTextDepth(text: string, maxDepth: number): ValidationIssue | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) {
        return {
          code: 'SCHEMA_TOO_DEEP',
          pointer: '',
          keyword: 'depth',
          message: `document nests deeper than ${maxDepth} levels`,
          expected: `at most ${maxDepth} levels of nesting`,
        };
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return undefined;
}

function tooLarge(l: ValidationLimits): ValidationIssue {
  return {
    code: 'SCHEMA_TOO_LARGE',
    pointer: '',
    keyword: 'size',
    message: `document is larger than ${l.maxBytes} bytes`,
    expected: `at most ${l.maxBytes} bytes`,
  };
}

function notJson(detail: string): ValidationIssue {
  return {
    code: 'SCHEMA_NOT_JSON',
    pointer: '',
    keyword: 'json',
    message: `document is not JSON: ${detail}`,
  };
}
