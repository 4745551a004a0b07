// Generates `src/generated/v1/types.ts` (and the `0x` string guards of `hexGuards.ts`) from the JSON Schemas in `v1/` with json-schema-to-typescript.
//
// Every titled schema (each top-level schema and each titled `$defs` entry) becomes one named export;
// a `$ref` becomes a reference to the target's title, so a shared definition is one type (no `Asset1`).
// Constraints TypeScript cannot express (`allOf`/`if`/`then`, patterns, bounds) are left to the validator,
// except a pattern's `^0x` prefix: such a string is the template literal `0x${string}`.
//
// Usage: tsx schemas/scripts/generate-types.ts [--check]
//   --check  exit 1, printing which file is stale, if regenerating would change the checked-in output.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { commonSchemaId, schemaIdOf, schemaKinds } from '../src/schemaKinds.js';
import { writeGenerated } from './writeGenerated.js';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const schemaDir = path.join(packageDir, 'v1');
const outFile = path.join(packageDir, 'src', 'generated', 'v1', 'types.ts');
const idPrefix = 'https://sfr.dev/schemas/v1/';

type Schema = Record<string, unknown>;

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Loads every schema document: common first, then the kinds in their listed order. */
function loadDocuments(): Map<string, Schema> {
  const docs = new Map<string, Schema>();
  for (const id of [commonSchemaId, ...schemaKinds.map(schemaIdOf)]) {
    const file = path.join(schemaDir, id.slice(idPrefix.length));
    const doc: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isObject(doc) || doc['$id'] !== id) throw new Error(`${file}: $id must be ${id}`);
    docs.set(id, doc);
  }
  return docs;
}

/** Resolves a `$ref` (absolute, or `#/...` relative to `baseId`) to the schema it names. */
function resolveRef(docs: Map<string, Schema>, ref: string, baseId: string): Schema {
  const [uri, fragment = ''] = ref.split('#');
  const docId = uri === '' || uri === undefined ? baseId : uri;
  let target: unknown = docs.get(docId);
  if (target === undefined) throw new Error(`unresolvable $ref ${ref} (from ${baseId})`);
  for (const token of fragment.split('/').slice(1)) {
    target = isObject(target) ? target[token.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  if (!isObject(target)) throw new Error(`unresolvable $ref ${ref} (from ${baseId})`);
  return target;
}

/** Keywords that carry no TypeScript type information (validation-only or annotations we render ourselves). */
const dropped = new Set([
  '$schema',
  '$id',
  '$defs',
  '$comment',
  'allOf',
  'if',
  'then',
  'else',
  'not',
  'discriminator',
  'examples',
  'format',
  'pattern',
  'propertyNames',
  'uniqueItems',
  'default',
]);

/** Rewrites a schema for json-schema-to-typescript: `$ref` → the target's title via `tsType`. */
function toTs(docs: Map<string, Schema>, schema: unknown, baseId: string): unknown {
  if (!isObject(schema)) return schema;
  const description = typeof schema['description'] === 'string' ? { description: schema['description'] } : {};
  if (typeof schema['$ref'] === 'string') {
    const target = resolveRef(docs, schema['$ref'], baseId);
    if (typeof target['title'] !== 'string')
      throw new Error(`$ref ${schema['$ref']} targets a schema without a title`);
    return { tsType: target['title'], ...description };
  }
  if (typeof schema['tsType'] === 'string') return { tsType: schema['tsType'], ...description };
  // A string the pattern pins to `0x…` (Address, Hex, Bytes32 and the ids built on them, signatures) is a
  // template literal, the type viem gives the same values, so no package keeps its own `0x${string}` copy.
  if (
    schema['type'] === 'string' &&
    typeof schema['pattern'] === 'string' &&
    schema['pattern'].startsWith('^0x')
  )
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the TypeScript type `0x${string}`, emitted as text
    return { tsType: '`0x${string}`', ...description };
  const isUnion = Array.isArray(schema['oneOf']) || Array.isArray(schema['anyOf']);
  if (isUnion && schema['properties'] === undefined) {
    const key = Array.isArray(schema['oneOf']) ? 'oneOf' : 'anyOf';
    const out: Schema = {
      ...description,
      [key]: (schema[key] as unknown[]).map((s) => toTs(docs, s, baseId)),
    };
    if (typeof schema['title'] === 'string') out['title'] = schema['title'];
    return out;
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    // A `oneOf` / `anyOf` beside `properties` only constrains which properties are present.
    if (dropped.has(key) || ((key === 'oneOf' || key === 'anyOf') && isUnion)) continue;
    if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toTs(docs, v, baseId)]));
    } else if (key === 'items' || key === 'additionalProperties') {
      out[key] = toTs(docs, value, baseId);
    } else {
      out[key] = value;
    }
  }
  return out;
}

