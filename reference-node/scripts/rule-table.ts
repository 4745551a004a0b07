/**
 * The rule → function table of the one validation engine (issue 9): each numbered rule of
 * spec/v1/envelope.md#verification (the envelope rules and the gossip rules among them, 33's
 * per-type rules as 33.1 …) with its outcome and code as the spec states them, and the one function
 * of reference-node/src that implements it: the function whose doc comment carries `@rule N`.
 * Built from the spec and the code, never by hand; test/validation/ruleTable.test.ts asserts that
 * each rule has exactly one function and each tagged function a rule.
 *
 *   npx tsx reference-node/scripts/rule-table.ts          # the table, Markdown
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const SPEC = path.join(ROOT, 'spec/v1/envelope.md');
const SRC = path.join(ROOT, 'reference-node/src');

/** One numbered rule of envelope.md#verification. */
export interface SpecRule {
  readonly rule: string;
  /** REJECT, IGNORE, or `(pool rules)` for 33.2, whose verdict is the pool rules'. */
  readonly outcome: string;
  readonly code: string;
  /** Each outcome with its code, in the rule's order (empty for 33.2, whose verdict is the pool rules'). */
  readonly verdicts: readonly { readonly outcome: string; readonly code: string }[];
  readonly tags: readonly string[];
}

/** One `@rule` tag: the function (or method) its doc comment precedes. */
export interface TaggedFunction {
  readonly rules: readonly string[];
  readonly name: string;
  /** Relative to the repository root, with the line of the declaration. */
  readonly file: string;
  readonly line: number;
}

/** The numbered list of envelope.md §Verification; a rule with sub-rules (33) is listed by them. */
export function readSpecRules(text = readFileSync(SPEC, 'utf8')): SpecRule[] {
  const section = text.slice(text.indexOf('### Verification'), text.indexOf('### Harness'));
  const items: { rule: string; text: string }[] = [];
  let parent = '';
  for (const line of section.split('\n')) {
    const top = /^(\d+)\. (.*)$/.exec(line);
    const sub = /^ {4}(\d+)\. (.*)$/.exec(line);
    if (top !== null) {
      parent = top[1]!;
      items.push({ rule: parent, text: top[2]! });
    } else if (sub !== null) {
      // a sub-rule applies where its parent does
      const tags = items
        .find((i) => i.rule === parent)
        ?.text.match(/^(?:_\((?:gossip|state|node)\)_ )*/)?.[0];
      items.push({ rule: `${parent}.${sub[1]}`, text: `${tags ?? ''}${sub[2]!}` });
    } else if (/^ {3,}\S/.test(line) && items.length > 0) {
      items[items.length - 1]!.text += ` ${line.trim()}`;
    } else if (line.trim() === '') {
      // a blank line ends the continuation; a paragraph indented under 33 is not a rule
      if (items.length > 0) items[items.length - 1]!.text += '\n';
    }
  }
  // A rule that only introduces its sub-rules (33: no outcome of its own) is listed by them.
  const withSubs = new Set(items.filter((i) => i.rule.includes('.')).map((i) => i.rule.split('.')[0]!));
  const container = (i: { rule: string; text: string }) =>
    withSubs.has(i.rule) && !/\[(REJECT|IGNORE)\]/.test(i.text.split('\n')[0]!);
  return items
    .filter((i) => !container(i))
    .map((i) => {
      const first = i.text.split('\n')[0]!;
      const tags = [...new Set([...first.matchAll(/_\((gossip|state|node)\)_/g)].map((m) => m[1]!))];
      // Each `[OUTCOME] … — `CODE`` of the rule (33.4 has three).
      const verdicts = [...first.matchAll(/\[(REJECT|IGNORE)\].*?— [^`]*`([A-Z][A-Z0-9_]*\*?)`/g)].map(
        (m) => ({
          outcome: m[1]!,
          code: m[2]!,
        }),
      );
      return {
        rule: i.rule,
        outcome: verdicts.map((v) => v.outcome).join(' / ') || '(pool rules)',
        code: verdicts.map((v) => v.code).join(', ') || '(the pool rule’s code)',
        verdicts,
        tags,
      };
    });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? sourceFiles(path.join(dir, d.name))
      : d.name.endsWith('.ts')
        ? [path.join(dir, d.name)]
        : [],
  );
}

/** Every comment carrying `@rule N …` in reference-node/src, with the declaration that follows it. */
export function readTaggedFunctions(): TaggedFunction[] {
  const found: TaggedFunction[] = [];
  for (const file of sourceFiles(SRC)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const tag = /@rule ((?:\d+(?:\.\d+)?\s*)+)/.exec(lines[i]!);
      if (tag === null) continue;
      let j = i;
      if (/^\s*\/\//.test(lines[i]!)) {
        // a line comment: the declaration follows its last line
        while (j + 1 < lines.length && /^\s*\/\//.test(lines[j + 1]!)) j++;
      } else while (j < lines.length && !lines[j]!.includes('*/')) j++;
      const decl = lines[j + 1] ?? '';
      const name =
        /^\s*(?:export\s+)?(?:async\s+)?(?:function\s+|const\s+)([A-Za-z_$][\w$]*)/.exec(decl)?.[1] ??
        /^\s*([A-Za-z_$][\w$]*)\s*\(/.exec(decl)?.[1];
      if (name === undefined) throw new Error(`${file}:${i + 1}: @rule precedes no declaration`);
      found.push({
        rules: tag[1]!.trim().split(/\s+/),
        name,
        file: path.relative(ROOT, file),
        line: j + 2,
      });
    }
  }
  return found;
}

export interface RuleRow extends SpecRule {
  readonly functions: readonly TaggedFunction[];
}

/** The table: each spec rule with the functions tagged with it (exactly one when the code is right). */
export function ruleTable(): { rows: RuleRow[]; untied: TaggedFunction[] } {
  const spec = readSpecRules();
  const tagged = readTaggedFunctions();
  const rows = spec.map((r) => ({ ...r, functions: tagged.filter((f) => f.rules.includes(r.rule)) }));
  const known = new Set(spec.map((r) => r.rule));
  return { rows, untied: tagged.filter((f) => f.rules.some((r) => !known.has(r))) };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { rows, untied } = ruleTable();
  console.log('| rule | applies | outcome | code | function | file |');
  console.log('| ---- | ------- | ------- | ---- | -------- | ---- |');
  for (const r of rows) {
    const f = r.functions.map((x) => `\`${x.name}\``).join(', ') || '**none**';
    const where = r.functions.map((x) => `${x.file}:${x.line}`).join(', ');
    console.log(
      `| ${r.rule} | ${r.tags.join(', ') || 'all'} | ${r.outcome} | \`${r.code}\` | ${f} | ${where} |`,
    );
  }
  for (const f of untied) console.log(`untied: ${f.name} (${f.file}:${f.line}) tags ${f.rules.join(' ')}`);
}
