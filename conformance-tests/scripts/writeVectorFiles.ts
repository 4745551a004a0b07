/**
 * Writes a generated set of vector files under one folder, or with `check` compares them: the files
 * are `<handler>/<suite>.json` paths; a file under the folder that the set no longer has is stale and
 * removed. Shared by the node and adapter vector generators. Returns the exit code (1: out of date).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface WriteVectorFilesParameters {
  /** What the log lines call the set, e.g. `node vectors`. */
  readonly label: string;
  readonly outputDir: string;
  /** `<handler>/<suite>.json` → the file's JSON value. */
  readonly files: ReadonlyMap<string, unknown>;
  readonly check: boolean;
  readonly log: (line: string) => void;
}

export function writeVectorFiles(p: WriteVectorFilesParameters): number {
  const files = new Map([...p.files].map(([f, v]) => [f, `${JSON.stringify(v, null, 2)}\n`]));
  const stale = listJson(p.outputDir).filter((f) => !files.has(f));
  const changed = [...files].filter(([f, text]) => {
    const target = path.join(p.outputDir, f);
    return !existsSync(target) || readFileSync(target, 'utf8') !== text;
  });
  if (p.check) {
    for (const [f] of changed) p.log(`out of date: ${path.join(p.outputDir, f)}`);
    for (const f of stale) p.log(`stale: ${path.join(p.outputDir, f)}`);
    if (changed.length + stale.length > 0) {
      p.log('run: npm run generate');
      return 1;
    }
    p.log(`${p.label} up to date (${files.size} files)`);
    return 0;
  }
  for (const [f, text] of changed) {
    mkdirSync(path.dirname(path.join(p.outputDir, f)), { recursive: true });
    writeFileSync(path.join(p.outputDir, f), text);
  }
  for (const f of stale) rmSync(path.join(p.outputDir, f));
  p.log(`${p.label}: ${files.size} files, ${changed.length} written, ${stale.length} removed`);
  return 0;
}

/** `<handler>/<suite>.json` paths under `dir` (empty when it does not exist). */
function listJson(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const handler of readdirSync(dir, { withFileTypes: true })) {
    if (!handler.isDirectory()) continue;
    for (const f of readdirSync(path.join(dir, handler.name))) {
      if (f.endsWith('.json')) out.push(`${handler.name}/${f}`);
    }
  }
  return out.sort();
}

/** Runs `generate({check})` when `moduleUrl` is the script node was started with (`[--check]`). */
export function runIfMain(
  moduleUrl: string,
  script: string,
  generate: (o: { check: boolean }) => number,
): void {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(path.resolve(process.argv[1])).href)
    return;
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`usage: ${script} [--check] (unknown: ${unknown.join(' ')})`);
    process.exitCode = 2;
  } else process.exitCode = generate({ check: args.includes('--check') });
}
