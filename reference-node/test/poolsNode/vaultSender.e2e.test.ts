/**
 * The node's sending account (settlement.md#sending) on a real anvil with the real vault and a real
 * ERC-20: one transaction per key, simulation before anything is signed, a dropped transaction
 * re-sent with the same nonce and a higher fee, a restart that resumes the journal and sends
 * nothing twice, a restart that does not re-send a settle another account already made, a revert once mined reported with its hash, and the coded refusals of a node that
 * cannot send. Also sends through a Web3Signer-held key (the remote signer's account).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { erc20Abi, type Hex, keccak256, type LocalAccount, toHex } from 'viem';
import { getTransactionCount, readContract, sendTransaction } from 'viem/actions';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { createLocalSigner, createRemoteSigner } from '../../src/keys/index.js';
import { createVaultSender, type VaultSender } from '../../src/poolsNode/index.js';
import { settle, testToken, type VaultClient, VaultError } from '../../src/settlement/index.js';
import { startTestWeb3Signer, type TestWeb3Signer } from '../keys/web3Signer.js';
import {
  charterTerms,
  foundPool,
  HOUR,
  memberAccount,
  POOL_ID,
  settlementOf,
  signAll,
  startVaultChain,
  U,
  type VaultChain,
} from '../settlement/fixtures.js';

let chain: VaultChain;
let dir: string;
let snapshot: Hex;
let web3signer: TestWeb3Signer | undefined;
const m = [0, 1, 2].map(memberAccount);
/** The fixtures' member keys: keccak256("sfr-vault-member-<i>"). */
const keyOf = (i: number): Hex => keccak256(toHex(`sfr-vault-member-${i}`));
const senders: VaultSender[] = [];
let files = 0;

beforeAll(async () => {
  chain = await startVaultChain();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-vault-sender-'));
  await foundPool(
    chain,
    charterTerms(
      chain,
      m.map((a) => ({ address: a.address })),
    ),
    m,
  );
  for (const a of m) await chain.as(a); // gas money
}, TIMEOUTS.hook);
afterAll(async () => {
  await web3signer?.close();
  await chain?.anvil.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}, TIMEOUTS.hook);
beforeEach(async () => {
  snapshot = await chain.anvil.snapshot();
});
afterEach(async () => {
  await Promise.all(senders.splice(0).map((s) => s.stop()));
  await chain.anvil.setAutomine(true);
  await chain.anvil.revert(snapshot);
});

/** A started sender for member `i` paying from `account` (default the member's own key), on its own journal unless `file` is given. */
async function senderFor(
  i: number,
  o: { account?: LocalAccount | null; file?: string; resendAfterMs?: number } = {},
): Promise<VaultSender> {
  const sender = createVaultSender({
    chain: `eip155:${chain.anvil.chainId}`,
    rpcUrl: chain.anvil.rpcUrl,
    account:
      o.account === undefined
        ? createLocalSigner({ member: m[i]!.address, privateKey: keyOf(i) }).account()
        : o.account,
    member: m[i]!.address,
    file: o.file ?? path.join(dir, `journal-${files++}.json`),
    pollMs: 20,
    ...(o.resendAfterMs === undefined ? {} : { resendAfterMs: o.resendAfterMs }),
  });
  await sender.start();
  senders.push(sender);
  return sender;
}

const nonceOf = (address: Hex) => getTransactionCount(chain.anvil.client, { address, blockTag: 'latest' });
const escrowOf = (member: Hex) =>
  readContract(chain.anvil.client, {
    address: chain.vault,
    abi: [
      {
        type: 'function',
        name: 'escrowOf',
        stateMutability: 'view',
        inputs: [{ type: 'bytes32' }, { type: 'address' }],
        outputs: [{ type: 'uint256' }],
      },
    ],
    functionName: 'escrowOf',
    args: [POOL_ID, member],
  });
