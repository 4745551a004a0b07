/**
 * Which member vault signatures a node counts (settlement.md#counting-vault-signatures): one rule for
 * both effects that carry them in `sfr.settlement` (charter terms, settlements). A signature counts
 * when it recovers to its envelope's issuer over the typed data (an EOA member: 65 bytes), or when
 * the issuer is a contract member registered on the vault's chain and its contract accepts it for the
 * typed data's digest at the latest block (ERC-1271, asked through the node's `ContractSignatures`,
 * the same RPC and cache as envelope rule 24) — exactly what the vault's `_isValid` checks.
 */
import { getAddress, type Hex, hashTypedData, recoverTypedDataAddress, type TypedDataDefinition } from 'viem';
import type { VaultStep } from '../keys/index.js';
import {
  typedDataToJson,
  type VaultDomain,
  type VaultSignature,
  vaultTypedData,
} from '../settlement/index.js';
import type { ContractSignatures } from '../validation/contractSignatures.js';

/** What the rule needs beside the signature: the node's contract members, and the vault's chain (CAIP-2). */
export type VaultSignatureContext = {
  readonly contracts?: ContractSignatures | undefined;
  readonly chain: string;
};

/** [sfr] The largest contract signature counted: 64 owners' 65-byte parts (a Safe's blob). */
export const MAX_CONTRACT_SIGNATURE_BYTES = 64 * 65;

const EOA_SIGNATURE = /^0x[0-9a-fA-F]{130}$/;
const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})+$/;

/** Whether `issuer`'s vault signature is one an ERC-1271 contract answers for (settlement.md#counting-vault-signatures). */
export const isContractSigner = (issuer: string, ctx: VaultSignatureContext): boolean =>
  ctx.contracts?.isContract(issuer) === true;

/**
 * `issuer`'s signature of `typed` as the vault takes it, or null when it does not count: not hex, an
 * EOA's that is not 65 bytes or recovers to someone else, a contract member's on another chain than
 * the vault's, or one its contract does not accept at the latest block (or the chain cannot answer now:
 * asked again next time). Never throws.
 */
export async function countedSignature(
  issuer: string,
  signature: unknown,
  typed: TypedDataDefinition,
  ctx: VaultSignatureContext,
  now: () => number = Date.now,
): Promise<VaultSignature | null> {
  if (typeof signature !== 'string') return null;
  const sig = signature as Hex;
  try {
    if (ctx.contracts?.isContract(issuer) === true) {
      if (!HEX_BYTES.test(sig) || sig.length > 2 + 2 * MAX_CONTRACT_SIGNATURE_BYTES) return null;
      if (ctx.contracts.chainOf(issuer) !== ctx.chain) return null;
      // 'valid' is the contract's answer at the latest block (the question the vault will ask).
      const answer = await ctx.contracts.check(issuer, hashTypedData(typed), sig, now());
      return answer === 'valid' ? { signer: getAddress(issuer), signature: sig } : null;
    }
    if (!EOA_SIGNATURE.test(sig)) return null;
    const recovered = await recoverTypedDataAddress({ ...typed, signature: sig } as never);
    return recovered.toLowerCase() === issuer.toLowerCase()
      ? { signer: getAddress(issuer), signature: sig }
      : null;
  } catch {
    return null; // not a signature of this typed data: ignored
  }
}

/**
 * The first step of a contract member's two-step proposal (node.md#multisig-members rule 11): the vault
 * struct its owners sign before the envelope that carries their signature exists.
 */
export function vaultStepOf(
  key: string,
  domain: VaultDomain,
  message: Parameters<typeof vaultTypedData>[1],
): VaultStep {
  const typed = vaultTypedData(domain, message);
  return { key, typedData: typedDataToJson(typed), digest: hashTypedData(typed) };
}
