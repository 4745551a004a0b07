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
  const contracts = (config.network.members ?? []).filter((m) => m.contract !== undefined);
  if (contracts.length === 0) return undefined;
  const clientOf =
    options.clientOf ?? ((url: string) => createPublicClient({ transport: http(url) }) as ContractReader);
  const verifiers = new Map<string, Erc1271Verifier | undefined>();
  const chains = config.chains ?? [];
  const verifierOf = async (chain: string): Promise<Erc1271Verifier | undefined> => {
    if (verifiers.has(chain)) return verifiers.get(chain);
    const index = chains.findIndex((c) => c.chain === chain);
    let url: string | undefined;
    if (index >= 0) {
      try {
        url = await chainRpcUrl(chains[index]!, baseDir);
      } catch (cause) {
        throw new ConfigError('CONFIG_INVALID', `cannot read the RPC URL file of ${chain}`, {
          field: `/chains/${index}/rpcUrlFile`,
          expected: 'a readable file holding the JSON-RPC URL (a contract member is checked through it)',
          cause,
        });
      }
    }
    const verifier = url === undefined || url === '' ? undefined : createErc1271Verifier(clientOf(url));
    verifiers.set(chain, verifier);
    return verifier;
  };
  const members = new Map<string, Erc1271Verifier | undefined>();
  for (const m of contracts) members.set(m.member, await verifierOf(m.contract!.chain));
  return createContractSignatures(members);
}
