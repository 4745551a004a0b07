// Schema compatibility checker (spec/v1/versioning.md#compatibility-checking).
//   npm run spec:compat -- [--json] [--minor] [<old> [<new>]]
// Defaults: <old> = the latest schemas/released/<version>/, <new> = schemas/v1/.
// Exit codes: 0 compatible, 1 a change breaks producers or consumers within one major, 2 usage error.
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildReport, formatReport } from './compat/buildReport.js';
import { findLatestRelease } from './compat/findLatestRelease.js';
import { CompatInputError, loadSchemaSet } from './compat/loadSchemaSet.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

const usage = `Usage: npm run spec:compat -- [--json] [--minor] [<old> [<new>]]

Compares two folders of *.schema.json files and classifies every change as breaking or not,
separately for producers (old documents still accepted?) and consumers (new documents readable
by old readers?). Paths are relative to the repository root or absolute.

  <old>     default: the latest schemas/released/<version>/
  <new>     default: schemas/v1/
  --json    print the report as JSON
  --minor   the new set is a new MINOR version: additive changes that proposal 0001 §3 admits
            in a minor (optional property, open-enum value, new schema) do not fail
  --help    this text
  --version the @sfr/schemas version this checker ships with

Exit: 0 compatible, 1 breaking within one major, 2 usage error.
`;

function fail(message: string): never {
  process.stderr.write(`compat: ${message}\n\n${usage}`);
  process.exit(2);
}

function main(argv: readonly string[]): number {
  let json = false;
  let minorRelease = false;
  const positionals: string[] = [];
  for (const arg of argv) {
    if (arg === '--json') json = true;
    else if (arg === '--minor') minorRelease = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(usage);
      return 0;
    } else if (arg === '--version') {
      const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'schemas/package.json'), 'utf8')) as {
        version: string;
      };
      process.stdout.write(`${pkg.version}\n`);
      return 0;
    } else if (arg === '--') continue;
    else if (arg.startsWith('-')) fail(`unknown option ${arg}`);
    else positionals.push(arg);
  }
  if (positionals.length > 2) fail(`expected at most two folders, got ${positionals.length}`);
  const toPath = (p: string) => (isAbsolute(p) ? p : resolve(repoRoot, p));
  const oldDir =
    positionals[0] !== undefined
      ? toPath(positionals[0])
      : findLatestRelease(resolve(repoRoot, 'schemas/released'));
  if (oldDir === undefined) fail('no released schema set under schemas/released/; name <old> explicitly');
  const newDir = toPath(positionals[1] ?? 'schemas/v1');
  const label = (p: string) => (p.startsWith(repoRoot) ? relative(repoRoot, p) || '.' : p);
  let report: ReturnType<typeof buildReport>;
  try {
    report = buildReport({
      oldSet: loadSchemaSet(oldDir),
      newSet: loadSchemaSet(newDir),
      oldLabel: label(oldDir),
      newLabel: label(newDir),
      minorRelease,
    });
  } catch (error) {
    if (error instanceof CompatInputError) fail(`${error.code}: ${error.message}`);
    throw error;
  }
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.verdict === 'breaking' ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
