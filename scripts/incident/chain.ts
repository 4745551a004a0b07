// The on-chain side of `npm start`: an anvil chain (npm's anvil) with the mock contracts of three
// adapters deployed (Aave v3 Pool/PoolConfigurator/Umbrella, a Compound v3 Comet market, a Chainlink
// ETH/USD aggregator), the adapter config each hosting node gets, and a scripted incident whose
// transactions make the adapters emit recovery events and a contagion alert.
import path from 'node:path';
import { type AnvilInstance, compileSolidityFiles, startAnvil } from '@sfr/adapter-kit/testing';
import type { Abi, Address } from 'viem';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Compiled artifacts are cached here by content hash: only the first run pays the solc compile. */
const SOLC_CACHE = path.join(ROOT, '.cache', 'solc');

const USDC = { address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', symbol: 'USDC', decimals: 6 } as const;
const WETH = { address: '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2', symbol: 'WETH', decimals: 18 } as const;
const WBTC = { address: '0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599', symbol: 'WBTC', decimals: 8 } as const;
const ETH_USD_BEFORE = 3_000n * 10n ** 8n;
const ETH_USD_AFTER = 1_450n * 10n ** 8n;

/** One adapter a node hosts (an `adapters[]` entry of its config). */
export interface HostedAdapter {
  readonly package: string;
  readonly config: Record<string, unknown>;
}

/** One scripted step: a transaction and the outputs (by kind / indicator) the hosting node's adapter makes of it. */
export interface IncidentStep {
  readonly protocol: string;
  readonly what: string;
  readonly expect: readonly string[];
  run(): Promise<string>;
}

export interface IncidentChain {
  readonly anvil: AnvilInstance;
  /** Adapter config by the protocol slug of the node that hosts it. */
  readonly adapters: ReadonlyMap<string, HostedAdapter>;
  /** The incident, in order, for the protocols that have a hosting node. */
  steps(protocols: readonly string[]): IncidentStep[];
  stop(): Promise<void>;
}

/** Starts anvil, deploys the mocks, and returns adapter configs that scan from the next block. */
export async function startIncidentChain(): Promise<IncidentChain> {
  const anvil = await startAnvil();
  try {
    const dir = (pkg: string) => path.join(ROOT, 'adapters', pkg, 'contracts');
    const [aave, comet, chainlink] = await Promise.all([
      compileSolidityFiles(dir('aave-v3'), ['AaveMocks.sol'], { cacheDir: SOLC_CACHE }),
      compileSolidityFiles(dir('compound-v3'), ['CometMock.sol'], { cacheDir: SOLC_CACHE }),
      compileSolidityFiles(dir('chainlink'), ['MockAggregator.sol'], { cacheDir: SOLC_CACHE }),
    ]);
    const reserves = [USDC, WETH, WBTC];
    const configurator = await anvil.deploy(aave['MockPoolConfigurator']!, [reserves.map((r) => r.address)]);
    const pool = await anvil.deploy(aave['MockPool']!);
    const umbrella = await anvil.deploy(aave['MockUmbrella']!, [pool]);
    const market = await anvil.deploy(comet['CometMock']!);
    const feed = await anvil.deploy(chainlink['MockAggregator']!, [8, ETH_USD_BEFORE]);
    const startBlock = Number(await anvil.client.getBlockNumber()) + 1;
    const shared = {
      chainId: 31337,
      rpcUrl: anvil.rpcUrl,
      confirmations: 1,
      startBlock,
      pollIntervalMs: 250,
    };
    const adapters = new Map<string, HostedAdapter>([
      [
        'aave-v3',
        {
          package: '@sfr/adapter-aave-v3',
          config: { ...shared, pool, poolConfigurator: configurator, umbrella, reserves },
        },
      ],
      [
        'compound-v3',
        {
          package: '@sfr/adapter-compound-v3',
          config: {
            ...shared,
            comet: market,
            market: 'cUSDCv3',
            baseAsset: USDC,
            collaterals: [WETH, WBTC],
            priceFeeds: [feed],
          },
        },
      ],
      [
        'chainlink',
        {
          package: '@sfr/adapter-chainlink',
          config: {
            ...shared,
            protocol: 'chainlink',
            feeds: [
              {
                address: feed,
                description: 'ETH / USD',
                asset: WETH,
                heartbeatSeconds: 3_600,
                deviationBps: 1_000,
              },
            ],
          },
        },
      ],
    ]);
    const tx = async (to: Address, abi: Abi, fn: string, args: readonly unknown[]) =>
      (await anvil.write(to, abi, fn, args)).transactionHash;
    const all: IncidentStep[] = [
      {
        protocol: 'chainlink',
        what: 'Chainlink ETH/USD answer drops 3000 → 1450 (−52 %)',
        expect: ['oracle_failure', 'oracle_deviation'],
        run: () => tx(feed, chainlink['MockAggregator']!.abi, 'updateAnswer', [ETH_USD_AFTER]),
      },
      {
        protocol: 'aave-v3',
        what: 'Aave v3 risk admin freezes the WETH reserve',
        expect: ['market_frozen'],
        run: () =>
          tx(configurator, aave['MockPoolConfigurator']!.abi, 'setReserveFreeze', [WETH.address, true]),
      },
      {
        protocol: 'compound-v3',
        what: 'Compound v3 pause guardian pauses supply, withdraw and absorb on cUSDCv3',
        expect: ['emergency_pause'],
        run: () => tx(market, comet['CometMock']!.abi, 'pause', [true, false, true, true, false]),
      },
      {
        protocol: 'aave-v3',
        what: 'Aave v3 liquidation of an underwater WETH-backed USDC loan leaves a 1 234.57 USDC deficit',
        expect: ['bad_debt_realized'],
        run: () =>
          tx(pool, aave['MockPool']!.abi, 'liquidateToDeficit', [
            WETH.address,
            USDC.address,
            '0x1111111111111111111111111111111111111111',
            5_000_000_000n,
            1_234_567_890n,
          ]),
      },
      {
        protocol: 'compound-v3',
        what: 'Compound v3 cUSDCv3 reserves go negative (−123.46 USDC)',
        expect: ['bad_debt_realized'],
        run: () => tx(market, comet['CometMock']!.abi, 'setReserves', [-123_456_789n]),
      },
    ];
    return {
      anvil,
      adapters,
      steps: (protocols) => all.filter((s) => protocols.includes(s.protocol)),
      stop: () => anvil.stop(),
    };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}
