import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildEquivocationEvidence,
  createMemorySigningJournal,
  deriveTestKey,
  ENVELOPE_CODES,
  type EquivocationEvidence,
  getCryptoBackend,
  signEnvelope,
  type UnsignedEnvelope,
  useCryptoBackend,
  verifyEquivocationEvidence,
} from '../../src/envelope/index.js';
import { createValidationPipeline } from '../../src/validation/pipeline.js';
import { createMemoryReplayState } from '../../src/validation/replayState.js';

const T = 1_767_225_600_000;
const key = deriveTestKey('sfr-test-key-1');
const sign = async (u: Partial<UnsignedEnvelope> & { seq: number }) =>
  signEnvelope({
    privateKey: key.privateKey,
    guard: createMemorySigningJournal(),
    unsigned: { sfr: '1.0', type: 'RecoveryEvent', issuer: key.address, issuedAt: T, payload: {}, ...u },
  });

/** The harness's configuration of the engine: envelope rules, in-memory replay state. */
function engine(options: { maxEntries?: number } = {}) {
  const equivocations: Array<{ first: string; second: { id: string; envelope: unknown } }> = [];
  const pipeline = createValidationPipeline({
    limits: { maxMessageBytes: 262_144, skewMs: 10_000, maxAgeMs: 300_000 },
    state: createMemoryReplayState({ ttlMs: 320_000, ...options }),
    onEquivocation: (first, second) => equivocations.push({ first: first.id, second }),
  });
  const ingest = (wire: Uint8Array, now = T) =>
    pipeline.ingest(wire, { source: 'gossip', from: 'test', now });
  return { ingest, equivocations };
}

describe('validation engine over the in-memory replay state', () => {
  it('reports an equivocation whose evidence verifies from the two envelopes alone', async () => {
    const { ingest, equivocations } = engine();
    const a = await sign({ seq: 1, payload: { v: 'a' } });
    const b = await sign({ seq: 1, payload: { v: 'b' } });
    expect((await ingest(a.wire)).outcome).toBe('accept');
    expect(await ingest(b.wire)).toMatchObject({ outcome: 'ignore', code: 'ENVELOPE_EQUIVOCATION' });
    expect(equivocations).toEqual([
      { first: a.messageId, second: expect.objectContaining({ id: b.messageId }) },
    ]);
    const evidence = buildEquivocationEvidence(
      { envelope: a.envelope, messageId: a.messageId },
      { envelope: b.envelope, messageId: b.messageId },
    ) as EquivocationEvidence;
    expect(evidence.offense).toBe('duplicate_seq');
    expect(evidence.offender).toBe(key.address);
    expect(verifyEquivocationEvidence(JSON.parse(JSON.stringify(evidence)))).toEqual({ outcome: 'accept' });
    const swapped = { ...evidence, first: evidence.second, second: evidence.first };
    expect(verifyEquivocationEvidence(swapped)).toMatchObject({ code: 'ENVELOPE_EVIDENCE_INVALID' });
  });

  it('stays bounded: beyond maxEntries the oldest slots are forgotten and their seqs become stale', async () => {
    const { ingest } = engine({ maxEntries: 10 });
    const wires = [];
    for (let seq = 0; seq < 25; seq++) wires.push((await sign({ seq })).wire);
    for (const w of wires) expect((await ingest(w)).outcome).toBe('accept');
    // Slots 15–24 are held (duplicates); 0–14 were forgotten early: stale, not accepted twice.
    expect(await ingest(wires[24]!)).toMatchObject({ code: 'ENVELOPE_DUPLICATE' });
    expect(await ingest(wires[14]!)).toMatchObject({ code: 'ENVELOPE_SEQ_STALE' });
  });

  it('forgets a slot after its lifetime, when the time window refuses the replay instead', async () => {
    const { ingest } = engine();
    const a = await sign({ seq: 1 });
    // First seen as early as possible (skewMs before issuedAt): kept maxAgeMs + 2·skewMs from then.
    expect((await ingest(a.wire, T - 10_000)).outcome).toBe('accept');
    expect(await ingest(a.wire, T + 310_000)).toMatchObject({ code: 'ENVELOPE_DUPLICATE' });
    expect(await ingest(a.wire, T + 310_001)).toMatchObject({ code: 'ENVELOPE_TOO_OLD' });
    expect(await ingest(a.wire, T + 320_001)).toMatchObject({ code: 'ENVELOPE_EXPIRED' });
  });

  it('uses the pure-JS backends with the same verdicts', async () => {
    const a = await sign({ seq: 1 });
    useCryptoBackend({ keccak: 'noble', secp: 'noble' });
    try {
      expect(getCryptoBackend()).toMatchObject({ keccak: 'noble', secp: 'noble' });
      const { ingest } = engine();
      expect((await ingest(a.wire)).outcome).toBe('accept');
      expect(await ingest(a.wire)).toMatchObject({ code: 'ENVELOPE_DUPLICATE' });
    } finally {
      useCryptoBackend({ keccak: 'wasm', secp: 'native' });
    }
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
