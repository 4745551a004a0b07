import { createHash, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import rateLimit from '@fastify/rate-limit';
import type {
  HealthResponse,
  HttpRateLimitConfig,
  HttpStreamsConfig,
  HttpTimeoutsConfig,
  MemberListResponse,
  MessageListItem,
  PeerListResponse,
  Problem,
  Proposal,
  StatusResponse,
  SubmitResponse,
} from '@sfr/schemas';
import {
  isMessageType,
  isRegisteredReasonCode,
  MESSAGE_TYPES,
  type MessageId,
  registeredCodeOf,
} from '@sfr/schemas';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isAlertVoid } from '../contagion/isAlertVoid.js';
import { createDashboardHandlers, DASHBOARD_ROUTES } from '../dashboard/index.js';
import { tryCanonicalize } from '../envelope/canonicalize.js';
import type { Logger } from '../logging/index.js';
import { collectMetrics, type Metrics, statusClass } from '../metrics/index.js';
import type { Store, StoredMessage } from '../store/index.js';
import { clientAddressOf } from './clientAddress.js';
import { createKeyHandlers, type KeyApi } from './createKeyHandlers.js';
import { createPoolHandlers, type PoolApi } from './createPoolHandlers.js';
import {
  createProposalHandlers,
  heldProposal,
  type ProposalApi,
  sendProposal,
} from './createProposalHandlers.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { generateOpenApi } from './generateOpenApi.js';
import { type IdempotencyStore, memoryIdempotencyStore } from './idempotencyStore.js';
import { createIdempotentSubmitter } from './idempotentSubmit.js';
import { KEY_ROUTES } from './keyRoutes.js';
import { badParameter, HEX32, intParam, readQuery } from './params.js';
import { parseBody } from './parseBody.js';
import { POOL_ROUTES } from './poolRoutes.js';
import { ApiProblem, buildProblem, PROBLEM_CONTENT_TYPE, sendProblem } from './problem.js';
import { asProposalRoutes, PROPOSAL_ROUTES } from './proposalRoutes.js';
import { ALERT_TTL_MAX_MS, MEMBER_ROUTES, NOTICE_ROUTES, ROUTES, type RouteSpec } from './routes.js';

/** Default request body limit: 64 KiB (a RecoveryEvent with 32 evidence refs is ≈ 20 KiB). */
export const DEFAULT_BODY_LIMIT = 65_536;
/**
 * Default request budgets, per route and client (NodeConfig http.rateLimit, api.md#limits): 600
 * requests a minute (10/s) each for reads and for authenticated writes, enough for an adapter.
 */
export const DEFAULT_RATE_LIMIT = { windowMs: 60_000, reads: 600, writes: 600 } as const;
/** Default stream slots (NodeConfig http.streams, api.md#limits). */
export const DEFAULT_STREAMS = { max: 64, perClient: 8, authenticated: 16, stallMs: 30_000 } as const;
/** @deprecated use DEFAULT_STREAMS.max */
export const DEFAULT_MAX_STREAMS = DEFAULT_STREAMS.max;
/**
 * Default connection timeouts (NodeConfig http.timeouts): headers in 10 s and a whole request in
 * 30 s (a 64 KiB body at 20 kbit/s), 60 s without traffic (streams send a comment every 15 s), and
 * Node's own 5 s keep-alive.
 */
export const DEFAULT_TIMEOUTS = {
  headersMs: 10_000,
  requestMs: 30_000,
  idleMs: 60_000,
  keepAliveMs: 5_000,
} as const;
/** Default cap on open connections (NodeConfig http.maxConnections): far below a process's 20 000 fds. */
export const DEFAULT_MAX_CONNECTIONS = 1_024;
/** A live stream client further behind than this many buffered bytes is disconnected (it can resume). */
export const STREAM_MAX_BUFFERED_BYTES = 1_048_576;
/** Comment line sent on idle streams so proxies and clients keep the connection. */
export const STREAM_HEARTBEAT_MS = 15_000;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const MESSAGE_ID = HEX32;

export type PublishableType = 'RecoveryEvent' | 'ContagionAlert';

/** What the API needs from the node (E1's `createNode` provides it; tests may assemble one). */
export interface ApiNode {
  readonly store: Store;
  /** The member address this node signs as, as its store keys it. */
  readonly member: string;
  /**
   * Signs `payload` as the member, stores it durably, then gossips it. Resolves only once stored.
   * Throws an error with a registered reason `code` when the node refuses the message.
   */
  publish(
    type: PublishableType,
    payload: Record<string, unknown>,
    options: {
      readonly issuedAt?: number;
      /** A multisig member's node: the message is held as a proposal first (node.md#multisig-members). */
      readonly onProposal?: (proposal: Proposal) => void;
    },
  ): Promise<{ readonly messageId: MessageId; readonly seq: number; readonly envelope: unknown }>;
  /** Everything of StatusResponse except `store`, which the API fills in. */
  status(): Omit<StatusResponse, 'store'> | Promise<Omit<StatusResponse, 'store'>>;
  peers(): PeerListResponse['peers'] | Promise<PeerListResponse['peers']>;
  /** Checks besides the store's (gossip, chains, clock …). */
  healthChecks?(): HealthResponse['checks'] | Promise<HealthResponse['checks']>;
}

