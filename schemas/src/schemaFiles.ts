import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The folder holding the v1 schema documents (`schemas/v1/`), next to both `src/` and `dist/`. */
export const schemaDirUrl = new URL('../v1/', import.meta.url);

/** The folder holding the reason-code registry files. */
export const registryDirUrl = new URL('../v1/registry/reason-codes/', import.meta.url);

/** Reads and parses every `*.schema.json` in `schemas/v1/`, sorted by file name. */
export function readSchemaDocuments(): { file: string; document: unknown }[] {
  const dir = fileURLToPath(schemaDirUrl);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.schema.json'))
    .sort()
    .map((file) => ({
      file,
      document: JSON.parse(readFileSync(new URL(file, schemaDirUrl), 'utf8')) as unknown,
    }));
}
