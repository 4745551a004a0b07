/**
 * The hot path of verification (issue 4: ≥ 8 000 msgs/s/core) takes shortcuts; each must give exactly the
 * answer of the plain definition: the payload hash read from the wire bytes, header words written without
 * hex round trips, the signature range check without BigInt, the EIP-55 check from a cache.
 */
import { describe, expect, it } from 'vitest';
import {
  checkSigner,
  createMemorySigningJournal,
  deriveTestKey,
  digestOf,
  type Envelope,
  type Hex,
  hashPayload,
  SECP256K1_N,
  signatureEncodingError,
  signEnvelope,
  toChecksumAddress,
  typedEnvelopeDigest,
  type UnsignedEnvelope,
} from '../../src/envelope/index.js';
import { payloadRangeOf } from '../../src/envelope/payloadHashFromWire.js';

const KEY = deriveTestKey('sfr-e3-fastpath');
const T = 1_767_225_600_000;

async function signed(over: Partial<UnsignedEnvelope>) {
  return signEnvelope({
    privateKey: KEY.privateKey,
    guard: createMemorySigningJournal(),
    unsigned: {
      sfr: '1.0',
      type: 'RecoveryEvent',
      issuer: KEY.address,
      seq: 2 ** 40 + 7,
      issuedAt: T,
      payload: { kind: 'resume', note: 'é "quoted" \u2028', nested: { b: [1, 2.5, null], a: true } },
      ...over,
    } as UnsignedEnvelope,
  });
}

function sigWith(r: bigint, s: bigint, v = 27): Uint8Array {
  const out = new Uint8Array(65);
  for (let i = 0; i < 32; i++) {
    out[31 - i] = Number((r >> BigInt(8 * i)) & 0xffn);
    out[63 - i] = Number((s >> BigInt(8 * i)) & 0xffn);
  }
  out[64] = v;
  return out;
}

describe('verification fast path', () => {
  it('reads the payload hash from the wire for every header shape, equal to hashing the payload', async () => {
    const pool = `0x${'ab'.repeat(32)}` as Hex;
    const cases = [
      await signed({}),
      await signed({ type: 'FundClaim', scope: { poolId: pool, epoch: 3 } }),
      await signed({
        type: 'ClaimDecision',
        scope: { poolId: pool, epoch: 0 },
        domain: { chainId: 8453, verifyingContract: toChecksumAddress(`0x${'5f'.repeat(20)}`) },
      }),
    ];
    for (const c of cases) {
      const e = c.envelope as Envelope;
      expect(payloadRangeOf(e, c.wire)).not.toBeNull();
      expect(digestOf(e, c.wire)).toEqual(typedEnvelopeDigest(e, hashPayload(e.payload)));
    }
  });

  it('the pipeline verifies a signature without serializing the payload again', async () => {
    const c = await signed({});
    // A payload that throws if anything walks it: only the wire bytes may be hashed.
    const untouchable = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('payload was serialized again');
        },
      },
    );
    const envelope = { ...c.envelope, payload: untouchable } as unknown as Envelope;
    const digest = digestOf(envelope, c.wire);
    expect(checkSigner(envelope, digest)).toBeNull();
    expect(digest).toEqual(digestOf(c.envelope));
  });

  it('checks the signature ranges at their exact bounds', () => {
    const half = SECP256K1_N >> 1n;
    expect(signatureEncodingError(sigWith(SECP256K1_N - 1n, half))).toBeNull();
    expect(signatureEncodingError(sigWith(1n, 1n, 28))).toBeNull();
    expect(signatureEncodingError(sigWith(SECP256K1_N, 1n))).toBe('r out of range');
    expect(signatureEncodingError(sigWith(0n, 1n))).toBe('r out of range');
    expect(signatureEncodingError(sigWith(1n, 0n))).toBe('s out of range');
    expect(signatureEncodingError(sigWith(1n, half + 1n))).toBe('high s (s > n/2)');
    expect(signatureEncodingError(sigWith(1n, 1n, 29))).toBe('v must be 27 or 28, got 29');
  });

  it('gives the same EIP-55 form from the cache as computed', () => {
    const lower = KEY.address.toLowerCase();
    const first = toChecksumAddress(lower);
    expect(first).toBe(KEY.address);
    expect(toChecksumAddress(lower)).toBe(first);
    expect(toChecksumAddress(KEY.address.toUpperCase().replace('0X', '0x'))).toBe(first);
  });
});
