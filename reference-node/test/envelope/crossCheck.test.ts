import fc from 'fast-check';
import { hashTypedData, recoverTypedDataAddress, verifyTypedData } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMemorySigningJournal,
  deriveTestKey,
  type Envelope,
  hashPayload,
  hashTypedEnvelope,
  toChecksumAddress,
  type UnsignedEnvelope,
  useCryptoBackend,
  verifyEnvelope,
} from '../../src/envelope/index.js';
import { signEnvelope } from '../../src/envelope/signEnvelope.js';

// An independent EIP-712 implementation: viem, called directly with the type of proposal 0001 §4.
const types = {
  Envelope: [
    { name: 'sfr', type: 'string' },
    { name: 'type', type: 'string' },
    { name: 'issuer', type: 'address' },
    { name: 'seq', type: 'uint64' },
    { name: 'issuedAt', type: 'uint64' },
    { name: 'poolId', type: 'bytes32' },
    { name: 'epoch', type: 'uint64' },
    { name: 'payloadHash', type: 'bytes32' },
  ],
} as const;
const ZERO = `0x${'0'.repeat(64)}` as const;

function viemArgs(u: UnsignedEnvelope) {
  return {
    domain: u.domain
      ? {
          name: 'SFR',
          version: '1',
          chainId: u.domain.chainId,
          verifyingContract: u.domain.verifyingContract,
        }
      : { name: 'SFR', version: '1' },
    types,
    primaryType: 'Envelope' as const,
    message: {
      sfr: u.sfr,
      type: u.type,
      issuer: u.issuer,
      seq: BigInt(u.seq),
      issuedAt: BigInt(u.issuedAt),
      poolId: u.scope?.poolId ?? ZERO,
      epoch: BigInt(u.scope?.epoch ?? 0),
      payloadHash: hashPayload(u.payload),
    },
  };
}

const key = deriveTestKey('sfr-test-key-1');
const hex32 = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => `0x${Buffer.from(b).toString('hex')}` as const);
const address = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((b) => toChecksumAddress(`0x${Buffer.from(b).toString('hex')}`));
const uint53 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const unsignedArb = fc
  .record({
    type: fc.constantFrom('RecoveryEvent', 'ContagionAlert', 'FundClaim', 'ClaimDecision'),
    seq: uint53,
    issuedAt: uint53,
    poolId: hex32,
    epoch: uint53,
    vault: fc.option(
      fc.record({
        chainId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        verifyingContract: address,
      }),
    ),
    payload: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  })
  .map(({ type, seq, issuedAt, poolId, epoch, vault, payload }): UnsignedEnvelope => {
    const scoped = type === 'FundClaim' || type === 'ClaimDecision';
    return {
      sfr: '1.0',
      type,
      issuer: key.address,
      seq,
      issuedAt,
      ...(scoped ? { scope: { poolId, epoch } } : {}),
      ...(scoped && vault ? { domain: vault } : {}),
      // jsonValue may produce -0, which canonical JSON writes as 0: normalize via a round trip.
      payload: JSON.parse(JSON.stringify(payload)),
    };
  });

describe('cross-check with viem (independent EIP-712)', () => {
  afterEach(() => {
    useCryptoBackend({ keccak: 'wasm', secp: 'native' });
  });

  for (const backend of ['fast', 'noble'] as const) {
    it(`library digest equals viem hashTypedData, and library signatures verify in viem (${backend})`, async () => {
      if (backend === 'noble') useCryptoBackend({ keccak: 'noble', secp: 'noble' });
      await fc.assert(
        fc.asyncProperty(unsignedArb, async (u) => {
          expect(hashTypedEnvelope(u, hashPayload(u.payload))).toBe(hashTypedData(viemArgs(u)));
          const { envelope } = await signEnvelope({
            privateKey: key.privateKey,
            unsigned: u,
            guard: createMemorySigningJournal(),
          });
          expect(
            await verifyTypedData({ address: key.address, ...viemArgs(u), signature: envelope.signature }),
          ).toBe(true);
          expect(await recoverTypedDataAddress({ ...viemArgs(u), signature: envelope.signature })).toBe(
            key.address,
          );
        }),
        { numRuns: 40 },
      );
    });
  }

  it('signatures made by viem signTypedData verify with the library', async () => {
    const account = privateKeyToAccount(key.privateKey);
    await fc.assert(
      fc.asyncProperty(unsignedArb, async (u) => {
        const signature = await account.signTypedData(viemArgs(u));
        const envelope: Envelope = { ...u, signature };
        const fast = verifyEnvelope(envelope, { now: u.issuedAt });
        useCryptoBackend({ keccak: 'noble', secp: 'noble' });
        const noble = verifyEnvelope(envelope, { now: u.issuedAt });
        useCryptoBackend({ keccak: 'wasm', secp: 'native' });
        expect(fast.outcome, JSON.stringify(fast.outcome === 'accept' ? null : fast)).toBe('accept');
        expect(noble.outcome, JSON.stringify(noble.outcome === 'accept' ? null : noble)).toBe('accept');
      }),
      { numRuns: 40 },
    );
  });
});
