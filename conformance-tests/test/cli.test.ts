import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../scripts/testTimeouts.js';
import { main } from '../src/index.js';
import {
  canonicalizeCase,
  captureIo,
  faultyHarness,
  fixtureVectors,
  makeVectorsRoot,
  packageDir,
} from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const impl = `node ${JSON.stringify(faultyHarness)}`;
const run = (...args: string[]) => [
  'run',
  '--impl',
  impl,
  '--vectors',
  fixtureVectors,
  '--timeout-ms',
  '2000',
  ...args,
];

describe('sfr-conformance usage errors exit 2 with a coded message', () => {
  const cases: [string, string[], string][] = [
    ['no command', [], 'missing command (run or check)'],
    ['an unknown command', ['frobnicate'], 'unknown command "frobnicate" (expected run or check)'],
    ['an unknown option', ['run', '--bogus'], "Unknown option '--bogus'"],
    ['run without --impl', ['run'], 'run needs --impl "<command line>"'],
    ['an unterminated quote in --impl', ['run', '--impl', 'node "x'], '--impl: unterminated double quote'],
    ['an unknown level', ['run', '--impl', 'x', '--level', 'schema,pools'], 'unknown level "pools"'],
    ['a bad format', ['run', '--impl', 'x', '--format', 'xml'], '--format must be md or json, not "xml"'],
    [
      'a zero timeout',
      ['run', '--impl', 'x', '--timeout-ms', '0'],
      '--timeout-ms must be an integer from 1 to 3600000',
    ],
    ['an extra argument', ['run', 'extra', '--impl', 'x'], 'unexpected argument "extra"'],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const { io, out } = captureIo();
      expect(await main(args, io)).toBe(2);
      expect(out.stderr).toContain(`HARNESS_USAGE: ${message}`);
      expect(out.stderr).toContain('Run sfr-conformance --help for usage.');
      expect(out.stdout).toBe('');
    });
  }

  it('vector files it does not know: exit 2, nothing run', async () => {
    const made = makeVectorsRoot({
      'v1/envelope/frobnicate/x.json': {
        runner: 'envelope',
        handler: 'frobnicate',
        suite: 'x',
        cases: [canonicalizeCase('x')],
      },
    });
    cleanups.push(made.cleanup);
    const { io, out } = captureIo();
    expect(await main(['run', '--impl', impl, '--vectors', made.root], io)).toBe(2);
    expect(out.stderr).toBe(
      'the vector files were refused; nothing was run:\n  HARNESS_UNKNOWN_HANDLER envelope/frobnicate/x.json: unknown handler "frobnicate" for runner envelope (known: canonicalize, payloadHash, typedDataDigest, sign, messageId, verify, ingest)\n',
    );
  });
});

describe('sfr-conformance exit codes', () => {
  it('--help and --version exit 0', async () => {
    const help = captureIo();
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.out.stdout).toMatch(/^Usage:\n {2}sfr-conformance run --impl "<command line>" \[options\]/);
    const version = captureIo();
    expect(await main(['--version'], version.io)).toBe(0);
    expect(version.out.stdout).toBe('@sfr/conformance-tests 0.1.0\n');
  });

  it('0 when every selected case passes; the JSON report counts them', async () => {
    const { io, out } = captureIo();
    expect(await main(run('--filter', 'canonicalize/', '--format', 'json'), io)).toBe(0);
    const report = JSON.parse(out.stdout) as {
      cases: { outcome: string }[];
      levels: { level: string; status: string }[];
    };
    expect(report.cases.map((c) => c.outcome)).toEqual(['passed', 'passed']);
    expect(report.levels.map((l) => `${l.level}:${l.status}`)).toEqual([
      'schema:not-run',
      'envelope:passed',
      'pool:not-run',
      'node:not-available',
      'adapter:not-available',
      'settlement:not-available',
    ]);
  });

  it('1 when a case fails', async () => {
    const { io, out } = captureIo();
    expect(await main(run('--filter', 'payloadHash/'), io)).toBe(1);
    expect(out.stdout).toContain('**0 passed, 1 failed, 0 unsupported** of 1 cases run.');
  });

  it('unsupported cases: 1, or 0 with --allow-unsupported', async () => {
    const { io, out } = captureIo();
    expect(await main(run('--filter', 'ingest/'), io)).toBe(1);
    expect(out.stdout).toContain('| envelope | 0 | 0 | 1 | INCOMPLETE (unsupported ops) |');
    expect(await main(run('--filter', 'ingest/', '--allow-unsupported'), captureIo().io)).toBe(0);
  });

  it('1 when a requested level has no vectors, and the report says so', async () => {
    const { io, out } = captureIo();
    // The fixture vectors have no adapter/ folder.
    expect(await main(run('--level', 'adapter'), io)).toBe(1);
    expect(out.stdout).toContain(
      '| adapter | – | – | – | NOT AVAILABLE: no vectors for this level in v1/adapter/ |',
    );
    expect(out.stdout).toContain('**0 passed, 0 failed, 0 unsupported** of 0 cases run.');
  });

  it('--out writes the report and prints a one-line summary to stderr', async () => {
    const made = makeVectorsRoot({});
    cleanups.push(made.cleanup);
    const file = path.join(made.root, 'report.md');
    const { io, out } = captureIo();
    expect(await main(run('--filter', 'verify/', '--out', file), io)).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(`2 passed, 2 failed, 0 unsupported; report written to ${file}\n`);
    expect(readFileSync(file, 'utf8')).toContain('## Failed cases (2)');
  });

  it('the built bin runs (node dist/cli.js --version)', () => {
    const bin = path.join(packageDir, 'dist/cli.js');
    expect(existsSync(bin), `${bin} is missing: build first with npx tsc -b conformance-tests`).toBe(true);
    const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8', timeout: TIMEOUTS.start });
    expect({ status: r.status, stdout: r.stdout }).toEqual({
      status: 0,
      stdout: '@sfr/conformance-tests 0.1.0\n',
    });
    const usage = spawnSync(process.execPath, [bin, 'run'], { encoding: 'utf8', timeout: TIMEOUTS.start });
    expect(usage.status).toBe(2);
  });
});

describe('sfr-conformance check', () => {
  it('passes on the packaged vectors: every registered code of every domain has a vector or an exemption', async () => {
    const { io, out } = captureIo();
    expect(await main(['check'], io)).toBe(0);
    expect(out.stdout).toMatch(/every registered reason code has a vector or a listed exemption/);
  });

  it('fails with HARNESS_UNCOVERED_CODE when a code has neither a vector nor an exemption', async () => {
    const packaged = JSON.parse(
      readFileSync(path.join(packageDir, 'vectors/coverage-exemptions.json'), 'utf8'),
    );
    const made = makeVectorsRoot({
      'exemptions.json': {
        ...packaged,
        exemptions: packaged.exemptions.filter((e: { code: string }) => e.code !== 'SYNC_TIMEOUT'),
      },
    });
    cleanups.push(made.cleanup);
    const { io, out } = captureIo();
    expect(await main(['check', '--exemptions', path.join(made.root, 'exemptions.json')], io)).toBe(1);
    expect(out.stderr).toContain(
      'HARNESS_UNCOVERED_CODE registry/SYNC.json: SYNC_TIMEOUT (error) is registered but no vector expects it and it is not exempt',
    );
  });
});
