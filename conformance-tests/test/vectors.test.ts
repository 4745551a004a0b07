import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSchemaVectors } from '../scripts/generate-schema-vectors.js';
import {
  type CoverageExemption,
  checkCoverage,
  collectExpectedCodes,
  defaultVectorsRoot,
  loadCoverageExemptions,
  loadRegistry,
  loadVectors,
  type VectorFile,
  validateVectorFile,
} from '../src/index.js';
import { canonicalizeCase, makeVectorsRoot, repoDir } from './helpers.js';

const registryDir = path.join(repoDir, 'schemas/v1/registry/reason-codes');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function root(files: Record<string, unknown>): string {
  const made = makeVectorsRoot(files);
  cleanups.push(made.cleanup);
  return made.root;
}

describe('the packaged vectors (sanity checks)', () => {
  const vectors = loadVectors({ root: defaultVectorsRoot });

  it('load with no problem: layout, meta-schema, known runners and handlers, unique descriptions', () => {
    expect(vectors.problems).toEqual([]);
  });

  it('cover the schema and envelope levels', () => {
    const count = (level: string) => vectors.files.filter((f) => f.level === level).length;
    expect({ schema: count('schema') > 0, envelope: count('envelope') > 0 }).toEqual({
      schema: true,
      envelope: true,
    });
  });

  it('expect every registered code of every domain or exempt it, only registered codes, and no needless exemption', () => {
    const registry = loadRegistry(registryDir);
    expect(registry.problems).toEqual([]);
    const exemptions = loadCoverageExemptions();
    expect(exemptions.problems).toEqual([]);
    const problems = checkCoverage({
      registry: registry.codes,
      files: vectors.files,
      exemptions: exemptions.exemptions,
    });
    expect(problems.map((p) => `${p.code} ${p.message}`)).toEqual([]);
  });

  it('schema vectors are what the generator makes from schemas/v1/examples (regenerating changes nothing)', () => {
    const log: string[] = [];
    const code = generateSchemaVectors({ check: true, log: (l) => log.push(l) });
    expect({ code, log: code === 0 ? [] : log }).toEqual({ code: 0, log: [] });
  });

  it('every case description is unique across the whole suite', () => {
    const all = vectors.files.flatMap((f) => f.cases.map((c) => c.description));
    expect(all.length).toBe(new Set(all).size);
  });
});

