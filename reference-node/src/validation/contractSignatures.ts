/**
 * ERC-1271 members (spec/v1/envelope.md#erc-1271-members): which members are contracts, and whether a
 * contract accepts a signature over a digest, asked through `isValidSignature` on the chain the member
 * is registered on (the node's configured `chains[]` RPC). A "no" at the latest block is asked again at
 * the block of the message's time: "yes" there is `not-valid-now` (the owners changed since; rule 24
 * IGNOREs it, as the peer that relayed it may have checked it before), "no" there too is `invalid`
 * (REJECT). Definite answers are cached, bounded and for a short time (a Safe's owners can change); a
 * chain that cannot answer gives `undefined`, which the pipeline turns into IGNORE
 * `ENVELOPE_ERC1271_UNVERIFIABLE`.
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
    blockNumber?: bigint;
  }): Promise<unknown>;
  getBlock(args?: { blockNumber: bigint }): Promise<{ number: bigint | null; timestamp: bigint }>;
};

/**
 * Asks a chain whether `account` accepts `signature` over `digest`, at the latest block or, with
 * `atMs`, at the block of that time (the last block whose timestamp is at most `atMs`, in seconds;
 * none: the contract did not exist, a "no"). Throws when the chain cannot answer.
 */
export type Erc1271Verifier = (
  account: Address,
  digest: Hex,
  signature: Hex,
  atMs?: number,
) => Promise<boolean>;

/**
 * An `Erc1271Verifier` that calls `isValidSignature` through a viem public client. A call that reverts
 * is a "no" (a Safe reverts on a bad signature); a transport error is thrown (cannot answer), and so
 * is a node that no longer holds the state of the block asked (not an archive node).
 */
export function createErc1271Verifier(client: ContractReader): Erc1271Verifier {
  return async (account, digest, signature, atMs) => {
    const blockNumber =
      atMs === undefined ? undefined : await blockAt(client, BigInt(Math.floor(atMs / 1000)));
    if (blockNumber === null) return false;
    let result: unknown;
    try {
      result = await client.readContract({
        address: account,
        abi: IS_VALID_SIGNATURE_ABI,
        functionName: 'isValidSignature',
        args: [digest, signature],
        ...(blockNumber === undefined ? {} : { blockNumber }),
      });
    } catch (error) {
      if (isRevert(error)) return false;
      throw error;
    }
    return typeof result === 'string' && result.toLowerCase() === ERC1271_MAGIC_VALUE;
  };
}

/**
 * The number of the last block whose timestamp is at most `seconds`, or `null` when even the first is
 * later. Steps back from the latest block by doubling strides, then bisects: a message inside the time
 * window (minutes old) costs a few calls, whatever the chain's height.
 */
async function blockAt(client: ContractReader, seconds: bigint): Promise<bigint | null> {
  const latest = await client.getBlock();
  if (latest.number === null) throw new Error('the chain answered a pending block as the latest');
  if (latest.timestamp <= seconds) return latest.number;
  let later = latest.number; // a block whose timestamp is above `seconds`
  let stride = 1n;
  let earlier: bigint; // a block whose timestamp is at most `seconds`
  for (;;) {
    const n = later - stride;
    if (n < 0n) {
      if ((await client.getBlock({ blockNumber: 0n })).timestamp > seconds) return null;
      earlier = 0n;
      break;
    }
    if ((await client.getBlock({ blockNumber: n })).timestamp <= seconds) {
      earlier = n;
      break;
    }
    later = n;
    stride *= 2n;
  }
  while (later - earlier > 1n) {
    const mid = (earlier + later) / 2n;
    if ((await client.getBlock({ blockNumber: mid })).timestamp <= seconds) earlier = mid;
    else later = mid;
  }
  return earlier;
}

/** viem's error for a call the contract reverted (as opposed to an RPC or transport failure). */
function isRevert(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e.name === 'ContractFunctionRevertedError' || e.name === 'ContractFunctionZeroDataError') return true;
  }
  return false;
}

/**
 * A contract's answer for rules 23–24 (envelope.md#erc-1271-members): `valid` at the latest block;
 * `not-valid-now`, refused at the latest block but accepted at the block of the message's time;
 * `invalid`, refused at both; `undefined`, the chain could not answer one of the questions.
 */
export type Erc1271Answer = 'valid' | 'not-valid-now' | 'invalid' | undefined;

export interface ContractSignatures {
  /** Whether `issuer` is a contract (ERC-1271) member. */
  isContract(issuer: string): boolean;
  /** The chain (CAIP-2) a contract member is registered on, when known. */
  chainOf(issuer: string): string | undefined;
  /** The contract's answer for a message issued at `issuedAt` (unix ms). Never throws. */
  check(issuer: string, digest: Hex, signature: Hex, issuedAt: number): Promise<Erc1271Answer>;
}

/**
 * `members` maps each contract member (address, any case) to the verifier of the chain it is registered
 * on, or to `undefined` when this receiver has no such chain configured.
 */
export function createContractSignatures(
  members: ReadonlyMap<string, Erc1271Verifier | undefined>,
  options: {
    cacheTtlMs?: number;
    maxCached?: number;
    now?: () => number;
    /** Each contract member's chain (CAIP-2, address any case): `chainOf`'s answers. */
    chains?: ReadonlyMap<string, string>;
  } = {},
): ContractSignatures {
  const byAddress = new Map([...members].map(([a, v]) => [a.toLowerCase(), v]));
  const chainByAddress = new Map([...(options.chains ?? [])].map(([a, c]) => [a.toLowerCase(), c]));
  // [sfr] 60 s: long enough to absorb a burst of relays of one message, short next to an owner change.
  const ttl = options.cacheTtlMs ?? 60_000;
  const maxCached = options.maxCached ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { answer: Erc1271Answer; until: number }>();
  return {
    isContract: (issuer) => byAddress.has(issuer.toLowerCase()),
    chainOf: (issuer) => chainByAddress.get(issuer.toLowerCase()),
    async check(issuer, digest, signature, issuedAt) {
      const verifier = byAddress.get(issuer.toLowerCase());
      if (verifier === undefined) return undefined;
      const key = `${issuer.toLowerCase()}|${digest}|${signature}`; // the digest covers issuedAt
      const hit = cache.get(key);
      if (hit !== undefined && hit.until >= now()) return hit.answer;
      let answer: Erc1271Answer;
      try {
        answer = (await verifier(issuer as Address, digest, signature))
          ? 'valid'
          : (await verifier(issuer as Address, digest, signature, issuedAt))
            ? 'not-valid-now'
            : 'invalid';
      } catch {
        return undefined;
      }
      cache.delete(key);
      cache.set(key, { answer, until: now() + ttl });
      while (cache.size > maxCached) cache.delete(cache.keys().next().value!);
      return answer;
    },
  };
}
