import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

/** Location of the meta-schema, relative to this module in `src/vectors/` or `dist/vectors/`. */
export const vectorsSchemaUrl = new URL('../../vectors/vectors.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

/** Compiles the meta-schema once per process. */
function getValidator(): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
    compiled = ajv.compile(JSON.parse(readFileSync(vectorsSchemaUrl, 'utf8')) as object);
  }
  return compiled;
}

/**
 * Checks one parsed vector file against `vectors/vectors.schema.json`. Returns the problems as
 * `<JSON pointer> <message>` strings (at most 10), empty when the file is valid.
 */
export function validateVectorFile(data: unknown): string[] {
  const validate = getValidator();
  if (validate(data)) return [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    // `if`/`then` wrappers repeat the real error; keep the leaf messages only.
    if (e.keyword === 'if' || e.keyword === 'oneOf' || e.keyword === 'allOf') continue;
    seen.add(`${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? e.keyword}`);
  }
  return [...seen].slice(0, 10);
}