/** How many of `who`'s transactions anvil's pool holds (its keys' case varies). */
async function pooled(who: Hex): Promise<number> {
  const { pending } = await chain.anvil.client.getTxpoolContent();
  const entry = Object.entries(pending).find(([a]) => a.toLowerCase() === who.toLowerCase());
  return entry === undefined ? 0 : Object.keys(entry[1]).length;
}
const mint = (to: Hex, amount: bigint) => chain.anvil.write(chain.token, testToken.abi, 'mint', [to, amount]);
const approve = (key: string, amount: bigint) => ({
  key,
  to: chain.token,
  abi: erc20Abi,
  functionName: 'approve',
  args: [chain.vault, amount],
});
const depositReq = (key: string, member: Hex, amount: bigint) => ({
  key,
  to: chain.vault,
  functionName: 'deposit',
  args: [POOL_ID, member, amount],
});

describe('the node sending account', () => {
  it('sends each key once: approve + deposit move the escrow, and a repeated key returns its receipt without a transaction', async () => {
    const s = await senderFor(0);
    const who = m[0]!.address;
    await mint(who, 5n * U);
    const before = await escrowOf(who);
    await s.send(approve('approve:1', 5n * U));
    const receipt = await s.send(depositReq('deposit:1', who, 5n * U));
    expect(receipt.status).toBe('success');
    expect(await escrowOf(who)).toBe(before + 5n * U);
    const nonce = await nonceOf(who);
    const again = await s.send(depositReq('deposit:1', who, 5n * U));
    expect(again.transactionHash).toBe(receipt.transactionHash);
    expect(await nonceOf(who)).toBe(nonce);
    expect(await escrowOf(who)).toBe(before + 5n * U);
    expect(s.transactions().map((t) => [t.key, t.state, t.nonce])).toEqual([
      ['approve:1', 'mined', nonce - 2],
      ['deposit:1', 'mined', nonce - 1],
    ]);
  });

  it('refuses by simulation before signing: the vault error by its code, nothing journaled, no nonce used', async () => {
    const s = await senderFor(1);
    const nonce = await nonceOf(m[1]!.address);
    const error = await s
      .send({
        key: 'open:x',
        to: chain.vault,
        functionName: 'openClaim',
        args: [`0x${'ab'.repeat(32)}`, `0x${'01'.repeat(32)}`, 0n, 1n],
        asMember: true,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe('VAULT_POOL_UNKNOWN');
    expect(s.transactions()).toEqual([]);
    expect(await nonceOf(m[1]!.address)).toBe(nonce);
  });

  it('re-sends a dropped transaction with the same nonce and a higher fee; exactly one is mined', async () => {
    const s = await senderFor(0, { resendAfterMs: 300 });
    const who = m[0]!.address;
    const nonce = await nonceOf(who);
    await chain.anvil.setAutomine(false);
    const sent = s.send(approve('approve:drop', 7n));
    await waitFor(
      () => s.transactions().some((t) => t.key === 'approve:drop'),
      TIMEOUTS.event,
      'the transaction journaled',
    );
    const tx = s.transactions().find((t) => t.key === 'approve:drop')!;
    await waitFor(async () => (await pooled(who)) > 0, TIMEOUTS.event, 'the transaction in the pool');
    await chain.anvil.client.dropTransaction({ hash: tx.attempts[0]!.hash });
    await waitFor(() => tx.attempts.length >= 2, TIMEOUTS.event, 'a re-sent attempt');
    await chain.anvil.setAutomine(true);
    await chain.anvil.mine(1);
    const receipt = await sent;
    expect(receipt.status).toBe('success');
    expect(tx.state).toBe('mined');
    expect(new Set(tx.attempts.map((a) => a.hash)).size).toBe(tx.attempts.length);
    expect(BigInt(tx.attempts[1]!.maxFeePerGas)).toBeGreaterThan(BigInt(tx.attempts[0]!.maxFeePerGas));
    expect(tx.attempts.map((a) => a.hash)).toContain(receipt.transactionHash);
    expect(tx.nonce).toBe(nonce);
    expect(await nonceOf(who)).toBe(nonce + 1);
  });

  it('a restarted sender resumes the journaled transaction and sends nothing twice', async () => {
    const file = path.join(dir, 'journal-restart.json');
    const who = m[2]!.address;
    const nonce = await nonceOf(who);
    await chain.anvil.setAutomine(false);
    const first = await senderFor(2, { file });
    const pending = first.send(approve('approve:restart', 9n)).catch((e: unknown) => e);
    await waitFor(async () => (await pooled(who)) > 0, TIMEOUTS.event, 'the transaction in the pool');
    await first.stop();
    expect(((await pending) as VaultError).code).toBe('VAULT_TX_PENDING');
    // the pool loses it (a node restart, a mempool flush): the journal still has the signed transaction
    await chain.anvil.client.dropTransaction({ hash: first.transactions()[0]!.attempts[0]!.hash });
    const second = await senderFor(2, { file });
    expect(second.transactions().map((t) => [t.key, t.state])).toEqual([['approve:restart', 'pending']]);
    await chain.anvil.setAutomine(true);
    await chain.anvil.mine(1);
    const receipt = await second.send(approve('approve:restart', 9n));
    expect(receipt.status).toBe('success');
    expect(await nonceOf(who)).toBe(nonce + 1);
    expect(
      await readContract(chain.anvil.client, {
        address: chain.token,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [who, chain.vault],
      }),
    ).toBe(9n);
  });

  it('a restarted sender does not re-send a journaled settle another account made meanwhile: superseded, its nonce free', async () => {
    const file = path.join(dir, 'journal-superseded.json');
    const who = m[1]!.address;
    const nonce = await nonceOf(who);
    const filedAt = await chain.nowMs();
    const s = settlementOf(
      charterTerms(
        chain,
        m.map((a) => ({ address: a.address })),
      ),
      {
        claimId: keccak256(toHex('superseded')),
        claimant: m[0]!.address,
        amount: 5n,
        filedAt,
        decidedAt: filedAt + HOUR,
      },
    );
    await chain.advance(HOUR); // past the challenge window: the settle is valid
    const signatures = await signAll(chain, s, [m[1]!, m[2]!]);
    const settleReq = {
      key: 'settle:superseded',
      to: chain.vault,
      functionName: 'settle',
      args: [s, signatures],
    };
    // Killed after journaling its settle: the signed transaction is in the journal, the chain never mined it.
    await chain.anvil.setAutomine(false);
    const first = await senderFor(1, { file });
    const pending = first.send(settleReq).catch((e: unknown) => e);
    await waitFor(async () => (await pooled(who)) > 0, TIMEOUTS.event, 'the settle in the pool');
    await first.stop();
    expect(((await pending) as VaultError).code).toBe('VAULT_TX_PENDING');
    await chain.anvil.client.dropTransaction({ hash: first.transactions()[0]!.attempts[0]!.hash });
    await chain.anvil.setAutomine(true);
    // Meanwhile another member's node settles the claim (here the default account).
    await settle({
      client: chain.anvil.client as unknown as VaultClient,
      vault: chain.vault,
      settlement: s,
      signatures,
    });
    const second = await senderFor(1, { file });
    expect(second.transactions().map((t) => [t.key, t.state])).toEqual([['settle:superseded', 'superseded']]);
    expect(await nonceOf(who)).toBe(nonce); // nothing sent: no reverted settle, no gas spent
    expect(await pooled(who)).toBe(0);
    // The key is not sent again (its simulation now fails), and the next send takes the freed nonce.
    await expect(second.send(settleReq)).rejects.toBeInstanceOf(VaultError);
    await second.send(approve('approve:after-superseded', 1n));
    expect(second.transactions().find((t) => t.key === 'approve:after-superseded')?.nonce).toBe(nonce);
    expect(await nonceOf(who)).toBe(nonce + 1);
  });

  it('a nonce used outside the node ends its transaction with VAULT_TX_REPLACED', async () => {
    const s = await senderFor(1, { resendAfterMs: 300 });
    const who = m[1]!.address;
    const nonce = await nonceOf(who);
    await chain.anvil.setAutomine(false);
    const sent = s.send(approve('approve:replaced', 5n)).catch((e: unknown) => e);
    await waitFor(async () => (await pooled(who)) > 0, TIMEOUTS.event, 'the transaction in the pool');
    await chain.anvil.client.dropTransaction({ hash: s.transactions()[0]!.attempts[0]!.hash });
    await chain.anvil.setAutomine(true);
    // the operator sends from the same account outside the node, with the same nonce
    const outside = await chain.as(m[1]!);
    await sendTransaction(outside, { to: who, value: 0n, nonce } as never);
    const error = (await sent) as VaultError;
    expect(error.code).toBe('VAULT_TX_REPLACED');
    expect(error.args[0]).toBe(nonce);
    expect(s.transactions()[0]!.state).toBe('replaced');
  });

  it('reports a transaction that reverted once mined as VAULT_TX_REVERTED with its hash', async () => {
    const s = await senderFor(1);
    const who = m[1]!.address;
    await mint(who, 3n);
    const balance = await readContract(chain.anvil.client, {
      address: chain.token,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [who],
    });
    await chain.anvil.setAutomine(false);
    const transfer = (key: string) =>
      s
        .send({
          key,
          to: chain.token,
          abi: erc20Abi,
          functionName: 'transfer',
          args: [m[0]!.address, balance],
        })
        .catch((e: unknown) => e);
    // a takes the lower nonce: b is sent only once a waits in the pool. Sent together, their
    // nonces followed whichever simulation returned first, and b could be mined first.
    const a = transfer('transfer:a');
    await waitFor(async () => (await pooled(who)) === 1, TIMEOUTS.event, 'the first transaction in the pool');
    const b = transfer('transfer:b'); // simulated against the same state (nothing mined yet): both pass
    await waitFor(async () => (await pooled(who)) === 2, TIMEOUTS.event, 'both transactions in the pool');
    await chain.anvil.setAutomine(true);
    await chain.anvil.mine(1);
    expect(await a).toMatchObject({ status: 'success' });
    const error = (await b) as VaultError;
    expect(error.code).toBe('VAULT_TX_REVERTED');
    const tx = s.transactions().find((t) => t.key === 'transfer:b')!;
    expect(tx.state).toBe('reverted');
    expect(error.args).toEqual([tx.hash]);
    expect(error.message).toContain(tx.hash);
  });

  it('a contract member without a sender cannot send; a sender that is not the member cannot open a claim', async () => {
    const none = await senderFor(0, { account: null });
    const e1 = (await none.send(approve('a', 1n)).catch((e: unknown) => e)) as VaultError;
    expect(e1.code).toBe('VAULT_NO_SENDER');
    expect(e1.message).toContain('identity.sender');
    const other = await senderFor(0, { account: m[1]! });
    const e2 = (await other
      .send({
        key: 'open',
        to: chain.vault,
        functionName: 'openClaim',
        args: [POOL_ID, `0x${'01'.repeat(32)}`, 0n, 1n],
        asMember: true,
      })
      .catch((e: unknown) => e)) as VaultError;
    expect(e2.code).toBe('VAULT_SENDER_NOT_MEMBER');
    expect(e2.args).toEqual([m[0]!.address, m[1]!.address]);
    expect(none.transactions()).toEqual([]);
    expect(other.transactions()).toEqual([]);
  });

  it('sends from a key a Web3Signer holds (the remote signer as the sending account)', async () => {
    web3signer = await startTestWeb3Signer([keyOf(2)]);
    const remote = await createRemoteSigner({ url: web3signer.url, publicKey: web3signer.publicKeys[0]! });
    const s = await senderFor(2, { account: remote.account() });
    const receipt = await s.send(approve('approve:remote', 11n));
    expect(receipt.status).toBe('success');
    expect(receipt.from.toLowerCase()).toBe(m[2]!.address.toLowerCase());
    expect(web3signer.signed).toBe(1);
  });
});
