import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalize, getCryptoBackend, useCryptoBackend } from '../../src/envelope/index.js';
import { handleRequest } from '../../src/harness/handleRequest.js';

const dir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../conformance-tests/vectors/v1/envelope',
);
type Case = {
  description: string;
  section: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
};
const files = readdirSync(dir).flatMap((handler) =>
  readdirSync(path.join(dir, handler)).map((f) => {
    const body = JSON.parse(readFileSync(path.join(dir, handler, f), 'utf8')) as {
      handler: string;
      suite: string;
      cases: Case[];
    };
    return { handler, file: `${handler}/${f}`, body };
  }),
);

async function runCase(handler: string, c: Case): Promise<void> {
  const response = await handleRequest(JSON.stringify({ id: 7, op: handler, ...c.input }));
  expect(response.id).toBe(7);
  if (!('result' in response)) throw new Error(`error response: ${JSON.stringify(response)}`);
  for (const [key, want] of Object.entries(c.expected)) {
    expect(canonicalize(response.result[key] ?? null), `${key} of "${c.description}"`).toBe(
      canonicalize(want),
    );
  }
}

describe('envelope vectors', () => {
  // The codes no vector can state (ENVELOPE_INTERNAL; ENVELOPE_ERC1271_NOT_VALID_NOW, which needs a live
  // chain) are the listed exemptions, each with its reason and the tests that cover it instead: the same
  // list `sfr-conformance check` reads, not a second one here.
  it('cover every handler and every ENVELOPE verdict code but the listed coverage exemptions', () => {
    expect(new Set(files.map((f) => f.handler))).toEqual(
      new Set(['canonicalize', 'payloadHash', 'typedDataDigest', 'sign', 'messageId', 'verify', 'ingest']),
    );
    const registry = JSON.parse(
      readFileSync(path.resolve(dir, '../../../../schemas/v1/registry/reason-codes/ENVELOPE.json'), 'utf8'),
    ) as { codes: Array<{ code: string; outcome: string }> };
    const exempt = new Set(
      (
        JSON.parse(readFileSync(path.resolve(dir, '../../coverage-exemptions.json'), 'utf8')) as {
          exemptions: Array<{ code: string }>;
        }
      ).exemptions.map((e) => e.code),
    );
    expect(exempt).toContain('ENVELOPE_INTERNAL');
    const text = files.map((f) => JSON.stringify(f.body)).join('\n');
    const uncovered = registry.codes
      .filter((c) => c.outcome !== 'error' && !exempt.has(c.code))
      .filter((c) => !text.includes(`"code":"${c.code}"`))
      .map((c) => c.code);
    expect(uncovered).toEqual([]);
    const descriptions = files.flatMap((f) => f.body.cases.map((c) => c.description));
    expect(new Set(descriptions).size).toBe(descriptions.length);
  });

  for (const { handler, file, body } of files) {
    expect(body.handler).toBe(handler);
    it(`${file} (${body.cases.length} cases) — fast backends`, async () => {
      expect(getCryptoBackend()).toMatchObject({ keccak: 'wasm', secp: 'native' });
      for (const c of body.cases) await runCase(handler, c);
    });
  }

  describe('pure-JS fallback (noble)', () => {
    afterAll(() => {
      useCryptoBackend({ keccak: 'wasm', secp: 'native' });
    });
    for (const { handler, file, body } of files) {
      it(`${file} — noble`, async () => {
        useCryptoBackend({ keccak: 'noble', secp: 'noble' });
        expect(getCryptoBackend()).toMatchObject({ keccak: 'noble', secp: 'noble' });
        for (const c of body.cases) await runCase(handler, c);
      });
    }
  });
});
