// How `npm start` runs its node processes. Five processes compiling the sources through tsx at once
// take most of a minute on a small machine, so: the built `reference-node/dist` when it is up to
// date with the sources; else a transpile-only copy (TypeScript's transpileModule, no type check,
// changed files only) under .cache/local-network, which starts as fast as dist.
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PKG = path.join(ROOT, 'reference-node');
const SRC = path.join(PKG, 'src');
const DIST = path.join(PKG, 'dist');
/** Mirrors reference-node/ (package.json beside dist/) so `../../package.json` and `"type": "module"` hold. */
const CACHE_PKG = path.join(ROOT, '.cache', 'local-network', 'reference-node');

async function sources(dir = SRC): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sources(file)));
    else if ((entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) || entry.name.endsWith('.json'))
      out.push(file);
  }
  return out;
}

const mtime = async (file: string): Promise<number> => {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return -1;
  }
};
const outputOf = (distDir: string, file: string) =>
  path.join(distDir, path.relative(SRC, file)).replace(/\.ts$/, '.js');

/** Node arguments that run `sfr` (before `node start …`), and which build they use. */
export async function nodeEntry(
  options: { transpile?: boolean } = {},
): Promise<{ args: string[]; how: string }> {
  const files = await sources();
  let fresh = options.transpile !== true;
  for (const f of files) if (fresh && (await mtime(outputOf(DIST, f))) < (await mtime(f))) fresh = false;
  if (fresh) return { args: [path.join(DIST, 'cli/main.js')], how: 'built reference-node/dist' };

  const dist = path.join(CACHE_PKG, 'dist');
  await mkdir(dist, { recursive: true });
  await copyFile(path.join(PKG, 'package.json'), path.join(CACHE_PKG, 'package.json'));
  let compiled = 0;
  for (const f of files) {
    const out = outputOf(dist, f);
    if ((await mtime(out)) >= (await mtime(f))) continue;
    await mkdir(path.dirname(out), { recursive: true });
    if (f.endsWith('.json')) {
      await copyFile(f, out);
    } else {
      const { outputText } = ts.transpileModule(await readFile(f, 'utf8'), {
        fileName: f,
        compilerOptions: {
          target: ts.ScriptTarget.ES2023,
          module: ts.ModuleKind.ESNext,
          verbatimModuleSyntax: true,
          sourceMap: false,
        },
      });
      await writeFile(out, outputText);
    }
    compiled++;
  }
  return {
    args: [path.join(dist, 'cli/main.js')],
    how: `sources transpiled to .cache/local-network (${compiled} changed of ${files.length})`,
  };
}
