/**
 * The pool view beside the vault's books (settlement.md#following-the-vault): three in-process nodes
 * found a pool settled on a real vault on anvil with a real ERC-20; once the nodes register the
 * adopted charter on-chain (settlement.md#registering-on-adoption: one registerCharter across their
 * journals) and every member deposits, each node's pool view shows the same on-chain escrow beside
 * the charter commitments, with the token's own symbol and decimals. Node 0's operator then moves its
 * member's escrow with `sfr pool deposit | withdraw` (settlement.md#escrow-from-the-node): the node's
 * sending account approves and deposits, every node's view follows; the bank-run guard refuses a
 * withdrawal before any notice, the member gives notice with `sfr pool leave` (pools.md#giving-notice:
 * the other running node co-signs the notice-only amendment, the nodes register it on the vault), the
 * guard refuses a withdrawal before its leavingAt and says when to retry, and pays the whole escrow after.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EscrowResponse, PoolCharter, SettleResponse } from '@sfr/schemas/types';
import { type Address, erc20Abi, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { readContract } from 'viem/actions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { type Api, apiNodeOf, createApi, poolProblem } from '../../src/api/index.js';
import type { LeaveReport } from '../../src/cli/poolLeave.js';
import { formatLedger, type PoolJson } from '../../src/cli/poolLedger.js';
import { createPoolSettlement } from '../../src/poolsNode/createPoolSettlement.js';
import {
  createPoolService,
  type PoolService,
  type PoolSettlement,
  type SettlementChain,
} from '../../src/poolsNode/index.js';
import { testToken, toVaultCharter, type VaultError } from '../../src/settlement/index.js';
import { cli } from '../cli/captureCli.js';
import { startNetwork, type TestNetwork, waitFor, waitForMesh } from '../node/fixtures.js';
import { fundEscrow, startVaultChain, type VaultChain } from '../settlement/fixtures.js';
import { charterFor, claimFor, POOL_ID, U, USDC } from './poolHarness.js';
import { EVIDENCE } from './twoNodePool.js';

let chain: VaultChain;
let net: TestNetwork;
let services: PoolService[];
const apis: Api[] = [];
const urls: string[] = [];
let dir: string;
let tokenFile: string;
const API_TOKEN = 'vault-ledger-token-0123456789';
/** The charter's payout rate limit: at most RATE_MAX base units leave the vault per window of chain time. */
const RATE_MAX = 15n * U;
const RATE_WINDOW_MS = 60_000n;

beforeAll(async () => {
  chain = await startVaultChain();
  net = await startNetwork({ n: 3, overrides: () => ({ pools: [POOL_ID] }) });
  services = net.nodes.map((node, i) =>
    createPoolService({
      node,
      pools: [{ poolId: POOL_ID }],
      settlement: {
        chains: [{ chain: 'eip155:31337', rpcUrl: chain.anvil.rpcUrl, confirmations: 1 }],
        dir: path.join(net.dirs[i]!, 'vault'),
        sending: { member: node.member as Hex, account: privateKeyToAccount(net.keys[i]!.privateKey) },
      },
      tickMs: 200,
    }),
  );
  for (const s of services) await s.start();
  dir = await mkdtemp(path.join(tmpdir(), 'sfr-vault-ledger-'));
  tokenFile = path.join(dir, 'token');
  await writeFile(tokenFile, `${API_TOKEN}\n`);
  for (const i of [0, 2]) {
    const api = await createApi({
      node: apiNodeOf(net.nodes[i]!, { protocol: 'vault-ledger-test', version: '0.1.0' }),
      token: API_TOKEN,
      version: '0.1.0',
      pools: services[i]!,
    });
    apis.push(api);
    urls.push(await api.listen());
  }
  await waitForMesh(net.nodes, `/sfr/1/pool/${POOL_ID.slice(2)}`);
}, TIMEOUTS.hook);

/** The charter epochs a node's pool view shows on the vault. */
const epochsOnChain = (s: PoolService) => (s.poolJson(POOL_ID) as PoolJson).onChain?.epochs ?? [];

