/**
 * Issue 10's first Done-when, end to end: five `sfr node start` processes, anvil, a real ERC-20 and
 * the real SfrVault; from then on only operator commands and API calls. `sfr pool found` at node 0
 * founds the pool (the four others co-sign by `policy.coSignCharters`), each node's operator runs
 * `sfr pool deposit`, a liquidation on the Aave v3 Pool mock leaves a deficit (a genuine
 * DeficitCreated log), node 0's hosted aave-v3 adapter publishes the RecoveryEvent, its operator files
 * the claim with `sfr claim file`, the four attesters re-derive the loss from chain through their own
 * (verify-only) aave-v3 adapters and approve, and the nodes settle on the vault: the claimant's token
 * balance rises by exactly the decided amount, each contributor's escrow falls by exactly its
 * contribution, one `settle` is mined, and `sfr pool ledger --json` shows the same figures on all five.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compileSolidityFiles } from '@sfr/adapter-kit/testing';
import type { FundClaim, PoolCharter } from '@sfr/schemas/types';
import { type Address, erc20Abi, type Hex, toFunctionSelector } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import type { PoolJson } from '../../src/cli/poolLedger.js';
import { readBalances, sfrVault, testToken } from '../../src/settlement/index.js';
import { cli } from '../cli/captureCli.js';
import { charterFor, U } from '../poolsNode/poolHarness.js';
import { startVaultChain, type VaultChain } from '../settlement/fixtures.js';
import {
  api,
  createProcNetwork,
  type Json,
  type ProcNetwork,
  type ProcNode,
  waitForTopicMesh,
} from './processNetwork.js';

const N = 5;
const POOL_ID = `0x${'f5'.repeat(32)}` as const;
const PROTOCOLS = ['aave-v3', 'compound-v3', 'gmx-v2', 'liquity-v2', 'chainlink'];
/** The deficit the liquidation leaves: 1 234.567890 USDC, which four equal contributors cannot split evenly. */
const DEFICIT = 1_234_567_890n;
const AAVE_CONTRACTS = path.resolve(import.meta.dirname, '../../../adapters/aave-v3/contracts');
/** [test] A verify-only adapter scans from here: a block this chain never reaches (as crisis replays do). */
const NEVER_BLOCK = Number.MAX_SAFE_INTEGER;

let chain: VaultChain;
let net: ProcNetwork;
let aavePool: Address;
let liquidate: (deficit: bigint) => Promise<void>;
let asset: { chain: string; address: string; symbol: string; decimals: number };

