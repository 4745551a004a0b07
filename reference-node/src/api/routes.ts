/**
 * The HTTP API's routes, declared once: `createApi` registers handlers for exactly these, and
 * `generateOpenApi` describes exactly these, with bodies and responses taken from @sfr/schemas.
 */
export type HttpMethod = 'GET' | 'POST';

export interface ParameterSpec {
  readonly name: string;
  readonly in: 'query' | 'path' | 'header';
  readonly description: string;
  readonly required?: boolean;
  /** A JSON Schema; `$ref`s use schema `$id`s and are rewritten into the OpenAPI document. */
  readonly schema: Record<string, unknown>;
}

export interface ResponseSpec {
  readonly description: string;
  /** A schema kind (`SubmitResponse`) or `Kind#/pointer` into one. */
  readonly schema?: string;
  readonly contentType?: string;
}

export interface RouteSpec {
  readonly method: HttpMethod;
  /** fastify form: `/v1/messages/:id`. */
  readonly url: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** Requires `Authorization: Bearer <token>` (every route that changes anything). */
  readonly auth: boolean;
  /**
   * For probes and scrapers: never rate-limited and open even with `http.readAuth` (api.md#limits).
   */
  readonly open?: boolean;
  /** Request body kind (application/json). */
  readonly body?: string;
  readonly parameters?: readonly ParameterSpec[];
  readonly ok: { readonly status: number } & ResponseSpec;
  /** Statuses answered with a Problem document. */
  readonly problems: readonly number[];
}

/**
 * The longest `POST /v1/alerts?ttlMs` (30 days): an alert is a live warning, renewed while its
 * condition holds (messages.md#contagionalert lifecycle); a longer one is written with its own times.
 */
export const ALERT_TTL_MAX_MS = 30 * 24 * 3_600_000;

const COMMON = 'https://sfr.dev/schemas/v1/common.schema.json#/$defs/';
const ENVELOPE_TYPES_REF = 'https://sfr.dev/schemas/v1/Envelope.schema.json#/properties/type';

const LIST_PARAMS: readonly ParameterSpec[] = [
  {
    name: 'cursor',
    in: 'query',
    description: '`nextCursor` of the previous page.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,512}$' },
  },
  {
    name: 'limit',
    in: 'query',
    description: 'Page size, 1 … 1000 (default 100).',
    schema: { type: 'integer', minimum: 1, maximum: 1000 },
  },
];

