/**
 * The vault on a real anvil with a real ERC-20 and a real Safe member (spec/v1/settlement.md#vault-rules):
 * every refusal is the vault's own custom error, named by its reason code.
 */

import { type Address, erc20Abi, type Hex, keccak256, type LocalAccount, toHex } from 'viem';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SECP256K1_N } from '../../src/envelope/index.js';
import { countedSignature } from '../../src/poolsNode/vaultSignatures.js';
import {
  openClaim,
  proveEquivocation,
  readBalances,
  registerCharter,
  release,
  settle,
  sfrVault,
  signForVault,
  type VaultCharter,
  type VaultClient,
  type VaultEvent,
  type VaultSettlement,
  type VaultSignature,
  vaultTypedData,
  watchVaultEvents,
  withdraw,
} from '../../src/settlement/index.js';
import {
  type ContractReader,
  createContractSignatures,
  createErc1271Verifier,
} from '../../src/validation/contractSignatures.js';
import {
  charterTerms,
  foundPool,
  HOUR,
  memberAccount,
  settlementOf,
  signAll,
  startVaultChain,
  U,
  type VaultChain,
} from './fixtures.js';
import { deploySafe, type SafeWallet } from './safe.js';

let chain: VaultChain;
let snapshot: Hex;
const m = [0, 1, 2, 3, 4].map(memberAccount); // m[0] is the claimant throughout
const outsider = memberAccount(99);
const claimId = (i: number) => keccak256(toHex(`claim-${i}`));

beforeAll(async () => {
  chain = await startVaultChain();
});
afterAll(async () => {
  await chain?.anvil.stop();
});
beforeEach(async () => {
  snapshot = await chain.anvil.snapshot();
});
afterEach(async () => {
  await chain.anvil.revert(snapshot);
});

const admin = () => chain.anvil.client as unknown as VaultClient;
const balanceOf = (who: Address) =>
  chain.anvil.client.readContract({
    address: chain.token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [who],
  });

/** A founded 5-member pool (weights 10, 1 000 tokens each) and a claim by m[0] decided one challenge window after filing. */
async function pooled(over: Partial<VaultCharter> = {}) {
  const terms = charterTerms(
    chain,
    m.map((a) => ({ address: a.address })),
    over,
  );
  await foundPool(chain, terms, m);
  const filedAt = await chain.nowMs();
  const decidedAt = filedAt + HOUR;
  return { terms, filedAt, decidedAt };
}

async function settleAs(s: VaultSettlement, signatures: VaultSignature[]) {
  return settle({ client: admin(), vault: chain.vault, settlement: s, signatures });
}

