import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalize,
  createMemorySigningJournal,
  decodeEnvelope,
  deriveTestKey,
  type Envelope,
  EnvelopeError,
  hashPayload,
  signEnvelope,
  tryCanonicalize,
  verifyEnvelope,
} from '../../src/envelope/index.js';
import { payloadHashFromWire, payloadRangeOf } from '../../src/envelope/payloadHashFromWire.js';

const enc = new TextEncoder();
const key = deriveTestKey('sfr-test-key-1');
const other = deriveTestKey('sfr-test-key-2');
const T = 1_767_225_600_000;

/** Reorder an object's keys (recursively) by a permutation seed. */
function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => shuffleKeys(v, seed + i));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const rotated = entries.length
    ? [...entries.slice(seed % entries.length), ...entries.slice(0, seed % entries.length)].reverse()
    : entries;
  return Object.fromEntries(rotated.map(([k, v]) => [k, shuffleKeys(v, seed * 31 + 7)]));
}

describe('canonicalize (RFC 8785)', () => {
  it('is idempotent, parses back to an equal value, and ignores key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        const once = canonicalize(value);
        expect(canonicalize(JSON.parse(once))).toBe(once);
        expect(JSON.parse(once)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalize(shuffleKeys(value, seed))).toBe(once);
      }),
      { numRuns: 300 },
    );
  });

  it('matches the RFC 8785 §3.2.3 sorting example and number rules', () => {
    const value = { '€': 1, '\r': 2, ﬂ: 3, '1': 4, '😀': 5, '\u0080': 6, ö: 7 };
    expect(canonicalize(value)).toBe('{"\\r":2,"1":4,"\u0080":6,"ö":7,"€":1,"😀":5,"ﬂ":3}');
    expect(canonicalize([1e21, 1e-7, -0, 0.000001, 123e18, 1.5])).toBe(
      '[1e+21,1e-7,0,0.000001,123000000000000000000,1.5]',
    );
  });

  it('refuses values that are not JSON, with a coded error', () => {
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      undefined,
      1n,
      () => 1,
      Symbol('x'),
      new Date(0),
      '\ud800',
      { a: undefined },
      new Array<number>(2),
    ]) {
      const r = tryCanonicalize(bad);
      expect(r.ok, String(bad)).toBe(false);
      if (!r.ok) expect(r.code).toBe('ENVELOPE_INVALID_INPUT');
    }
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => canonicalize(deep)).toThrowError(EnvelopeError);
  });

  it('renders its error message for callers', () => {
    expect(() => canonicalize({ a: [Number.NaN] })).toThrowErrorMatchingInlineSnapshot(`
      [EnvelopeError: Value cannot be canonicalized as JSON (RFC 8785).

      Details: non-finite number at "/a/0"
      Spec: spec/v1/envelope.md#canonical-encoding]
    `);
  });
});

