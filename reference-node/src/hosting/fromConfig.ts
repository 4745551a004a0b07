/**
 * The adapter host as `sfr node start` builds it from the node config: `adapters[]` entries, with
 * `rpcUrl` (and `confirmations`) taken from the `chains[]` entry of the adapter's `chainId` when
 * the adapter's own config leaves them out (so an RPC URL with a credential stays in `rpcUrlFile`).
 */
import { AdapterError } from '@sfr/adapter-kit';
import { chainRpcUrl } from '../config/contractMembers.js';
import type { Logger } from '../logging/index.js';
import { type AdapterEntry, type AdapterHost, createAdapterHost, type HostedNode } from './adapterHost.js';

interface ChainEntry {
  readonly chain: string;
  readonly rpcUrl?: string;
  readonly rpcUrlFile?: string;
  readonly confirmations?: number;
}

export interface AdapterHostFromConfigParameters {
  readonly config: { readonly adapters?: readonly AdapterEntry[]; readonly chains?: readonly ChainEntry[] };
  /** Folder relative file names in the config resolve against. */
  readonly baseDir: string;
  readonly dataDir: string;
  readonly node: HostedNode;
  readonly logger?: Logger;
}

async function withChain(
  entry: AdapterEntry,
  index: number,
  chains: readonly ChainEntry[],
  baseDir: string,
): Promise<AdapterEntry> {
  const own = entry.config ?? {};
  const chainId = own['chainId'];
  if (typeof chainId !== 'number') return entry;
  const chain = chains.find((c) => c.chain === `eip155:${chainId}`);
  if (chain === undefined) {
    if (own['rpcUrl'] !== undefined) return entry;
    // The adapter's own "rpcUrl must be an http(s) URL" would not say where the URL was expected.
    throw new AdapterError(
      'ADAPTER_CONFIG_INVALID',
      `adapters[${index}] (${entry.package}): chainId ${chainId} has no chains[] entry; add {"chain": "eip155:${chainId}", "rpcUrl" or "rpcUrlFile": …} to chains (or give the adapter its own rpcUrl)`,
      {
        details: { entry: index, package: entry.package, expected: `a chains[] entry for eip155:${chainId}` },
      },
    );
  }
  const filled: Record<string, unknown> = { ...own };
  if (filled['rpcUrl'] === undefined) {
    try {
      const url = await chainRpcUrl(chain, baseDir);
      if (url !== undefined) filled['rpcUrl'] = url;
    } catch (cause) {
      throw new AdapterError(
        'ADAPTER_CONFIG_INVALID',
        `adapters[${index}] (${entry.package}): cannot read chains[].rpcUrlFile of ${chain.chain}`,
        { details: { entry: index, package: entry.package }, cause },
      );
    }
  }
  if (
    filled['confirmations'] === undefined &&
    chain.confirmations !== undefined &&
    chain.confirmations >= 1
  ) {
    filled['confirmations'] = chain.confirmations;
  }
  return { package: entry.package, config: filled };
}

/**
 * The config's `adapters[]` entries as the host receives them: `rpcUrl` and `confirmations` filled from
 * the `chains[]` entry of each adapter's `chainId` (reading `rpcUrlFile` against `baseDir`).
 */
export async function resolveAdapterEntries(
  config: AdapterHostFromConfigParameters['config'],
  baseDir: string,
): Promise<AdapterEntry[]> {
  return Promise.all((config.adapters ?? []).map((e, i) => withChain(e, i, config.chains ?? [], baseDir)));
}

/** Builds and starts the host when the config lists adapters; `undefined` when it lists none. */
export async function startAdapterHostFromConfig(
  p: AdapterHostFromConfigParameters,
): Promise<AdapterHost | undefined> {
  if ((p.config.adapters ?? []).length === 0) return undefined;
  const adapters = await resolveAdapterEntries(p.config, p.baseDir);
  const host = await createAdapterHost({
    adapters,
    node: p.node,
    dataDir: p.dataDir,
    ...(p.logger === undefined ? {} : { logger: p.logger }),
  });
  await host.start();
  return host;
}
