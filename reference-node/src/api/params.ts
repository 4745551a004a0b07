import type { FastifyRequest } from 'fastify';
import { ApiProblem } from './problem.js';

/**
 * The request's query and path parameters, checked one way for every route (api.md#errors): a bad
 * parameter is 400 `API_BAD_PARAMETER` naming it in `field` with what was `expected` (a body error
 * names a JSON `pointer` instead: parseBody).
 */

/** 32 bytes in the API's form: message, claim, pool and proposal ids. */
export const HEX32 = /^0x[0-9a-f]{64}$/;

export function badParameter(field: string, expected: string, detail?: string): ApiProblem {
  return new ApiProblem({
    status: 400,
    code: 'API_BAD_PARAMETER',
    field,
    expected,
    ...(detail ? { detail } : {}),
  });
}

/** The integer query parameter `name` (decimal, no sign) in `min` … `max`, or undefined when absent. */
export function intParam(
  q: Readonly<Record<string, unknown>>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  const s = String(v);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(s) || Number(s) < min || Number(s) > max) {
    throw badParameter(name, `an integer ${min} … ${max}`);
  }
  return Number(s);
}

/** The query, refused when it names a parameter outside `allowed` or repeats one. */
export function readQuery(req: FastifyRequest, allowed: readonly string[]): Record<string, string> {
  const q = (req.query ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(q)) {
    if (!allowed.includes(k))
      throw badParameter(
        k.slice(0, 128) || '?',
        `one of: ${allowed.join(', ') || '(none)'}`,
        'unknown query parameter',
      );
    if (typeof v !== 'string') throw badParameter(k, 'a single value');
  }
  return q as Record<string, string>;
}

/**
 * The path parameter `name`, refused unless it matches `re`, or passes a generated guard (`isPoolId`,
 * `isMessageId`: then it is returned as that type, parsed rather than cast).
 */
export function pathParam<T extends string = string>(
  req: FastifyRequest,
  name: string,
  re: RegExp | ((value: unknown) => value is T),
  expected: string,
): T {
  const v = (req.params as Record<string, string>)[name] ?? '';
  if (re instanceof RegExp ? !re.test(v) : !re(v)) throw badParameter(name, expected);
  return v as T;
}
