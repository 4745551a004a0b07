// Generates `src/generated/v1/messageTypes.ts`: the message types an envelope may carry, which of them
// are pool-scoped, and the gossip topic each travels on, so that code keyed by message type can be an
// exhaustive `Record<MessageType, …>` and a new type that is not handled fails compilation.
//
// Sources, both normative:
// - the types: `$defs/PayloadType` of `v1/Envelope.schema.json`; pool-scoped are those whose `allOf`
//   branch requires `scope`;
// - the topics: the table of spec/v1/p2p.md §4 (Topics), one row per topic naming the types it carries.
// The generator fails when the two disagree (a type with no topic or two, a topic type the schema does
// not list, a pool topic carrying an unscoped type or the reverse).
//
// Usage: tsx schemas/scripts/generate-message-types.ts [--check]
//   --check  exit 1, printing which file is stale, if regenerating would change the checked-in output.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeGenerated } from './writeGenerated.js';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const envelopeFile = path.join(packageDir, 'v1', 'Envelope.schema.json');
const p2pFile = path.join(packageDir, '..', 'spec', 'v1', 'p2p.md');
const outFile = path.join(packageDir, 'src', 'generated', 'v1', 'messageTypes.ts');

type Schema = Record<string, unknown>;
const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The PayloadType enum, in schema order, and the subset whose `allOf` branch requires `scope`. */
function readSchemaTypes(): { types: string[]; scoped: Set<string> } {
  const doc: unknown = JSON.parse(readFileSync(envelopeFile, 'utf8'));
  const payloadType = isObject(doc) && isObject(doc['$defs']) ? doc['$defs']['PayloadType'] : undefined;
  const types = isObject(payloadType) ? payloadType['enum'] : undefined;
  if (!Array.isArray(types) || !types.every((t) => typeof t === 'string'))
    throw new Error(`${envelopeFile}: $defs/PayloadType.enum must be a list of strings`);
  const scoped = new Set<string>();
  for (const branch of isObject(doc) && Array.isArray(doc['allOf']) ? doc['allOf'] : []) {
    const type = (branch as { if?: { properties?: { type?: { const?: unknown } } } }).if?.properties?.type
      ?.const;
    const then = (branch as { then?: { required?: unknown } }).then;
    if (typeof type === 'string' && Array.isArray(then?.required) && then.required.includes('scope'))
      scoped.add(type);
  }
  return { types: types as string[], scoped };
}

/** The rows of p2p.md §4's table: topic name (`pool` for `/sfr/1/pool/<poolId>`) → the types it carries. */
function readTopicTable(): { topic: string; types: string[] }[] {
  const text = readFileSync(p2pFile, 'utf8');
  const section = text.split(/^## 4\. Topics$/m)[1]?.split(/^## /m)[0];
  if (section === undefined) throw new Error(`${p2pFile}: no "## 4. Topics" section`);
  const rows: { topic: string; types: string[] }[] = [];
  for (const line of section.split('\n')) {
    const m = /^\|\s*`\/sfr\/1\/([a-z_]+)(\/<poolId>)?`\s*\|(.*)\|\s*$/.exec(line);
    if (m === null) continue;
    const topic = m[2] === undefined ? (m[1] as string) : 'pool';
    if (m[2] !== undefined && m[1] !== 'pool')
      throw new Error(`${p2pFile}: keyed topic must be pool: ${line}`);
    const carried = (m[3] as string).split(' whose ')[0] as string;
    rows.push({ topic, types: [...carried.matchAll(/`([A-Za-z]+)`/g)].map((t) => t[1] as string) });
  }
  if (rows.length === 0) throw new Error(`${p2pFile}: the §4 table has no topic rows`);
  return rows;
}

function generate(): string {
  const { types, scoped } = readSchemaTypes();
  const rows = readTopicTable();
  const topicOf = new Map<string, string>();
  for (const { topic, types: carried } of rows) {
    for (const t of carried) {
      if (!types.includes(t)) throw new Error(`p2p.md §4: topic ${topic} carries ${t}, not a PayloadType`);
      if (topicOf.has(t)) throw new Error(`p2p.md §4: ${t} is carried by ${topicOf.get(t)} and ${topic}`);
      if ((topic === 'pool') !== scoped.has(t))
        throw new Error(`p2p.md §4: ${t} is on ${topic} but is ${scoped.has(t) ? '' : 'not '}pool-scoped`);
      topicOf.set(t, topic);
    }
  }
  for (const t of types) if (!topicOf.has(t)) throw new Error(`p2p.md §4: no topic carries ${t}`);
  const fixed = rows.map((r) => r.topic).filter((t) => t !== 'pool');
  const list = (xs: readonly string[]) => xs.map((x) => `  '${x}',`);
  return [
    '// generated — do not edit. Sources: schemas/v1/Envelope.schema.json ($defs/PayloadType, allOf) and',
    '// spec/v1/p2p.md §4 (Topics); regenerate with `npm run -w @sfr/schemas generate`',
    '// (schemas/scripts/generate-message-types.ts).',
    '',
    '/** Every type an envelope may carry (Envelope.schema.json `$defs/PayloadType`), in schema order. */',
    'export const MESSAGE_TYPES = [',
    ...list(types),
    '] as const;',
    '',
    '/** A type an envelope may carry. Key per-type code by it (`Record<MessageType, …>`) so a new type fails compilation. */',
    'export type MessageType = (typeof MESSAGE_TYPES)[number];',
    '',
    '/** The types that MUST carry `scope` (and only these may carry `scope` or `domain`): the pool messages. */',
    'export const POOL_SCOPED_TYPES = [',
    ...list(types.filter((t) => scoped.has(t))),
    '] as const;',
    '',
    'export type PoolScopedType = (typeof POOL_SCOPED_TYPES)[number];',
    '',
    '/** The fixed (not per-pool) topic names of p2p.md §4, in table order: `/sfr/<major>/<name>`. */',
    'export const FIXED_TOPIC_NAMES = [',
    ...list(fixed),
    '] as const;',
    '',
    'export type FixedTopicName = (typeof FIXED_TOPIC_NAMES)[number];',
    '',
    '/** The topic each type travels on (p2p.md §4); `pool` is `/sfr/<major>/pool/<poolId>` of its `scope.poolId`. */',
    'export const TOPIC_OF_TYPE = {',
    ...types.map((t) => `  ${t}: '${topicOf.get(t)}',`),
    "} as const satisfies Record<MessageType, FixedTopicName | 'pool'>;",
    '',
  ].join('\n');
}

writeGenerated(outFile, generate());
