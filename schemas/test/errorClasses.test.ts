import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// STYLE.md "Validation and errors": SfrError (schemas/src/sfrError.ts) is the one error base class of
// the SFR packages, so every error carries a registered code, its spec section and its details. This
// reads every source file of the packages' src trees and fails on any other class that extends a
// built-in error constructor (Error, TypeError, …, taken from the runtime, not listed by hand).

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BASE = { file: 'schemas/src/sfrError.ts', name: 'SfrError' };

const builtInErrors = new Set(
  Object.getOwnPropertyNames(globalThis).filter((name) => {
    const value = (globalThis as Record<string, unknown>)[name];
    return typeof value === 'function' && (value === Error || value.prototype instanceof Error);
  }),
);

function srcTrees(): string[] {
  const adapters = readdirSync(path.join(repoRoot, 'adapters'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => `adapters/${d.name}/src`);
  return ['schemas/src', 'reference-node/src', 'conformance-tests/src', ...adapters];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') out.push(...sourceFiles(rel));
    } else if (/\.(m?ts|m?js)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** `file: class Name extends Base` for every class of `text` whose base is a built-in error constructor. */
function errorSubclasses(file: string, text: string): { file: string; name: string; base: string }[] {
  const found: { file: string; name: string; base: string }[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isClassDeclaration(node) || ts.isClassExpression(node)) && node.heritageClauses) {
      for (const clause of node.heritageClauses) {
        if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
        for (const type of clause.types) {
          const base = type.expression.getText();
          if (builtInErrors.has(base)) found.push({ file, name: node.name?.text ?? '(anonymous)', base });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true));
  return found;
}

describe('error classes', () => {
  it('finds a class extending a built-in error, named or not', () => {
    const text =
      'class A extends Error {}\nconst B = class extends TypeError {};\nclass C extends SfrError<X> {}';
    expect(errorSubclasses('x.ts', text).map((c) => `${c.name} ${c.base}`)).toEqual([
      'A Error',
      '(anonymous) TypeError',
    ]);
  });

  it('only SfrError extends Error in the src trees of schemas, reference-node, adapters and conformance-tests', () => {
    const files = srcTrees().flatMap(sourceFiles);
    expect(files).toContain(BASE.file);
    const found = files.flatMap((file) =>
      errorSubclasses(file, readFileSync(path.join(repoRoot, file), 'utf8')),
    );
    expect(found).toEqual([{ ...BASE, base: 'Error' }]);
  });
});
