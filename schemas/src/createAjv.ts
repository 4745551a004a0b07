import { createRequire } from 'node:module';
import type { CodeOptions } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { sfrFormats } from './formats.js';
import { readSchemaDocuments } from './schemaFiles.js';

// ajv and ajv-formats (CommonJS) are loaded when an ajv is first built, not with this module: a
// process validating through the generated validators never builds one (about 0.1 s of CPU less
// at every node start, issue 13).
const require = createRequire(import.meta.url);

/**
 * The ajv options and vocabulary every SFR validator is compiled with: here at run time (`getAjv`) and
 * by scripts/generate-validators.ts, which emits the same validators as standalone code. No
 * option (coerceTypes, useDefaults, removeAdditional) lets ajv modify the validated value. `code` is
 * the generator's (source output and how the generated module names the formats).
 */
export function createAjv(code?: CodeOptions): Ajv2020 {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const addFormats = require('ajv-formats') as typeof import('ajv-formats');
  // Every schema document is added from disk below; ajv never fetches anything (no loadSchema).
  const ajv = new Ajv2020({
    strict: true,
    // `required` inside `if`/`then` names properties declared by the enclosing object schema, which
    // ajv's strictRequired does not look at; every other strict check stays on.
    strictRequired: false,
    allErrors: false,
    // Alert metric values are `integer | string` (an Int256 decimal); no other union types are used.
    allowUnionTypes: true,
    discriminator: true,
    validateFormats: true,
    ...(code === undefined ? {} : { code }),
  });
  addFormats.default(ajv);
  // `tsType` is an annotation for json-schema-to-typescript (schemas/scripts/generate-types.ts).
  ajv.addKeyword({ keyword: 'tsType', schemaType: 'string' });
  // The 2^256 bounds that a pattern cannot express (proposal 0001 §2).
  for (const [name, format] of Object.entries(sfrFormats)) ajv.addFormat(name, format);
  for (const { document } of readSchemaDocuments()) ajv.addSchema(document as object);
  return ajv;
}
