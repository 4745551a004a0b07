import {
  type Problem,
  type RegisteredCodeOf,
  type RegisteredReasonCode,
  SfrError,
  sfrMessage,
} from '@sfr/schemas';
import type { FastifyReply } from 'fastify';

/** Reason codes of the HTTP API, generated from schemas/v1/registry/reason-codes/API.json. */
export type ApiCode = RegisteredCodeOf<'API'>;

/** The title of each API problem type (RFC 9457 §3.1.3: the same for every occurrence of the type). */
export const API_TITLES: Readonly<Record<ApiCode, string>> = {
  API_UNAUTHORIZED: 'Missing or wrong bearer token',
  API_INVALID_BODY: 'The request body is not a JSON document',
  API_BODY_TOO_LARGE: 'The request body is too large',
  API_UNSUPPORTED_MEDIA_TYPE: 'The request body must be application/json',
  API_BAD_PARAMETER: 'A query or path parameter is invalid',
  API_NOT_FOUND: 'Not found',
  API_METHOD_NOT_ALLOWED: 'The route does not serve this method',
  API_IDEMPOTENCY_CONFLICT: 'The idempotency key was used with another request',
  API_RATE_LIMITED: 'Too many requests',
  API_TOO_MANY_STREAMS: 'Too many open event streams',
  API_STORE_UNHEALTHY: 'The node store is damaged; the node does not sign',
  API_PUBLISH_FAILED: 'The node could not publish the message',
  API_INTERNAL_ERROR: 'Internal error',
  // Raised by API clients (the sfr CLI), never answered by a node (api.md#errors).
  API_UNREACHABLE: 'The node API does not answer',
  API_BAD_RESPONSE: 'The node API answered something the route does not document',
};

/** Problem type URIs: `https://sfr.dev/problems/<code>` (Problem.schema.json). */
export const PROBLEM_TYPE_BASE = 'https://sfr.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemInit {
  readonly status: number;
  readonly code: RegisteredReasonCode;
  readonly title?: string;
  readonly detail?: string;
  readonly pointer?: string;
  readonly field?: string;
  readonly expected?: string;
  readonly issues?: Problem['issues'];
}

export function buildProblem(p: ProblemInit): Problem {
  const title = p.title ?? API_TITLES[p.code as ApiCode] ?? 'The request was refused';
  return {
    type: `${PROBLEM_TYPE_BASE}${p.code}`,
    title,
    status: p.status,
    code: p.code,
    ...(p.detail === undefined ? {} : { detail: p.detail.slice(0, 2000) }),
    ...(p.pointer === undefined ? {} : { pointer: p.pointer }),
    ...(p.field === undefined ? {} : { field: p.field }),
    ...(p.expected === undefined ? {} : { expected: p.expected.slice(0, 1000) }),
    ...(p.issues === undefined ? {} : { issues: p.issues }),
  };
}

/**
 * An error a route handler throws to answer with a problem; the error handler renders `problem` (its
 * status, code and fields), so the error's own message is for logs only.
 */
export class ApiProblem extends SfrError<RegisteredReasonCode, Problem> {
  override readonly name = 'ApiProblem';
  readonly problem: Problem;
  constructor(init: ProblemInit) {
    const problem = buildProblem(init);
    super(init.code, sfrMessage(`${problem.code}: ${problem.title}`, init.code, 'api.md#errors'), {
      section: 'api.md#errors',
      details: problem,
    });
    this.problem = problem;
  }
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}