async function generate(): Promise<string> {
  const docs = loadDocuments();
  const named: { title: string; schema: Schema; baseId: string }[] = [];
  for (const [id, doc] of docs) {
    if (id !== commonSchemaId) named.push({ title: String(doc['title']), schema: doc, baseId: id });
    const defs = doc['$defs'];
    if (isObject(defs)) {
      for (const [name, def] of Object.entries(defs)) {
        if (!isObject(def) || typeof def['title'] !== 'string')
          throw new Error(`${id}#/$defs/${name} needs a title`);
        named.push({ title: def['title'], schema: def, baseId: id });
      }
    }
  }
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const { title, schema, baseId } of named) {
    if (seen.has(title)) throw new Error(`duplicate schema title ${title}: titles name the generated types`);
    seen.add(title);
    const ts = await compile(toTs(docs, schema, baseId) as JSONSchema, title, {
      bannerComment: '',
      additionalProperties: false,
      ignoreMinAndMaxItems: true,
      declareExternallyReferenced: true,
      unknownAny: true,
      strictIndexSignatures: false,
      format: true,
      style: { singleQuote: true, printWidth: 110, trailingComma: 'all' },
    });
    parts.push(ts.trim());
  }
  // Payload types that have a schema (all of them once every payload schema exists).
  const payloadTypes = (
    (resolveRef(docs, '#/$defs/PayloadType', schemaIdOf('Envelope'))['enum'] as string[]) ?? []
  ).filter((t) => (schemaKinds as readonly string[]).includes(t));
  const banner = [
    '// generated — do not edit. Source: schemas/v1/*.schema.json; regenerate with',
    '// `npm run -w @sfr/schemas generate` (schemas/scripts/generate-types.ts).',
    '/* eslint-disable */',
  ].join('\n');
  const tail = [
    '/** Each schema kind `validate` knows, mapped to the type of a valid document of that kind. */',
    'export interface SchemaTypeMap {',
    ...schemaKinds.map((k) => `  ${k}: ${k};`),
    '}',
    '',
    '/** A payload: the document an envelope of one of the `PayloadType`s carries. */',
    `export type Payload = ${payloadTypes.join(' | ')};`,
    '',
    '/** The payload types that have a schema (`PayloadType` values). */',
    `export type PayloadKind = ${payloadTypes.map((t) => `'${t}'`).join(' | ')};`,
    '',
    '/** An envelope whose `type` is `T` and whose payload is therefore a `T`. */',
    "export type EnvelopeOf<T extends PayloadKind> = Omit<Envelope, 'type' | 'payload'> & {",
    '  type: T;',
    '  payload: SchemaTypeMap[T];',
    '};',
  ].join('\n');
  return `${banner}\n\n${parts.join('\n\n')}\n\n${tail}\n`;
}

/**
 * One type guard per `0x` string of common.schema.json `$defs` (the types the rule above makes template
 * literals), testing the schema's own pattern and length bound, so code that narrows a string to an
 * `Address` or a `Bytes32` keeps no copy of the regex.
 */
function generateHexGuards(): string {
  const common = loadDocuments().get(commonSchemaId) as Schema;
  const lines = [
    '// generated — do not edit. Source: schemas/v1/common.schema.json `$defs`; regenerate with',
    '// `npm run -w @sfr/schemas generate` (schemas/scripts/generate-types.ts).',
    '',
  ];
  const guarded: string[] = [];
  for (const [name, def] of Object.entries(common['$defs'] as Schema)) {
    if (!isObject(def) || def['type'] !== 'string') continue;
    const pattern = def['pattern'];
    if (typeof pattern !== 'string' || !pattern.startsWith('^0x')) continue;
    guarded.push(name);
    const max = typeof def['maxLength'] === 'number' ? ` && value.length <= ${def['maxLength']}` : '';
    lines.push(
      `const ${name.toUpperCase()}_PATTERN = /${pattern}/;`,
      '',
      `/** Whether \`value\` is ${/^[AEIOU]/.test(name) ? 'an' : 'a'} \`${name}\` (common.schema.json \`$defs/${name}\`: pattern \`${pattern}\`${max === '' ? '' : `, at most ${String(def['maxLength'])} characters`}). */`,
      `export function is${name}(value: unknown): value is ${name} {`,
      `  return typeof value === 'string'${max} && ${name.toUpperCase()}_PATTERN.test(value);`,
      '}',
      '',
    );
  }
  lines.splice(3, 0, `import type { ${guarded.join(', ')} } from './types.js';`, '');
  return lines.join('\n');
}

writeGenerated(outFile, await generate());
writeGenerated(path.join(path.dirname(outFile), 'hexGuards.ts'), generateHexGuards());
