/**
 * Pools end to end in one process: real nodes on loopback TCP, anvil with the Pausable test
 * contract and the Aave v3 Pool mock (genuine DeficitCreated), and each node re-deriving claim
 * evidence through its own instances of the real pausable and aave-v3 adapters (`verifyEvidence`,
 * `deriveLoss`; the adapter host of `src/hosting` does the same in `sfr node start`).
 */

import path from 'node:path';
import { createAdapter as createAaveAdapter } from '@sfr/adapter-aave-v3';
import type { Adapter, RecoveryEvent } from '@sfr/adapter-kit';
import { createMemoryCursorStore } from '@sfr/adapter-kit';
import {
  type AnvilInstance,
  type CompiledContract,
  compileSolidityFiles,
  drainAdapter,
  startAnvil,
} from '@sfr/adapter-kit/testing';
import { createAdapter } from '@sfr/adapter-pausable';
import type { EvidenceRef, FundClaim, PoolCharter, PoolId } from '@sfr/schemas/types';
import type { Address, Hex } from 'viem';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { type AutoAttestPolicy, createPoolService, type PoolService } from '../../src/poolsNode/index.js';
import { startNetwork, type TestNetwork } from '../node/fixtures.js';

export const POOL_ID: PoolId = `0x${'7a'.repeat(32)}`;
export const VAULT = '0x00000000000000000000000000000000000057A1';
export const USDC = {
  chain: 'eip155:31337',
  address: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  symbol: 'USDC',
  decimals: 6,
};
export const U = 1_000_000n;

const CONTRACTS = path.resolve(import.meta.dirname, '../../../adapters/pausable/contracts');
const AAVE_CONTRACTS = path.resolve(import.meta.dirname, '../../../adapters/aave-v3/contracts');

export interface Chain {
  anvil: AnvilInstance;
  mock: CompiledContract;
  watched: Address;
  /** The pausable adapter of the watched contract. */
  adapter(): ReturnType<typeof createAdapter>;
  /** The aave-v3 adapter of the Pool mock, USDC (the pools' unit asset) its one reserve. */
  aave(): Adapter;
  /**
   * A liquidation on the Aave Pool mock leaving `deficit` USDC base units of bad debt: the
   * adapter's bad_debt_realized RecoveryEvent payload (its evidence the DeficitCreated log).
   */
  deficit(deficit: bigint): Promise<RecoveryEvent>;
  /** A pause of the watched contract, then an unpause: the pausable adapter's emergency_pause payload. */
  pause(): Promise<RecoveryEvent>;
  /** A real Paused log, confirmed. */
  realEvidence(): Promise<EvidenceRef>;
  /** A Paused log that was mined, then reorged away (anvil snapshot / revert and new blocks). */
  reorgedEvidence(): Promise<EvidenceRef>;
  stop(): Promise<void>;
}