describe('settle', () => {
  it("the deployed vault's digests are the client's (settlement.md#typed-data)", async () => {
    const { terms, filedAt, decidedAt } = await pooled();
    const s = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 7n,
      filedAt,
      decidedAt,
    });
    const read = (functionName: 'hashSettlement' | 'hashCharter', args: readonly unknown[]) =>
      chain.anvil.client.readContract({
        address: chain.vault,
        abi: sfrVault.abi,
        functionName,
        args,
      } as never);
    expect(await read('hashSettlement', [s])).toBe(
      (await signForVault(m[1]!, chain.domain, { settlement: s })).digest,
    );
    expect(await read('hashCharter', [terms])).toBe(
      (await signForVault(m[1]!, chain.domain, { charter: terms })).digest,
    );
  });

  it('pays the claimant exactly the amount and takes each contribution from its escrow', async () => {
    const { terms, filedAt, decidedAt } = await pooled();
    // 1 000.000001 tokens over four equal remainders: 250.000000 each and one leftover unit by address
    const s = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 1000n * U + 1n,
      filedAt,
      decidedAt,
    });
    await chain.advance(HOUR);
    const others = m.slice(1).map((a) => a.address);
    const before = await readBalances({
      client: chain.anvil.client,
      vault: chain.vault,
      poolId: terms.poolId,
      members: others,
    });
    const claimantBefore = await balanceOf(m[0]!.address);
    const seen: VaultEvent[] = [];
    const settled = new Promise<void>((resolve) => {
      const stop = watchVaultEvents({
        client: chain.anvil.client,
        vault: chain.vault,
        poolId: terms.poolId,
        pollingInterval: 50,
        onEvents: (events) => {
          seen.push(...events);
          if (events.some((e) => e.eventName === 'PaidOut')) {
            stop();
            resolve();
          }
        },
      });
    });
    await settleAs(s, await signAll(chain, s, [m[1]!, m[2]!]));
    await settled;
    expect(await balanceOf(m[0]!.address)).toBe(claimantBefore + s.amount);
    const after = await readBalances({
      client: chain.anvil.client,
      vault: chain.vault,
      poolId: terms.poolId,
      members: others,
    });
    let sum = 0n;
    for (const [i, b] of after.entries()) {
      const share = s.contributions.find((c) => c.member === b.member)?.amount ?? 0n;
      expect(b.escrow).toBe(before[i]!.escrow - share);
      expect(b.contributed).toBe(share);
      sum += share;
    }
    expect(sum).toBe(s.amount);
    expect(s.contributions.map((c) => c.amount).sort()).toEqual(
      [250n * U, 250n * U, 250n * U, 250n * U + 1n].sort(),
    );
    expect(seen.filter((e) => e.eventName === 'Contributed')).toHaveLength(4);
    expect(seen.find((e) => e.eventName === 'Settled')?.args).toMatchObject({
      claimId: claimId(1),
      amount: s.amount,
    });
  });

  it('refuses less than quorum weight: VAULT_QUORUM_NOT_MET', async () => {
    const { terms, filedAt, decidedAt } = await pooled();
    const s = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 100n * U,
      filedAt,
      decidedAt,
    });
    await chain.advance(HOUR);
    await expect(settleAs(s, await signAll(chain, s, [m[1]!]))).rejects.toMatchObject({
      code: 'VAULT_QUORUM_NOT_MET',
      args: [10n, 40n, 1n],
    });
  });

  it('refuses a signature counted twice: VAULT_DUPLICATE_SIGNER', async () => {
    const { terms, filedAt, decidedAt } = await pooled();
    const s = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 100n * U,
      filedAt,
      decidedAt,
    });
    await chain.advance(HOUR);
    const [one] = await signAll(chain, s, [m[1]!]);
    await expect(settleAs(s, [one!, one!])).rejects.toMatchObject({ code: 'VAULT_DUPLICATE_SIGNER' });
  });

  it("refuses the claimant's signature: VAULT_CLAIMANT_SIGNED", async () => {
    const { terms, filedAt, decidedAt } = await pooled();
    const s = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 100n * U,
      filedAt,
      decidedAt,
    });
    await chain.advance(HOUR);
    await expect(settleAs(s, await signAll(chain, s, [m[0]!, m[1]!, m[2]!]))).rejects.toMatchObject({
      code: 'VAULT_CLAIMANT_SIGNED',
    });
  });

  it('refuses a signer of another epoch: VAULT_SIGNER_NOT_ELIGIBLE', async () => {
    const { terms, filedAt, decidedAt } = await pooled();
    // epoch 1 adds a sixth member, effective after the claim was filed
    const newcomer = memberAccount(5);
    const amended = charterTerms(
      chain,
      [...m, newcomer].map((a) => ({ address: a.address })),
      { epoch: 1n, effectiveAt: filedAt + 1n, charterHash: keccak256(toHex('charter text, epoch 1')) },
    );
    const sigs = await Promise.all(
      [m[1]!, m[2]!, m[3]!, newcomer].map((a) => signForVault(a, chain.domain, { charter: amended })),
    );
    await registerCharter({ client: admin(), vault: chain.vault, charter: amended, signatures: sigs });
    const s = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 100n * U,
      filedAt,
      decidedAt,
    });
    await chain.advance(HOUR);
    await expect(settleAs(s, await signAll(chain, s, [m[1]!, newcomer]))).rejects.toMatchObject({
      code: 'VAULT_SIGNER_NOT_ELIGIBLE',
      args: [newcomer.address],
    });
    // and the claim cannot pretend to be filed under epoch 1's terms before they took effect
    await expect(
      settleAs(
        { ...s, epoch: 1n, charterHash: amended.charterHash },
        await signAll(chain, { ...s, epoch: 1n, charterHash: amended.charterHash }, [m[1]!, m[2]!]),
      ),
    ).rejects.toMatchObject({ code: 'VAULT_WRONG_EPOCH' });
  });

  it('refuses a forged signature (VAULT_BAD_SIGNATURE) and the high-s twin of a valid one (VAULT_BAD_SIGNATURE_ENCODING)', async () => {
    const { terms, filedAt, decidedAt } = await pooled();
    const s = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 100n * U,
      filedAt,
      decidedAt,
    });
    await chain.advance(HOUR);
    const [good1, good2] = await signAll(chain, s, [m[1]!, m[2]!]);
    const [forged] = await signAll(chain, s, [outsider]);
    await expect(
      settleAs(s, [good1!, { signer: m[2]!.address, signature: forged!.signature }]),
    ).rejects.toMatchObject({
      code: 'VAULT_BAD_SIGNATURE',
      args: [m[2]!.address],
    });
    const sig = good2!.signature;
    const high = SECP256K1_N - BigInt(`0x${sig.slice(66, 130)}`);
    const v = Number.parseInt(sig.slice(130, 132), 16) === 27 ? '1c' : '1b';
    const twin = `${sig.slice(0, 66)}${high.toString(16).padStart(64, '0')}${v}` as Hex;
    await expect(settleAs(s, [good1!, { signer: m[2]!.address, signature: twin }])).rejects.toMatchObject({
      code: 'VAULT_BAD_SIGNATURE_ENCODING',
    });
  });

  it('refuses a second settlement of the same claim: VAULT_CLAIM_SETTLED', async () => {
    const { terms, filedAt, decidedAt } = await pooled();
    const s = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 100n * U,
      filedAt,
      decidedAt,
    });
    await chain.advance(HOUR);
    const sigs = await signAll(chain, s, [m[1]!, m[2]!]);
    await settleAs(s, sigs);
    await expect(settleAs(s, sigs)).rejects.toMatchObject({ code: 'VAULT_CLAIM_SETTLED' });
  });

  it('refuses a settlement before the challenge window has passed: VAULT_TOO_EARLY', async () => {
    const { terms, filedAt, decidedAt } = await pooled();
    const s = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 100n * U,
      filedAt,
      decidedAt,
    });
    await expect(settleAs(s, await signAll(chain, s, [m[1]!, m[2]!]))).rejects.toMatchObject({
      code: 'VAULT_TOO_EARLY',
      args: [decidedAt],
    });
  });

  it('refuses contributions that are not the pro-rata split: VAULT_CONTRIBUTIONS_MISMATCH', async () => {
    const { terms, filedAt, decidedAt } = await pooled();
    const s = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 1000n * U + 1n,
      filedAt,
      decidedAt,
    });
    await chain.advance(HOUR);
    // move the leftover unit to another member: same sum, wrong rounding
    const bumped = s.contributions.findIndex((c) => c.amount === 250n * U + 1n);
    const other = (bumped + 1) % s.contributions.length;
    const contributions = s.contributions.map((c, i) => ({
      ...c,
      amount: i === bumped ? c.amount - 1n : i === other ? c.amount + 1n : c.amount,
    }));
    const wrong = { ...s, contributions };
    await expect(settleAs(wrong, await signAll(chain, wrong, [m[1]!, m[2]!]))).rejects.toMatchObject({
      code: 'VAULT_CONTRIBUTIONS_MISMATCH',
    });
  });

  it('refuses a payout over the per-claim cap and over the per-period cap: VAULT_CAP_EXCEEDED', async () => {
    const { terms, filedAt, decidedAt } = await pooled({ perClaim: 500n * U, perPeriod: 800n * U });
    await chain.advance(HOUR);
    const big = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 500n * U + 1n,
      filedAt,
      decidedAt,
    });
    await expect(settleAs(big, await signAll(chain, big, [m[1]!, m[2]!]))).rejects.toMatchObject({
      code: 'VAULT_CAP_EXCEEDED',
      args: [0, 500n * U],
    });
    const first = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 500n * U,
      filedAt,
      decidedAt,
    });
    await settleAs(first, await signAll(chain, first, [m[1]!, m[2]!]));
    const contributed = new Map(first.contributions.map((c) => [c.member.toLowerCase(), c.amount]));
    const second = settlementOf(terms, {
      claimId: claimId(2),
      claimant: m[1]!.address,
      amount: 300n * U + 1n,
      filedAt,
      decidedAt,
      contributed,
    });
    await expect(settleAs(second, await signAll(chain, second, [m[2]!, m[3]!]))).rejects.toMatchObject({
      code: 'VAULT_CAP_EXCEEDED',
      args: [2, 300n * U],
    });
  });

  it('pays no more than the rate limit per window: the rest waits (VAULT_RATE_LIMITED) and is released in the next window', async () => {
    const { terms, filedAt, decidedAt } = await pooled({ rateMaxAmount: 300n * U });
    await chain.advance(HOUR);
    const s = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 500n * U,
      filedAt,
      decidedAt,
    });
    const before = await balanceOf(m[0]!.address);
    await settleAs(s, await signAll(chain, s, [m[1]!, m[2]!]));
    expect(await balanceOf(m[0]!.address)).toBe(before + 300n * U);
    const claimIdHex = s.claimId;
    await expect(
      release({ client: admin(), vault: chain.vault, poolId: terms.poolId, claimId: claimIdHex }),
    ).rejects.toMatchObject({
      code: 'VAULT_RATE_LIMITED',
      args: [0n, expect.any(BigInt)],
    });
    await chain.advance(HOUR);
    await release({ client: admin(), vault: chain.vault, poolId: terms.poolId, claimId: claimIdHex });
    expect(await balanceOf(m[0]!.address)).toBe(before + 500n * U);
  });

  it("pays each claim under its snapshot's rate limit, counting what the pool paid in chain time across epochs", async () => {
    // epoch 0: at most 300 per 1-hour window; epoch 1 (from just after claim 1's filing): 300 per 2 hours
    const { terms, filedAt, decidedAt } = await pooled({ rateMaxAmount: 300n * U });
    const amended = charterTerms(
      chain,
      m.map((a) => ({ address: a.address })),
      {
        epoch: 1n,
        effectiveAt: filedAt + 1n,
        charterHash: keccak256(toHex('charter text, epoch 1')),
        rateMaxAmount: 300n * U,
        rateWindowMs: 2n * HOUR,
      },
    );
    const sigs = await Promise.all(
      [m[1]!, m[2]!, m[3]!].map((a) => signForVault(a, chain.domain, { charter: amended })),
    );
    await registerCharter({ client: admin(), vault: chain.vault, charter: amended, signatures: sigs });
    // Both claims are paid a minute into a 2-hour window (so also into a 1-hour one).
    await chain.advance(HOUR);
    const now = await chain.nowMs();
    await chain.advance(2n * HOUR - (now % (2n * HOUR)) + 60_000n);
    const first = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 500n * U,
      filedAt,
      decidedAt,
    });
    const before = await balanceOf(m[0]!.address);
    await settleAs(first, await signAll(chain, first, [m[1]!, m[2]!]));
    expect(await balanceOf(m[0]!.address)).toBe(before + 300n * U);
    const contributed = new Map(first.contributions.map((c) => [c.member.toLowerCase(), c.amount]));
    const second = settlementOf(amended, {
      claimId: claimId(2),
      claimant: m[0]!.address,
      amount: 100n * U,
      filedAt: filedAt + 2n,
      decidedAt: decidedAt + 1n,
      contributed,
    });
    await settleAs(second, await signAll(chain, second, [m[1]!, m[2]!]));
    // Under epoch 1's terms the current window is the 2-hour one, which already holds the 300 paid
    // under epoch 0: nothing more now (counted by window number, epoch 1's window would have been empty).
    expect(await balanceOf(m[0]!.address)).toBe(before + 300n * U);
    const start = (await chain.nowMs()) - ((await chain.nowMs()) % (2n * HOUR));
    await expect(
      release({ client: admin(), vault: chain.vault, poolId: terms.poolId, claimId: second.claimId }),
    ).rejects.toMatchObject({ code: 'VAULT_RATE_LIMITED', args: [0n, start + 2n * HOUR] });
    // One hour on, epoch 0's claim has a new 1-hour window; epoch 1's 2-hour window is still full.
    await chain.advance(HOUR);
    await release({ client: admin(), vault: chain.vault, poolId: terms.poolId, claimId: first.claimId });
    expect(await balanceOf(m[0]!.address)).toBe(before + 500n * U);
    await expect(
      release({ client: admin(), vault: chain.vault, poolId: terms.poolId, claimId: second.claimId }),
    ).rejects.toMatchObject({ code: 'VAULT_RATE_LIMITED', args: [0n, start + 2n * HOUR] });
    // In the next 2-hour window epoch 1's claim is paid.
    await chain.advance(HOUR);
    await release({ client: admin(), vault: chain.vault, poolId: terms.poolId, claimId: second.claimId });
    expect(await balanceOf(m[0]!.address)).toBe(before + 600n * U);
  });

  it('refuses an equivocating signer once the proof is on-chain: VAULT_SIGNER_EQUIVOCATED', async () => {
    const { terms, filedAt, decidedAt } = await pooled();
    await chain.advance(HOUR);
    const a = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 100n * U,
      filedAt,
      decidedAt,
    });
    const b = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 200n * U,
      filedAt,
      decidedAt,
    });
    const [sa] = await signAll(chain, a, [m[1]!]);
    const [sb] = await signAll(chain, b, [m[1]!]);
    await expect(
      proveEquivocation({
        client: admin(),
        vault: chain.vault,
        signer: m[1]!.address,
        first: { settlement: a, signature: sa!.signature },
        second: { settlement: a, signature: sa!.signature },
      }),
    ).rejects.toMatchObject({ code: 'VAULT_EQUIVOCATION_INVALID', args: [1] });
    await proveEquivocation({
      client: admin(),
      vault: chain.vault,
      signer: m[1]!.address,
      first: { settlement: a, signature: sa!.signature },
      second: { settlement: b, signature: sb!.signature },
    });
    await expect(settleAs(a, await signAll(chain, a, [m[1]!, m[2]!]))).rejects.toMatchObject({
      code: 'VAULT_SIGNER_EQUIVOCATED',
      args: [m[1]!.address],
    });
    // the others still settle it
    await settleAs(a, await signAll(chain, a, [m[2]!, m[3]!]));
  });
});

