/**
 * The settlement vectors (conformance-tests/vectors/v1/settlement/) played against the deployed
 * vault on anvil: its digests and type hashes are the vectors', and `settle` takes exactly each
 * split vector's contributions (spec/v1/settlement.md#vectors).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Address, type Hex, keccak256, type LocalAccount, toHex } from 'viem';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  readBalances,
  settle,
  settlementFromJson,
  sfrVault,
  type VaultClient,
} from '../../src/settlement/index.js';
import {
  charterTerms,
  foundPool,
  HOUR,
  memberAccount,
  settlementOf,
  signAll,
  startVaultChain,
  type VaultChain,
} from './fixtures.js';

type VectorCase = { description: string; input: Record<string, unknown>; expected: Record<string, unknown> };
const dir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../conformance-tests/vectors/v1/settlement',
);
const load = (file: string) =>
  (JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { cases: VectorCase[] }).cases;

let chain: VaultChain;
let snapshot: Hex;
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

const read = (functionName: string, args: readonly unknown[] = []) =>
  chain.anvil.client.readContract({ address: chain.vault, abi: sfrVault.abi, functionName, args } as never);

describe('settlementDigest vectors against the deployed vault', () => {
  const cases = load('settlementDigest/typedData.json');
  it('the test vault has the vectors address, and its type hashes are the vectors', async () => {
    const onAnvil = cases.filter((c) => (c.input['domain'] as { chainId: number }).chainId === 31337);
    expect(onAnvil.length).toBeGreaterThan(0);
    for (const c of onAnvil) {
      expect((c.input['domain'] as { verifyingContract: string }).verifyingContract).toBe(chain.vault);
      const kind = 'settlement' in c.input ? 'settlement' : 'charter';
      const typeHash = await read(kind === 'settlement' ? 'SETTLEMENT_TYPEHASH' : 'CHARTER_TYPEHASH');
      expect(typeHash, c.description).toBe(c.expected['typeHash']);
      expect(await read('domainSeparator'), c.description).toBe(c.expected['domainSeparator']);
      const struct = settlementFromJson(kind, c.input[kind]);
      expect(
        await read(kind === 'settlement' ? 'hashSettlement' : 'hashCharter', [struct]),
        c.description,
      ).toBe(c.expected['digest']);
    }
  });
});

describe('settlementSplit vectors: the vault takes exactly these contributions', () => {
  const accounts = [0, 1, 2, 3, 4].map(memberAccount);
  const byAddress = new Map(accounts.map((a) => [a.address.toLowerCase(), a]));
  for (const c of load('settlementSplit/contributions.json')) {
    it(c.description, async () => {
      const parts = (c.input['parts'] as { member: Address; remaining: string }[]).map((p) => ({
        account: byAddress.get(p.member.toLowerCase()) as LocalAccount,
        remaining: BigInt(p.remaining),
      }));
      const claimant = accounts[0]!;
      const terms = charterTerms(
        chain,
        [
          { address: claimant.address, commitment: 0n },
          ...parts.map((p) => ({ address: p.account.address, commitment: p.remaining })),
        ],
        { quorumBps: 1, minMembers: 1 },
      );
      await foundPool(chain, terms, [claimant, ...parts.map((p) => p.account)]);
      const filedAt = await chain.nowMs();
      await chain.advance(HOUR);
      const base = settlementOf(terms, {
        claimId: keccak256(toHex(c.description)),
        claimant: claimant.address,
        amount: BigInt(c.input['amount'] as string),
        filedAt,
        decidedAt: filedAt + HOUR,
      });
      const expected = (c.expected['contributions'] as { member: Address; amount: string }[]).map((x) => ({
        member: x.member,
        amount: BigInt(x.amount),
      }));
      const signer = parts.find((p) => p.remaining > 0n)?.account ?? parts[0]!.account;
      const client = chain.anvil.client as unknown as VaultClient;
      if (expected.length >= 2) {
        const moved = expected.map((x, i) => ({
          ...x,
          amount: x.amount + (i === 0 ? -1n : i === 1 ? 1n : 0n),
        }));
        const wrong = { ...base, contributions: moved };
        await expect(
          settle({
            client,
            vault: chain.vault,
            settlement: wrong,
            signatures: await signAll(chain, wrong, [signer]),
          }),
        ).rejects.toMatchObject({ code: 'VAULT_CONTRIBUTIONS_MISMATCH' });
      }
      const right = { ...base, contributions: expected };
      await settle({
        client,
        vault: chain.vault,
        settlement: right,
        signatures: await signAll(chain, right, [signer]),
      });
      const after = await readBalances({
        client: chain.anvil.client,
        vault: chain.vault,
        poolId: terms.poolId,
        members: parts.map((p) => p.account.address),
      });
      for (const [i, p] of parts.entries()) {
        const share =
          expected.find((x) => x.member.toLowerCase() === p.account.address.toLowerCase())?.amount ?? 0n;
        expect(after[i]!.escrow).toBe(p.remaining - share);
        expect(after[i]!.contributed).toBe(share);
      }
    });
  }
});