export const ROUTES: readonly RouteSpec[] = [
  {
    method: 'POST',
    url: '/v1/events',
    operationId: 'submitRecoveryEvent',
    summary: 'Sign and publish a RecoveryEvent as this node’s member',
    description: 'Answers only after the signed message is durably stored; then it is gossiped.',
    tag: 'publish',
    auth: true,
    body: 'SubmitRecoveryEventRequest',
    ok: { status: 201, description: 'Signed, stored and published.', schema: 'SubmitResponse' },
    problems: [400, 401, 409, 413, 415, 422, 429, 500, 503],
  },
  {
    method: 'POST',
    url: '/v1/alerts',
    operationId: 'submitAlert',
    summary: 'Sign and publish a ContagionAlert as this node’s member',
    description: 'Answers only after the signed message is durably stored; then it is gossiped.',
    tag: 'publish',
    auth: true,
    body: 'SubmitAlertRequest',
    parameters: [
      {
        name: 'ttlMs',
        in: 'query',
        description:
          'The alert’s lifetime from now: the node sets the payload’s `observedAt` to its clock and `expiresAt` to that plus `ttlMs`, replacing the values given, so a stored example request is active whenever it is sent. An idempotency key then names the payload without those two times, plus `ttlMs`.',
        schema: { type: 'integer', minimum: 1, maximum: ALERT_TTL_MAX_MS },
      },
    ],
    ok: { status: 201, description: 'Signed, stored and published.', schema: 'SubmitResponse' },
    problems: [400, 401, 409, 413, 415, 422, 429, 500, 503],
  },
  {
    method: 'GET',
    url: '/v1/messages/:id',
    operationId: 'getMessage',
    summary: 'One accepted message by id',
    tag: 'query',
    auth: false,
    parameters: [
      {
        name: 'id',
        in: 'path',
        required: true,
        description: 'The message id.',
        schema: { $ref: `${COMMON}MessageId` },
      },
    ],
    ok: { status: 200, description: 'The message.', schema: 'MessageListResponse#/$defs/MessageListItem' },
    problems: [400, 404, 429],
  },
  {
    method: 'GET',
    url: '/v1/messages/:id/retraction',
    operationId: 'getRetraction',
    summary: 'The retraction that voided a RecoveryEvent',
    description:
      'The first retraction by the event’s own issuer this node recorded (messages.md#retraction), whichever arrived first: its id and `envelope.issuedAt` say who voided the event and when. 404 when the event is not held or not retracted.',
    tag: 'query',
    auth: false,
    parameters: [
      {
        name: 'id',
        in: 'path',
        required: true,
        description: 'The retracted RecoveryEvent’s message id.',
        schema: { $ref: `${COMMON}MessageId` },
      },
    ],
    ok: { status: 200, description: 'The retraction.', schema: 'MessageListResponse#/$defs/MessageListItem' },
    problems: [400, 404, 429],
  },
  {
    method: 'GET',
    url: '/v1/messages',
    operationId: 'listMessages',
    summary: 'Accepted messages, oldest first, filtered and paginated',
    tag: 'query',
    auth: false,
    parameters: [
      {
        name: 'type',
        in: 'query',
        description: 'Only this message type.',
        schema: { $ref: ENVELOPE_TYPES_REF },
      },
      { name: 'issuer', in: 'query', description: 'Only this issuer.', schema: { $ref: `${COMMON}Address` } },
      {
        name: 'since',
        in: 'query',
        description: 'Only messages issued at or after this time (unix ms).',
        schema: { $ref: `${COMMON}UnixMs` },
      },
      {
        name: 'retracted',
        in: 'query',
        description:
          'Only RecoveryEvents retracted by their own issuer (`true`; `GET /v1/messages/{id}/retraction` names the retraction), or only those that are not (`false`; retractions themselves included); implies `type=RecoveryEvent`. A page may then hold fewer than `limit` items, even none, with a `nextCursor`.',
        schema: { type: 'string', enum: ['true', 'false'] },
      },
      ...LIST_PARAMS,
    ],
    ok: { status: 200, description: 'A page of messages.', schema: 'MessageListResponse' },
    problems: [400, 429],
  },
  {
    method: 'GET',
    url: '/v1/alerts/active',
    operationId: 'listActiveAlerts',
    summary: 'Contagion alerts not expired, not resolved and not void',
    description:
      'An alert whose every `sourceEvents` entry is a RecoveryEvent retracted by its own issuer is void (contagion.md#void-alerts) and not listed.',
    tag: 'query',
    auth: false,
    parameters: [LIST_PARAMS[1]!],
    ok: { status: 200, description: 'The active alerts, in arrival order.', schema: 'MessageListResponse' },
    problems: [400, 429],
  },
  {
    method: 'GET',
    url: '/v1/status',
    operationId: 'getStatus',
    summary: 'Node status: identity, peers, topics, store',
    tag: 'node',
    auth: false,
    ok: { status: 200, description: 'The status.', schema: 'StatusResponse' },
    problems: [429],
  },
  {
    method: 'GET',
    url: '/v1/peers',
    operationId: 'listPeers',
    summary: 'Known and connected peers',
    tag: 'node',
    auth: false,
    ok: { status: 200, description: 'The peers.', schema: 'PeerListResponse' },
    problems: [429],
  },
  {
    method: 'GET',
    url: '/v1/stream',
    operationId: 'streamMessages',
    summary: 'Server-sent events of accepted messages',
    description:
      'Each event: `id` = the store cursor, `event: message`, `data` = a MessageListItem as JSON. Reconnect with `Last-Event-ID` (or `?after=`) to resume after the last event seen; missed messages are replayed from the store first.',
    tag: 'query',
    auth: false,
    parameters: [
      {
        name: 'type',
        in: 'query',
        description: 'Only this message type.',
        schema: { $ref: ENVELOPE_TYPES_REF },
      },
      {
        name: 'after',
        in: 'query',
        description: 'Resume after this event id.',
        schema: { type: 'integer', minimum: 0 },
      },
      {
        name: 'Last-Event-ID',
        in: 'header',
        description: 'Resume after this event id (SSE reconnect).',
        schema: { type: 'string', pattern: '^[0-9]{1,16}$' },
      },
    ],
    ok: { status: 200, description: 'An event stream.', contentType: 'text/event-stream' },
    problems: [400, 429, 503],
  },
  {
    method: 'GET',
    url: '/health',
    operationId: 'getHealth',
    summary: 'Health: 200 only when every check is ok, 503 when one is degraded or down',
    description:
      'For alerting: any check not `ok` (no peers, an adapter whose RPC is unreachable, a skewed clock, a damaged store) makes it 503 with the same body. Never rate-limited.',
    tag: 'operations',
    auth: false,
    open: true,
    ok: {
      status: 200,
      description: 'Every check ok (503 with the same body otherwise).',
      schema: 'HealthResponse',
    },
    problems: [],
  },
  {
    method: 'GET',
    url: '/ready',
    operationId: 'getReady',
    summary: 'Readiness: 200 while the node can sign and store (ok or degraded), 503 when a check is down',
    description: 'For load balancers and supervisors. Never rate-limited.',
    tag: 'operations',
    auth: false,
    open: true,
    ok: {
      status: 200,
      description: 'Ok or degraded (503 with the same body when down).',
      schema: 'HealthResponse',
    },
    problems: [],
  },
  {
    method: 'GET',
    url: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    auth: false,
    open: true,
    ok: { status: 200, description: 'Prometheus text exposition format.', contentType: 'text/plain' },
    problems: [],
  },
  {
    method: 'GET',
    url: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document',
    tag: 'operations',
    auth: false,
    open: true,
    ok: { status: 200, description: 'OpenAPI 3.1.', contentType: 'application/json' },
    problems: [],
  },
];