describe('loadVectors refuses what it does not know', () => {
  const canonicalizeFile = (suite: string, cases = [canonicalizeCase(`case of ${suite}`)]) => ({
    runner: 'envelope',
    handler: 'canonicalize',
    suite,
    cases,
  });

  it('an unknown runner is an error, not skipped', () => {
    const r = loadVectors({
      root: root({ 'v1/frobnicate/validate/x.json': { ...canonicalizeFile('x'), runner: 'frobnicate' } }),
    });
    expect(r.problems).toEqual([
      {
        code: 'HARNESS_UNKNOWN_RUNNER',
        file: 'frobnicate/validate/x.json',
        message: 'unknown runner "frobnicate"',
      },
    ]);
    expect(r.files).toEqual([]);
  });

  it('an unknown handler is an error, for every runner', () => {
    const r = loadVectors({
      root: root({
        'v1/envelope/frobnicate/x.json': { ...canonicalizeFile('x'), handler: 'frobnicate' },
        'v1/adapter/scenario/y.json': { ...canonicalizeFile('y'), runner: 'adapter', handler: 'scenario' },
      }),
    });
    expect(r.problems.map((p) => `${p.code} ${p.message}`)).toEqual([
      'HARNESS_UNKNOWN_HANDLER unknown handler "scenario" for runner adapter (known: scan, verifyEvidence)',
      'HARNESS_UNKNOWN_HANDLER unknown handler "frobnicate" for runner envelope (known: canonicalize, payloadHash, typedDataDigest, sign, messageId, verify, ingest)',
    ]);
  });

  it('a file whose fields disagree with its path, or at the wrong depth, is refused', () => {
    const r = loadVectors({
      root: root({
        'v1/envelope/canonicalize/a.json': canonicalizeFile('b'),
        'v1/envelope/c.json': canonicalizeFile('c'),
      }),
    });
    expect(r.problems.map((p) => `${p.code} ${p.file}`)).toEqual([
      'HARNESS_INVALID_VECTOR_FILE envelope/c.json',
      'HARNESS_INVALID_VECTOR_FILE envelope/canonicalize/a.json',
    ]);
    expect(r.problems[1]?.message).toBe(
      'runner/handler/suite (envelope/canonicalize/b) must equal its path (envelope/canonicalize/a)',
    );
  });

  it('non-JSON and meta-schema violations are refused with the failing location', () => {
    const r = loadVectors({
      root: root({
        'v1/envelope/canonicalize/bad.json': '{"runner": ',
        'v1/envelope/canonicalize/noexp.json': canonicalizeFile('noexp', [
          { description: 'no expected', section: 'envelope.md#x', input: { value: 1 } } as never,
        ]),
      }),
    });
    expect(r.problems.map((p) => p.code)).toEqual([
      'HARNESS_INVALID_VECTOR_FILE',
      'HARNESS_INVALID_VECTOR_FILE',
    ]);
    expect(r.problems[0]?.message).toMatch(/^not JSON: /);
    expect(r.problems[1]?.message).toContain("/cases/0 must have required property 'expected'");
  });

  it('duplicate descriptions are refused within a file and across files', () => {
    const r = loadVectors({
      root: root({
        'v1/envelope/canonicalize/a.json': canonicalizeFile('a', [
          canonicalizeCase('same'),
          canonicalizeCase('same'),
        ]),
        'v1/envelope/canonicalize/b.json': canonicalizeFile('b', [canonicalizeCase('shared')]),
        'v1/envelope/canonicalize/c.json': canonicalizeFile('c', [canonicalizeCase('shared')]),
      }),
    });
    expect(r.problems.map((p) => `${p.code} ${p.file}: ${p.message}`)).toEqual([
      'HARNESS_DUPLICATE_DESCRIPTION envelope/canonicalize/a.json: case description "same" appears twice in this file',
      'HARNESS_DUPLICATE_DESCRIPTION envelope/canonicalize/c.json: case description "shared" is already used in envelope/canonicalize/b.json',
    ]);
  });

  it('a missing vectors folder is a coded problem, not a crash', () => {
    const r = loadVectors({ root: '/nonexistent/vectors' });
    expect(r.problems.map((p) => p.code)).toEqual(['HARNESS_NO_VECTORS']);
  });
});

