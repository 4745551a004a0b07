import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaFile, SchemaNode, SchemaSet } from './types.js';

/** Error for unusable input (a missing folder, a file that is not JSON): the CLI exits 2 on it. */
export class CompatInputError extends Error {
  override readonly name = 'CompatInputError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

// `$id`s look like https://sfr.dev/schemas/v1/<Name>.schema.json (proposal 0001 §1).
const majorPattern = /\/v(\d+)\//;

/** Reads the MAJOR carried by a schema `$id`, e.g. 1 for `https://sfr.dev/schemas/v1/x.schema.json`. */
export function parseIdMajor(id: string | undefined): number | undefined {
  if (id === undefined) return undefined;
  const match = majorPattern.exec(id);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function isSchemaNode(value: unknown): value is SchemaNode {
  return typeof value === 'boolean' || (typeof value === 'object' && value !== null && !Array.isArray(value));
}

/** Loads every `*.schema.json` directly inside `dir` (examples and sub-folders are not schemas). */
export function loadSchemaSet(dir: string): SchemaSet {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory())
      throw new CompatInputError('COMPAT_NOT_A_FOLDER', `${dir} is not a folder`);
    names = readdirSync(dir)
      .filter((name) => name.endsWith('.schema.json'))
      .sort();
  } catch (error) {
    if (error instanceof CompatInputError) throw error;
    throw new CompatInputError('COMPAT_NOT_A_FOLDER', `cannot read schema folder ${dir}`);
  }
  if (names.length === 0) throw new CompatInputError('COMPAT_EMPTY_SET', `no *.schema.json files in ${dir}`);
  const files = new Map<string, SchemaFile>();
  const byId = new Map<string, SchemaFile>();
  for (const name of names) {
    let root: unknown;
    try {
      root = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch {
      throw new CompatInputError('COMPAT_BAD_JSON', `${join(dir, name)} is not valid JSON`);
    }
    if (!isSchemaNode(root))
      throw new CompatInputError('COMPAT_NOT_A_SCHEMA', `${join(dir, name)} is not a schema`);
    const rawId = typeof root === 'object' && typeof root['$id'] === 'string' ? root['$id'] : undefined;
    const id = rawId?.split('#')[0];
    const file: SchemaFile = { file: name, id, major: parseIdMajor(id), root };
    files.set(name, file);
    if (id !== undefined) byId.set(id, file);
  }
  return { dir, files, byId };
}