export interface CreateApiParameters {
  readonly node: ApiNode;
  /** Bearer token required on every route that changes anything (≥ 16 characters). */
  readonly token: string;
  /** Node software version (OpenAPI info.version). */
  readonly version: string;
  /** Interface to bind; default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (a free port). */
  readonly port?: number;
  readonly bodyLimit?: number;
  /** Request budgets per route and client (NodeConfig http.rateLimit). */
  readonly rateLimit?: HttpRateLimitConfig;
  /** Require the token on reads too (NodeConfig http.readAuth); `open` routes stay open. */
  readonly readAuth?: boolean;
  /** Stream slots and stall timeout (NodeConfig http.streams). */
  readonly streams?: HttpStreamsConfig;
  /** Connection and request timeouts (NodeConfig http.timeouts). */
  readonly timeouts?: HttpTimeoutsConfig;
  /** Open connections accepted at once (NodeConfig http.maxConnections). */
  readonly maxConnections?: number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** The node's pool service: mounts the pool routes (`POOL_ROUTES`) when given. */
  readonly pools?: PoolApi;
  /** The node's contagion responder: mounts the notice stream (`NOTICE_ROUTES`) when given. */
  readonly notices?: NoticeSource;
  /** Durable idempotency records (`openIdempotencyStore(<dataDir>/idempotency)`); default in memory. */
  readonly idempotency?: IdempotencyStore;
  /** Key rotation (node.md#rotation): mounts `POST /v1/keys/rotate` (`KEY_ROUTES`) when given. */
  readonly keys?: KeyApi;
  /**
   * A multisig member's proposals (node.md#multisig-members): mounts `PROPOSAL_ROUTES` when given, and
   * the submit routes answer 202 with the proposal instead of 201 with the published message.
   */
  readonly proposals?: ProposalApi;
  /** The node's liveness tracker: mounts `GET /v1/members` (`MEMBER_ROUTES`) when given. */
  readonly members?: { view(): MemberListResponse };
}

/** A source of contagion notices (the responder's `onNotice`); the API streams them as SSE. */
export interface NoticeSource {
  onNotice(listener: (notice: { readonly event: string; readonly body: unknown }) => void): () => void;
}

