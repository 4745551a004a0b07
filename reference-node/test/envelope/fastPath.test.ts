/**
 * The hot path of verification (issue 4: ≥ 8 000 msgs/s/core) takes shortcuts; each must give exactly the
 * answer of the plain definition: the payload hash read from the wire bytes, header words written without
 * hex round trips, the signature range check without BigInt, the EIP-55 check from a cache.
 */
import { describe, expect, it } from 'vitest';
import {
  bytesToHex,
  checkSigner,
  createMemorySigningJournal,
  decodeEnvelope,
  deriveTestKey,
  digestOf,
  type Envelope,
  getSecpBackend,
  type Hex,
  hashPayload,
  hexToBytes,
  keccak256,
  SECP256K1_N,
  signatureEncodingError,
  signEnvelope,
  toChecksumAddress,
  tryCanonicalize,
  typedEnvelopeDigest,
  type UnsignedEnvelope,
} from '../../src/envelope/index.js';
import { payloadRangeOf } from '../../src/envelope/payloadHashFromWire.js';
import { addressOfPublicKey } from '../../src/envelope/recoverSigner.js';

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

  it('decides rule 3 on the JSON.stringify path exactly as re-canonicalizing does', () => {
    // The plain definition: parse, canonicalize (MALFORMED when it cannot), compare with the text.
    const plain = (text: string) => {
      const c = tryCanonicalize(JSON.parse(text));
      if (!c.ok) return 'ENVELOPE_MALFORMED';
      return c.value === text ? 'accept' : 'ENVELOPE_NOT_CANONICAL';
    };
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const texts = [
      '{"a":1,"b":[true,false,null],"c":{"d":"e"}}',
      '{"b":1,"a":2}',
      '{"a":1,"a":1}',
      '{"10":1,"9":2}',
      '{"9":2,"10":1}',
      '{"1":1,"a":2}',
      '{"a":2,"1":1}',
      '{"":0,"A":1,"a":2,"é":3,"😀":4,"ﬀ":5}',
      '{"ﬀ":5,"😀":4}',
      '{"__proto__":1,"a":2}',
      '{"a":-0}',
      '{"a":0}',
      '{"a":1e999}',
      '{"a":1.0}',
      '{"a":1e2}',
      '{"a":100}',
      '{"a":1e21}',
      '{"a":0.000001}',
      '{"a":1e-7}',
      '{"a":"\\u00e9"}',
      '{"a":"é"}',
      '{"a":"\\ud800"}',
      '{"\\ud800":1}',
      '{"a":"\\ud83d\\ude00"}',
      '{"a":"\\u001f"}',
      '{"a":"\\u000a"}',
      '{"a":"\\n\\t\\"\\\\"}',
      '{"a":"\\/"}',
      '{"a":"\u2028"}',
      '{ "a":1}',
      '[1,2]',
      '"x"',
      '7',
      deep(64),
      deep(65),
      `{"a":${deep(63)}}`,
      `{"a":${deep(64)}}`,
    ];
    for (const text of texts) {
      const got = decodeEnvelope(new TextEncoder().encode(text));
      expect([text, got.outcome === 'accept' ? 'accept' : got.code]).toEqual([text, plain(text)]);
      if (got.outcome !== 'accept' && got.code === 'ENVELOPE_MALFORMED') {
        expect(got.meta).toEqual({
          pointer: '',
          reason: (tryCanonicalize(JSON.parse(text)) as { message: string }).message,
        });
      }
    }
  });

  it('gives the computed address of a recovered key from the address cache, also past its bound', () => {
    const computed = (pub: Uint8Array) => bytesToHex(keccak256(pub.subarray(1)).subarray(12));
    const pubs = Array.from({ length: 4_100 }, (_, i) =>
      getSecpBackend().publicKey(keccak256(new TextEncoder().encode(`sfr-address-cache-${i}`))),
    );
    for (const pub of [...pubs, ...pubs.slice(0, 8), ...pubs.slice(-8)]) {
      expect(addressOfPublicKey(pub)).toBe(computed(pub));
    }
    expect(addressOfPublicKey(getSecpBackend().publicKey(hexToBytes(KEY.privateKey)!))).toBe(
      KEY.address.toLowerCase(),
    );
  });
});