describe('the meta-schema', () => {
  const file = (c: Record<string, unknown>, handler = 'verify') => ({
    runner: 'envelope',
    handler,
    suite: 's',
    cases: [{ description: 'd', section: 'envelope.md#verification', ...c }],
  });

  it('accepts the fixture vectors', () => {
    const fixtures = loadVectors({ root: path.join(repoDir, 'conformance-tests/test/fixtures/vectors') });
    expect(fixtures.problems).toEqual([]);
    expect(fixtures.files.length).toBe(9);
  });

  it('rejects reserved input keys, a reject verdict without a code, and an unknown top-level key', () => {
    expect(
      validateVectorFile(file({ input: { wire: '{}', now: 1, id: 3 }, expected: { outcome: 'accept' } })),
    ).toEqual(['/cases/0/input must NOT be valid']);
    expect(
      validateVectorFile(file({ input: { wire: '{}', now: 1 }, expected: { outcome: 'reject' } })),
    ).toEqual(["/cases/0/expected must have required property 'code'"]);
    expect(
      validateVectorFile({
        ...file({ input: { wire: '{}', now: 1 }, expected: { outcome: 'accept' } }),
        x: 1,
      }),
    ).toEqual(['/ must NOT have additional properties']);
  });

  it('holds adapter files to artifacts, known steps and refs, and EVIDENCE_* refusals', () => {
    const adapterFile = (handler: string, input: Record<string, unknown>, expected: unknown, extra = {}) => ({
      runner: 'adapter',
      handler,
      suite: 'pausable',
      artifacts: { PausableMock: { abi: [], bytecode: '0x60' } },
      cases: [
        {
          description: 'd',
          section: 'adapters.md#evidence-verification',
          input: {
            scenario: { contracts: [{ name: 'watched', artifact: 'PausableMock', args: [] }], steps: [] },
            adapter: 'pausable',
            config: {},
            ...input,
          },
          expected,
        },
      ],
      ...extra,
    });
    const ref = { tx: 'pause', log: 0, tamper: 'topic0' };
    expect(
      validateVectorFile(adapterFile('verifyEvidence', { ref }, { ok: false, code: 'EVIDENCE_WRONG_TOPIC' })),
    ).toEqual([]);
    expect(validateVectorFile(adapterFile('scan', {}, { outputs: [] }))).toEqual([]);
    // The refusal must be an EVIDENCE_* code; a scan case names no ref; every file carries its artifacts.
    expect(
      validateVectorFile(
        adapterFile('verifyEvidence', { ref }, { ok: false, code: 'ENVELOPE_BAD_SIGNATURE' }),
      ),
    ).not.toEqual([]);
    expect(validateVectorFile(adapterFile('scan', { ref }, { outputs: [] }))).not.toEqual([]);
    expect(
      validateVectorFile(adapterFile('scan', {}, { outputs: [] }, { artifacts: undefined })),
    ).not.toEqual([]);
    expect(
      validateVectorFile(adapterFile('verifyEvidence', { ref: { ...ref, tamper: 'result' } }, { ok: true })),
    ).not.toEqual([]);
    const withStep = (step: unknown) =>
      adapterFile('scan', { scenario: { contracts: [], steps: [step] } }, { outputs: [] });
    expect(
      validateVectorFile(withStep({ kind: 'call', contract: 'c', function: 'pause()', args: [] })),
    ).toEqual([]);
    expect(
      validateVectorFile(withStep({ kind: 'call', contract: 'c', function: 'pause()', x: 1 })),
    ).not.toEqual([]);
    expect(validateVectorFile(withStep({ kind: 'warp', seconds: 1 }))).not.toEqual([]);
    // Artifacts belong to adapter files only.
    expect(
      validateVectorFile({
        ...file({ input: { wire: '{}', now: 1 }, expected: { outcome: 'accept' } }),
        artifacts: {},
      }),
    ).not.toEqual([]);
  });

  it('holds schema cases to {valid: true} or {valid: false, code, pointer}', () => {
    const schemaFile = (expected: unknown) => ({
      runner: 'schema',
      handler: 'validate',
      suite: 'X',
      cases: [{ description: 'd', section: 'data-model.md#x', input: { kind: 'X', document: {} }, expected }],
    });
    expect(validateVectorFile(schemaFile({ valid: true }))).toEqual([]);
    expect(validateVectorFile(schemaFile({ valid: false, code: 'SCHEMA_REQUIRED', pointer: '/a' }))).toEqual(
      [],
    );
    expect(validateVectorFile(schemaFile({ valid: false, code: 'SCHEMA_REQUIRED' }))).not.toEqual([]);
    expect(
      validateVectorFile(schemaFile({ valid: false, code: 'SCHEMA_REQUIRED', pointer: 'a' })),
    ).not.toEqual([]);
    expect(validateVectorFile({ ...schemaFile({ valid: true }), handler: 'verify' })).not.toEqual([]);
  });
});