export interface Api {
  readonly app: FastifyInstance;
  /** Starts listening; resolves to the base URL (`http://127.0.0.1:PORT`). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** How many messages one `GET /v1/messages?retracted=` request reads at most before it answers a page. */
const RETRACTED_SCAN = 10_000;

/** A stored message as the API lists it; a live one carries its decoded envelope, which is not parsed again. */
function itemOf(m: StoredMessage & { readonly envelope?: unknown }): MessageListItem {
  return {
    messageId: m.id,
    receivedAt: m.receivedAt,
    envelope: (m.envelope ?? JSON.parse(Buffer.from(m.wire).toString('utf8'))) as MessageListItem['envelope'],
  };
}

/**
 * Builds the HTTP API server (fastify): routes of `ROUTES`, bearer auth on every mutation,
 * schema-validated bodies (`parseAndValidate` from @sfr/schemas, size and depth checked before
 * parsing), RFC 9457 problem+json errors carrying the reason code, body-size and rate limits.
 * Bad input changes nothing: a body is validated completely before anything is signed.
 */
export async function createApi(parameters: CreateApiParameters): Promise<Api> {
  const { node, metrics } = parameters;
  if (parameters.token.length < 16)
    throw new Error('createApi: the bearer token must be at least 16 characters');
  const log = parameters.logger?.child({ component: 'api' });
  const tokenDigest = digest(parameters.token);
  const bodyLimit = parameters.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const budgets = { ...DEFAULT_RATE_LIMIT, ...parameters.rateLimit };
  const streamLimits = { ...DEFAULT_STREAMS, ...parameters.streams };
  const timeouts = { ...DEFAULT_TIMEOUTS, ...parameters.timeouts };
  const problemCode = new WeakMap<FastifyRequest, string>();
  const submitter = createIdempotentSubmitter({
    records: parameters.idempotency ?? memoryIdempotencyStore(),
    store: node.store,
    member: node.member,
    ...(parameters.proposals === undefined ? {} : { proposals: parameters.proposals }),
  });
  const openStreams = new Set<() => void>();
  /** Open streams without the token, by client address; and those with it. */
  const anonymousStreams = new Map<string, number>();
  let authenticatedStreams = 0;
  let openApi: Record<string, unknown> | undefined;
  const routes: readonly RouteSpec[] = [
    ...ROUTES,
    ...(parameters.pools === undefined ? [] : POOL_ROUTES),
    ...(parameters.notices === undefined ? [] : NOTICE_ROUTES),
    ...(parameters.members === undefined ? [] : MEMBER_ROUTES),
    ...(parameters.keys === undefined ? [] : KEY_ROUTES),
    ...(parameters.proposals === undefined ? [] : PROPOSAL_ROUTES),
    ...DASHBOARD_ROUTES,
  ];
  // node.md#multisig-members: every write of a multisig member's node answers 202 with its proposal.
  const mounted = parameters.proposals === undefined ? routes : asProposalRoutes(routes);
  const notices = parameters.notices === undefined ? undefined : createNoticeLog(parameters.notices);

  const app = Fastify({
    logger: false,
    bodyLimit,
    trustProxy: false,
    return503OnClosing: true,
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    // Node checks the header and request timeouts every 30 s by default: a 10 s limit would hold
    // connections up to 40 s. Check often enough for the limits to mean what they say.
    http: {
      headersTimeout: timeouts.headersMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(timeouts.headersMs / 4))),
    },
  });
  app.server.maxConnections = parameters.maxConnections ?? DEFAULT_MAX_CONNECTIONS;

  // Bodies: only application/json, handed over as bytes so that @sfr/schemas enforces size and
  // depth before JSON.parse (no prototype pollution, no deep-nesting stack blow-up).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
    done(null, body);
  });

  // Budgets are per route (each route's own counter) and per client: the token when the request
  // carries it, else the address, so that a flood from one address (all of loopback is one) never
  // spends the operator's authenticated budget. `open` routes (health, readiness, metrics) have none.
  await app.register(rateLimit, { global: false, keyGenerator: (req) => clientOf(req) });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, req, reply) => {
    let problem: Problem;
    if (error instanceof ApiProblem) problem = error.problem;
    else if (error.statusCode === 429) {
      const max = req.method === 'POST' ? budgets.writes : budgets.reads;
      problem = buildProblem({
        status: 429,
        code: 'API_RATE_LIMITED',
        expected: `at most ${max} requests to ${req.routeOptions.url ?? 'this route'} per ${budgets.windowMs} ms`,
      });
    } else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      problem = buildProblem({
        status: 413,
        code: 'API_BODY_TOO_LARGE',
        expected: `at most ${bodyLimit} bytes`,
      });
    } else if (
      error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ||
      error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH'
    ) {
      problem = buildProblem({
        status: 415,
        code: 'API_UNSUPPORTED_MEDIA_TYPE',
        expected: 'Content-Type: application/json',
      });
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      problem = buildProblem({
        status: 400,
        code: 'API_INVALID_BODY',
        expected: 'a well-formed HTTP request',
      });
    } else {
      log?.error(
        { err: { name: error.name, message: error.message, code: error.code }, route: req.routeOptions.url },
        'internal error',
      );
      problem = buildProblem({ status: 500, code: 'API_INTERNAL_ERROR' });
    }
    problemCode.set(req, problem.code);
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((req, reply) => {
    // A route that exists under another method answers 405 with Allow (RFC 9110 §15.5.6).
    const allow = methodsOf(mounted, (req.url.split('?')[0] ?? '').slice(0, 2048));
    const problem =
      allow.length > 0
        ? buildProblem({
            status: 405,
            code: 'API_METHOD_NOT_ALLOWED',
            expected: allow.join(', '),
            detail: `${req.method.slice(0, 16)} is not served here`,
          })
        : buildProblem({ status: 404, code: 'API_NOT_FOUND', detail: 'no such route' });
    problemCode.set(req, problem.code);
    if (allow.length > 0) void reply.header('allow', allow.join(', '));
    return sendProblem(reply, problem);
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics?.httpRequests.inc({
      route,
      method: req.method,
      status: statusClass(reply.statusCode),
      code: problemCode.get(req) ?? '',
    });
    metrics?.httpDuration.observe({ route }, reply.elapsedTime / 1000);
    log?.debug(
      { method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  /** Whether the request carries the node's bearer token (memoized per request). */
  const authenticated = new WeakMap<FastifyRequest, boolean>();
  const isAuthenticated = (req: FastifyRequest): boolean => {
    let known = authenticated.get(req);
    if (known === undefined) {
      const h = req.headers.authorization;
      const m = typeof h === 'string' ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(h) : null;
      known = m !== null && timingSafeEqual(digest(m[1]!), tokenDigest);
      authenticated.set(req, known);
    }
    return known;
  };
  /** The rate-limit and stream-slot client: the token holder, or the remote address (loopback is one). */
  const clientOf = (req: FastifyRequest): string =>
    isAuthenticated(req) ? 'token' : `ip:${clientAddressOf(req.ip)}`;

  const authenticate = async (req: FastifyRequest): Promise<void> => {
    if (!isAuthenticated(req)) {
      throw new ApiProblem({
        status: 401,
        code: 'API_UNAUTHORIZED',
        expected: 'Authorization: Bearer <token from http.tokenFile>',
      });
    }
  };

  const publishFrom =
    (kind: 'SubmitRecoveryEventRequest' | 'SubmitAlertRequest', type: PublishableType) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      // `POST /v1/alerts?ttlMs`: the alert's times from the node's clock (api.md rule 11).
      const query = readQuery(req, type === 'ContagionAlert' ? ['ttlMs'] : []);
      const ttlMs = intParam(query, 'ttlMs', 1, ALERT_TTL_MAX_MS);
      const sent = parseBody<{
        payload: Record<string, unknown>;
        issuedAt?: number;
        idempotencyKey?: string;
      }>(req, kind, bodyLimit);
      const now = Date.now();
      const request =
        ttlMs === undefined
          ? sent
          : { ...sent, ttlMs, payload: { ...sent.payload, observedAt: now, expiresAt: now + ttlMs } };
      if (!node.store.isHealthy()) {
        throw new ApiProblem({
          status: 503,
          code: 'API_STORE_UNHEALTHY',
          detail: node.store.health().issues[0]?.code ?? 'store closed',
        });
      }
      const run = async (): Promise<SubmitResponse> => {
        let published: Awaited<ReturnType<ApiNode['publish']>>;
        try {
          published = await node.publish(
            type,
            request.payload,
            request.issuedAt === undefined ? {} : { issuedAt: request.issuedAt },
          );
        } catch (error) {
          throw publishProblem(error, log);
        }
        // The contract: answer only once the message is durably stored.
        if ((await node.store.getMessage(published.messageId)) === undefined) {
          log?.error(
            { messageId: published.messageId },
            'publish resolved but the message is not in the store',
          );
          throw new ApiProblem({
            status: 500,
            code: 'API_PUBLISH_FAILED',
            detail: 'the message was not stored',
          });
        }
        return {
          messageId: published.messageId,
          seq: published.seq,
          envelope: published.envelope as SubmitResponse['envelope'],
        };
      };
      // A body that has no canonical form (a lone surrogate) is refused before anything is reserved.
      const canonical = tryCanonicalize(request.payload);
      if (!canonical.ok) {
        throw new ApiProblem({
          status: 422,
          code: registeredCodeOf(canonical, 'ENVELOPE_INVALID_INPUT'),
          field: '/payload',
          detail: canonical.message,
        });
      }
      const key = request.idempotencyKey === undefined ? undefined : `${type}:${request.idempotencyKey}`;
      if (parameters.proposals !== undefined) {
        const proposal = await submitter.propose(key, request, () =>
          heldProposal(
            type,
            (onProposal) =>
              node.publish(type, request.payload, {
                ...(request.issuedAt === undefined ? {} : { issuedAt: request.issuedAt }),
                onProposal,
              }),
            (error) => publishProblem(error, log),
            log,
          ),
        );
        return sendProposal(reply, proposal);
      }
      const result = submitter.submit(key, request, run);
      const response = await result;
      log?.info({ type, messageId: response.messageId, seq: response.seq }, 'published');
      return reply.code(201).send(response);
    };

  const handlers: Record<string, (req: FastifyRequest, reply: FastifyReply) => unknown> = {
    submitRecoveryEvent: publishFrom('SubmitRecoveryEventRequest', 'RecoveryEvent'),
    submitAlert: publishFrom('SubmitAlertRequest', 'ContagionAlert'),

    getMessage: async (req) => {
      readQuery(req, []);
      const { id } = req.params as { id: string };
      if (!MESSAGE_ID.test(id)) throw badParameter('id', 'a message id: 0x and 64 lower-case hex digits');
      const m = await node.store.getMessage(id);
      if (m === undefined)
        throw new ApiProblem({
          status: 404,
          code: 'API_NOT_FOUND',
          detail: 'no accepted message has this id',
        });
      return itemOf(m);
    },

    getRetraction: async (req) => {
      readQuery(req, []);
      const { id } = req.params as { id: string };
      if (!MESSAGE_ID.test(id)) throw badParameter('id', 'a message id: 0x and 64 lower-case hex digits');
      const m = await node.store.getMessage(id);
      const by = m?.type === 'RecoveryEvent' ? await node.store.retractedBy(id, m.issuer) : undefined;
      const retraction = by === undefined ? undefined : await node.store.getMessage(by);
      if (retraction === undefined)
        throw new ApiProblem({
          status: 404,
          code: 'API_NOT_FOUND',
          detail:
            m === undefined
              ? 'no accepted message has this id'
              : 'this message is not a RecoveryEvent retracted by its issuer',
        });
      return itemOf(retraction);
    },

    listMessages: async (req) => {
      const q = readQuery(req, ['type', 'issuer', 'since', 'cursor', 'limit', 'retracted']);
      const onlyRetracted = q['retracted'] === undefined ? undefined : q['retracted'] === 'true';
      if (q['retracted'] !== undefined && q['retracted'] !== 'true' && q['retracted'] !== 'false')
        throw badParameter('retracted', 'true | false');
      const type =
        (q['type'] as string | undefined) ?? (onlyRetracted === undefined ? undefined : 'RecoveryEvent');
      if (type !== undefined && !isMessageType(type)) throw badParameter('type', MESSAGE_TYPES.join(' | '));
      if (onlyRetracted !== undefined && type !== 'RecoveryEvent')
        throw badParameter('retracted', 'only with type RecoveryEvent (or no type)');
      const issuer = q['issuer'] as string | undefined;
      if (issuer !== undefined && !ADDRESS.test(issuer))
        throw badParameter('issuer', 'an address: 0x and 40 hex digits');
      const since = intParam(q, 'since', 0, Number.MAX_SAFE_INTEGER);
      const limit = intParam(q, 'limit', 1, 1000) ?? 100;
      let after = 0;
      if (q['cursor'] !== undefined) {
        const c = decodeCursor(q['cursor'] as string);
        if (c === undefined) throw badParameter('cursor', 'a nextCursor returned by this node');
        after = c;
      }
      // With `retracted`, pages are read until `limit` items match or RETRACTED_SCAN messages were
      // read: a page may then hold fewer items than `limit`, with a nextCursor to go on from.
      const items: MessageListItem[] = [];
      let nextCursor: number | null = after;
      for (let scanned = 0; nextCursor !== null && items.length < limit && scanned < RETRACTED_SCAN; ) {
        const r = await node.store.queryMessages({
          after: nextCursor,
          limit: limit - items.length,
          ...(type === undefined ? {} : { type }),
          ...(issuer === undefined ? {} : { issuer }),
          ...(since === undefined ? {} : { from: since }),
        });
        if (!r.ok) throw badParameter('query', r.detail);
        for (const m of r.messages) {
          if (onlyRetracted !== undefined) {
            const retracted = (await node.store.retractedBy(m.id, m.issuer)) !== undefined;
            if (onlyRetracted !== retracted) continue;
          }
          items.push(itemOf(m));
        }
        nextCursor = r.nextCursor;
        scanned += r.messages.length;
        if (onlyRetracted === undefined || r.messages.length === 0) break;
      }
      return {
        items,
        ...(nextCursor === null ? {} : { nextCursor: encodeCursor(nextCursor) }),
      };
    },

    listActiveAlerts: async (req) => {
      const q = readQuery(req, ['limit']);
      const limit = intParam(q, 'limit', 1, 1000) ?? 1000;
      // A void alert (every source event retracted, contagion.md#expiry-and-resolution rule 4) is not active.
      const items = [];
      for (const m of await node.store.activeAlerts({ limit })) {
        const { payload } = JSON.parse(Buffer.from(m.wire).toString('utf8')) as {
          payload: Record<string, unknown>;
        };
        if (!(await isAlertVoid(payload, node.store))) items.push(itemOf(m));
      }
      return { items };
    },

    getStatus: async (req) => {
      readQuery(req, []);
      const s = await node.status();
      const stats = await node.store.stats();
      const store: StatusResponse['store'] = { messages: stats.messages, bytes: stats.approximateBytes };
      return { ...s, store } satisfies StatusResponse;
    },

    listPeers: async (req) => {
      readQuery(req, []);
      return { peers: await node.peers() } satisfies PeerListResponse;
    },

    listMembers: async (req) => {
      readQuery(req, []);
      return parameters.members!.view() satisfies MemberListResponse;
    },

    getHealth: async (req, reply) => {
      readQuery(req, []);
      const { status, checks } = await healthOf();
      return reply.code(status === 'ok' ? 200 : 503).send({ status, checks } satisfies HealthResponse);
    },

    getReady: async (req, reply) => {
      readQuery(req, []);
      const { status, checks } = await healthOf();
      return reply.code(status === 'down' ? 503 : 200).send({ status, checks } satisfies HealthResponse);
    },

    getMetrics: async (req, reply) => {
      readQuery(req, []);
      if (metrics === undefined) return reply.type('text/plain; version=0.0.4').send('');
      return reply.type(metrics.registry.contentType).send(await collectMetrics(metrics, node.store));
    },

    getOpenApi: async (req, reply) => {
      readQuery(req, []);
      openApi ??= generateOpenApi({ version: parameters.version, routes: mounted });
      return reply.type('application/json').send(openApi);
    },

    streamMessages: async (req, reply) => {
      const q = readQuery(req, ['type', 'after']);
      const type = q['type'] as string | undefined;
      if (type !== undefined && !isMessageType(type)) throw badParameter('type', MESSAGE_TYPES.join(' | '));
      let after = intParam(q, 'after', 0, Number.MAX_SAFE_INTEGER) ?? 0;
      const lastEventId = req.headers['last-event-id'];
      if (lastEventId !== undefined) {
        if (typeof lastEventId !== 'string' || !/^(0|[1-9][0-9]{0,15})$/.test(lastEventId)) {
          throw badParameter('Last-Event-ID', 'an event id sent by this stream (an integer)');
        }
        after = Number(lastEventId);
      }
      await streamTo(openEventStream(req, reply), { after, type });
    },

    streamNotices: async (req, reply) => {
      readQuery(req, []);
      const lastEventId = req.headers['last-event-id'];
      let after: { epoch: string; n: number } | undefined;
      if (lastEventId !== undefined) {
        const m = typeof lastEventId === 'string' ? /^([0-9]{1,16})\.([0-9]{1,16})$/.exec(lastEventId) : null;
        if (m === null) throw badParameter('Last-Event-ID', 'a notice id sent by this stream (<epoch>.<n>)');
        after = { epoch: m[1]!, n: Number(m[2]) };
      }
      streamNoticesTo(openEventStream(req, reply), notices!, after);
    },
  };

  /** The checks behind `/health` and `/ready`: the store's, then the node's (gossip, adapters, clock). */
  async function healthOf(): Promise<HealthResponse> {
    const h = node.store.health();
    const checks: HealthResponse['checks'] = [
      h.healthy
        ? { name: 'store', status: 'ok' }
        : {
            name: 'store',
            status: 'down',
            detail: `${h.issues[0]?.code ?? 'STORE_CLOSED'}: the node does not sign`,
          },
      ...((await node.healthChecks?.()) ?? []),
    ];
    const status: HealthResponse['status'] = checks.some((c) => c.status === 'down')
      ? 'down'
      : checks.some((c) => c.status === 'degraded')
        ? 'degraded'
        : 'ok';
    return { status, checks: checks.slice(0, 32) };
  }

  /**
   * Opens a server-sent event stream on a hijacked reply (or refuses it, `API_TOO_MANY_STREAMS`):
   * headers, a heartbeat comment, the open-stream count, and one `close` for a client that left, a
   * client too slow to keep up (it can resume) and the API's shutdown.
   */
  function openEventStream(req: FastifyRequest, reply: FastifyReply): EventStream {
    // Slots: the token holder has its own; without it, `max` in all and `perClient` per address,
    // so one client cannot take every slot (api.md#limits).
    const withToken = isAuthenticated(req);
    const client = clientOf(req);
    const held = anonymousStreams.get(client) ?? 0;
    const anonymousOpen = openStreams.size - authenticatedStreams;
    const refusal = withToken
      ? authenticatedStreams >= streamLimits.authenticated
        ? `at most ${streamLimits.authenticated} open streams with the bearer token`
        : undefined
      : held >= streamLimits.perClient
        ? `at most ${streamLimits.perClient} open streams per client address`
        : anonymousOpen >= streamLimits.max
          ? `at most ${streamLimits.max} open streams without the bearer token`
          : undefined;
    if (refusal !== undefined) {
      throw new ApiProblem({ status: 503, code: 'API_TOO_MANY_STREAMS', expected: refusal });
    }
    if (withToken) authenticatedStreams += 1;
    else anonymousStreams.set(client, held + 1);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const cleanups: Array<() => void> = [];
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      for (const c of cleanups) c();
      clearInterval(heartbeat);
      clearTimeout(stall);
      if (withToken) authenticatedStreams -= 1;
      else {
        const n = (anonymousStreams.get(client) ?? 1) - 1;
        if (n > 0) anonymousStreams.set(client, n);
        else anonymousStreams.delete(client);
      }
      openStreams.delete(close);
      metrics?.sseClients.set(openStreams.size);
      res.end();
    };
    // A slow reader is cut off, not ended (api.md#limits rule 3): `res.end()` only queues the last
    // chunk behind what the client is not taking, and the keep-alive connection stayed open with all
    // of it buffered (≈ 120 s measured). A reset frees the node's buffer and the kernel's at once.
    const disconnect = (): void => {
      close();
      if (res.socket === null) res.destroy();
      else res.socket.resetAndDestroy();
    };
    // A client that takes nothing for `stallMs` while frames wait (write buffer above the socket's
    // high-water mark) is disconnected: it holds memory and a slot, and can resume with Last-Event-ID.
    let stall: NodeJS.Timeout | undefined;
    const watchStall = (): void => {
      if (closed || stall !== undefined || !res.writableNeedDrain) return;
      stall = setTimeout(() => {
        log?.info({ stalledMs: streamLimits.stallMs }, 'stream client stopped reading; disconnected');
        disconnect();
      }, streamLimits.stallMs);
      stall.unref();
    };
    res.on('drain', () => {
      clearTimeout(stall);
      stall = undefined;
    });
    const write = (frame: string): boolean => {
      const ok = res.write(frame);
      if (!ok) watchStall();
      return ok;
    };
    const heartbeat = setInterval(() => {
      if (!closed) write(': keep-alive\n\n');
    }, STREAM_HEARTBEAT_MS);
    heartbeat.unref();
    openStreams.add(close);
    metrics?.sseClients.set(openStreams.size);
    res.on('close', close);
    req.raw.on('close', close);
    return {
      res,
      get closed() {
        return closed;
      },
      write,
      sendLive(frame, lastEventId) {
        if (closed) return;
        write(frame);
        if (res.writableLength > STREAM_MAX_BUFFERED_BYTES) {
          log?.info({ lastEventId }, 'stream client too slow; disconnected (it can resume)');
          disconnect();
        }
      },
      onClose(cleanup) {
        if (closed) cleanup();
        else cleanups.push(cleanup);
      },
      close,
    };
  }

  function streamNoticesTo(
    stream: EventStream,
    notices_: NoticeLog,
    after: { epoch: string; n: number } | undefined,
  ): void {
    // Replay and subscription happen in the same tick, so no notice falls between them.
    const { replay, complete } = notices_.since(after);
    if (!complete) stream.write(`event: reset\ndata: {"epoch":"${notices_.epoch}"}\n\n`);
    for (const f of replay) stream.write(f.frame);
    stream.onClose(notices_.subscribe((f) => stream.sendLive(f.frame, f.id)));
  }

  async function streamTo(stream: EventStream, o: { after: number; type: string | undefined }) {
    const { res } = stream;
    let last = o.after;
    let live = false;
    let overflow = false;
    const pending: StoredMessage[] = [];
    let pendingBytes = 0;
    const frame = (m: StoredMessage): string | undefined => {
      if (m.cursor <= last) return undefined;
      last = m.cursor;
      if (o.type !== undefined && m.type !== o.type) return undefined;
      return `id: ${m.cursor}\nevent: message\ndata: ${JSON.stringify(itemOf(m))}\n\n`;
    };
    stream.onClose(
      node.store.onAppend((m) => {
        if (stream.closed) return;
        if (!live) {
          // Held while the replay runs, up to the same bound as a live client's buffer; beyond
          // it the replay runs another round from the store instead.
          if (pendingBytes + m.wire.byteLength <= STREAM_MAX_BUFFERED_BYTES) {
            pending.push(m);
            pendingBytes += m.wire.byteLength;
          } else overflow = true;
          return;
        }
        const f = frame(m);
        if (f !== undefined) stream.sendLive(f, last);
      }),
    );
    try {
      // Replay what the client missed, then go live; `frame` drops anything already sent.
      for (let round = 0; round < 8 && !stream.closed; round++) {
        overflow = false;
        pending.length = 0;
        pendingBytes = 0;
        for (;;) {
          const page = await node.store.readFrom(last, 500);
          for (const m of page.messages) {
            const f = frame(m);
            // A stalled reader is closed by the stall timer, which ends this wait too.
            if (f !== undefined && !stream.write(f) && !stream.closed) await drainOrClose(res);
            if (stream.closed) return;
          }
          if (page.nextCursor === null) break;
        }
        if (!overflow) break;
      }
      live = true;
      for (const m of pending.splice(0)) {
        const f = frame(m);
        if (f !== undefined) stream.write(f);
      }
    } catch (error) {
      log?.warn({ err: { message: (error as Error).message } }, 'stream replay failed');
      stream.close();
    }
  }

  if (parameters.pools !== undefined)
    Object.assign(
      handlers,
      createPoolHandlers({
        pools: parameters.pools,
        bodyLimit,
        proposing: parameters.proposals !== undefined,
        ...(log ? { logger: log } : {}),
      }),
    );
  if (parameters.proposals !== undefined)
    Object.assign(
      handlers,
      createProposalHandlers({ proposals: parameters.proposals, bodyLimit, ...(log ? { logger: log } : {}) }),
    );
  if (parameters.keys !== undefined)
    Object.assign(
      handlers,
      createKeyHandlers({ keys: parameters.keys, bodyLimit, ...(log ? { logger: log } : {}) }),
    );
  Object.assign(handlers, createDashboardHandlers({ store: node.store, ...(log ? { logger: log } : {}) }));
  for (const r of mounted) {
    const handler = handlers[r.operationId];
    if (handler === undefined) throw new Error(`createApi: no handler for ${r.operationId}`);
    const needsToken = r.auth || (parameters.readAuth === true && r.open !== true);
    app.route({
      method: r.method,
      url: r.url,
      ...(needsToken ? { onRequest: authenticate } : {}),
      ...(r.open === true
        ? {}
        : {
            config: {
              rateLimit: {
                max: r.method === 'POST' ? budgets.writes : budgets.reads,
                timeWindow: budgets.windowMs,
              },
            },
          }),
      handler: handler as (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
    });
  }

  return {
    app,
    async listen() {
      const url = await app.listen({ host: parameters.host ?? '127.0.0.1', port: parameters.port ?? 0 });
      log?.info({ url }, 'HTTP API listening');
      return url;
    },
    async close() {
      for (const c of [...openStreams]) c();
      notices?.close();
      // Requests in flight get CLOSE_GRACE_MS to finish; then every connection left is cut. Without
      // that, a client that keeps an ended event stream's connection open (fetch keeps one for 4 s)
      // held the node's shutdown for as long.
      const closing = app.close();
      const cut = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
      try {
        await closing;
      } finally {
        clearTimeout(cut);
      }
    },
  };
}

/** Resolves at the response's next `drain` or `close`, whichever comes first. */
async function drainOrClose(res: ServerResponse): Promise<void> {
  const ac = new AbortController();
  try {
    await Promise.race([
      once(res, 'drain', { signal: ac.signal }),
      once(res, 'close', { signal: ac.signal }),
    ]);
  } finally {
    ac.abort();
  }
}

/** The methods `routes` serve at `path` (matching `:param` segments), for 405's Allow. */
function methodsOf(routes: readonly RouteSpec[], path: string): string[] {
  const parts = path.split('/');
  const methods = routes
    .filter((r) => {
      const pattern = r.url.split('/');
      return (
        pattern.length === parts.length &&
        pattern.every((p, i) => (p.startsWith(':') ? parts[i] !== '' : p === parts[i]))
      );
    })
    .map((r) => r.method);
  return [...new Set(methods)].sort();
}

/** A server-sent event stream opened by `openEventStream`. */
interface EventStream {
  readonly res: ServerResponse;
  readonly closed: boolean;
  /** Writes a frame (replay or live); false when the client's buffer is above its high-water mark. */
  write(frame: string): boolean;
  /** Writes a live frame; a client more than STREAM_MAX_BUFFERED_BYTES behind is disconnected. */
  sendLive(frame: string, lastEventId: string | number): void;
  /** Runs at close (unsubscribes the stream's source). */
  onClose(cleanup: () => void): void;
  close(): void;
}

/** How long `close()` lets requests in flight finish before it cuts their connections. */
const CLOSE_GRACE_MS = 500;

/** Notices kept for `Last-Event-ID` replay on /v1/notices. */
const NOTICE_LOG_CAPACITY = 1_024;

interface NoticeFrame {
  readonly id: string;
  readonly n: number;
  readonly frame: string;
}

interface NoticeLog {
  /** Changes at every start of the API: ids of an earlier run are never taken for this run's. */
  readonly epoch: string;
  /** The held notices after `after`; `complete` is false when some after it are no longer held. */
  since(after: { epoch: string; n: number } | undefined): { replay: NoticeFrame[]; complete: boolean };
  subscribe(listener: (f: NoticeFrame) => void): () => void;
  /** Stops listening to the source. */
  close(): void;
}

/** Frames every notice once as SSE, keeps the last `NOTICE_LOG_CAPACITY`, and fans them out. */
function createNoticeLog(source: NoticeSource): NoticeLog {
  const epoch = String(Date.now());
  const held: NoticeFrame[] = [];
  const listeners = new Set<(f: NoticeFrame) => void>();
  let n = 0;
  const unsubscribe = source.onNotice((notice) => {
    n += 1;
    const id = `${epoch}.${n}`;
    const f = { id, n, frame: `id: ${id}\nevent: ${notice.event}\ndata: ${JSON.stringify(notice.body)}\n\n` };
    held.push(f);
    if (held.length > NOTICE_LOG_CAPACITY) held.shift();
    for (const l of listeners) l(f);
  });
  return {
    epoch,
    since(after) {
      if (after === undefined) return { replay: [], complete: true };
      if (after.epoch !== epoch || after.n > n) return { replay: [...held], complete: false };
      const replay = held.filter((f) => f.n > after.n);
      const first = held[0]?.n ?? n + 1;
      return { replay, complete: after.n >= first - 1 };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      unsubscribe();
      listeners.clear();
    },
  };
}

/**
 * Maps an error thrown by `node.publish` to a problem, keeping the node's reason code — the most
 * specific one: a refusal that wraps the pipeline's verdict (`details.code`) answers with that code.
 */
export function publishProblem(error: unknown, log?: Logger): ApiProblem {
  const outer = (error as { code?: unknown }).code;
  const inner = (error as { details?: { code?: unknown } }).details?.code;
  const code = isRegisteredReasonCode(inner) ? inner : outer;
  if (isRegisteredReasonCode(code)) {
    const firstLine = String((error as Error).message ?? '')
      .split('\n')[0]!
      .slice(0, 300);
    if (code === 'GOSSIP_OWN_HEAD_BEHIND') {
      return new ApiProblem({ status: 503, code, title: 'The node is catching up', detail: firstLine });
    }
    // A store refusal (a full disk, damage) is the node's trouble, not the message's: 503 from the first.
    const storeCode = (error as { details?: { storeCode?: unknown } }).details?.storeCode;
    if (code.startsWith('STORE_') || code === 'GOSSIP_STORE_UNAVAILABLE') {
      const named = isRegisteredReasonCode(storeCode) ? storeCode : code;
      return new ApiProblem({ status: 503, code: 'API_STORE_UNHEALTHY', detail: `${named}: ${firstLine}` });
    }
    return new ApiProblem({ status: 422, code, title: 'The node refused the message', detail: firstLine });
  }
  log?.error({ err: { message: (error as Error)?.message } }, 'publish failed');
  return new ApiProblem({ status: 500, code: 'API_PUBLISH_FAILED' });
}

export type { RouteSpec };
export { PROBLEM_CONTENT_TYPE };
