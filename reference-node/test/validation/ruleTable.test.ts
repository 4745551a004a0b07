/**
 * Issue 9 "Done when": each numbered rule of envelope.md#verification has the one function that
 * implements it. The table (reference-node/scripts/rule-table.ts) is read from the spec's list and from
 * the `@rule` tags of reference-node/src; this test holds it whole: every rule exactly one function,
 * every tagged function a rule of the list that the engine calls, and each rule's outcome the
 * registry's for its code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getReasonCode } from '@sfr/schemas';
import { expect, it } from 'vitest';
import { readSpecRules, ruleTable } from '../../scripts/rule-table.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

it('reads the spec’s numbered list: rules 1 … 35, 33 by its per-type rules', () => {
  const rules = readSpecRules().map((r) => r.rule);
  const top = [...new Set(rules.map((r) => Number(r.split('.')[0])))];
  expect(top).toEqual(Array.from({ length: top.length }, (_, i) => i + 1));
  expect(rules).toContain('33.1');
  expect(rules).not.toContain('33');
});

it('every numbered rule has exactly one implementing function, and every tagged function a rule', () => {
  const { rows, untied } = ruleTable();
  const wrong = rows
    .filter((r) => r.functions.length !== 1)
    .map((r) => `rule ${r.rule}: ${r.functions.map((f) => f.name).join(', ') || 'no function'}`);
  expect(wrong).toEqual([]);
  expect(untied.map((f) => `${f.name} (${f.file}) tags ${f.rules.join(' ')}`)).toEqual([]);
});

it('each tagged function is used (called or wired in), not only declared', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory()
        ? files(path.join(dir, d.name))
        : d.name.endsWith('.ts')
          ? [path.join(dir, d.name)]
          : [],
    );
  const source = files(SRC)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const uncalled = [...new Set(ruleTable().rows.flatMap((r) => r.functions.map((f) => f.name)))].filter(
    (name) => (source.match(new RegExp(`\\b${name}\\b`, 'g')) ?? []).length < 2,
  );
  expect(uncalled).toEqual([]);
});

it('each rule’s outcome is the registry’s outcome of its code', () => {
  const mismatched = readSpecRules()
    .flatMap((r) => r.verdicts.map((v) => ({ rule: r.rule, ...v })))
    .filter((v) => !v.code.includes('*'))
    .filter((v) => getReasonCode(v.code)?.outcome !== v.outcome.toLowerCase())
    .map((v) => `rule ${v.rule} ${v.outcome} ${v.code}: registry ${getReasonCode(v.code)?.outcome}`);
  expect(mismatched).toEqual([]);
});