describe('withdraw (the bank-run guard)', () => {
  it('refuses a member that gave no notice, and one whose notice is still running: POOL_WITHDRAWAL_LOCKED', async () => {
    const now = await chain.nowMs();
    const leavingAt = now + 168n * HOUR;
    const terms = charterTerms(
      chain,
      m.map((a, i) => ({ address: a.address, ...(i === 4 ? { leavingAt } : {}) })),
    );
    await foundPool(chain, terms, m);
    const c3 = await chain.as(m[3]!);
    await expect(
      withdraw({ client: c3, vault: chain.vault, poolId: terms.poolId, amount: 1n }),
    ).rejects.toMatchObject({
      code: 'POOL_WITHDRAWAL_LOCKED',
      args: [0, 0n],
    });
    const c4 = await chain.as(m[4]!);
    await expect(
      withdraw({ client: c4, vault: chain.vault, poolId: terms.poolId, amount: 1n }),
    ).rejects.toMatchObject({
      code: 'POOL_WITHDRAWAL_LOCKED',
      args: [1, leavingAt],
    });
    await chain.advance(168n * HOUR);
    await withdraw({ client: c4, vault: chain.vault, poolId: terms.poolId, amount: 1000n * U });
    expect(await balanceOf(m[4]!.address)).toBe(1000n * U);
  });

  it('refuses a leaving member while a claim it is liable for is open, and lets it go once settled', async () => {
    const now = await chain.nowMs();
    const leavingAt = now + 2n * HOUR;
    const terms = charterTerms(
      chain,
      m.map((a, i) => ({ address: a.address, ...(i === 4 ? { leavingAt } : {}) })),
    );
    await foundPool(chain, terms, m);
    const filedAt = await chain.nowMs();
    const claimant = await chain.as(m[0]!);
    await openClaim({
      client: claimant,
      vault: chain.vault,
      poolId: terms.poolId,
      claimId: claimId(1),
      epoch: 0n,
      filedAt,
    });
    await chain.advance(2n * HOUR);
    const c4 = await chain.as(m[4]!);
    await expect(
      withdraw({ client: c4, vault: chain.vault, poolId: terms.poolId, amount: 1n }),
    ).rejects.toMatchObject({
      code: 'POOL_WITHDRAWAL_LOCKED',
      args: [2, expect.any(BigInt)],
    });
    const s = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 400n * U,
      filedAt,
      decidedAt: filedAt + HOUR,
    });
    await settleAs(s, await signAll(chain, s, [m[1]!, m[2]!]));
    const share = s.contributions.find((c) => c.member === m[4]!.address)?.amount ?? 0n;
    await withdraw({ client: c4, vault: chain.vault, poolId: terms.poolId, amount: 1000n * U - share });
    expect(await balanceOf(m[4]!.address)).toBe(1000n * U - share);
  });
});

