// Every ```json fence in spec/**/*.md is an example the tests check (spec/v1/README.md "Conventions").
// The nearest non-blank line before the fence must annotate it:
//   <!-- example: <Kind> valid -->
//   <!-- example: <Kind> invalid <CODE> <pointer> -->   (an empty pointer is written "")
//   <!-- example: none -->                              (illustration, not a schema document)
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from '@sfr/schemas';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const specDir = join(repoRoot, 'spec');

type Expectation =
  | { readonly kind: 'none' }
  | { readonly kind: 'valid'; readonly schema: string }
  | { readonly kind: 'invalid'; readonly schema: string; readonly code: string; readonly pointer: string };

interface JsonFence {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly text: string;
  readonly annotation: string | undefined;
}

const annotationPattern = /^<!--\s*example:\s*(.*?)\s*-->$/;

/** Parses an annotation's body; a string is the reason it is malformed. */
function parseAnnotation(body: string): Expectation | string {
  const words = body.split(/\s+/).filter((w) => w !== '');
  if (words.length === 1 && words[0] === 'none') return { kind: 'none' };
  const [schema, verdict, code, pointer, ...rest] = words;
  if (schema === undefined || !/^[A-Z][A-Za-z0-9]*$/.test(schema)) return `bad schema kind in "${body}"`;
  if (verdict === 'valid' && code === undefined) return { kind: 'valid', schema };
  if (verdict === 'invalid' && code !== undefined && pointer !== undefined && rest.length === 0) {
    if (!/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(code)) return `bad reason code ${code}`;
    const unquoted = pointer === '""' ? '' : pointer;
    if (unquoted !== '' && !unquoted.startsWith('/')) return `bad JSON pointer ${pointer}`;
    return { kind: 'invalid', schema, code, pointer: unquoted };
  }
  return `expected "<Kind> valid", "<Kind> invalid <CODE> <pointer>" or "none", got "${body}"`;
}

/** Finds the ```json fences of a Markdown text, with the annotation line before each. */
function findJsonFences(file: string, markdown: string): JsonFence[] {
  const lines = markdown.split(/\r?\n/);
  const fences: JsonFence[] = [];
  let open: { marker: string; json: boolean; start: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
    if (open === undefined) {
      if (fence === null) continue;
      open = { marker: fence[1]!, json: fence[2]!.toLowerCase() === 'json', start: i };
      continue;
    }
    if (fence === null || !fence[1]!.startsWith(open.marker) || fence[2] !== '') continue;
    if (open.json) {
      let previous = open.start - 1;
      while (previous >= 0 && lines[previous]!.trim() === '') previous--;
      const annotation = previous >= 0 ? annotationPattern.exec(lines[previous]!.trim())?.[1] : undefined;
      fences.push({
        file,
        line: open.start + 1,
        text: lines.slice(open.start + 1, i).join('\n'),
        annotation,
      });
    }
    open = undefined;
  }
  return fences;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? markdownFiles(join(dir, entry.name))
        : entry.name.endsWith('.md')
          ? [join(dir, entry.name)]
          : [],
    )
    .sort();
}

const fences = markdownFiles(specDir).flatMap((path) =>
  findJsonFences(relative(repoRoot, path), readFileSync(path, 'utf8')),
);
const checked = fences.flatMap((fence) => {
  const expectation = fence.annotation === undefined ? undefined : parseAnnotation(fence.annotation);
  return typeof expectation === 'object' && expectation.kind !== 'none'
    ? [{ name: `${fence.file}:${fence.line} ${fence.annotation}`, fence, expectation }]
    : [];
});

