/**
 * A vault on a real anvil with a real ERC-20 (OpenZeppelin) and members that are EOAs from fixed
 * keys (private key = keccak256("sfr-vault-member-<i>")), shared by the settlement e2e tests.
 */
import { type AnvilInstance, startAnvil } from '@sfr/adapter-kit/testing';
import {
  type Address,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  type LocalAccount,
  publicActions,
  toHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { splitProRata } from '../../src/pools/index.js';
import {
  deployVault,
  deposit,
  registerCharter,
  signForVault,
  testToken,
  type VaultCharter,
  type VaultClient,
  type VaultDomain,
  type VaultSettlement,
  type VaultSignature,
} from '../../src/settlement/index.js';

export const U = 1_000_000n; // one token of 6 decimals
export const HOUR = 3_600_000n;
export const POOL_ID = `0x${'5f'.repeat(32)}` as Hex;
export const CHARTER_HASH = keccak256(toHex('charter text, epoch 0'));

export function memberAccount(i: number): LocalAccount {
  return privateKeyToAccount(keccak256(toHex(`sfr-vault-member-${i}`)));
}

export type VaultChain = {
  anvil: AnvilInstance;
  vault: Address;
  token: Address;
  domain: VaultDomain;
  /** A wallet client acting as `account` (funded with ETH for gas). */
  as(account: LocalAccount): Promise<VaultClient>;
  /** The chain's clock in unix ms. */
  nowMs(): Promise<bigint>;
  /** Moves the chain's clock forward and mines a block. */
  advance(ms: bigint): Promise<void>;
};

export async function startVaultChain(): Promise<VaultChain> {
  // startAnvil's own bound is 10 s, a bare number: anvil's first line can come later than that on two
  // cores shared with a dozen node processes.
  const anvil = await startAnvil({ timeoutMs: TIMEOUTS.start });
  const client = anvil.client as unknown as VaultClient;
  const vault = await deployVault({ client });
  const token = await anvil.deploy(testToken, ['USD Coin (test)', 'USDC', 6]);
  return {
    anvil,
    vault,
    token,
    domain: { chainId: anvil.chainId, vault },
    async as(account) {
      // set every time: a test's snapshot revert takes the balance back
      await anvil.client.setBalance({ address: account.address, value: 10n ** 20n });
      return createWalletClient({
        account,
        chain: foundry,
        transport: http(anvil.rpcUrl, { retryCount: 0 }),
        pollingInterval: 50,
      }).extend(publicActions) as unknown as VaultClient;
    },
    async nowMs() {
      const block = await anvil.client.getBlock();
      return block.timestamp * 1000n;
    },
    async advance(ms) {
      await anvil.increaseTime(Number((ms + 999n) / 1000n));
      await anvil.mine(1);
    },
  };
}

/** Charter terms of `members` (weight 10, 1 000 tokens each unless given) with roomy caps and windows. */
export function charterTerms(
  chain: VaultChain,
  members: readonly { address: Address; weight?: bigint; commitment?: bigint; leavingAt?: bigint }[],
  over: Partial<VaultCharter> = {},
): VaultCharter {
  return {
    poolId: POOL_ID,
    epoch: 0n,
    charterHash: CHARTER_HASH,
    effectiveAt: 0n,
    asset: chain.token,
    members: [...members]
      .sort((a, b) => (a.address.toLowerCase() < b.address.toLowerCase() ? -1 : 1))
      .map((m) => ({
        member: m.address,
        weight: m.weight ?? 10n,
        leavingAt: m.leavingAt ?? 0n,
        commitment: m.commitment ?? 1000n * U,
      })),
    quorumBps: 5000,
    minMembers: 2,
    maxMemberWeightBps: 10_000,
    perClaim: 10_000n * U,
    perMemberPerPeriod: 10_000n * U,
    perPeriod: 10_000n * U,
    periodMs: 720n * HOUR,
    rateMaxAmount: 10_000n * U,
    rateWindowMs: HOUR,
    votingMs: 24n * HOUR,
    challengeMs: HOUR,
    noticePeriodMs: 168n * HOUR,
    ...over,
  };
}

/** Registers `terms` on the vault, signed by `signers` (and any `extra` signatures), from the default account. */
export async function registerPool(
  chain: VaultChain,
  terms: VaultCharter,
  signers: readonly LocalAccount[],
  extra: readonly VaultSignature[] = [],
): Promise<void> {
  const client = chain.anvil.client as unknown as VaultClient;
  const signatures = [
    ...(await Promise.all(signers.map((a) => signForVault(a, chain.domain, { charter: terms })))),
    ...extra,
  ].map(({ signer, signature }) => ({ signer, signature }));
  await registerCharter({ client, vault: chain.vault, charter: terms, signatures });
}

/** Registers `terms` signed by `signers`, then has the default account fund every member's escrow with its commitment. */
export async function foundPool(
  chain: VaultChain,
  terms: VaultCharter,
  signers: readonly LocalAccount[],
  extra: readonly VaultSignature[] = [],
): Promise<void> {
  await registerPool(chain, terms, signers, extra);
  await fundEscrow(chain, terms);
}

/** Has the default account fund every member's escrow with its commitment (the pool registered already). */
export async function fundEscrow(chain: VaultChain, terms: VaultCharter): Promise<void> {
  const client = chain.anvil.client as unknown as VaultClient;
  let total = 0n;
  for (const m of terms.members) total += m.commitment;
  await chain.anvil.write(chain.token, testToken.abi, 'mint', [chain.anvil.client.account.address, total]);
  for (const m of terms.members) {
    await deposit({
      client,
      vault: chain.vault,
      poolId: terms.poolId,
      member: m.member,
      amount: m.commitment,
    });
  }
}

/**
 * The settlement of `amount` for `claimant` under `terms`, contributions split by the pools
 * engine's `splitProRata` over the members' remaining capital (`contributed` so far).
 */
export function settlementOf(
  terms: VaultCharter,
  p: {
    claimId: Hex;
    claimant: Address;
    amount: bigint;
    filedAt: bigint;
    decidedAt: bigint;
    contributed?: ReadonlyMap<string, bigint>;
  },
): VaultSettlement {
  const parts = terms.members
    .filter(
      (m) =>
        m.member.toLowerCase() !== p.claimant.toLowerCase() &&
        (m.leavingAt === 0n || m.leavingAt > p.filedAt),
    )
    .map((m) => {
      const paid = p.contributed?.get(m.member.toLowerCase()) ?? 0n;
      return { member: m.member, remaining: m.commitment > paid ? m.commitment - paid : 0n };
    });
  return {
    poolId: terms.poolId,
    claimId: p.claimId,
    round: 0,
    claimant: p.claimant,
    asset: terms.asset,
    amount: p.amount,
    contributions: splitProRata(p.amount, parts).map((c) => ({
      member: c.member as Address,
      amount: c.amount,
    })),
    epoch: terms.epoch,
    charterHash: terms.charterHash,
    filedAt: p.filedAt,
    decidedAt: p.decidedAt,
    deadline: p.decidedAt + 720n * HOUR,
  };
}

export async function signAll(
  chain: VaultChain,
  settlement: VaultSettlement,
  signers: readonly LocalAccount[],
): Promise<VaultSignature[]> {
  const out: VaultSignature[] = [];
  for (const a of signers) {
    const { signer, signature } = await signForVault(a, chain.domain, { settlement });
    out.push({ signer, signature });
  }
  return out;
}
