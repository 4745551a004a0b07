import { bytesToHex } from './hex.js';
import { messageIdOf } from './messageIdOf.js';
import type { Address, Hex } from './types.js';
import {
  checkSignature,
  digestOf,
  precheckEnvelope,
  type VerifyContext,
  type VerifyEnvelopeResult,
} from './verifyEnvelope.js';

/** ERC-1271 magic value `bytes4(keccak256("isValidSignature(bytes32,bytes)"))`. */
export const ERC1271_MAGIC_VALUE = '0x1626ba7e';

/** Asks a chain whether `account` (a contract) accepts `signature` over `digest`. */
export type Erc1271Verifier = (account: Address, digest: Hex, signature: Hex) => Promise<boolean>;

const IS_VALID_SIGNATURE_ABI = [
  {
    type: 'function',
    name: 'isValidSignature',
    stateMutability: 'view',
    inputs: [
      { name: 'hash', type: 'bytes32' },
      { name: 'signature', type: 'bytes' },
    ],
    outputs: [{ name: 'magicValue', type: 'bytes4' }],
  },
] as const;

/** The narrow part of a viem `PublicClient` an ERC-1271 check needs. */
export type ContractReader = {
  readContract(args: {
    address: Address;
    abi: typeof IS_VALID_SIGNATURE_ABI;
    functionName: 'isValidSignature';
    args: readonly [Hex, Hex];
  }): Promise<unknown>;
};

/** An `Erc1271Verifier` that calls `isValidSignature` through a viem public client. */
export function createErc1271Verifier(client: ContractReader): Erc1271Verifier {
  return async (account, digest, signature) => {
    const result = await client.readContract({
      address: account,
      abi: IS_VALID_SIGNATURE_ABI,
      functionName: 'isValidSignature',
      args: [digest, signature],
    });
    return typeof result === 'string' && result.toLowerCase() === ERC1271_MAGIC_VALUE;
  };
}

/**
 * `verifyEnvelope` for a node with a chain configured: contract members are checked with
 * ERC-1271 (`isValidSignature` = magic value, else REJECT `ENVELOPE_BAD_SIGNATURE`); a chain
 * error is IGNORE `ENVELOPE_ERC1271_UNVERIFIABLE` (it may verify later). Never throws.
 */
export async function verifyEnvelopeWithChain(
  input: Uint8Array | unknown,
  ctx: VerifyContext & { erc1271: Erc1271Verifier },
): Promise<VerifyEnvelopeResult> {
  try {
    const pre = precheckEnvelope(input, ctx);
    if (pre.outcome !== 'accept') return pre;
    const { envelope, wire } = pre;
    if (ctx.isContractMember?.(envelope.issuer)) {
      let valid: boolean;
      try {
        valid = await ctx.erc1271(envelope.issuer, bytesToHex(digestOf(envelope, wire)), envelope.signature);
      } catch (error) {
        return { outcome: 'ignore', code: 'ENVELOPE_ERC1271_UNVERIFIABLE', meta: { error: String(error) } };
      }
      if (!valid) return { outcome: 'reject', code: 'ENVELOPE_BAD_SIGNATURE', meta: { erc1271: true } };
    } else {
      const sig = checkSignature(envelope, ctx, digestOf(envelope, wire));
      if (sig) return sig;
    }
    return { outcome: 'accept', envelope, wire, messageId: messageIdOf(wire) };
  } catch (error) {
    return { outcome: 'ignore', code: 'ENVELOPE_INTERNAL', meta: { error: String(error) } };
  }
}