describe('signed envelopes', () => {
  const base = async (): Promise<Envelope> =>
    (
      await signEnvelope({
        privateKey: key.privateKey,
        guard: createMemorySigningJournal(),
        unsigned: {
          sfr: '1.0',
          type: 'ClaimAttestation',
          issuer: key.address,
          seq: 5,
          issuedAt: T,
          scope: { poolId: `0x${'ab'.repeat(32)}`, epoch: 2 },
          domain: { chainId: 8453, verifyingContract: other.address },
          payload: {
            claimId: `0x${'cd'.repeat(32)}`,
            round: 1,
            verdict: 'approve',
            nested: { list: [1, 'two', true] },
          },
        },
      })
    ).envelope;

  it('any single-field change fails verification', async () => {
    const env = await base();
    expect(verifyEnvelope(env, { now: T })).toMatchObject({ outcome: 'accept' });
    // Every leaf path of the envelope except the signature.
    const paths: string[][] = [];
    const walk = (v: unknown, p: string[]) => {
      if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...p, k]);
      else if (p[0] !== 'signature' && p[0] !== 'sfr') paths.push(p);
    };
    walk(env, []);
    expect(paths.length).toBeGreaterThan(12);
    const replacement = fc.oneof(
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.string(),
      fc.boolean(),
      fc.constant(other.address),
    );
    fc.assert(
      fc.property(fc.constantFrom(...paths), replacement, (p, value) => {
        const copy = structuredClone(env) as unknown as Record<string, unknown>;
        let node = copy;
        for (const k of p.slice(0, -1)) node = node[k] as Record<string, unknown>;
        const last = p[p.length - 1]!;
        fc.pre(
          node[last] !== value &&
            !(
              typeof node[last] === 'string' &&
              typeof value === 'string' &&
              node[last].toLowerCase() === value.toLowerCase() &&
              p[0] !== 'payload'
            ),
        );
        node[last] = value;
        const r = verifyEnvelope(enc.encode(canonicalize(copy)), { now: T, skipTimeChecks: true });
        expect(r.outcome).not.toBe('accept');
      }),
      { numRuns: 400 },
    );
    // And any single-byte change of the signature.
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: env.signature.length - 1 }),
        fc.constantFrom(...'0123456789abcdef'),
        (i, c) => {
          fc.pre(env.signature[i] !== c);
          const sig = `${env.signature.slice(0, i)}${c}${env.signature.slice(i + 1)}`;
          expect(verifyEnvelope({ ...env, signature: sig }, { now: T }).outcome).toBe('reject');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary bytes or JSON, and answers a registered code', async () => {
    const env = await base();
    const wire = enc.encode(canonicalize(env));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          fc.jsonValue().map((v) => enc.encode(JSON.stringify(v) ?? 'null')),
        ),
        (bytes) => {
          const r = verifyEnvelope(bytes, { now: T });
          expect(['ignore', 'reject']).toContain(r.outcome);
          if (r.outcome !== 'accept') expect(r.code).toMatch(/^ENVELOPE_[A-Z0-9_]+$/);
        },
      ),
      { numRuns: 500 },
    );
    // Byte flips in a valid wire: never accepted (a flip inside the hex signature may still be
    // rejected later than decode), never a throw.
    fc.assert(
      fc.property(fc.nat(wire.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const copy = wire.slice();
        copy[i] = copy[i]! ^ x;
        expect(verifyEnvelope(copy, { now: T }).outcome).not.toBe('accept');
      }),
      { numRuns: 500 },
    );
  });

  it('decodeEnvelope returns the canonical text and refuses every other encoding', async () => {
    const env = await base();
    const text = canonicalize(env);
    expect(decodeEnvelope(enc.encode(text))).toMatchObject({ outcome: 'accept', text });
    expect(decodeEnvelope(enc.encode(`${text} `))).toMatchObject({ code: 'ENVELOPE_NOT_CANONICAL' });
    expect(decodeEnvelope(new Uint8Array([0xff, 0xfe]))).toMatchObject({ code: 'ENVELOPE_MALFORMED' });
  });
});

describe('payload hash from wire bytes (hot path)', () => {
  it('equals hashPayload and finds the payload range for every signed envelope shape', async () => {
    const scope = { poolId: `0x${'ab'.repeat(32)}` as const, epoch: 1 };
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
        fc.boolean(),
        fc.boolean(),
        async (raw, pool, vault) => {
          const payload = JSON.parse(JSON.stringify(raw));
          const { envelope, wire } = await signEnvelope({
            privateKey: key.privateKey,
            guard: createMemorySigningJournal(),
            unsigned: {
              sfr: '1.0',
              type: pool ? 'FundClaim' : 'RecoveryEvent',
              issuer: key.address,
              seq: 1,
              issuedAt: T,
              ...(pool ? { scope } : {}),
              ...(pool && vault ? { domain: { chainId: 10, verifyingContract: other.address } } : {}),
              payload,
            },
          });
          expect(payloadRangeOf(envelope, wire)).not.toBeNull();
          expect(payloadHashFromWire(envelope, wire)).toBe(hashPayload(payload));
        },
      ),
      { numRuns: 200 },
    );
  });
});