afterAll(async () => {
  await Promise.allSettled(apis.map((a) => a.close()));
  await Promise.allSettled(services.map((s) => s.stop()));
  await net?.stop();
  await chain?.anvil.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** An account's balance of the test ERC-20 on the vault chain, in base units. */
const tokenBalance = (who: Address | Hex): Promise<bigint> =>
  readContract(chain.anvil.client, {
    address: chain.token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [who],
  });

/**
 * The `functionName` transactions mined in the journals of nodes `indices`, once at least one is: a
 * follower can read the effect's log before the sending node's receipt poll records it mined.
 */
async function minedIn(indices: readonly number[], functionName: string) {
  const mined = () =>
    indices.flatMap((i) =>
      services[i]!.vaultOf(POOL_ID)!
        .sender.transactions()
        .filter((t) => t.functionName === functionName && t.state === 'mined'),
    );
  await waitFor(() => mined().length > 0, TIMEOUTS.event, `a ${functionName} mined in a sender's journal`);
  return mined();
}

/** Files a claim on the vault chain's token (the fixture's evidence at `logIndex`) and has members 1 and 2 approve it by hand. */
async function fileApproved(logIndex: number, incident: string, amount: bigint): Promise<Hex> {
  const claim = JSON.parse(
    JSON.stringify(
      claimFor({ ...EVIDENCE, logIndex } as typeof EVIDENCE, incident, amount, Date.now()),
    ).replaceAll(USDC.address, chain.token),
  );
  const { messageId: claimId } = await services[0]!.fileClaim(claim);
  await waitFor(
    () => [1, 2].every((i) => services[i]!.getClaim(claimId)?.pendingVote != null),
    TIMEOUTS.event,
    `the claim ${incident} waiting for a vote by hand at both attesters`,
  );
  await services[1]!.vote(claimId, { verdict: 'approve' });
  await services[2]!.vote(claimId, { verdict: 'approve' });
  return claimId;
}

describe('the pool view beside the vault', () => {
  it("every node shows each member's on-chain escrow beside its commitment, in the token's units", async () => {
    // The pool asset is the test ERC-20 on anvil, the vault the deployed one.
    const charter = JSON.parse(
      JSON.stringify(
        charterFor(
          net.keys.map((k) => k.address),
          Date.now(),
          {
            settlement: { chain: 'eip155:31337', vault: chain.vault },
            // 15 USDC a minute of chain time: the first two claims fit, the release case's does not
            payoutRateLimit: { maxAmount: RATE_MAX.toString(), windowMs: Number(RATE_WINDOW_MS) },
          },
        ),
      ).replaceAll(USDC.address, chain.token),
    ) as PoolCharter;
    // The sending accounts pay the registration's gas.
    for (const k of net.keys) await chain.anvil.client.setBalance({ address: k.address, value: 10n ** 20n });
    for (const s of services) await s.signCharter(charter);
    await waitFor(
      () => services.every((s) => s.view(POOL_ID).charters.length === 1),
      TIMEOUTS.event,
      'the charter adopted on every node',
    );
    // settlement.md#registering-on-adoption: each node signed the vault terms with its charter
    // signature; the first-ranked signer's node registers the epoch, every node follows it.
    await waitFor(
      async () => {
        for (const s of services) await s.syncVaults();
        return services.every((s) => epochsOnChain(s).length === 1);
      },
      TIMEOUTS.event,
      'the charter registered on the vault by the nodes, seen by every node',
    ).catch((e: unknown) => {
      throw new Error(
        `${(e as Error).message}: ${JSON.stringify(services.map((s) => (s.poolJson(POOL_ID) as PoolJson).onChain?.registrations ?? null))}`,
      );
    });
    const adopted = services[0]!.view(POOL_ID).charters[0]!;
    for (const s of services)
      expect(epochsOnChain(s)).toEqual([
        { epoch: 0, charterHash: adopted.payloadHash, effectiveAt: adopted.charter.effectiveAt },
      ]);
    // exactly one registerCharter mined across the nodes' journals (the follower can read
    // CharterRegistered before the sending node's receipt poll records it mined: wait for the journal)
    const registrations = await minedIn([0, 1, 2], 'registerCharter');
    expect(registrations).toHaveLength(1);
    await fundEscrow(chain, toVaultCharter(adopted.charter, adopted.payloadHash));
    const views: PoolJson[] = [];
    for (const s of services) {
      await s.syncVaults();
      views.push(s.poolJson(POOL_ID) as PoolJson);
    }
    const onChain = views[0]!.onChain!;
    expect(onChain).toMatchObject({
      chain: 'eip155:31337',
      vault: chain.vault,
      asset: { address: chain.token, symbol: 'USDC', decimals: 6 },
      error: null,
      claims: [],
      differences: [],
    });
    expect(onChain.members.map((m) => [m.member.toLowerCase(), m.escrow])).toEqual(
      net.keys
        .map((k) => [k.address.toLowerCase(), (1000n * U).toString()])
        .sort(([a], [b]) => (a! < b! ? -1 : 1)),
    );
    for (const v of views.slice(1)) expect(v.onChain!.members).toEqual(onChain.members);
    const text = formatLedger(POOL_ID, views[0]!);
    expect(text).toContain('capital   3000 USDC');
    expect(text).toMatch(/1000 USDC +1000 USDC +0 USDC\n/);
    expect(text).toContain(`vault     ${chain.vault} on eip155:31337, read to block`);
    expect(text).toContain('charters  epoch 0 registered on the vault');
  });

  it('a node that follows the vault but cannot send answers VAULT_NO_SENDER; one that does not follow it VAULT_NOT_FOLLOWED, saying what it lacks', async () => {
    // settlement.md#escrow-from-the-node rule 1, on node 1's view of the registered pool.
    const anvilChain = { chain: 'eip155:31337', rpcUrl: chain.anvil.rpcUrl, confirmations: 1 };
    const made: PoolSettlement[] = [];
    const make = (chains: SettlementChain[], sending?: { member: Hex; account: null }) => {
      const s = createPoolSettlement({
        chains,
        dir: path.join(dir, `refusals-${made.length}`),
        views: () => [{ poolId: POOL_ID, view: services[1]!.view(POOL_ID) }],
        tickMs: TIMEOUTS.scenario,
        ...(sending === undefined ? {} : { sending }),
      });
      made.push(s);
      return s;
    };
    const refusal = (s: PoolSettlement) => {
      try {
        s.vaultFor(POOL_ID, services[1]!.view(POOL_ID));
        return null;
      } catch (error) {
        const e = error as VaultError;
        return { code: e.code, args: e.args, problem: poolProblem(e).problem };
      }
    };
    const where = `the vault ${chain.vault} on eip155:31337`;
    try {
      expect(refusal(make([]))).toMatchObject({
        code: 'VAULT_NOT_FOLLOWED',
        problem: {
          status: 409,
          expected: `a chains[] entry with an RPC for eip155:31337, where the pool's vault ${chain.vault} is (settlement.md#following-the-vault)`,
        },
      });
      const down = make([{ ...anvilChain, rpcUrl: 'http://127.0.0.1:1' }]);
      await down.sync();
      expect(refusal(down)).toMatchObject({
        code: 'VAULT_NOT_FOLLOWED',
        args: [`a read of ${where} that succeeds (the last failed: VAULT_RPC_UNAVAILABLE)`],
      });
      const noSender = make([anvilChain]);
      expect(refusal(noSender)).toMatchObject({
        code: 'VAULT_NOT_FOLLOWED',
        args: [`a first read of ${where} (retry shortly)`],
      });
      await noSender.sync();
      expect(refusal(noSender)).toMatchObject({
        code: 'VAULT_NO_SENDER',
        args: [],
        problem: { status: 409, expected: expect.stringContaining('a sending account') },
      });
      const contract = make([anvilChain], { member: net.keys[1]!.address, account: null });
      await contract.sync();
      expect(refusal(contract)).toMatchObject({
        code: 'VAULT_NO_SENDER',
        args: [net.keys[1]!.address],
        problem: { status: 409, expected: expect.stringContaining('identity.sender') },
      });
      // The nodes themselves follow it and send: nothing refused.
      expect(services[1]!.vaultFor(POOL_ID).vault).toBe(chain.vault);
    } finally {
      await Promise.all(made.map((s) => s.stop()));
    }
  });

  it('the claimant node opens its claim on the vault when it files it; every node sees it opened', async () => {
    const evidence = EVIDENCE;
    const claim = JSON.parse(
      JSON.stringify(claimFor(evidence, 'incident-open', 10n * U, Date.now())).replaceAll(
        USDC.address,
        chain.token,
      ),
    );
    // the node pays the transaction's gas from the member's own key
    await chain.anvil.client.setBalance({ address: net.keys[0]!.address, value: 10n ** 20n });
    const { messageId } = await services[0]!.fileClaim(claim);
    await waitFor(
      () =>
        (services[0]!.getClaim(messageId)?.['vaultOpen'] as { state?: string } | undefined)?.state ===
        'opened',
      TIMEOUTS.event,
      'the claim opened by its claimant node',
    ).catch((e: unknown) => {
      throw new Error(
        `${(e as Error).message}: ${JSON.stringify(services[0]!.getClaim(messageId)?.['vaultOpen'])}`,
      );
    });
    for (const s of services) {
      await waitFor(
        async () => {
          await s.syncVaults();
          const claims = (s.poolJson(POOL_ID) as PoolJson).onChain!.claims as unknown as {
            claimId: string;
            opened: boolean;
          }[];
          return claims.some((c) => c.claimId.toLowerCase() === messageId.toLowerCase() && c.opened);
        },
        TIMEOUTS.event,
        'the claim opened on the vault, seen by every node',
      );
    }
  });
  it("after an approved decision exactly one settle is sent: the claimant is paid the decided amount, each contributor's escrow falls by its share, on every node", async () => {
    const claimId = services[0]!.listClaims()[0]!.claimId as Hex;
    const claimant = net.keys[0]!.address;
    for (const k of net.keys) await chain.anvil.client.setBalance({ address: k.address, value: 10n ** 20n });
    const balance = () => tokenBalance(claimant);
    const before = await balance();
    const escrowOf = (s: PoolService) =>
      new Map(
        (
          (s.poolJson(POOL_ID) as PoolJson).onChain!.members as unknown as {
            member: string;
            escrow: string;
          }[]
        ).map((m) => [m.member.toLowerCase(), BigInt(m.escrow)]),
      );
    const escrowBefore = escrowOf(services[0]!);
    await waitFor(
      () => [1, 2].every((i) => services[i]!.getClaim(claimId)?.status === 'attesting'),
      TIMEOUTS.event,
      'the claim held by both attesters',
    );
    // sfr pool settle before the decision: refused with when a retry can pass, nothing sent.
    const early = await cli('pool', 'settle', POOL_ID, claimId, '--api', urls[0]!, '--token-file', tokenFile);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/^error VAULT_NOT_SETTLEABLE: .* answered 409/);
    expect(early.stderr).toContain('expected a retry once the claim’s round closes at ');
    // Members 1 and 2 approve by hand (no adapter here re-derives the evidence): quorum, then one challenge window.
    await services[1]!.vote(claimId, { verdict: 'approve' });
    await services[2]!.vote(claimId, { verdict: 'approve' });
    await waitFor(
      () =>
        services.every(
          (s) =>
            (s.getClaim(claimId)?.['vaultSettle'] as { state?: string } | undefined)?.state === 'settled' ||
            s === services[0],
        ),
      TIMEOUTS.scenario,
      'the claim settled, seen by both approvers',
    ).catch((e: unknown) => {
      throw new Error(
        `${(e as Error).message}: ${JSON.stringify(services.map((s) => s.getClaim(claimId)?.['vaultSettle'] ?? null))}`,
      );
    });
    const decision = services[0]!.getClaim(claimId)!.decision as unknown as {
      approvedAmount: string;
      contributions: { member: string; amount: string }[];
    };
    expect(BigInt(decision.approvedAmount)).toBe(10n * U);
    // exactly one settle succeeded: the approvers' journals hold one successful settle between them.
    // Before its turn each approver looks for the claim settled at the latest block and for the other's
    // transaction pending (settlement.md#taking-turns rule 3); only two sends under way at the same
    // moment can still meet, and the later one reverts VAULT_CLAIM_SETTLED (gas spent, nothing paid
    // twice): counted apart, not as a payment.
    const mined = await minedIn([1, 2], 'settle');
    const settles: typeof mined = [];
    for (const t of mined)
      if ((await chain.anvil.client.getTransactionReceipt({ hash: t.hash as Hex })).status === 'success')
        settles.push(t);
    expect(settles).toHaveLength(1);
    expect(await balance()).toBe(before + 10n * U);
    for (const s of services) {
      await waitFor(
        async () => {
          await s.syncVaults();
          const claims = (s.poolJson(POOL_ID) as PoolJson).onChain!.claims as unknown as {
            claimId: string;
            settled: { amount: string } | null;
          }[];
          return claims.some((c) => c.claimId.toLowerCase() === claimId.toLowerCase() && c.settled !== null);
        },
        TIMEOUTS.event,
        'the settlement followed by every node',
      );
      const escrow = escrowOf(s);
      for (const c of decision.contributions)
        expect(escrow.get(c.member.toLowerCase())).toBe(
          escrowBefore.get(c.member.toLowerCase())! - BigInt(c.amount),
        );
      expect(((s.poolJson(POOL_ID) as PoolJson).onChain!['differences'] as unknown[]).length).toBe(0);
    }
    // What each node shows of its own part, read at once after the follower's read (no tick between):
    // both approvers' submissions settled in the one transaction, one of them by this node; the
    // claimant's node its open of the claim (settlement.md#settling-exactly-once rule 4, #opening-a-claim rule 3).
    const hash = settles[0]!.hash;
    const texts = [1, 2].map((i) => {
      const view = services[i]!.poolJson(POOL_ID) as PoolJson;
      const mine = view.onChain!.claims.find((c) => c.claimId.toLowerCase() === claimId.toLowerCase())!;
      expect(mine.submission).toMatchObject({ state: 'settled', hash });
      expect(services[i]!.getClaim(claimId)?.['vaultSettle']).toMatchObject({ state: 'settled', hash });
      return formatLedger(POOL_ID, view);
    });
    for (const text of texts) expect(text).toContain(`settle    ${claimId}: settled in ${hash}`);
    expect(texts.filter((t) => t.includes(`settled in ${hash} by this node`))).toHaveLength(1);
    expect(formatLedger(POOL_ID, services[0]!.poolJson(POOL_ID) as PoolJson)).toMatch(
      new RegExp(`open {6}${claimId}: opened in 0x[0-9a-f]{64}`),
    );

    // sfr pool settle once settled: each node answers the one settlement, and nothing more is sent.
    const settleTxs = () =>
      services
        .flatMap((s) =>
          s
            .vaultOf(POOL_ID)!
            .sender.transactions()
            .filter((t) => t.functionName === 'settle'),
        )
        .map((t) => t.key + t.nonce)
        .sort();
    const journaledBefore = settleTxs();
    for (const [i, url] of [
      [0, urls[0]!],
      [2, urls[1]!],
    ] as const) {
      const again = await cli(
        'pool',
        'settle',
        POOL_ID,
        claimId,
        '--api',
        url,
        '--token-file',
        tokenFile,
        '--json',
      );
      expect(again.stderr).toBe('');
      const r = JSON.parse(again.stdout) as SettleResponse;
      expect(r).toEqual({
        poolId: POOL_ID,
        claimId,
        chain: 'eip155:31337',
        vault: chain.vault,
        asset: { address: chain.token, symbol: 'USDC', decimals: 6 },
        amount: (10n * U).toString(),
        transactionHash: settles[0]!.hash,
        blockNumber: expect.stringMatching(/^[1-9][0-9]*$/),
        byThisNode: services[i]!.vaultOf(POOL_ID)!
          .sender.transactions()
          .some((t) => t.hash === settles[0]!.hash),
        paid: (10n * U).toString(),
        remaining: '0',
      });
    }
    const text = await cli('pool', 'settle', POOL_ID, claimId, '--api', urls[0]!, '--token-file', tokenFile);
    expect(text.stdout).toContain(
      `claim ${claimId} of pool ${POOL_ID} settled: 10 USDC\npaid 10 USDC, held back by the rate limit 0 USDC\nby another node’s transaction ${settles[0]!.hash}`,
    );
    // the settle requests sent nothing: the journals hold the settles sent before them, no more
    expect(settleTxs()).toEqual(journaledBefore);
  });

  it("a payout above the rate window's room is paid in two parts: one approver releases the rest at the next window", async () => {
    // settlement.md#releasing-held-back-payouts: the approvers take turns to call release(poolId, claimId)
    // from the next window's start (chain time), until nothing is due.
    const claimant = net.keys[0]!.address;
    const balance = () => tokenBalance(claimant);
    // a fresh window: nothing paid out in it yet, so the settle pays exactly the window's room
    await chain.advance(RATE_WINDOW_MS - ((await chain.nowMs()) % RATE_WINDOW_MS) + 1_000n);
    const before = await balance();
    const claimId = await fileApproved(2, 'incident-release', 20n * U);
    const onChainClaim = (i: number) =>
      (
        (services[i]!.poolJson(POOL_ID) as PoolJson).onChain!.claims as unknown as Record<string, unknown>[]
      ).find((x) => (x['claimId'] as string).toLowerCase() === claimId.toLowerCase());
    const release = (i: number) =>
      onChainClaim(i)?.['release'] as { state: string; nextReleaseAt?: number } | undefined;
    // settled: the window's 15 USDC paid, 5 USDC held back; both approvers wait for the next window
    await waitFor(
      async () => {
        await services[1]!.syncVaults();
        return onChainClaim(1)?.['unpaid'] === (5n * U).toString();
      },
      TIMEOUTS.scenario,
      'the claim settled with 5 USDC held back',
    );
    expect(await balance()).toBe(before + RATE_MAX);
    await waitFor(
      () => [1, 2].every((i) => release(i)?.nextReleaseAt !== undefined),
      TIMEOUTS.event,
      'both approvers know when the next tranche is due',
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: ${JSON.stringify([1, 2].map(release))}`);
    });
    const at = release(1)!.nextReleaseAt!;
    expect(release(2)!.nextReleaseAt).toBe(at);
    expect(BigInt(at) % RATE_WINDOW_MS).toBe(0n);
    expect(formatLedger(POOL_ID, services[1]!.poolJson(POOL_ID) as PoolJson)).toContain(
      `: 5 USDC held back, next release at ${new Date(at).toISOString()} (chain time)`,
    );
    // no waiting a minute: the chain's clock moves to the next window
    const now = await chain.nowMs();
    if (now < BigInt(at)) await chain.advance(BigInt(at) - now + 1_000n);
    await waitFor(
      async () => {
        for (const i of [0, 1, 2]) await services[i]!.syncVaults();
        return [0, 1, 2].every((i) => onChainClaim(i)?.['unpaid'] === '0');
      },
      TIMEOUTS.scenario,
      'the rest released, seen by every node',
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: ${JSON.stringify([1, 2].map(release))}`);
    });
    // paid in two parts, to the base unit: the claimant holds exactly the decided amount more
    const decided = BigInt(
      (services[0]!.getClaim(claimId)!.decision as unknown as { approvedAmount: string }).approvedAmount,
    );
    expect(decided).toBe(20n * U);
    expect(await balance()).toBe(before + decided);
    for (const i of [0, 1, 2])
      expect(onChainClaim(i)).toMatchObject({ paid: decided.toString(), unpaid: '0' });
    // exactly one release across the nodes' journals, mined, none reverted
    const releases = () =>
      services.flatMap((s) =>
        s
          .vaultOf(POOL_ID)!
          .sender.transactions()
          .filter((t) => t.functionName === 'release'),
      );
    // the followers can read PaidOut before the sending node's own receipt poll records it mined
    await waitFor(
      () => releases().some((t) => t.state === 'mined'),
      TIMEOUTS.event,
      'the release recorded mined in its sender’s journal',
    );
    // Rank 1 takes over only a challenge window after it saw the window open, so rank 0's release is
    // normally mined first; two sends under way at the same moment can still meet on a loaded machine,
    // and the later one reverts (gas spent, nothing paid twice): counted apart, not as a payment.
    expect(
      releases()
        .filter((t) => t.state === 'mined')
        .map((t) => t.key),
    ).toEqual([`release:${POOL_ID}:${claimId}:1`]);
    await waitFor(
      () => [1, 2].every((i) => release(i)?.state === 'done'),
      TIMEOUTS.event,
      'both approvers see nothing more due',
    );
  });

  it('take-over: the rank-0 approver cannot send and is stopped; rank 1 settles after its delay, exactly once', async () => {
    // settlement.md#settling-exactly-once rule 2: rank r ≥ 1 submits at decidedAt + challengeMs × (1 + r).
    const claimant = net.keys[0]!.address;
    const [r0, r1] = [1, 2].sort((a, b) =>
      net.keys[a]!.address.toLowerCase() < net.keys[b]!.address.toLowerCase() ? -1 : 1,
    ) as [number, number];
    // Rank 0's sending account has no ETH: its settle is signed and journaled but never reaches the chain.
    await chain.anvil.client.setBalance({ address: net.keys[r0]!.address, value: 0n });
    const balance = () => tokenBalance(claimant);
    const before = await balance();
    const claimId = await fileApproved(1, 'incident-takeover', 5n * U);
    const key = `settle:${POOL_ID}:${claimId}:0`;
    const journaled = () =>
      services[r0]!.vaultOf(POOL_ID)!
        .sender.transactions()
        .find((t) => t.key === key);
    // Rank 0 journals its settle once it holds both signatures (usually long before rank 1's turn);
    // under a heavy load rank 1's turn can come first: either way rank 0 is stopped without sending.
    await waitFor(
      () =>
        journaled() !== undefined ||
        (services[r1]!.getClaim(claimId)?.['vaultSettle'] as { state?: string } | undefined)?.state ===
          'settled',
      TIMEOUTS.scenario,
      'rank 0 tried to settle',
    );
    await services[r0]!.stop();
    await waitFor(
      () =>
        (services[r1]!.getClaim(claimId)?.['vaultSettle'] as { state?: string } | undefined)?.state ===
        'settled',
      TIMEOUTS.scenario,
      'rank 1 took over',
    ).catch((e: unknown) => {
      throw new Error(
        `${(e as Error).message}: ${JSON.stringify(services[r1]!.getClaim(claimId)?.['vaultSettle'])}`,
      );
    });
    const c = services[r1]!.getClaim(claimId)!;
    const decision = c.decision as unknown as {
      decidedAt: number;
      approvedAmount: string;
      contributions: { member: string; amount: string }[];
    };
    expect(c['vaultSettle']).toMatchObject({
      state: 'settled',
      rank: 1,
      byThisNode: true,
      paid: (5n * U).toString(),
    });
    // the follower can read Settled before rank 1's own send has seen its receipt
    const mine = () =>
      services[r1]!.vaultOf(POOL_ID)!
        .sender.transactions()
        .filter((t) => t.key === key);
    await waitFor(
      () => mine().some((t) => t.state === 'mined'),
      TIMEOUTS.event,
      "rank 1's settle recorded mined in its journal",
    );
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.state).toBe('mined');
    // it waited for its turn: two challenge windows (1.5 s each in this charter) after the decision
    expect(mine()[0]!.attempts[0]!.sentAt).toBeGreaterThanOrEqual(decision.decidedAt + 2 * 1_500);
    expect(journaled()?.state ?? 'pending').toBe('pending'); // rank 0's never left the node
    // settlement.md#taking-turns rule 3: no settle of any node's journal reverted (none sent once settled)
    const reverted = services.flatMap((s) =>
      s
        .vaultOf(POOL_ID)!
        .sender.transactions()
        .filter(
          (t) => t.functionName === 'settle' && t.key === key && t.state !== 'mined' && t !== journaled(),
        ),
    );
    expect(reverted).toEqual([]);
    expect(await balance()).toBe(before + BigInt(decision.approvedAmount));
    // the same figures on every running node's books: the claim settled once, for the decided amount
    for (const i of [0, r1]) {
      await waitFor(
        async () => {
          await services[i]!.syncVaults();
          const claims = (services[i]!.poolJson(POOL_ID) as PoolJson).onChain!.claims;
          return claims.some((x) => x.claimId.toLowerCase() === claimId.toLowerCase() && x.settled !== null);
        },
        TIMEOUTS.event,
        'the take-over followed',
      );
      const on = (services[i]!.poolJson(POOL_ID) as PoolJson).onChain!;
      const x = on.claims.find((y) => y.claimId.toLowerCase() === claimId.toLowerCase())!;
      expect(x).toMatchObject({
        settled: { amount: decision.approvedAmount, txHash: mine()[0]!.hash },
        paid: decision.approvedAmount,
        unpaid: '0',
      });
      expect(on.differences).toEqual([]);
    }
  });

  it("moves node 0's escrow with sfr pool deposit | withdraw; gives notice with sfr pool leave; the bank-run guard says when to retry", async () => {
    const me = net.keys[0]!.address;
    const account = privateKeyToAccount(net.keys[0]!.privateKey);
    await chain.as(account); // gas for the node's sending account
    await chain.anvil.write(chain.token, testToken.abi, 'mint', [me, 300n * U]);
    const flags = ['--api', urls[0]!, '--token-file', tokenFile];
    const escrowEverywhere = async () => {
      const out: string[] = [];
      for (const s of services) {
        await s.syncVaults();
        const on = (s.poolJson(POOL_ID) as PoolJson).onChain!;
        out.push(on.members.find((m) => m.member.toLowerCase() === me.toLowerCase())!.escrow);
      }
      return out;
    };
    const balance = () => tokenBalance(me);

    // Node 0's member was paid by the settlement above: balances are read relative to this start.
    const start = await balance();

    // 250.5 USDC in token units: the node approves the vault, then deposits 250 500 000 base units.
    const first = await cli(
      'pool',
      'deposit',
      POOL_ID,
      '250.5',
      ...flags,
      '--idempotency-key',
      'd-1',
      '--json',
    );
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const r = JSON.parse(first.stdout) as EscrowResponse;
    expect(r).toMatchObject({
      poolId: POOL_ID,
      action: 'deposit',
      amount: '250500000',
      asset: { address: chain.token, symbol: 'USDC', decimals: 6 },
      chain: 'eip155:31337',
      vault: chain.vault,
    });
    expect(r.member.toLowerCase()).toBe(me.toLowerCase());
    expect(r.approvalHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await escrowEverywhere()).toEqual(Array(3).fill((1250n * U + U / 2n).toString()));

    // The same key and body: the first transaction, nothing sent again; another body: refused.
    const again = await cli(
      'pool',
      'deposit',
      POOL_ID,
      '250.5',
      ...flags,
      '--idempotency-key',
      'd-1',
      '--json',
    );
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as EscrowResponse).transactionHash).toBe(r.transactionHash);
    const other = await cli('pool', 'deposit', POOL_ID, '1', ...flags, '--idempotency-key', 'd-1');
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('API_IDEMPOTENCY_CONFLICT');
    // More than the sending account holds: refused before any approval.
    const short = await cli('pool', 'deposit', POOL_ID, '1000000', ...flags);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('VAULT_BALANCE_INSUFFICIENT');
    expect(await balance()).toBe(start - 250n * U - U / 2n);

    // The bank-run guard: no notice given yet, refused with what to do first.
    const noNotice = await cli('pool', 'withdraw', POOL_ID, '250.5', ...flags);
    expect(noNotice.code).toBe(1);
    expect(noNotice.stderr).toContain('error POOL_WITHDRAWAL_LOCKED');
    expect(noNotice.stderr).toContain('expected notice given first (sfr pool leave');

    // pools.md#giving-notice: one command; the other running member's node co-signs the notice-only
    // amendment (node r0 was stopped by the take-over case), and the signers' nodes register it.
    const leaveStarted = Date.now();
    const left = await cli('pool', 'leave', POOL_ID, ...flags, '--wait', String(TIMEOUTS.scenario), '--json');
    expect(left.stderr).toBe('');
    expect(left.code).toBe(0);
    const notice = JSON.parse(left.stdout) as LeaveReport;
    const charter0 = services[0]!.view(POOL_ID).charters[0]!.charter;
    expect(notice).toMatchObject({
      poolId: POOL_ID,
      member: me.toLowerCase(),
      epoch: 1,
      adopted: true,
      registered: true,
      withdrawal: { escrow: (1250n * U + U / 2n).toString(), asset: { symbol: 'USDC', decimals: 6 } },
    });
    expect(notice.leavingAt).toBe(notice.effectiveAt + charter0.noticePeriodMs);
    expect(notice.effectiveAt).toBeGreaterThanOrEqual(leaveStarted + charter0.windows.votingMs);
    expect(notice.coSigners.length).toBeGreaterThanOrEqual(1);
    expect(notice.coSigners).not.toContain(me.toLowerCase());
    const leavingAt = notice.leavingAt;
    // every running node adopted epoch 1 with the member's leavingAt, and follows it on the vault
    const nodeOf = (member: string) =>
      services[net.keys.findIndex((k) => k.address.toLowerCase() === member)]!;
    for (const s of [services[0]!, ...notice.coSigners.map(nodeOf)]) {
      await waitFor(
        async () => {
          await s.syncVaults();
          return s.view(POOL_ID).charters.length === 2 && epochsOnChain(s).some((x) => x.epoch === 1);
        },
        TIMEOUTS.event,
        'the notice adopted and registered, seen by the node',
      );
      const member0 = s
        .view(POOL_ID)
        .charters[1]!.charter.members.find((m) => m.member.toLowerCase() === me.toLowerCase());
      expect(member0?.leavingAt).toBe(leavingAt);
    }
    const text = formatLedger(POOL_ID, services[0]!.poolJson(POOL_ID) as PoolJson);
    expect(text).toContain(
      `notice    ${me.toLowerCase()} leaves at ${new Date(leavingAt).toISOString()}: epoch 1 adopted`,
    );
    expect(text).toContain('charters  epoch 0, 1 registered on the vault');

    // Before leavingAt (chain time): refused with when to retry.
    const early = await cli('pool', 'withdraw', POOL_ID, '250.5', ...flags);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('error POOL_WITHDRAWAL_LOCKED');
    expect(early.stderr).toContain(
      `expected a retry at or after ${new Date(leavingAt).toISOString()} (chain time)`,
    );
    await chain.advance(BigInt(leavingAt) - (await chain.nowMs()) + 1_000n);
    // After it: the whole escrow is paid out, to the base unit.
    const late = await cli('pool', 'withdraw', POOL_ID, '1250.5', ...flags);
    expect(late.stderr).toBe('');
    expect(late.code).toBe(0);
    expect(late.stdout).toContain(`withdrew 1250.5 USDC from the escrow of ${r.member} in pool ${POOL_ID}`);
    expect(await escrowEverywhere()).toEqual(Array(3).fill('0'));
    expect(await balance()).toBe(start + 1000n * U);
  });
});
