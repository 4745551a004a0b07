/**
 * The node's local HTTP API (fastify): submit recovery events and alerts (the node signs them),
 * query accepted messages, stream them (SSE with Last-Event-ID resume), status, peers, health,
 * metrics and the OpenAPI 3.1 document generated from @sfr/schemas.
 *
 *   const api = await createApi({ node, token, version, host?, port?, bodyLimit?, rateLimit?, readAuth?,
 *     streams?, timeouts?, maxConnections?, logger?, metrics?, idempotency? });
 *   const url = await api.listen();   …   await api.close();
 *
 * `node` is an `ApiNode`: { store, member, publish(type, payload, {issuedAt?}), status(), peers(), healthChecks?() }.
 * `idempotency`: durable idempotency records, `openIdempotencyStore(<dataDir>/idempotency)` (default in memory).
 */

export { type ApiNodeOfParameters, apiNodeOf } from './apiNodeOf.js';
export {
  type Api,
  type ApiNode,
  type CreateApiParameters,
  createApi,
  DEFAULT_BODY_LIMIT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_STREAMS,
  DEFAULT_RATE_LIMIT,
  DEFAULT_STREAMS,
  DEFAULT_TIMEOUTS,
  type NoticeSource,
  type PublishableType,
  publishProblem,
  STREAM_MAX_BUFFERED_BYTES,
} from './createApi.js';
export { createPoolHandlers, type PoolApi, poolProblem } from './createPoolHandlers.js';
export { decodeCursor, encodeCursor } from './cursor.js';
export { type GenerateOpenApiParameters, generateOpenApi } from './generateOpenApi.js';
export {
  IDEMPOTENCY_CAPACITY,
  type IdempotencyRecord,
  type IdempotencyStore,
  memoryIdempotencyStore,
  openIdempotencyStore,
} from './idempotencyStore.js';
export { POOL_ROUTES } from './poolRoutes.js';
export {
  API_TITLES,
  type ApiCode,
  ApiProblem,
  buildProblem,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
} from './problem.js';
export { MEMBER_ROUTES, NOTICE_ROUTES, ROUTES, type RouteSpec } from './routes.js';
