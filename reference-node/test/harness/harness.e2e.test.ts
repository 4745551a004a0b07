import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';

// Drives the compiled harness (reference-node/dist/harness/main.js, built by `npx tsc -b reference-node`)
// as the conformance runner does: a child process speaking JSON lines.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const main = path.join(root, 'reference-node/dist/harness/main.js');
let child: ChildProcessWithoutNullStreams;
let lines: AsyncIterator<string>;

async function ask(raw: string): Promise<Record<string, unknown>> {
  child.stdin.write(`${raw}\n`);
  const next = await Promise.race([
    lines.next(),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('harness did not answer')), TIMEOUTS.start),
    ),
  ]);
  if (next.done) throw new Error('harness closed stdout');
  return JSON.parse(next.value) as Record<string, unknown>;
}

describe('conformance harness (child process)', () => {
  beforeAll(() => {
    if (!existsSync(main)) throw new Error(`${main} missing: run npx tsc -b reference-node first`);
    child = spawn(process.execPath, [main], { stdio: ['pipe', 'pipe', 'pipe'] });
    lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  });
  afterAll(async () => {
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 5_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(0);
  });

  it('answers bad lines with a coded error and keeps going', async () => {
    expect(await ask('not json')).toEqual({
      id: null,
      error: { code: 'HARNESS_BAD_REQUEST', message: 'request is not JSON' },
    });
    expect(await ask('[1]')).toMatchObject({ error: { code: 'HARNESS_BAD_REQUEST' } });
    expect(await ask('{"op":"canonicalize","value":1}')).toMatchObject({
      id: null,
      error: { code: 'HARNESS_BAD_REQUEST' },
    });
    expect(await ask('{"id":1,"op":"teleport"}')).toMatchObject({
      id: 1,
      error: { code: 'HARNESS_UNSUPPORTED_OP' },
    });
    expect(await ask('{"id":2,"op":"verify","wire":5,"now":1}')).toMatchObject({
      id: 2,
      error: { code: 'HARNESS_BAD_REQUEST' },
    });
    expect(await ask('{"id":3,"op":"sign","privateKey":"0x00","unsigned":{}}')).toMatchObject({
      id: 3,
      error: { code: 'ENVELOPE_KEY_INVALID' },
    });
    expect(await ask('{"id":4,"op":"canonicalize","value":"\\ud800"}')).toMatchObject({
      id: 4,
      error: { code: 'ENVELOPE_INVALID_INPUT' },
    });
    expect(await ask('{"id":5,"op":"canonicalize","value":{"b":1,"a":[2]}}')).toEqual({
      id: 5,
      result: { canonical: '{"a":[2],"b":1}' },
    });
  });

  it('answers the schema op through @sfr/schemas', async () => {
    expect(await ask('{"id":6,"op":"validate","kind":"Envelope","document":{}}')).toMatchObject({
      id: 6,
      result: { valid: false, code: 'SCHEMA_REQUIRED' },
    });
    expect(await ask('{"id":7,"op":"validate","kind":"Nope","document":{}}')).toMatchObject({
      id: 7,
      result: { valid: false, code: 'SCHEMA_UNKNOWN_KIND' },
    });
  });

  it('passes the ingest vectors end to end', async () => {
    const dir = path.join(root, 'conformance-tests/vectors/v1/envelope/ingest');
    let id = 100;
    for (const suite of ['replay.json', 'equivocation.json', 'rotation.json']) {
      const file = JSON.parse(readFileSync(path.join(dir, suite), 'utf8')) as {
        cases: Array<{ input: Record<string, unknown>; expected: Record<string, unknown> }>;
      };
      for (const c of file.cases) {
        const r = await ask(JSON.stringify({ id: ++id, op: 'ingest', ...c.input }));
        expect(r).toEqual({ id, result: c.expected });
      }
    }
  });
});
