import { EnvelopeError } from './errors.js';
import type { Result } from './types.js';

/** Deepest nesting accepted; SFR documents nest ~12 levels at most (evidence → envelope → payload). */
export const MAX_JSON_DEPTH = 64;

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

const nativeWellFormed = typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function';

function hasLoneSurrogate(s: string): boolean {
  // Node ≥ 20 has String.prototype.isWellFormed (ES2024), native and much faster than the loop below.
  if (nativeWellFormed) return !(s as unknown as { isWellFormed(): boolean }).isWellFormed();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

// Path of the value being written; a JSON pointer is built from it only on failure (hot path).
const path: string[] = [];

function fail(at: string | null, reason: string): never {
  const pointer =
    path.map((k) => `/${escapePointer(k)}`).join('') + (at === null ? '' : `/${escapePointer(at)}`);
  path.length = 0;
  throw new EnvelopeError('ENVELOPE_INVALID_INPUT', 'Value cannot be canonicalized as JSON (RFC 8785).', {
    details: `${reason} at "${pointer}"`,
    section: 'canonical-encoding',
    meta: { pointer, reason },
  });
}

function write(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) fail(null, 'non-finite number');
      // ECMAScript Number serialization is exactly RFC 8785 §3.2.2.3 (and -0 becomes "0").
      return JSON.stringify(value);
    case 'string':
      if (hasLoneSurrogate(value)) fail(null, 'lone surrogate in string');
      // JSON.stringify's escaping of a well-formed string is RFC 8785 §3.2.2.2.
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      fail(null, `${typeof value} is not a JSON value`);
  }
  if (depth >= MAX_JSON_DEPTH) fail(null, `nesting deeper than ${MAX_JSON_DEPTH}`);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      if (!(i in value)) fail(String(i), 'sparse array');
      path.push(String(i));
      out += write(value[i], depth + 1);
      path.pop();
    }
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) fail(null, 'not a plain object');
  const obj = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is the order RFC 8785 §3.2.3 prescribes.
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (hasLoneSurrogate(key)) fail(key, 'lone surrogate in key');
    if (i > 0) out += ',';
    path.push(key);
    out += `${JSON.stringify(key)}:${write(obj[key], depth + 1)}`;
    path.pop();
  }
  return `${out}}`;
}

/**
 * RFC 8785 (JCS) canonical JSON text of `value`. Accepts only JSON values: null, booleans,
 * finite numbers, well-formed strings, dense arrays and plain objects (no `undefined`).
 * Throws `EnvelopeError` `ENVELOPE_INVALID_INPUT` otherwise; see `tryCanonicalize`.
 */
export function canonicalize(value: unknown): string {
  path.length = 0;
  return write(value, 0);
}

/** `canonicalize` as a result value. */
export function tryCanonicalize(value: unknown): Result<string> {
  try {
    return { ok: true, value: canonicalize(value) };
  } catch (error) {
    if (error instanceof EnvelopeError) {
      return {
        ok: false,
        code: error.code,
        message: error.message,
        ...(error.meta ? { meta: error.meta } : {}),
      };
    }
    // Only a pathological value (e.g. a throwing getter) gets here.
    return { ok: false, code: 'ENVELOPE_INVALID_INPUT', message: String(error) };
  }
}
