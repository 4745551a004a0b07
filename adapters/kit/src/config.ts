import { getAddress, isAddress } from 'viem';
import type { CursorStore } from './cursor.js';
import { AdapterError } from './errors.js';
import type { RetryOptions } from './retry.js';
import type { Address, Asset } from './types.js';

/** Settings every chain adapter takes (spec/v1/adapters.md#configuration). */
export interface ChainAdapterConfig {
  /** EIP-155 chain id of the chain the RPC serves */
  chainId: number;
  rpcUrl: string;
  /** blocks a log needs (head − block + 1) before it is reported or accepted as evidence */
  confirmations?: number;
  /** first block to scan when no cursor is persisted; default: the current safe head */
  startBlock?: bigint | number;
  /** widest eth_getLogs range per poll; default 2 000 */
  maxBlocksPerPoll?: number;
  /** watch() pause between polls; default 4 000 ms */
  pollIntervalMs?: number;
  /** per-request timeout; default 10 000 ms */
  requestTimeoutMs?: number;
  retry?: RetryOptions;
  cursorStore?: CursorStore;
  /** clock for `detectedAt` (unix ms); default Date.now */
  now?: () => number;
}

/**
 * Default confirmations per chain. Sources: Ethereum mainnet 12 blocks (~2.4 min, the depth
 * exchanges commonly wait for; finality is ~2 epochs); OP-stack and Arbitrum blocks come from a
 * single sequencer, reorgs only on L1 batch reorgs, so a small count; Polygon PoS had reorgs up
 * to ~120 blocks (2022–2023), hence 128; local dev chains (anvil 31337, 1337) 1.
 */
export const defaultConfirmations: Readonly<Record<number, number>> = {
  1: 12,
  10: 10,
  137: 128,
  8453: 10,
  42161: 20,
  1337: 1,
  31337: 1,
};

export function confirmationsFor(chainId: number, configured: number | undefined): number {
  return configured ?? defaultConfirmations[chainId] ?? 12;
}

export function toCaip2(chainId: number): string {
  return `eip155:${chainId}`;
}

function fail(field: string, problem: string): never {
  throw new AdapterError('ADAPTER_CONFIG_INVALID', `Invalid adapter config: ${field} ${problem}`, {
    details: { field, problem },
  });
}

/** Checks the shared settings; throws ADAPTER_CONFIG_INVALID naming the first bad field. */
export function assertChainConfig(config: ChainAdapterConfig): void {
  if (typeof config !== 'object' || config === null) fail('config', 'must be an object');
  if (!Number.isSafeInteger(config.chainId) || config.chainId <= 0)
    fail('chainId', 'must be a positive integer');
  if (typeof config.rpcUrl !== 'string' || !/^https?:\/\/.+/.test(config.rpcUrl)) {
    fail('rpcUrl', 'must be an http(s) URL');
  }
  if (
    config.confirmations !== undefined &&
    (!Number.isSafeInteger(config.confirmations) || config.confirmations < 1)
  ) {
    fail('confirmations', 'must be an integer ≥ 1');
  }
  if (
    config.startBlock !== undefined &&
    !(typeof config.startBlock === 'bigint' && config.startBlock >= 0n) &&
    !(
      typeof config.startBlock === 'number' &&
      Number.isSafeInteger(config.startBlock) &&
      config.startBlock >= 0
    )
  ) {
    fail('startBlock', 'must be an integer ≥ 0');
  }
  for (const field of ['pollIntervalMs', 'requestTimeoutMs'] as const) {
    const value = config[field];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0))
      fail(field, 'must be an integer ≥ 0');
  }
  if (config.retry !== undefined && (typeof config.retry !== 'object' || config.retry === null)) {
    fail('retry', 'must be an object');
  }
  if (
    config.cursorStore !== undefined &&
    (typeof config.cursorStore !== 'object' ||
      config.cursorStore === null ||
      typeof config.cursorStore.load !== 'function')
  ) {
    fail('cursorStore', 'must be a CursorStore');
  }
  if (config.now !== undefined && typeof config.now !== 'function') fail('now', 'must be a function');
  if (
    config.maxBlocksPerPoll !== undefined &&
    (!Number.isSafeInteger(config.maxBlocksPerPoll) || config.maxBlocksPerPoll < 1)
  ) {
    fail('maxBlocksPerPoll', 'must be an integer ≥ 1');
  }
}

/** Checks an address field and returns its EIP-55 form. */
export function parseAddress(field: string, value: unknown): Address {
  if (typeof value !== 'string' || !isAddress(value, { strict: false })) fail(field, 'must be a 0x address');
  return getAddress(value);
}

/** Checks a list of asset descriptions (address, symbol, decimals) for the adapter's chain. */
export function parseAssets(field: string, chain: string, value: unknown): Asset[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(field, 'must be an array');
  return value.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) fail(`${field}[${i}]`, 'must be an object');
    const a = item as { address?: unknown; symbol?: unknown; decimals?: unknown };
    const address = parseAddress(`${field}[${i}].address`, a.address);
    if (typeof a.symbol !== 'string' || a.symbol.length < 1 || a.symbol.length > 32) {
      fail(`${field}[${i}].symbol`, 'must be 1..32 characters');
    }
    if (!Number.isSafeInteger(a.decimals) || (a.decimals as number) < 0 || (a.decimals as number) > 77) {
      fail(`${field}[${i}].decimals`, 'must be an integer 0..77');
    }
    return { chain, address, symbol: a.symbol, decimals: a.decimals as number };
  });
}

/** Checks that a list field is an array of objects (so items can be read safely). */
export function parseObjectList<T extends object>(
  field: string,
  value: unknown,
  options: { optional?: boolean } = {},
): T[] {
  if (value === undefined && options.optional === true) return [];
  if (!Array.isArray(value)) fail(field, 'must be an array');
  value.forEach((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      fail(`${field}[${i}]`, 'must be an object');
  });
  return value as T[];
}

/** Returns a positive integer setting or its default; throws ADAPTER_CONFIG_INVALID otherwise. */
export function parsePositiveInteger(field: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    fail(field, 'must be an integer ≥ 0');
  return value;
}

export { fail as failConfig };
