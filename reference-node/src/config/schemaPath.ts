import { getSchema } from '@sfr/schemas';

type Json = Record<string, unknown>;

/**
 * Each schema document, read once: `getSchema` hands out a fresh deep copy per call, and walking the
 * NodeConfig's settings (`schemaDefaults`: every setting's path, each `$ref` followed) asked for one
 * per setting and per reference, about 50 ms of CPU at every node start (issue 13). Only read here.
 */
const documents = new Map<string, Json | undefined>();
function documentOf(kind: string): Json | undefined {
  if (!documents.has(kind)) documents.set(kind, getSchema(kind));
  return documents.get(kind);
}

/** The schema kinds whose `$id` a `$ref` may name (https://sfr.dev/schemas/v1/<Kind>.schema.json). */
function documentOfRef(ref: string, current: Json): { doc: Json; pointer: string } | undefined {
  const hash = ref.indexOf('#');
  const base = hash < 0 ? ref : ref.slice(0, hash);
  const pointer = hash < 0 ? '' : ref.slice(hash + 1);
  if (base === '') return { doc: current, pointer };
  const m = /\/v1\/([A-Za-z0-9]+)\.schema\.json$/.exec(base);
  if (m === null) return undefined;
  const doc = documentOf(m[1] === 'common' ? 'common' : m[1]!);
  return doc === undefined ? undefined : { doc, pointer };
}

function atPointer(doc: Json, pointer: string): Json | undefined {
  let node: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Json)[token];
  }
  return typeof node === 'object' && node !== null ? (node as Json) : undefined;
}

/** Follows `$ref`s (local and to other v1 documents) until a schema without one; bounded depth. */
function deref(schema: Json, doc: Json): { schema: Json; doc: Json } | undefined {
  let s = schema;
  let d = doc;
  for (let i = 0; i < 16 && typeof s['$ref'] === 'string'; i++) {
    const target = documentOfRef(s['$ref'], d);
    if (target === undefined) return undefined;
    const next = atPointer(target.doc, target.pointer);
    if (next === undefined) return undefined;
    s = next;
    d = target.doc;
  }
  return { schema: s, doc: d };
}

export interface SettingSchema {
  /** The setting's schema, `$ref`s followed. */
  readonly schema: Json;
  /** JSON Schema `type` of the setting (first one when several), if the schema says. */
  readonly type: string | undefined;
  readonly description: string | undefined;
}

/**
 * The schema of the setting at `path` (property names from the root) in the `kind` schema, or
 * undefined if no such property is declared. Used to type env and flag values. The schema is the
 * cached document's own: read it, do not change it.
 */
export function settingSchema(kind: string, path: readonly string[]): SettingSchema | undefined {
  const root = documentOf(kind);
  if (root === undefined) return undefined;
  let cur = deref(root, root);
  for (const key of path) {
    if (cur === undefined) return undefined;
    const props = cur.schema['properties'];
    if (typeof props !== 'object' || props === null || !Object.hasOwn(props, key)) return undefined;
    cur = deref((props as Json)[key] as Json, cur.doc);
  }
  if (cur === undefined) return undefined;
  const t = cur.schema['type'];
  return {
    schema: cur.schema,
    type: typeof t === 'string' ? t : Array.isArray(t) && typeof t[0] === 'string' ? t[0] : undefined,
    description: typeof cur.schema['description'] === 'string' ? cur.schema['description'] : undefined,
  };
}
