/** Shared by the hosting suites: an anvil chain with the Aave v3 mocks deployed, and its adapter config. */
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  type AnvilInstance,
  type CompiledContract,
  compileSolidityFiles,
  startAnvil,
} from '@sfr/adapter-kit/testing';
import type { Abi, Address } from 'viem';

const require = createRequire(import.meta.url);

export const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48' as Address;
export const WETH = '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2' as Address;
export const WBTC = '0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599' as Address;
export const reserves = [
  { address: USDC, symbol: 'USDC', decimals: 6 },
  { address: WETH, symbol: 'WETH', decimals: 18 },
  { address: WBTC, symbol: 'WBTC', decimals: 8 },
];

export interface AaveChain {
  anvil: AnvilInstance;
  artifacts: Record<string, CompiledContract>;
  configurator: Address;
  pool: Address;
  umbrella: Address;
  abi(name: string): Abi;
  /** Adapter config for `@sfr/adapter-aave-v3`, scanning from the next block. */
  adapterConfig(extra?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** The Aave v3 adapter package's Solidity mocks (its `contracts/` folder). */
export function aaveContractsDir(): string {
  return path.join(path.dirname(require.resolve('@sfr/adapter-aave-v3/package.json')), 'contracts');
}

export async function startAaveChain(): Promise<AaveChain> {
  const anvil = await startAnvil();
  try {
    const artifacts = await compileSolidityFiles(aaveContractsDir(), ['AaveMocks.sol']);
    const configurator = await anvil.deploy(artifacts['MockPoolConfigurator']!, [
      reserves.map((r) => r.address),
    ]);
    const pool = await anvil.deploy(artifacts['MockPool']!);
    const umbrella = await anvil.deploy(artifacts['MockUmbrella']!, [pool]);
    return {
      anvil,
      artifacts,
      configurator,
      pool,
      umbrella,
      abi: (name) => artifacts[name]!.abi,
      async adapterConfig(extra = {}) {
        return {
          chainId: 31337,
          rpcUrl: anvil.rpcUrl,
          pool,
          poolConfigurator: configurator,
          umbrella,
          reserves,
          confirmations: 1,
          startBlock: Number(await anvil.client.getBlockNumber()) + 1,
          pollIntervalMs: 100,
          ...extra,
        };
      },
    };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}
