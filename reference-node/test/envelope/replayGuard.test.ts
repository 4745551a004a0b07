import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createMemorySigningJournal,
  deriveTestKey,
  ENVELOPE_CODES,
  type Envelope,
  type EquivocationEvidence,
  getCryptoBackend,
  ReplayGuard,
  signEnvelope,
  type UnsignedEnvelope,
  useCryptoBackend,
  verifyEquivocationEvidence,
} from '../../src/envelope/index.js';

const T = 1_767_225_600_000;
const key = deriveTestKey('sfr-test-key-1');
const sign = async (u: Partial<UnsignedEnvelope> & { seq: number }) =>
  signEnvelope({
    privateKey: key.privateKey,
    guard: createMemorySigningJournal(),
    unsigned: { sfr: '1.0', type: 'RecoveryEvent', issuer: key.address, issuedAt: T, payload: {}, ...u },
  });

describe('ReplayGuard', () => {
  it('returns equivocation evidence that verifies from the two envelopes alone', async () => {
    const guard = new ReplayGuard();
    const a = await sign({ seq: 1, payload: { v: 'a' } });
    const b = await sign({ seq: 1, payload: { v: 'b' } });
    expect(guard.ingest(a.wire, T).outcome).toBe('accept');
    const r = guard.ingest(b.wire, T);
    expect(r).toMatchObject({ outcome: 'ignore', code: 'ENVELOPE_EQUIVOCATION' });
    const evidence = (r as unknown as { meta: { evidence: EquivocationEvidence } }).meta.evidence;
    expect(evidence.offense).toBe('duplicate_seq');
    expect(evidence.offender).toBe(key.address);
    expect(verifyEquivocationEvidence(JSON.parse(JSON.stringify(evidence)))).toEqual({ outcome: 'accept' });
    const swapped = { ...evidence, first: evidence.second, second: evidence.first };
    expect(verifyEquivocationEvidence(swapped)).toMatchObject({ code: 'ENVELOPE_EVIDENCE_INVALID' });
  });

  it('stays bounded: forgets the oldest entries beyond maxEntries and expired ones', async () => {
    const guard = new ReplayGuard({ maxEntries: 10 });
    for (let seq = 0; seq < 25; seq++)
      expect(guard.ingest((await sign({ seq })).wire, T).outcome).toBe('accept');
    expect(guard.size).toBe(10);
    expect(guard.highestSeq(key.address)).toBe(24);
    guard.prune(T + guard.ttlMs + 1);
    expect(guard.size).toBe(0);
    expect(guard.ttlMs).toBe(300_000 + 2 * 10_000);
  });

  it('uses the pure-JS backends with the same verdicts', async () => {
    const a = await sign({ seq: 1 });
    useCryptoBackend({ keccak: 'noble', secp: 'noble' });
    try {
      expect(getCryptoBackend()).toMatchObject({ keccak: 'noble', secp: 'noble' });
      const guard = new ReplayGuard();
      expect(guard.ingest(a.wire, T).outcome).toBe('accept');
      expect(guard.ingest(a.wire, T)).toMatchObject({ code: 'ENVELOPE_DUPLICATE' });
    } finally {
      useCryptoBackend({ keccak: 'wasm', secp: 'native' });
    }
  });

  it('accepts decoded objects as well as bytes', async () => {
    const a = await sign({ seq: 1 });
    const guard = new ReplayGuard();
    expect(guard.ingest(JSON.parse(JSON.stringify(a.envelope)) as Envelope, T)).toMatchObject({
      outcome: 'accept',
      messageId: a.messageId,
    });
  });
});

describe('ENVELOPE registry', () => {
  it('lists exactly the codes the library uses, with the same outcomes', () => {
    const file = path.resolve(
      path.dirname(fileURLToPath(import.meta.url)),
      '../../../schemas/v1/registry/reason-codes/ENVELOPE.json',
    );
    const registry = JSON.parse(readFileSync(file, 'utf8')) as {
      domain: string;
      codes: Array<{ code: string; outcome: string; meaning: string; section: string }>;
    };
    expect(registry.domain).toBe('ENVELOPE');
    expect(Object.fromEntries(registry.codes.map((c) => [c.code, c.outcome]))).toEqual(ENVELOPE_CODES);
    for (const c of registry.codes) expect(c.section).toMatch(/^envelope\.md#[a-z0-9-]+$/);
  });
});