describe('a Safe member (ERC-1271 through CompatibilityFallbackHandler)', () => {
  it("counts the 2-of-3 Safe's signature, and refuses it once its owners revoke a signing owner", async () => {
    const owners = [10, 11, 12].map(memberAccount) as [LocalAccount, LocalAccount, LocalAccount];
    const safe: SafeWallet = await deploySafe(chain.anvil, owners, 2n);
    const eoas = m.slice(0, 3);
    const terms = charterTerms(chain, [
      ...eoas.map((a) => ({ address: a.address })),
      { address: safe.address },
    ]);
    const safeCharterSig = await safe.sign(
      (await signForVault(outsider, chain.domain, { charter: terms })).digest,
      [owners[0], owners[1]],
    );
    await foundPool(chain, terms, eoas, [{ signer: safe.address, signature: safeCharterSig }]);
    const filedAt = await chain.nowMs();
    await chain.advance(HOUR);
    const s = settlementOf(terms, {
      claimId: claimId(1),
      claimant: m[0]!.address,
      amount: 300n * U,
      filedAt,
      decidedAt: filedAt + HOUR,
    });
    const digest = (await signForVault(outsider, chain.domain, { settlement: s })).digest;
    const safeSig = { signer: safe.address, signature: await safe.sign(digest, [owners[0], owners[1]]) };
    // the Safe alone is 10 of 30: short of quorum, so the vault must have counted it with m[1] below
    await expect(settleAs(s, [safeSig])).rejects.toMatchObject({
      code: 'VAULT_QUORUM_NOT_MET',
      args: [10n, 30n, 1n],
    });
    // A node counts what the vault counts (settlement.md#counting-vault-signatures): the Safe's blobs
    // through the same ERC-1271 question at the latest block, asked by its ContractSignatures.
    const chainId = `eip155:${chain.domain.chainId}`;
    const counted = (signature: Hex, message: Parameters<typeof vaultTypedData>[1]) =>
      countedSignature(safe.address, signature, vaultTypedData(chain.domain, message), {
        contracts: createContractSignatures(
          new Map([[safe.address, createErc1271Verifier(chain.anvil.client as unknown as ContractReader)]]),
          { chains: new Map([[safe.address, chainId]]) },
        ),
        chain: chainId,
      });
    expect(await counted(safeCharterSig, { charter: terms })).toEqual({
      signer: safe.address,
      signature: safeCharterSig,
    });
    expect(await counted(safeSig.signature, { settlement: s })).toEqual(safeSig);
    expect(await counted(safeCharterSig, { settlement: s })).toBeNull(); // another digest
    const snap = await chain.anvil.snapshot();
    await settleAs(s, [safeSig, ...(await signAll(chain, s, [m[1]!]))]);
    await chain.anvil.revert(snap);
    await safe.removeOwner(owners[0].address, 2n, [owners[1], owners[2]]);
    await expect(settleAs(s, [safeSig, ...(await signAll(chain, s, [m[1]!]))])).rejects.toMatchObject({
      code: 'VAULT_BAD_SIGNATURE',
      args: [safe.address],
    });
    expect(await counted(safeSig.signature, { settlement: s })).toBeNull(); // revoked: the node agrees
  });
});
