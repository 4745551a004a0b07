import { getSchema } from '@sfr/schemas';
import { ROUTES, type RouteSpec } from './routes.js';

const ID_PREFIX = 'https://sfr.dev/schemas/v1/';
const ID_SUFFIX = '.schema.json';

type Json = Record<string, unknown>;

/** Component name of a schema `$id` (`…/v1/Envelope.schema.json` → `Envelope`). */
function componentOf(id: string): string | undefined {
  if (!id.startsWith(ID_PREFIX) || !id.endsWith(ID_SUFFIX)) return undefined;
  return id.slice(ID_PREFIX.length, -ID_SUFFIX.length);
}

/**
 * Rewrites every `$ref` of a schema document (`#/…` local, or another document's `$id`) into a
 * reference inside the OpenAPI document, collecting the documents it needs.
 */
function rewriteRefs(node: unknown, home: string, needed: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, home, needed));
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      const hash = v.indexOf('#');
      const base = hash < 0 ? v : v.slice(0, hash);
      const fragment = hash < 0 ? '' : v.slice(hash + 1);
      const target = base === '' ? home : componentOf(base);
      if (target === undefined) throw new Error(`openapi: cannot place $ref ${v}`);
      needed.add(target);
      out[k] = `#/components/schemas/${target}${fragment}`;
    } else if (k === '$id' || k === '$schema' || k === 'tsType') {
      // identifiers become component names; tsType is a type-generator annotation
    } else {
      out[k] = rewriteRefs(v, home, needed);
    }
  }
  return out;
}

function schemaRef(spec: string, needed: Set<string>): Json {
  const [kind, pointer] = spec.split('#') as [string, string | undefined];
  needed.add(kind);
  return { $ref: `#/components/schemas/${kind}${pointer ?? ''}` };
}

export interface GenerateOpenApiParameters {
  /** The node software version (info.version). */
  readonly version: string;
  /** Server URL to list, e.g. `http://127.0.0.1:7410`. */
  readonly serverUrl?: string;
  /** The routes the server mounts (default `ROUTES`; a node adds `POOL_ROUTES` and `NOTICE_ROUTES`). */
  readonly routes?: readonly RouteSpec[];
}

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from its route table and the @sfr/schemas documents
 * (JSON Schema 2020-12, which OpenAPI 3.1 uses as is): every body and response schema is a
 * component copied from `getSchema`, with `$ref`s rewritten to point inside this document.
 */
export function generateOpenApi(parameters: GenerateOpenApiParameters): Json {
  const needed = new Set<string>(['Problem']);
  const paths: Record<string, Json> = {};
  const routes = parameters.routes ?? ROUTES;
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = operationOf(r, needed);
  }
  const schemas: Record<string, unknown> = {};
  const done = new Set<string>();
  while (done.size < needed.size) {
    for (const kind of [...needed]) {
      if (done.has(kind)) continue;
      done.add(kind);
      const doc = getSchema(kind);
      if (doc === undefined) throw new Error(`openapi: @sfr/schemas has no ${kind}`);
      schemas[kind] = rewriteRefs(doc, kind, needed);
    }
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'SFR reference node HTTP API',
      version: parameters.version,
      description:
        'The local API of an SFR node: submit recovery events and alerts (the node signs them), query accepted messages, stream them, stream the contagion notices pushed to the protocol, file and vote on pool claims, and observe the node. Generated from the route table of the routes this node mounts and the @sfr/schemas documents; do not edit.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    ...(parameters.serverUrl === undefined ? {} : { servers: [{ url: parameters.serverUrl }] }),
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : 1))),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'The token in the node’s `http.tokenFile`.' },
      },
    },
  };
}

function operationOf(r: RouteSpec, needed: Set<string>): Json {
  const responses: Json = {};
  responses[String(r.ok.status)] = {
    description: r.ok.description,
    content: {
      [r.ok.contentType ?? 'application/json']:
        r.ok.schema === undefined ? {} : { schema: schemaRef(r.ok.schema, needed) },
    },
  };
  for (const status of r.problems) {
    responses[String(status)] = {
      description: PROBLEM_DESCRIPTIONS[status] ?? 'Refused.',
      content: { 'application/problem+json': { schema: schemaRef('Problem', needed) } },
    };
  }
  return {
    operationId: r.operationId,
    summary: r.summary,
    ...(r.description === undefined ? {} : { description: r.description }),
    tags: [r.tag],
    ...(r.auth ? { security: [{ bearer: [] }] } : {}),
    ...(r.parameters === undefined
      ? {}
      : {
          parameters: r.parameters.map((p) => ({
            name: p.name,
            in: p.in,
            description: p.description,
            required: p.required ?? p.in === 'path',
            schema: rewriteRefs(p.schema, 'Envelope', needed),
          })),
        }),
    ...(r.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaRef(r.body, needed) } },
          },
        }),
    responses,
  };
}

const PROBLEM_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'A parameter or the body is not well-formed (API_BAD_PARAMETER, API_INVALID_BODY, SCHEMA_NOT_JSON …).',
  401: 'Missing or wrong bearer token (API_UNAUTHORIZED).',
  404: 'No such message or route (API_NOT_FOUND).',
  413: 'Body larger than the configured limit (API_BODY_TOO_LARGE).',
  415: 'Body is not application/json (API_UNSUPPORTED_MEDIA_TYPE).',
  422: 'The body fails its schema (a SCHEMA_* code with `pointer`), or the node refused the message (its reason code).',
  429: 'Rate limit exceeded (API_RATE_LIMITED).',
  500: 'Internal error (API_INTERNAL_ERROR); nothing was published.',
  503: 'The store is damaged and the node does not sign (API_STORE_UNHEALTHY), or too many streams.',
};
