/**
 * Contract members from the node config (spec/v1/node.md#contract-members): each `network.members[]`
 * entry with `contract: {chain}` is an ERC-1271 account whose envelopes are checked by
 * `isValidSignature` through the `chains[]` RPC of that chain (cached; envelope.md#erc-1271-members).
 * A contract member whose chain has no `chains[]` entry is still a contract member: its envelopes are
 * IGNOREd `ENVELOPE_ERC1271_UNVERIFIABLE`, never checked as an EOA's.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createPublicClient, http } from 'viem';
import { DEFAULT_MAX_AGE_MS } from '../envelope/index.js';
import {
  createMultisigSigner,
  createSafeOwnersReader,
  type MultisigReference,
  type MultisigSigner,
  type SafeReader,
} from '../keys/index.js';
import {
  type ContractReader,
  type ContractSignatures,
  createContractSignatures,
  createErc1271Verifier,
  type Erc1271Verifier,
} from '../validation/contractSignatures.js';
import { ConfigError } from './configError.js';

/** The `chains[]` entry fields an RPC URL comes from (NodeConfig ChainConfig). */
export interface ChainRpcEntry {
  readonly chain: string;
  readonly rpcUrl?: string;
  readonly rpcUrlFile?: string;
}

/**
 * The RPC URL of a `chains[]` entry: `rpcUrl`, or the first line of `rpcUrlFile` read against
 * `baseDir`. Throws the read error (callers name the entry in their own coded error).
 */
export async function chainRpcUrl(entry: ChainRpcEntry, baseDir: string): Promise<string | undefined> {
  if (entry.rpcUrl !== undefined) return entry.rpcUrl;
  if (entry.rpcUrlFile === undefined) return undefined;
  return (await readFile(path.resolve(baseDir, entry.rpcUrlFile), 'utf8')).trim();
}

export interface ContractMembersConfig {
  /** A multisig member's own node (node.md#multisig-members) checks its own envelopes too. */
  readonly self?: { readonly member: string; readonly contract: { readonly chain: string } };
  readonly network: { readonly members?: readonly { member: string; contract?: { chain: string } }[] };
  readonly chains?: readonly ChainRpcEntry[];
}

/**
 * The node's `ContractSignatures`, or `undefined` when the config names no contract member. An
 * unreadable `rpcUrlFile` of a chain a contract member needs refuses the start (`CONFIG_INVALID`,
 * naming the entry), as an unreadable key does.
 */
export async function contractMembersFromConfig(
  config: ContractMembersConfig,
  baseDir: string,
  options: { clientOf?: (rpcUrl: string) => ContractReader } = {},
): Promise<ContractSignatures | undefined> {
  const own = config.self === undefined ? [] : [config.self];
  const contracts = [...(config.network.members ?? []), ...own].filter((m) => m.contract !== undefined);
  if (contracts.length === 0) return undefined;
  const clientOf =
    options.clientOf ?? ((url: string) => createPublicClient({ transport: http(url) }) as ContractReader);
  const verifiers = new Map<string, Erc1271Verifier | undefined>();
  const verifierOf = async (chain: string): Promise<Erc1271Verifier | undefined> => {
    if (verifiers.has(chain)) return verifiers.get(chain);
    const url = await contractChainUrl(config, chain, baseDir);
    const verifier = url === undefined || url === '' ? undefined : createErc1271Verifier(clientOf(url));
    verifiers.set(chain, verifier);
    return verifier;
  };
  const members = new Map<string, Erc1271Verifier | undefined>();
  for (const m of contracts) members.set(m.member, await verifierOf(m.contract!.chain));
  return createContractSignatures(members, {
    chains: new Map(contracts.map((m) => [m.member, m.contract!.chain])),
  });
}

/**
 * The RPC URL a contract member on `chain` is asked through: its `chains[]` entry's. An unreadable
 * `rpcUrlFile` is `CONFIG_INVALID`, naming the entry.
 */
async function contractChainUrl(
  config: Pick<ContractMembersConfig, 'chains'>,
  chain: string,
  baseDir: string,
): Promise<string | undefined> {
  const chains = config.chains ?? [];
  const index = chains.findIndex((c) => c.chain === chain);
  if (index < 0) return undefined;
  try {
    return await chainRpcUrl(chains[index]!, baseDir);
  } catch (cause) {
    throw new ConfigError('CONFIG_INVALID', `cannot read the RPC URL file of ${chain}`, {
      field: `/chains/${index}/rpcUrlFile`,
      expected: 'a readable file holding the JSON-RPC URL (a contract member is checked through it)',
      cause,
    });
  }
}

/**
 * A multisig member's signer (a `sfr-multisig` key file, node.md#multisig-members): proposals kept in
 * `<dataDir>/proposals`, the Safe's owners and threshold read through the `chains[]` RPC of its chain.
 */
export async function multisigSignerFromConfig(
  config: Pick<ContractMembersConfig, 'chains'> & { readonly time?: { readonly maxAgeMs?: number } },
  reference: MultisigReference,
  baseDir: string,
  dataDir: string,
  options: { clientOf?: (rpcUrl: string) => SafeReader } = {},
): Promise<MultisigSigner> {
  const url = await contractChainUrl(config, reference.chain, baseDir);
  if (url === undefined || url === '')
    throw new ConfigError('CONFIG_INVALID', `no chains[] entry for ${reference.chain}`, {
      field: '/chains',
      expected: `a chains[] entry for ${reference.chain}: a multisig member's node reads its owners through it`,
    });
  const client = options.clientOf?.(url) ?? (createPublicClient({ transport: http(url) }) as SafeReader);
  return createMultisigSigner({
    member: reference.member,
    chainId: Number(reference.chain.slice('eip155:'.length)),
    readOwners: createSafeOwnersReader(client, reference.member),
    dir: path.join(dataDir, 'proposals'),
    maxAgeMs: config.time?.maxAgeMs ?? DEFAULT_MAX_AGE_MS,
  });
}
