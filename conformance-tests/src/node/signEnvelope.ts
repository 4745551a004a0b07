/**
 * The runner's own, independent implementation of the envelope signing rules of
 * spec/v1/envelope.md (RFC 8785 wire bytes, EIP-712 typed data over the header and the payload
 * hash, message id = keccak256 of the wire bytes), with viem and canonicalize. It deliberately
 * shares no code with any implementation under test.
 */
import canonicalizeJson from 'canonicalize';
import {
  getAddress,
  type Hex,
  keccak256,
  recoverTypedDataAddress,
  stringToBytes,
  type TypedDataDomain,
  toHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

/** An envelope before its signature (spec/v1/envelope.md#data). */
export type UnsignedEnvelope = {
  sfr: string;
  type: string;
  issuer: string;
  seq: number;
  issuedAt: number;
  scope?: { poolId: string; epoch: number };
  domain?: { chainId: number; verifyingContract: string };
  payload: Record<string, unknown>;
};

export type SignedEnvelope = UnsignedEnvelope & { signature: string };

/** The EIP-712 primary type; member order is normative (envelope.md#typed-data). */
const envelopeTypes = {
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

const zero32: Hex = `0x${'00'.repeat(32)}`;

/** RFC 8785 canonical JSON; throws on a value that is not canonicalizable. */
export function canonicalJson(value: unknown): string {
  const text = (canonicalizeJson as unknown as (v: unknown) => string | undefined)(value);
  if (text === undefined) throw new Error('value is not canonicalizable JSON');
  return text;
}

/** Test key N of the conformance suite: keccak256(utf8("sfr-test-key-N")) (envelope.md#harness). */
export function testPrivateKey(n: number): Hex {
  return keccak256(stringToBytes(`sfr-test-key-${n}`));
}

export function addressOf(privateKey: Hex): string {
  return privateKeyToAccount(privateKey).address;
}

/** keccak256 of the payload's canonical JSON (envelope.md#payload-hash). */
export function payloadHashOf(payload: unknown): Hex {
  return keccak256(stringToBytes(canonicalJson(payload)));
}

function typedDataOf(envelope: UnsignedEnvelope) {
  const major = envelope.sfr.split('.')[0] ?? '';
  const domain: TypedDataDomain =
    envelope.domain === undefined
      ? { name: 'SFR', version: major }
      : {
          name: 'SFR',
          version: major,
          chainId: envelope.domain.chainId,
          verifyingContract: getAddress(envelope.domain.verifyingContract),
        };
  return {
    domain,
    types: envelopeTypes,
    primaryType: 'Envelope' as const,
    message: {
      sfr: envelope.sfr,
      type: envelope.type,
      issuer: getAddress(envelope.issuer),
      seq: BigInt(envelope.seq),
      issuedAt: BigInt(envelope.issuedAt),
      poolId: (envelope.scope?.poolId ?? zero32) as Hex,
      epoch: BigInt(envelope.scope?.epoch ?? 0),
      payloadHash: payloadHashOf(envelope.payload),
    },
  };
}

/** Signs `envelope` with `privateKey` (RFC 6979, low s, v ∈ {27, 28}: viem's defaults). */
export async function signUnsignedEnvelope(
  envelope: UnsignedEnvelope,
  privateKey: Hex,
): Promise<SignedEnvelope> {
  const signature = await privateKeyToAccount(privateKey).signTypedData(typedDataOf(envelope));
  return { ...envelope, signature: signature.toLowerCase() };
}

/** The address that signed `envelope`, or undefined when the signature does not recover. */
export async function recoverSigner(envelope: SignedEnvelope): Promise<string | undefined> {
  try {
    return await recoverTypedDataAddress({
      ...typedDataOf(envelope),
      signature: envelope.signature as Hex,
    });
  } catch {
    return undefined;
  }
}

/** The wire bytes: UTF-8 of the canonical JSON (envelope.md#canonical-encoding). */
export function wireOf(envelope: unknown): Uint8Array {
  return stringToBytes(canonicalJson(envelope));
}

/** The SFR message id, which is also the gossipsub message id (p2p.md#message-encoding). */
export function messageIdOf(wire: Uint8Array): Hex {
  return keccak256(wire);
}

export { toHex };