export async function startChain(): Promise<Chain> {
  // not startAnvil's own 10 s default: anvil's first line can come later on two busy cores (as startVaultChain)
  const anvil = await startAnvil({ timeoutMs: TIMEOUTS.start });
  try {
    const mock = (await compileSolidityFiles(CONTRACTS, ['PausableMock.sol'])).PausableMock!;
    const watched = await anvil.deploy(mock);
    const aaveMocks = await compileSolidityFiles(AAVE_CONTRACTS, ['AaveMocks.sol']);
    const aavePool = await anvil.deploy(aaveMocks.MockPool!);
    const configurator = await anvil.deploy(aaveMocks.MockPoolConfigurator!, [[USDC.address]]);
    const aave = (startBlock?: bigint) =>
      createAaveAdapter({
        chainId: 31337,
        rpcUrl: anvil.rpcUrl,
        pool: aavePool,
        poolConfigurator: configurator,
        reserves: [{ address: USDC.address, symbol: USDC.symbol, decimals: USDC.decimals }],
        confirmations: 1,
        ...(startBlock === undefined ? {} : { startBlock }),
        cursorStore: createMemoryCursorStore(),
      });
    const outputOf = async (a: Adapter, kind: string): Promise<RecoveryEvent> => {
      const found = (await drainAdapter(a)).find(
        (o) => o.type === 'RecoveryEvent' && o.payload.kind === kind,
      );
      if (found === undefined) throw new Error(`no ${kind} output`);
      return found.payload as RecoveryEvent;
    };
    const adapter = () =>
      createAdapter({
        chainId: 31337,
        rpcUrl: anvil.rpcUrl,
        protocol: 'example-perps',
        contracts: [{ address: watched, name: 'vault' }],
        confirmations: 1,
        cursorStore: createMemoryCursorStore(),
      });
    const pausedLog = async (): Promise<EvidenceRef> => {
      const from = (await anvil.client.getBlockNumber()) + 1n;
      await anvil.write(watched, mock.abi, 'pause');
      await anvil.client.mine({ blocks: 2 });
      const a = createAdapter({
        chainId: 31337,
        rpcUrl: anvil.rpcUrl,
        protocol: 'example-perps',
        contracts: [{ address: watched, name: 'vault' }],
        confirmations: 1,
        startBlock: from,
        cursorStore: createMemoryCursorStore(),
      });
      const outputs = await drainAdapter(a);
      const ref = outputs
        .map((o) => o.payload as { kind?: string; evidence?: unknown[] })
        .find((p) => p.kind === 'emergency_pause')?.evidence?.[0];
      if (ref === undefined) throw new Error('no Paused evidence');
      return ref as EvidenceRef;
    };
    return {
      anvil,
      mock,
      watched,
      adapter,
      aave: () => aave(),
      async deficit(amount) {
        const from = (await anvil.client.getBlockNumber()) + 1n;
        const user = `0x${'0b'.repeat(20)}`;
        await anvil.write(aavePool, aaveMocks.MockPool!.abi, 'liquidateToDeficit', [
          USDC.address,
          USDC.address,
          user,
          amount,
          amount,
        ]);
        await anvil.client.mine({ blocks: 2 });
        return outputOf(aave(from), 'bad_debt_realized');
      },
      async pause() {
        const from = (await anvil.client.getBlockNumber()) + 1n;
        await anvil.write(watched, mock.abi, 'pause');
        await anvil.write(watched, mock.abi, 'unpause');
        await anvil.client.mine({ blocks: 2 });
        return outputOf(
          createAdapter({
            chainId: 31337,
            rpcUrl: anvil.rpcUrl,
            protocol: 'example-perps',
            contracts: [{ address: watched, name: 'vault' }],
            confirmations: 1,
            startBlock: from,
            cursorStore: createMemoryCursorStore(),
          }),
          'emergency_pause',
        );
      },
      async realEvidence() {
        const ref = await pausedLog();
        await anvil.write(watched, mock.abi, 'unpause');
        return ref;
      },
      async reorgedEvidence() {
        const snap = await anvil.snapshot();
        const ref = await pausedLog();
        await anvil.revert(snap);
        await anvil.client.mine({ blocks: 4 });
        return ref;
      },
      stop: () => anvil.stop(),
    };
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}

export function charterFor(
  members: readonly Address[],
  now: number,
  over: Partial<PoolCharter> = {},
): PoolCharter {
  return {
    poolId: POOL_ID,
    name: 'Loopback pool',
    epoch: 0,
    effectiveAt: now - 60_000,
    members: members.map((m, i) => ({
      member: m,
      protocol: `proto-${i}`,
      weight: 10,
      commitments: [{ asset: USDC, value: (1000n * U).toString() }],
    })),
    payoutAssets: [USDC],
    coveredKinds: ['emergency_pause', 'bad_debt_realized'],
    deductible: { fixed: '0', bps: 0 },
    caps: {
      perClaim: (100_000n * U).toString(),
      perMemberPerPeriod: (100_000n * U).toString(),
      perPeriod: (100_000n * U).toString(),
      periodMs: 86_400_000,
    },
    payoutRateLimit: { maxAmount: (100_000n * U).toString(), windowMs: 3_600_000 },
    quorum: { weightBps: 5000, minMembers: 2 },
    maxMemberWeightBps: 10_000,
    windows: { votingMs: 30_000, challengeMs: 1_500, cooldownMs: 0 },
    noticePeriodMs: 86_400_000,
    claimDeposit: { asset: USDC, value: '0' },
    valuation: {
      unitAsset: USDC,
      method: 'pre_incident_median',
      lookbackMs: 3_600_000,
      maxDeviationBps: 200,
    },
    settlement: { chain: 'eip155:31337', vault: VAULT },
    ...over,
  };
}

export function claimFor(evidence: EvidenceRef, incidentId: string, amount: bigint, now: number): FundClaim {
  return {
    poolId: POOL_ID,
    incidentId,
    incidentWindow: { from: now - 600_000, to: now - 1_000 },
    coveredKind: 'emergency_pause',
    recoveryEvents: [`0x${'e1'.repeat(32)}`],
    evidence: [evidence],
    losses: [{ role: 'bad_debt', amount: { asset: USDC, value: amount.toString() } }],
    requestedAmount: amount.toString(),
    valuationInputs: [],
  };
}

/**
 * A claim of a loss the evidence proves: `event` is the claimant's RecoveryEvent (its message id and
 * payload), cited with its evidence; the claimant declares and requests `amount` USDC base units.
 */
export function lossClaimFor(
  event: { id: Hex; payload: RecoveryEvent },
  incidentId: string,
  amount: bigint,
  now: number,
  over: Partial<FundClaim> = {},
): FundClaim {
  return {
    poolId: POOL_ID,
    incidentId,
    incidentWindow: { from: now - 600_000, to: now - 1_000 },
    coveredKind: 'bad_debt_realized',
    recoveryEvents: [event.id],
    evidence: event.payload.evidence as EvidenceRef[],
    losses: [{ role: 'bad_debt', amount: { asset: USDC, value: amount.toString() } }],
    requestedAmount: amount.toString(),
    valuationInputs: [],
    ...over,
  };
}

export function fakeEvidence(ref: EvidenceRef): EvidenceRef {
  return { ...ref, txHash: `0x${'0d'.repeat(32)}` as Hex } as EvidenceRef;
}

export interface PoolNetwork {
  net: TestNetwork;
  services: PoolService[];
  stop(): Promise<void>;
}

/** n nodes on the pool topic, each with a pool service attesting through its own adapter instance. */
export async function startPoolNetwork(
  n: number,
  chain: Chain,
  policy: AutoAttestPolicy,
): Promise<PoolNetwork> {
  const net = await startNetwork({ n, overrides: () => ({ pools: [POOL_ID] }) });
  const services = net.nodes.map((node) => {
    const pausable = chain.adapter();
    const aave = chain.aave();
    // Routed by emitter, as the adapter host does: the Aave Pool mock's logs to the aave adapter.
    const route = (ref: EvidenceRef) =>
      ref.type === 'log' &&
      aave.exposure().contracts.some((c) => c.toLowerCase() === ref.emitter.toLowerCase())
        ? aave
        : pausable;
    return createPoolService({
      node,
      pools: [{ poolId: POOL_ID }],
      verifyEvidence: (ref) => route(ref).verifyEvidence(ref as never),
      deriveLoss: (ref) => route(ref).deriveLoss!(ref as never),
      policy,
      tickMs: 200,
      decisionStaggerMs: 300,
    });
  });
  for (const s of services) await s.start();
  return {
    net,
    services,
    async stop() {
      await Promise.allSettled(services.map((s) => s.stop()));
      await net.stop();
    },
  };
}
