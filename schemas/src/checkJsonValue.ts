import { escapePointerToken, type ValidationIssue } from './issue.js';
import type { ValidationLimits } from './limits.js';

/** Keys that could reach an object's prototype chain in careless consumers; SFR documents never use them. */
const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Checks, without recursion (so any depth is safe), that `value` is a plain JSON value within the limits:
 * only null, booleans, finite numbers, strings, arrays and plain objects; no forbidden key; bounded size,
 * depth and node count. Returns the first problem found, or undefined. Cycles are caught by the depth bound.
 */
export function checkJsonValue(value: unknown, limits: ValidationLimits): ValidationIssue | undefined {
  const stack: Frame[] = [{ v: value, depth: 1, key: '', parent: undefined }];
  let nodes = 0;
  let bytes = 0;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { v, depth } = frame;
    nodes++;
    if (nodes > limits.maxNodes) {
      return {
        code: 'SCHEMA_TOO_LARGE',
        pointer: '',
        keyword: 'size',
        message: `document has more than ${limits.maxNodes} values`,
        expected: `at most ${limits.maxNodes} values`,
      };
    }
    if (v === null || typeof v === 'boolean') {
      bytes += 4;
    } else if (typeof v === 'string') {
      bytes += v.length + 2;
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return notJson(frame, 'a non-finite number');
      bytes += 8;
    } else if (typeof v === 'object') {
      if (depth > limits.maxDepth) {
        return {
          code: 'SCHEMA_TOO_DEEP',
          // The root, as parseAndValidate's pre-parse scan reports it: the two entry points agree.
          pointer: '',
          keyword: 'depth',
          message: `document nests deeper than ${limits.maxDepth} levels`,
          expected: `at most ${limits.maxDepth} levels of nesting`,
        };
      }
      bytes += 2;
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--)
          stack.push({ v: v[i], depth: depth + 1, key: String(i), parent: frame });
      } else {
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null)
          return notJson(frame, 'an object that is not a plain object');
        const keys = Object.keys(v);
        if (Object.getOwnPropertySymbols(v).length > 0) return notJson(frame, 'an object with symbol keys');
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i]!;
          bytes += key.length + 3;
          if (forbiddenKeys.has(key)) {
            return {
              code: 'SCHEMA_FORBIDDEN_KEY',
              pointer: toPointer(frame) + '/' + escapePointerToken(key),
              keyword: 'propertyNames',
              message: `property name "${key}" is not allowed anywhere in an SFR document`,
              expected: 'no __proto__, constructor or prototype keys',
            };
          }
          stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1, key, parent: frame });
        }
      }
    } else {
      return notJson(frame, `a value of type ${typeof v}`);
    }
    if (bytes > limits.maxBytes) {
      return {
        code: 'SCHEMA_TOO_LARGE',
        pointer: '',
        keyword: 'size',
        message: `document is larger than ${limits.maxBytes} bytes`,
        expected: `at most ${limits.maxBytes} bytes`,
      };
    }
  }
  return undefined;
}

function notJson(frame: Frame, what: string): ValidationIssue {
  return {
    code: 'SCHEMA_NOT_JSON',
    pointer: toPointer(frame),
    keyword: 'json',
    message: `document is not JSON: ${what}`,
    expected: 'null, a boolean, a finite number, a string, an array or a plain object',
  };
}

interface Frame {
  readonly v: unknown;
  readonly depth: number;
  readonly key: string;
  readonly parent: Frame | undefined;
}

function toPointer(frame: Frame): string {
  const tokens: string[] = [];
  for (let f: Frame | undefined = frame; f?.parent !== undefined; f = f.parent)
    tokens.push(escapePointerToken(f.key));
  return tokens.length === 0 ? '' : '/' + tokens.reverse().join('/');
}
