/**
 * Pools end to end in one process: real nodes on loopback TCP, anvil with the Pausable test
 * contract, and each node re-deriving claim evidence through its own instance of the real pausable
 * adapter (`createAdapter(...).verifyEvidence`; the adapter host of `src/hosting` will do this in
 * `sfr node start`).
 */

import path from 'node:path';
import { createMemoryCursorStore } from '@sfr/adapter-kit';
import {
  type AnvilInstance,
  type CompiledContract,
  compileSolidityFiles,
  drainAdapter,
  startAnvil,
} from '@sfr/adapter-kit/testing';
import { createAdapter } from '@sfr/adapter-pausable';
import type { EvidenceRef, FundClaim, PoolCharter } from '@sfr/schemas/types';
import type { Address, Hex } from 'viem';
import { type AutoAttestPolicy, createPoolService, type PoolService } from '../../src/poolsNode/index.js';
import { startNetwork, type TestNetwork } from '../node/fixtures.js';

export const POOL_ID = `0x${'7a'.repeat(32)}`;
export const VAULT = '0x00000000000000000000000000000000000057A1';
export const USDC = {
  chain: 'eip155:31337',
  address: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  symbol: 'USDC',
  decimals: 6,
};
export const U = 1_000_000n;

const CONTRACTS = path.resolve(import.meta.dirname, '../../../adapters/pausable/contracts');

export interface Chain {
  anvil: AnvilInstance;
  mock: CompiledContract;
  watched: Address;
  adapter(): ReturnType<typeof createAdapter>;
  /** A real Paused log, confirmed. */
  realEvidence(): Promise<EvidenceRef>;
  /** A Paused log that was mined, then reorged away (anvil snapshot / revert and new blocks). */
  reorgedEvidence(): Promise<EvidenceRef>;
  stop(): Promise<void>;
}

export async function startChain(): Promise<Chain> {
  const anvil = await startAnvil();
  try {
    const mock = (await compileSolidityFiles(CONTRACTS, ['PausableMock.sol'])).PausableMock!;
    const watched = await anvil.deploy(mock);
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
  members: readonly string[],
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
    const adapter = chain.adapter();
    return createPoolService({
      node,
      pools: [{ poolId: POOL_ID }],
      verifyEvidence: (ref) => adapter.verifyEvidence(ref as never),
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
