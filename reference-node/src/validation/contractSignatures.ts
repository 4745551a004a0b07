/**
 * ERC-1271 members (spec/v1/envelope.md#erc-1271-members): which members are contracts, and whether a
 * contract accepts a signature over a digest, asked through `isValidSignature` on the chain the member
 * is registered on (the node's configured `chains[]` RPC). Definite answers are cached, bounded and for
 * a short time (a Safe's owners can change); a chain that cannot answer gives `undefined`, which the
 * pipeline turns into IGNORE `ENVELOPE_ERC1271_UNVERIFIABLE`.
 */
import type { Address, Hex } from '../envelope/index.js';

/** ERC-1271 magic value `bytes4(keccak256("isValidSignature(bytes32,bytes)"))`. */
export const ERC1271_MAGIC_VALUE = '0x1626ba7e';

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

/** Asks a chain whether `account` accepts `signature` over `digest`; throws when the chain cannot answer. */
export type Erc1271Verifier = (account: Address, digest: Hex, signature: Hex) => Promise<boolean>;

/**
 * An `Erc1271Verifier` that calls `isValidSignature` through a viem public client. A call that reverts
 * is a "no" (a Safe reverts on a bad signature); a transport error is thrown (cannot answer).
 */
export function createErc1271Verifier(client: ContractReader): Erc1271Verifier {
  return async (account, digest, signature) => {
    let result: unknown;
    try {
      result = await client.readContract({
        address: account,
        abi: IS_VALID_SIGNATURE_ABI,
        functionName: 'isValidSignature',
        args: [digest, signature],
      });
    } catch (error) {
      if (isRevert(error)) return false;
      throw error;
    }
    return typeof result === 'string' && result.toLowerCase() === ERC1271_MAGIC_VALUE;
  };
}

/** viem's error for a call the contract reverted (as opposed to an RPC or transport failure). */
function isRevert(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e.name === 'ContractFunctionRevertedError' || e.name === 'ContractFunctionZeroDataError') return true;
  }
  return false;
}

export interface ContractSignatures {
  /** Whether `issuer` is a contract (ERC-1271) member. */
  isContract(issuer: string): boolean;
  /** `true` valid, `false` refused by the contract, `undefined` cannot be checked here. Never throws. */
  check(issuer: string, digest: Hex, signature: Hex): Promise<boolean | undefined>;
}

/**
 * `members` maps each contract member (address, any case) to the verifier of the chain it is registered
 * on, or to `undefined` when this receiver has no such chain configured.
 */
export function createContractSignatures(
  members: ReadonlyMap<string, Erc1271Verifier | undefined>,
  options: { cacheTtlMs?: number; maxCached?: number; now?: () => number } = {},
): ContractSignatures {
  const byAddress = new Map([...members].map(([a, v]) => [a.toLowerCase(), v]));
  // [sfr] 60 s: long enough to absorb a burst of relays of one message, short next to an owner change.
  const ttl = options.cacheTtlMs ?? 60_000;
  const maxCached = options.maxCached ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { valid: boolean; until: number }>();
  return {
    isContract: (issuer) => byAddress.has(issuer.toLowerCase()),
    async check(issuer, digest, signature) {
      const verifier = byAddress.get(issuer.toLowerCase());
      if (verifier === undefined) return undefined;
      const key = `${issuer.toLowerCase()}|${digest}|${signature}`;
      const hit = cache.get(key);
      if (hit !== undefined && hit.until >= now()) return hit.valid;
      let valid: boolean;
      try {
        valid = await verifier(issuer as Address, digest, signature);
      } catch {
        return undefined;
      }
      cache.delete(key);
      cache.set(key, { valid, until: now() + ttl });
      while (cache.size > maxCached) cache.delete(cache.keys().next().value!);
      return valid;
    },
  };
}