const tokenFile = (n: ProcNode) => path.join(n.dir, 'http.token');
const flags = (n: ProcNode) => ['--api', n.apiUrl, '--token-file', tokenFile(n)];
async function ledgerOf(n: ProcNode): Promise<PoolJson> {
  const r = await cli('pool', 'ledger', POOL_ID, '--api', n.apiUrl, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as PoolJson;
}
const tokenBalance = (who: Address) =>
  chain.anvil.client.readContract({
    address: chain.token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [who],
  }) as Promise<bigint>;
const escrows = async () =>
  new Map(
    (
      await readBalances({
        client: chain.anvil.client,
        vault: chain.vault,
        poolId: POOL_ID as Hex,
        members: net.nodes.map((n) => n.key.address as Address),
      })
    ).map((b) => [b.member.toLowerCase(), b.escrow]),
  );

beforeAll(
  async () => {
    chain = await startVaultChain();
    asset = { chain: 'eip155:31337', address: chain.token, symbol: 'USDC', decimals: 6 };
    const mocks = await compileSolidityFiles(AAVE_CONTRACTS, ['AaveMocks.sol']);
    aavePool = await chain.anvil.deploy(mocks.MockPool!);
    const configurator = await chain.anvil.deploy(mocks.MockPoolConfigurator!, [[chain.token]]);
    liquidate = async (deficit) => {
      await chain.anvil.write(aavePool, mocks.MockPool!.abi, 'liquidateToDeficit', [
        chain.token,
        chain.token,
        `0x${'0b'.repeat(20)}`,
        deficit,
        deficit,
      ]);
      await chain.anvil.mine(2); // one confirmation on top of the log
    };
    const startBlock = Number(await chain.anvil.client.getBlockNumber());
    net = await createProcNetwork(N, {
      configure: (node, nodes) => {
        const aave = {
          package: '@sfr/adapter-aave-v3',
          config: {
            chainId: 31337,
            pool: aavePool,
            poolConfigurator: configurator,
            reserves: [{ address: chain.token, symbol: 'USDC', decimals: 6 }],
            confirmations: 1,
            pollIntervalMs: 250,
            // The claimant's node watches Aave from now; the others only re-derive evidence with it.
            startBlock: node.index === 0 ? startBlock : NEVER_BLOCK,
          },
        };
        return {
          identity: { keyFile: 'member.key', protocol: PROTOCOLS[node.index] },
          chains: [{ chain: 'eip155:31337', rpcUrl: chain.anvil.rpcUrl, confirmations: 1 }],
          adapters: [aave],
          // Node 0's member founds; the others co-sign what it founds and attest on their own.
          ...(node.index === 0
            ? {}
            : {
                policy: {
                  coSignCharters: [nodes[0]!.key.address],
                  autoAttest: { enabled: true, maxApproveAmount: (5000n * U).toString() },
                },
              }),
        };
      },
    });
    // One at a time: five processes loading at once on two busy cores can each miss TIMEOUTS.start.
    for (const n of net.nodes) await net.start(n.index);
    // Each member's node pays gas and deposits from its own key (the default sending account).
    for (const n of net.nodes) {
      await chain.anvil.client.setBalance({ address: n.key.address as Address, value: 10n ** 20n });
      await chain.anvil.write(chain.token, testToken.abi, 'mint', [n.key.address, 1000n * U]);
    }
    // The starts one after another, each within its own TIMEOUTS.start.
  },
  TIMEOUTS.hook + N * TIMEOUTS.start,
);

afterAll(async () => {
  await net?.stop();
  await chain?.anvil.stop();
});

describe(`settlement end to end: ${N} node processes, anvil, a real ERC-20 and the vault`, () => {
  it("found, deposit, an Aave deficit, a claim re-derived from chain and settled: the claimant is paid the decided amount, each contributor's escrow falls by its contribution, one settle, the same ledger on every node", async () => {
    const members = net.nodes.map((n) => n.key.address);
    const [claimantNode, ...attesters] = net.nodes as [ProcNode, ...ProcNode[]];
    const claimant = claimantNode.key.address as Address;

    // 1. One command founds the pool: node 0's member signs, the four others co-sign by policy.
    const charter = JSON.parse(
      JSON.stringify(
        charterFor(members, Date.now(), {
          poolId: POOL_ID,
          name: 'Five-member settlement pool',
          coveredKinds: ['bad_debt_realized'],
          quorum: { weightBps: 5000, minMembers: 2 },
          // The challenge window leaves every attester time to re-derive before the round closes.
          windows: { votingMs: 60_000, challengeMs: 3_000, cooldownMs: 0 },
          settlement: { chain: 'eip155:31337', vault: chain.vault },
        }),
      ).replaceAll(charterFor([], 0).valuation.unitAsset.address, chain.token),
    ) as PoolCharter;
    charter.members.forEach((m, i) => {
      m.protocol = PROTOCOLS[i]!;
    });
    const charterFile = path.join(net.root, 'charter.json');
    await writeFile(charterFile, JSON.stringify(charter));
    const found = await cli('pool', 'found', '--charter', charterFile, ...flags(claimantNode), '--json');
    expect(found.stderr).toBe('');
    expect(found.code).toBe(0);
    const report = JSON.parse(found.stdout) as Json;
    expect(report.founded).toBe(true);
    expect((report.members as { signature: string | null }[]).every((m) => m.signature !== null)).toBe(true);
    const payloadHash = report.payloadHash as Hex;

    // The members' nodes register the adopted charter on the vault themselves
    // (settlement.md#registering-on-adoption): one registerCharter, the adopted payload hash.
    // Every node follows the vault and sees the registration (five members, no escrow yet).
    for (const n of net.nodes)
      await waitFor(
        async () => {
          const v = (await api(n, 'GET', `/v1/pools/${POOL_ID}`)).json as PoolJson;
          return (
            v.onChain?.error === null &&
            v.onChain.members.length === N &&
            v.onChain.epochs.length === 1 &&
            v.onChain.epochs[0]!.charterHash === payloadHash
          );
        },
        TIMEOUTS.event,
        `node ${n.index} following the registered vault`,
        250,
      );

    // 2. Each member's operator deposits its commitment from its node.
    for (const n of net.nodes) {
      const r = await cli('pool', 'deposit', POOL_ID, '1000', ...flags(n), '--json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ action: 'deposit', amount: (1000n * U).toString() });
    }
    const escrowBefore = await escrows();
    expect([...escrowBefore.values()]).toEqual(Array(N).fill(1000n * U));

    // Claims and attestations travel on the pool topic: every node meshes on it first.
    const topic = `/sfr/1/pool/${POOL_ID.slice(2)}`;
    await waitForTopicMesh(net, topic, TIMEOUTS.mesh);

    // 3. The incident: a liquidation on Aave leaves a deficit; node 0's adapter reports it.
    const filedFrom = await chain.anvil.client.getBlockNumber();
    await liquidate(DEFICIT);
    let event: Json;
    await waitFor(
      async () => {
        const r = await api(
          claimantNode,
          'GET',
          `/v1/messages?type=RecoveryEvent&issuer=${claimant.toLowerCase()}`,
        );
        event = (r.json.items as Json[]).find((m) => m.envelope.payload.kind === 'bad_debt_realized');
        return event !== undefined;
      },
      TIMEOUTS.event,
      "node 0's bad_debt_realized RecoveryEvent",
      250,
    );

    // 4. The claimant's operator files the claim citing it.
    const now = Date.now();
    const claim: FundClaim = {
      poolId: POOL_ID,
      incidentId: 'aave-usdc-deficit',
      incidentWindow: { from: now - 600_000, to: now - 1_000 },
      coveredKind: 'bad_debt_realized',
      recoveryEvents: [event.messageId],
      evidence: event.envelope.payload.evidence,
      losses: [{ role: 'bad_debt', amount: { asset, value: DEFICIT.toString() } }],
      requestedAmount: DEFICIT.toString(),
      valuationInputs: [],
    };
    const claimFile = path.join(net.root, 'claim.json');
    await writeFile(claimFile, JSON.stringify(claim));
    const paidBefore = await tokenBalance(claimant);
    const filed = await cli(
      'claim',
      'file',
      '--pool',
      POOL_ID,
      '--file',
      claimFile,
      ...flags(claimantNode),
      '--json',
    );
    expect(filed.stderr).toBe('');
    expect(filed.code).toBe(0);
    const claimId = (JSON.parse(filed.stdout) as { messageId: string }).messageId;

    // 5. Attested from chain, decided, settled: every node sees the settlement on the vault.
    for (const n of net.nodes)
      await waitFor(
        async () => {
          const v = (await api(n, 'GET', `/v1/pools/${POOL_ID}`)).json as PoolJson;
          // ... and the node's own part in settling has caught up with it at its next tick.
          return (v.onChain?.claims ?? []).some(
            (c) =>
              c.claimId.toLowerCase() === claimId.toLowerCase() &&
              c.settled !== null &&
              [undefined, 'settled'].includes((c as { submission?: { state: string } }).submission?.state),
          );
        },
        TIMEOUTS.scenario,
        `the settlement of ${claimId} followed by node ${n.index}`,
        250,
      ).catch(async (e: unknown) => {
        const c = (await api(n, 'GET', `/v1/claims/${claimId}`)).json as Json;
        throw new Error(
          `${(e as Error).message}: ${JSON.stringify({ status: c.status, decision: c.decision, vaultOpen: c.vaultOpen, vaultSettle: c.vaultSettle })}`,
        );
      });

    // Each attester re-derived the deficit from the log and approved exactly it.
    const decisions = [];
    for (const n of net.nodes) {
      const c = (await api(n, 'GET', `/v1/claims/${claimId}`)).json as Json;
      decisions.push(c.decision);
      if (n !== claimantNode && c.myVote !== null) expect(c.myVote).toBe('approve');
    }
    expect(new Set(decisions.map((d) => JSON.stringify(d))).size).toBe(1);
    const decision = decisions[0] as {
      outcome: string;
      approvedAmount: string;
      contributions: { member: string; amount: string }[];
    };
    expect(decision.outcome).toBe('approved');
    expect(BigInt(decision.approvedAmount)).toBe(DEFICIT);
    // Pro rata over four equal contributors: 308.6419725 each, the odd base unit to one of them.
    expect(decision.contributions.map((c) => c.member.toLowerCase()).sort()).toEqual(
      attesters.map((n) => n.key.address.toLowerCase()).sort(),
    );
    expect(decision.contributions.reduce((s, c) => s + BigInt(c.amount), 0n)).toBe(DEFICIT);
    expect(new Set(decision.contributions.map((c) => c.amount))).toEqual(new Set(['308641972', '308641973']));

    // Money moved: the claimant's balance by exactly the decided amount, each escrow by its share.
    expect(await tokenBalance(claimant)).toBe(paidBefore + DEFICIT);
    const escrowAfter = await escrows();
    const share = new Map(decision.contributions.map((c) => [c.member.toLowerCase(), BigInt(c.amount)]));
    for (const m of members)
      expect(escrowAfter.get(m.toLowerCase())).toBe(
        escrowBefore.get(m.toLowerCase())! - (share.get(m.toLowerCase()) ?? 0n),
      );

    // Exactly one settle mined that moved money: every settle transaction to the vault since the
    // incident, by selector. A later-ranked approver may still send one when its turn comes before it
    // saw the first (settlement.md#settling-exactly-once rule 2): the vault reverts it.
    const settleSelector = toFunctionSelector(
      sfrVault.abi.find((x) => x.type === 'function' && x.name === 'settle')!,
    );
    const settles: string[] = [];
    const head = await chain.anvil.client.getBlockNumber();
    for (let b = filedFrom; b <= head; b++) {
      const block = await chain.anvil.client.getBlock({ blockNumber: b, includeTransactions: true });
      for (const tx of block.transactions)
        if (tx.to?.toLowerCase() === chain.vault.toLowerCase() && tx.input.startsWith(settleSelector)) {
          const receipt = await chain.anvil.client.getTransactionReceipt({ hash: tx.hash });
          if (receipt.status === 'success') settles.push(tx.hash);
        }
    }
    expect(settles).toHaveLength(1);

    // `sfr pool ledger --json` on every node: the same figures, the vault's and the decision's.
    const figures: unknown[] = [];
    const submissions: string[] = [];
    for (const n of net.nodes) {
      const v = await ledgerOf(n);
      const on = v.onChain!;
      expect(on.differences).toEqual([]);
      expect(on.members.map((m) => [m.member.toLowerCase(), BigInt(m.escrow)])).toEqual(
        [...escrowAfter.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
      );
      expect(BigInt(v.ledger.paidOut)).toBe(DEFICIT);
      for (const m of v.ledger.members)
        expect(BigInt(m.contributed)).toBe(share.get(m.member.toLowerCase()) ?? 0n);
      const settled = on.claims.find((c) => c.claimId.toLowerCase() === claimId.toLowerCase())!;
      expect(settled.settled!.amount).toBe(DEFICIT.toString());
      // `submission` is the node's own part in settling (settlement.md#settling-exactly-once): every
      // approver's node ends `settled`, and only the one that sent the settle names a transaction.
      const { submission, ...claimOnChain } = settled as typeof settled & {
        submission?: { state: string; hash?: string };
      };
      if (submission !== undefined) expect(submission.state).toBe('settled');
      if (submission?.hash !== undefined) submissions.push(submission.hash);
      figures.push({ ledger: v.ledger, members: on.members, claim: claimOnChain });
    }
    for (const f of figures.slice(1)) expect(f).toEqual(figures[0]);
    expect(settles).toEqual([settled0TxHash(figures[0])]);
    expect(submissions).toContain(settles[0]);
  });
});

/** The settle transaction of the claim in one node's figures. */
function settled0TxHash(f: unknown): string {
  return (f as { claim: { settled: { txHash: string } } }).claim.settled.txHash;
}
