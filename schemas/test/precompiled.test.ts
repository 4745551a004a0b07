// The generated standalone validators (src/generated/v1/validators.ts) are the schemas' validators:
// every schema has one, getValidateFunction hands it out, and on every example under v1/examples
// (valid and invalid) it answers exactly as ajv compiling the schema at run time with the same
// options (createAjv): the same verdict and the same errors. They exist so that a node does not
// compile the schemas at every start (about 0.7 s of CPU, issue 13).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { createAjv } from '../src/createAjv.js';
import { validators } from '../src/generated/v1/validators.js';
import { schemaKinds } from '../src/index.js';
import { readSchemaDocuments } from '../src/schemaFiles.js';
import { schemaIdOf } from '../src/schemaKinds.js';
import { getValidateFunction } from '../src/validator.js';

const examplesDir = fileURLToPath(new URL('../v1/examples/', import.meta.url));

function examples(kind: string): { name: string; value: unknown }[] {
  const out: { name: string; value: unknown }[] = [];
  for (const validity of ['valid', 'invalid']) {
    const dir = path.join(examplesDir, kind, validity);
    let files: string[] = [];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    for (const f of files.filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json')).sort()) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      try {
        out.push({ name: `${validity}/${f}`, value: JSON.parse(text) as unknown });
      } catch {
        // not JSON (an example of SCHEMA_NOT_JSON): nothing for a validator to see
      }
    }
  }
  return out;
}

describe('precompiled validators', () => {
  it('cover every schema document, and getValidateFunction hands them out', () => {
    const ids = readSchemaDocuments().map(({ document }) => (document as { $id: string }).$id);
    expect(Object.keys(validators).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(getValidateFunction(id)).toBe(validators[id]);
  });

  it('answer every example as ajv compiling the schema at run time does', () => {
    const ajv = createAjv();
    let compared = 0;
    for (const kind of schemaKinds) {
      const id = schemaIdOf(kind);
      const pre = validators[id] as ValidateFunction;
      const runtime = ajv.getSchema(id)!;
      for (const { name, value } of examples(kind)) {
        const a = pre(value);
        const b = runtime(value);
        expect({ name, ok: a, errors: pre.errors ?? null }).toEqual({
          name,
          ok: b,
          errors: runtime.errors ?? null,
        });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});
