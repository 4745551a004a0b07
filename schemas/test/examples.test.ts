// Every example under schemas/v1/examples is validated as declared: valid ones pass (through both entry
// points), invalid ones fail with exactly the code and pointer of their `.expect.json`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAndValidate, reasonCodes, schemaKinds, validate } from '../src/index.js';

const examplesDir = fileURLToPath(new URL('../v1/examples/', import.meta.url));

interface Expectation {
  description: string;
  code: string;
  pointer: string;
}

function listCases(kind: string, validity: 'valid' | 'invalid'): string[] {
  const dir = path.join(examplesDir, kind, validity);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Codes no example can show (they need non-JSON text, a huge document or a bad kind): tested in robustness.test.ts. */
const codesCoveredByRobustnessTests = new Set([
  'SCHEMA_NOT_JSON',
  'SCHEMA_TOO_LARGE',
  'SCHEMA_UNKNOWN_KIND',
  'SCHEMA_INTERNAL_ERROR',
  'SCHEMA_INVALID',
]);

describe('schema examples', () => {
  it('has a folder per kind and no folder without a kind', () => {
    const folders = readdirSync(examplesDir).sort();
    expect(folders).toEqual([...schemaKinds].sort());
  });

  for (const kind of schemaKinds) {
    describe(kind, () => {
      const valid = listCases(kind, 'valid');
      const invalid = listCases(kind, 'invalid');

      it('has at least one valid and one invalid example', () => {
        expect(valid.length).toBeGreaterThan(0);
        expect(invalid.length).toBeGreaterThan(0);
      });

      for (const name of valid) {
        it(`valid/${name}`, () => {
          const text = readFileSync(path.join(examplesDir, kind, 'valid', `${name}.json`), 'utf8');
          const parsed = parseAndValidate(kind, text);
          expect(parsed.ok ? [] : parsed.issues).toEqual([]);
          const direct = validate(kind, JSON.parse(text));
          expect(direct.ok).toBe(true);
          expect(existsSync(path.join(examplesDir, kind, 'valid', `${name}.expect.json`))).toBe(false);
        });
      }

      for (const name of invalid) {
        it(`invalid/${name}`, () => {
          const base = path.join(examplesDir, kind, 'invalid', name);
          const expectation = JSON.parse(readFileSync(`${base}.expect.json`, 'utf8')) as Expectation;
          expect(Object.keys(expectation).sort()).toEqual(['code', 'description', 'pointer']);
          expect(expectation.description.length).toBeGreaterThan(0);
          const result = parseAndValidate(kind, readFileSync(`${base}.json`, 'utf8'));
          expect(result.ok).toBe(false);
          if (result.ok) return;
          expect(result.issues).toHaveLength(1);
          expect({ code: result.issues[0]!.code, pointer: result.issues[0]!.pointer }).toEqual({
            code: expectation.code,
            pointer: expectation.pointer,
          });
        });
      }
    });
  }

  it('has no expectation file without its example', () => {
    for (const kind of schemaKinds) {
      const dir = path.join(examplesDir, kind, 'invalid');
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.expect.json'))) {
        expect(existsSync(path.join(dir, f.replace(/\.expect\.json$/, '.json'))), f).toBe(true);
      }
    }
  });

  it('covers every SCHEMA reason code with an example (or, for the few that cannot be, a robustness test)', () => {
    const covered = new Set<string>(codesCoveredByRobustnessTests);
    for (const kind of schemaKinds) {
      for (const name of listCases(kind, 'invalid')) {
        const e = JSON.parse(
          readFileSync(path.join(examplesDir, kind, 'invalid', `${name}.expect.json`), 'utf8'),
        ) as Expectation;
        covered.add(e.code);
      }
    }
    const schemaCodes = reasonCodes.filter((c) => c.domain === 'SCHEMA').map((c) => c.code);
    expect(schemaCodes.filter((c) => !covered.has(c))).toEqual([]);
    // And no example expects a code the registry does not list.
    expect([...covered].filter((c) => !schemaCodes.includes(c))).toEqual([]);
  });
});
