/**
 * A request body checked against its @sfr/schemas kind (api.md rule 3): 415 without a JSON body, 400
 * for a document that is not acceptable JSON (not JSON, too large, too deep), 422 with every issue
 * (code, pointer, expected) for one that does not match its schema. Every route with a body uses it.
 */
import { parseAndValidate } from '@sfr/schemas';
import type { FastifyRequest } from 'fastify';
import { ApiProblem } from './problem.js';

const MALFORMED = new Set(['SCHEMA_NOT_JSON', 'SCHEMA_TOO_LARGE', 'SCHEMA_TOO_DEEP']);
/** Issues listed in one problem document. */
const MAX_ISSUES = 100;

export function parseBody<T>(req: FastifyRequest, kind: string, bodyLimit: number): T {
  const body = req.body;
  if (!(body instanceof Uint8Array)) {
    throw new ApiProblem({
      status: 415,
      code: 'API_UNSUPPORTED_MEDIA_TYPE',
      expected: 'Content-Type: application/json',
    });
  }
  const v = parseAndValidate(kind, body, { maxBytes: bodyLimit });
  if (v.ok) return v.value as T;
  const issue = v.issues[0]!;
  const malformed = MALFORMED.has(issue.code);
  throw new ApiProblem({
    status: malformed ? 400 : 422,
    code: issue.code,
    title: malformed
      ? 'The request body is not an acceptable JSON document'
      : 'The request body does not match its schema',
    detail: issue.message,
    pointer: issue.pointer,
    ...(issue.expected === undefined ? {} : { expected: issue.expected }),
    issues: v.issues.slice(0, MAX_ISSUES).map((i) => ({
      code: i.code,
      pointer: i.pointer,
      message: i.message.slice(0, 500),
      ...(i.expected === undefined ? {} : { expected: i.expected.slice(0, 1000) }),
    })),
  });
}
