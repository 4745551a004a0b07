import { execFile } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const VERSION = (
  JSON.parse(readFileSync(path.join(ROOT, 'reference-node/package.json'), 'utf8')) as { version: string }
).version;

/** The workspaces that ship a command, and the bin each declares. */
const BINS = [
  { workspace: 'reference-node', name: 'sfr' },
  { workspace: 'conformance-tests', name: 'sfr-conformance' },
] as const;

describe('bins at the repository root (issue 11 item 5)', () => {
  for (const { workspace, name } of BINS) {
    it(`${name}: the bin is a committed launcher, linked by npm ci, and runs through npx`, async () => {
      const pkg = JSON.parse(readFileSync(path.join(ROOT, workspace, 'package.json'), 'utf8')) as {
        bin: Record<string, string>;
      };
      const target = path.join(ROOT, workspace, pkg.bin[name]!);
      // npm links a workspace bin at install time only if its target exists then; dist/ does not.
      expect(path.relative(path.join(ROOT, workspace), target)).not.toMatch(/^dist\//);
      await run('git', ['ls-files', '--error-unmatch', target], { cwd: ROOT });
      expect(realpathSync(path.join(ROOT, 'node_modules/.bin', name))).toBe(realpathSync(target));
      const r = await run('npx', ['--no-install', name, '--help'], { cwd: ROOT });
      expect(r.stdout).toMatch(/^Usage:/m);
    });
  }

  it('sfr --version and --help load commander and the small CLI modules only', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sfr-bins-'));
    try {
      for (const flag of ['--version', '--help']) {
        const log = path.join(dir, `imports${flag}.txt`);
        const r = await run(
          process.execPath,
          [
            '--import',
            path.join(import.meta.dirname, 'fixtures/registerRecordImports.mjs'),
            path.join(ROOT, 'reference-node/bin/sfr.js'),
            flag,
          ],
          { env: { ...process.env, SFR_IMPORT_LOG: log } },
        );
        if (flag === '--version') expect(r.stdout).toBe(`${VERSION}\n`);
        const urls = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
        expect(urls.some((u) => u.endsWith('/dist/cli/main.js'))).toBe(true);
        // libp2p, viem, fastify, ajv, classic-level, @sfr/schemas … load when a command needs them.
        const heavy = urls.filter(
          (u) =>
            !u.startsWith('node:') &&
            !/\/node_modules\/commander\//.test(u) &&
            !/\/reference-node\/(bin\/sfr\.js|dist\/cli\/[A-Za-z]+\.js|dist\/polyfill\.js)$/.test(u) &&
            // @sfr/schemas/errors: the error base class and the generated code table, no validators
            !/\/schemas\/dist\/(sfrError|generated\/v1\/reasonCodes)\.js$/.test(u),
        );
        expect(heavy).toEqual([]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