describe('the annotation parser', () => {
  it('reads the three forms and refuses anything else', () => {
    expect(parseAnnotation('RecoveryEvent valid')).toEqual({ kind: 'valid', schema: 'RecoveryEvent' });
    expect(parseAnnotation('Envelope invalid SCHEMA_REQUIRED /payload/kind')).toEqual({
      kind: 'invalid',
      schema: 'Envelope',
      code: 'SCHEMA_REQUIRED',
      pointer: '/payload/kind',
    });
    expect(parseAnnotation('Envelope invalid SCHEMA_TYPE ""')).toMatchObject({ pointer: '' });
    expect(parseAnnotation('none')).toEqual({ kind: 'none' });
    expect(parseAnnotation('RecoveryEvent')).toMatch(/expected/);
    expect(parseAnnotation('RecoveryEvent invalid SCHEMA_REQUIRED')).toMatch(/expected/);
    expect(parseAnnotation('RecoveryEvent invalid required /kind')).toMatch(/bad reason code/);
    expect(parseAnnotation('RecoveryEvent invalid SCHEMA_REQUIRED kind')).toMatch(/bad JSON pointer/);
  });

  it('finds json fences with their annotation and skips other fences', () => {
    const markdown = [
      '<!-- example: A valid -->',
      '',
      '```json',
      '{"a": 1}',
      '```',
      '```ts',
      'const x = 1;',
      '```',
      '````markdown',
      '```json',
      '{}',
      '```',
      '````',
      '```json',
      '[]',
      '```',
    ].join('\n');
    expect(findJsonFences('x.md', markdown)).toEqual([
      { file: 'x.md', line: 3, text: '{"a": 1}', annotation: 'A valid' },
      { file: 'x.md', line: 14, text: '[]', annotation: undefined },
    ]);
  });
});

describe('JSON examples in spec/', () => {
  it('finds examples to check', () => {
    expect(checked.length).toBeGreaterThan(0);
  });

  it('annotates every json fence', () => {
    const problems = fences.flatMap((fence) => {
      if (fence.annotation === undefined)
        return [`${fence.file}:${fence.line}: json fence without <!-- example: ... --> annotation`];
      const expectation = parseAnnotation(fence.annotation);
      return typeof expectation === 'string' ? [`${fence.file}:${fence.line}: ${expectation}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it.each(checked)('$name', ({ fence, expectation }) => {
    let document: unknown;
    try {
      document = JSON.parse(fence.text);
    } catch (error) {
      expect.fail(`${fence.file}:${fence.line}: not JSON: ${(error as Error).message}`);
    }
    const result = validate(expectation.schema, document);
    if (expectation.kind === 'valid') {
      expect(result.ok ? [] : result.issues).toEqual([]);
    } else {
      expect(result.ok).toBe(false);
      const issues = result.ok
        ? []
        : result.issues.map((issue) => ({ code: issue.code, pointer: issue.pointer }));
      expect(issues).toContainEqual({ code: expectation.code, pointer: expectation.pointer });
    }
  });
});

describe('generated pages (schemas/scripts/generate-docs.ts)', () => {
  const banner = '<!-- generated by schemas/scripts/generate-docs.ts: do not edit -->';
  const schemaDir = join(repoRoot, 'schemas/v1');
  const referenceDir = join(specDir, 'v1/reference');

  it('has one reference page per schema, each with the generated banner', () => {
    const schemas = readdirSync(schemaDir)
      .filter((name) => name.endsWith('.schema.json'))
      .map((name) => name.replace(/\.schema\.json$/, '.md'))
      .sort();
    const pages = readdirSync(referenceDir)
      .filter((name) => name !== 'README.md')
      .sort();
    expect(pages).toEqual(schemas);
    for (const page of [...pages, 'README.md'])
      expect(readFileSync(join(referenceDir, page), 'utf8').startsWith(banner)).toBe(true);
  });

  it('lists every registered reason code with its outcome on the registries page', () => {
    const registries = readFileSync(join(specDir, 'v1/registries.md'), 'utf8');
    expect(registries.startsWith(banner)).toBe(true);
    const registryDir = join(schemaDir, 'registry/reason-codes');
    const missing = readdirSync(registryDir)
      .filter((name) => name.endsWith('.json'))
      .flatMap((name) => {
        const registry = JSON.parse(readFileSync(join(registryDir, name), 'utf8')) as {
          codes: { code: string; outcome: string }[];
        };
        return registry.codes.filter(
          (entry) => !new RegExp(`\\| \`${entry.code}\` +\\| ${entry.outcome} +\\|`).test(registries),
        );
      })
      .map((entry) => entry.code);
    expect(missing).toEqual([]);
  });
});
