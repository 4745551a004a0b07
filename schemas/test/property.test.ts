// Property tests (fast-check): whatever the input, the validator answers with a registered code and a
// pointer into the document, never throws, and never changes its input.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getReasonCode, parseAndValidate, type SchemaKind, schemaKinds, validate } from '../src/index.js';

const examplesDir = new URL('../v1/examples/', import.meta.url);

/** Every valid example, as [kind, document]. */
const validExamples: [SchemaKind, unknown][] = schemaKinds.flatMap((kind) =>
  readdirSync(fileURLToPath(new URL(`${kind}/valid/`, examplesDir)))
    .filter((f) => f.endsWith('.json'))
    .map((f): [SchemaKind, unknown] => [
      kind,
      JSON.parse(readFileSync(new URL(`${kind}/valid/${f}`, examplesDir), 'utf8')) as unknown,
    ]),
);

/** Resolves a JSON pointer's parent in `doc`: the issue must point into the document (or at a missing key of it). */
function pointsInto(doc: unknown, pointer: string): boolean {
  if (pointer === '') return true;
  const tokens = pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, token)) return false;
    node = (node as Record<string, unknown>)[token];
  }
  return typeof node === 'object' && node !== null;
}

const kindArb = fc.constantFrom(...schemaKinds);

describe('validator properties', () => {
  it('never throws on arbitrary JSON; failures carry a registered code and a pointer into the document', () => {
    fc.assert(
      fc.property(kindArb, fc.jsonValue({ maxDepth: 6 }), (kind, doc) => {
        const before = JSON.stringify(doc);
        const r = validate(kind, doc);
        expect(JSON.stringify(doc)).toBe(before);
        if (!r.ok) {
          expect(r.issues.length).toBe(1);
          const issue = r.issues[0]!;
          expect(getReasonCode(issue.code)?.domain).toBe('SCHEMA');
          expect(pointsInto(doc, issue.pointer)).toBe(true);
          expect(issue.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on arbitrary text or bytes', () => {
    fc.assert(
      fc.property(
        kindArb,
        fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 })),
        (kind, text) => {
          const r = parseAndValidate(kind, text);
          if (!r.ok) expect(getReasonCode(r.issues[0]!.code)).toBeDefined();
        },
      ),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = parseAndValidate('Envelope', bytes);
        expect(r.ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('agrees between validate(JSON.parse(text)) and parseAndValidate(text)', () => {
    fc.assert(
      fc.property(kindArb, fc.jsonValue({ maxDepth: 5 }), (kind, doc) => {
        const text = JSON.stringify(doc);
        expect(parseAndValidate(kind, text)).toEqual(validate(kind, JSON.parse(text) as unknown));
      }),
      { numRuns: 200 },
    );
  });

  it('a valid example with one value replaced still gets a well-formed answer, and is not modified', () => {
    const mutation = fc.record({
      example: fc.nat({ max: validExamples.length - 1 }),
      pathSeed: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
      replacement: fc.jsonValue({ maxDepth: 2 }),
    });
    fc.assert(
      fc.property(mutation, ({ example, pathSeed, replacement }) => {
        const [kind, original] = validExamples[example]!;
        const doc = structuredClone(original) as Record<string, unknown>;
        // Walk down by the seeds, then replace the value found there.
        let parent: Record<string, unknown> | unknown[] = doc;
        let key: string | number | undefined;
        for (const seed of pathSeed) {
          const keys: (string | number)[] = Array.isArray(parent)
            ? parent.map((_, i) => i)
            : Object.keys(parent);
          if (keys.length === 0) break;
          key = keys[seed % keys.length]!;
          const child: unknown = (parent as Record<string | number, unknown>)[key];
          if (typeof child !== 'object' || child === null) break;
          if (seed === pathSeed.at(-1)) break;
          parent = child as Record<string, unknown>;
        }
        if (key !== undefined) (parent as Record<string | number, unknown>)[key] = replacement;
        const before = JSON.stringify(doc);
        const r = validate(kind, doc);
        expect(JSON.stringify(doc)).toBe(before);
        if (!r.ok) {
          expect(getReasonCode(r.issues[0]!.code)?.domain).toBe('SCHEMA');
          expect(pointsInto(doc, r.issues[0]!.pointer)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
