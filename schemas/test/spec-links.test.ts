import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every place that points into the spec must land on a real heading: a reason code's `section`
// (the registries), a conformance vector's `section`, and every relative link between spec pages.
// A report that cites a section nobody can find is worse than no citation.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const specV1 = path.join(repoRoot, 'spec', 'v1');

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, -N for repeats. */
function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[`*_~]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

const anchorCache = new Map<string, Set<string> | null>();
function anchorsOf(file: string): Set<string> | null {
  const cached = anchorCache.get(file);
  if (cached !== undefined) return cached;
  if (!existsSync(file)) {
    anchorCache.set(file, null);
    return null;
  }
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    if (inFence) continue;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading?.[1] !== undefined) {
      const slug = slugOf(heading[1]);
      const n = seen.get(slug) ?? 0;
      seen.set(slug, n + 1);
      anchors.add(n === 0 ? slug : `${slug}-${n}`);
    }
    for (const explicit of line.matchAll(/<a (?:id|name)="([^"]+)"/g)) anchors.add(explicit[1] ?? '');
  }
  anchorCache.set(file, anchors);
  return anchors;
}

/** Returns why `ref` (`file.md#anchor`, `#anchor` or `file.md`) does not resolve, or undefined. */
function brokenReason(ref: string, baseDir: string, self: string): string | undefined {
  const [file = '', anchor] = ref.split('#');
  const target = file === '' ? self : path.resolve(baseDir, file);
  const anchors = anchorsOf(target);
  if (anchors === null) return `${ref}: no such page`;
  if (anchor !== undefined && anchor !== '' && !anchors.has(anchor)) return `${ref}: no such heading`;
  return undefined;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const rel = (p: string) => path.relative(repoRoot, p);

describe('references into the spec resolve', () => {
  it('every reason code section names an existing heading', () => {
    const dir = path.join(repoRoot, 'schemas', 'v1', 'registry', 'reason-codes');
    const broken: string[] = [];
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const registry = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as {
        codes: { code: string; section?: string }[];
      };
      for (const { code, section } of registry.codes) {
        if (section === undefined) continue;
        const why = brokenReason(section, specV1, '');
        if (why !== undefined) broken.push(`${name} ${code}: ${why}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every conformance vector section names an existing heading', () => {
    const broken = new Set<string>();
    for (const file of walk(path.join(repoRoot, 'conformance-tests', 'vectors', 'v1'))) {
      if (!file.endsWith('.json')) continue;
      const vector = JSON.parse(readFileSync(file, 'utf8')) as { cases?: { section?: string }[] };
      for (const { section } of vector.cases ?? []) {
        if (section === undefined) continue;
        const why = brokenReason(section, specV1, '');
        if (why !== undefined) broken.add(`${rel(file)}: ${why}`);
      }
    }
    expect([...broken]).toEqual([]);
  });

  it('every relative link between spec pages resolves', () => {
    const broken: string[] = [];
    for (const page of walk(path.join(repoRoot, 'spec')).filter((f) => f.endsWith('.md'))) {
      let inFence = false;
      for (const line of readFileSync(page, 'utf8').split('\n')) {
        if (line.startsWith('```')) inFence = !inFence;
        if (inFence) continue;
        for (const link of line.matchAll(/\]\(([^)\s]+)\)/g)) {
          const target = link[1] ?? '';
          if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
          if (!target.startsWith('#') && !/\.md(#|$)/.test(target)) continue; // folders, files
          const why = brokenReason(target, path.dirname(page), page);
          if (why !== undefined) broken.push(`${rel(page)}: ${why}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