describe('checkCoverage', () => {
  const files: VectorFile[] = [
    {
      path: 'envelope/verify/s.json',
      level: 'envelope',
      runner: 'envelope',
      handler: 'verify',
      suite: 's',
      cases: [
        {
          description: 'a',
          section: 'x.md',
          input: {},
          expected: { outcome: 'reject', code: 'ENVELOPE_BAD_SIGNATURE' },
        },
        {
          description: 'b',
          section: 'x.md',
          input: {},
          expected: { results: [{ outcome: 'ignore', code: 'ENVELOPE_TYPO' }] },
        },
      ],
    },
  ];
  it("every exemption's coveredBy test exists and names the code", () => {
    const { exemptions, problems } = loadCoverageExemptions();
    expect(problems).toEqual([]);
    const wrong: string[] = [];
    for (const e of exemptions.values())
      for (const file of e.coveredBy) {
        const full = path.join(repoDir, file);
        if (!existsSync(full) || !readFileSync(full, 'utf8').includes(e.code))
          wrong.push(`${e.code} ${file}`);
      }
    expect(wrong).toEqual([]);
  });

  it('names codes of any outcome without a vector or exemption, vector codes not registered, and needless exemptions', () => {
    const registry = [
      { domain: 'ENVELOPE', code: 'ENVELOPE_BAD_SIGNATURE', outcome: 'reject' },
      { domain: 'ENVELOPE', code: 'ENVELOPE_REPLAY', outcome: 'ignore' },
      { domain: 'ENVELOPE', code: 'ENVELOPE_CALLER_ERROR', outcome: 'error' },
      { domain: 'POOL', code: 'POOL_UNKNOWN', outcome: 'reject' },
      { domain: 'POOL', code: 'POOL_LOCAL', outcome: 'error' },
    ];
    const exempt = (code: string): [string, CoverageExemption] => [
      code,
      { code, reason: 'a reason', coveredBy: [] },
    ];
    const exemptions = new Map([
      exempt('POOL_LOCAL'),
      exempt('ENVELOPE_BAD_SIGNATURE'),
      exempt('ENVELOPE_NOT_REGISTERED'),
    ]);
    expect(checkCoverage({ registry, files, exemptions }).map((p) => `${p.code} ${p.message}`)).toEqual([
      'HARNESS_UNCOVERED_CODE ENVELOPE_REPLAY (ignore) is registered but no vector expects it and it is not exempt',
      'HARNESS_UNCOVERED_CODE ENVELOPE_CALLER_ERROR (error) is registered but no vector expects it and it is not exempt',
      'HARNESS_UNCOVERED_CODE POOL_UNKNOWN (reject) is registered but no vector expects it and it is not exempt',
      'HARNESS_UNREGISTERED_CODE ENVELOPE_TYPO is expected by 1 case(s) but is not in the reason-code registry',
      'HARNESS_STALE_EXEMPTION ENVELOPE_BAD_SIGNATURE is exempt but envelope/verify/s.json: a expects it: remove the exemption',
      'HARNESS_STALE_EXEMPTION ENVELOPE_NOT_REGISTERED is exempt but is not in the reason-code registry',
    ]);
    expect(
      checkCoverage({ registry, files, domains: ['POOL'] }).map((p) => `${p.code} ${p.message}`),
    ).toEqual([
      'HARNESS_UNCOVERED_CODE POOL_UNKNOWN (reject) is registered but no vector expects it and it is not exempt',
      'HARNESS_UNCOVERED_CODE POOL_LOCAL (error) is registered but no vector expects it and it is not exempt',
      'HARNESS_UNREGISTERED_CODE ENVELOPE_TYPO is expected by 1 case(s) but is not in the reason-code registry',
    ]);
  });

  it('counts the code of a node-level sync error result ({error: code})', () => {
    const sync: VectorFile = {
      path: 'node/sync/s.json',
      level: 'node',
      runner: 'node',
      handler: 'sync',
      suite: 's',
      cases: [
        { description: 'c', section: 'p2p.md#sync', input: {}, expected: { error: 'SYNC_BAD_REQUEST' } },
      ],
    };
    expect([...collectExpectedCodes([sync]).keys()]).toEqual(['SYNC_BAD_REQUEST']);
  });

  it('an exemptions file that does not match its schema yields no exemption and a coded problem', () => {
    const made = makeVectorsRoot({ 'x.json': { exemptions: [{ code: 'POOL_X', reason: 'short' }] } });
    cleanups.push(made.cleanup);
    const loaded = loadCoverageExemptions(path.join(made.root, 'x.json'));
    expect(loaded.exemptions.size).toBe(0);
    expect(loaded.problems.map((p) => `${p.code} ${p.message}`)).toEqual([
      'HARNESS_INVALID_VECTOR_FILE does not match coverage-exemptions.schema.json: /exemptions/0/reason must NOT have fewer than 20 characters',
    ]);
  });

  it('the HARNESS registry file lists every code the runner uses', async () => {
    const { HarnessCode } = await import('../src/errors.js');
    const registered = JSON.parse(readFileSync(path.join(registryDir, 'HARNESS.json'), 'utf8')) as {
      codes: { code: string }[];
    };
    expect(registered.codes.map((c) => c.code).sort()).toEqual(Object.values(HarnessCode).sort());
  });
});