/** Mounted when the node runs a contagion responder (spec/v1/contagion.md#event-stream). */
export const NOTICE_ROUTES: readonly RouteSpec[] = [
  {
    method: 'GET',
    url: '/v1/notices',
    operationId: 'streamNotices',
    summary: 'Server-sent events of the contagion notices this node pushes to its protocol',
    description:
      'The notices webhooks receive (alerts and all-clears touching the exposure profile, recovery events of protocols it depends on, protective actions, member liveness, retracted recovery events), each as `event: <alert | alert_resolved | recovery_event | protective_action | member_silent | member_back | event_retracted>` and `data` = the webhook body as JSON, with the recommended actions and corroboration. `id` is `<stream epoch>.<n>`; reconnecting with `Last-Event-ID` replays the notices after it that this node still holds (the last 1 024 since it started). When they are no longer held (a restart, or more notices since), the stream first sends `event: reset`: read `GET /v1/alerts/active` to resynchronise.',
    tag: 'contagion',
    auth: false,
    parameters: [
      {
        name: 'Last-Event-ID',
        in: 'header',
        description: 'Resume after this notice id (SSE reconnect).',
        schema: { type: 'string', pattern: '^[0-9]{1,16}\\.[0-9]{1,16}$' },
      },
    ],
    ok: { status: 200, description: 'An event stream.', contentType: 'text/event-stream' },
    problems: [400, 429, 503],
  },
];

/** Mounted when the node tracks member liveness (spec/v1/node.md#liveness). */
export const MEMBER_ROUTES: readonly RouteSpec[] = [
  {
    method: 'GET',
    url: '/v1/members',
    operationId: 'listMembers',
    summary: 'Each member’s liveness as this node tracks it',
    description:
      'Every configured member, this node’s own first: `live` while its heartbeats (signed NodeAnnouncements) arrive, `silent` once none counted for `missedHeartbeats` intervals and a half, `unknown` before any announcement of it is held; with its last heartbeat, the whole intervals since, and when it was marked silent. Changes are pushed as `member_silent` / `member_back` notices.',
    tag: 'node',
    auth: false,
    ok: { status: 200, description: 'The members.', schema: 'MemberListResponse' },
    problems: [429],
  },
];
