/**
 * A member that is a Safe (spec/v1/node.md#multisig-members): the node computes the envelope digest,
 * its owners co-sign the Safe's message hash of it, and the node assembles the ERC-1271 blob. Checked
 * against a real 2-of-3 Safe (@safe-global/safe-smart-account 1.5.0, deployed on anvil by the
 * settlement tests' helper): the Safe answers isValidSignature with the ERC-1271 magic value.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AnvilInstance, startAnvil } from '@sfr/adapter-kit/testing';
import { type Hex, hashTypedData, keccak256, parseAbi, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { safeHashToSign } from '../../src/cli/proposals.js';
import {
  bytesToHex,
  createMemorySigningJournal,
  hashPayload,
  type SignEnvelopeReturnType,
  typedEnvelopeDigest,
  type UnsignedEnvelope,
} from '../../src/envelope/index.js';
import {
  buildSafeSignature,
  createMultisigSigner,
  createSafeOwnersReader,
  type SigningStore,
  safeMessageHash,
} from '../../src/keys/index.js';
import { vaultStepOf } from '../../src/poolsNode/vaultSignatures.js';
import { typedDataFromJson, type VaultSettlement } from '../../src/settlement/index.js';
import { deploySafe } from '../settlement/safe.js';

const ERC1271_MAGIC = '0x1626ba7e';
const safeAbi = parseAbi([
  'function getOwners() view returns (address[])',
  'function getThreshold() view returns (uint256)',
  'function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)',
]);
const owners = [0, 1, 2].map((i) => privateKeyToAccount(keccak256(toHex(`sfr-keys-safe-owner-${i}`))));
const outsider = privateKeyToAccount(keccak256(toHex('sfr-keys-safe-outsider')));
let anvil: AnvilInstance;
let safe: `0x${string}`;

beforeAll(async () => {
  anvil = await startAnvil();
  safe = (await deploySafe(anvil, owners, 2n)).address;
}, TIMEOUTS.hook);
afterAll(async () => {
  await anvil?.stop();
}, TIMEOUTS.hook);

it('assembles the 2-of-3 Safe’s ERC-1271 signature of a vote from its owners’ signatures', async () => {
  const vote: UnsignedEnvelope = {
    sfr: '1.0',
    type: 'ClaimAttestation',
    issuer: safe,
    seq: 7,
    issuedAt: 1_765_000_000_000,
    scope: { poolId: `0x${'5f'.repeat(32)}`, epoch: 0 },
    payload: { claimId: `0x${'ab'.repeat(32)}`, round: 0, verdict: 'approve', amount: '1000000' },
  };
  const digest = bytesToHex(typedEnvelopeDigest(vote, hashPayload(vote.payload)));
  const [chainOwners, threshold] = await Promise.all([
    anvil.client.readContract({ address: safe, abi: safeAbi, functionName: 'getOwners' }),
    anvil.client.readContract({ address: safe, abi: safeAbi, functionName: 'getThreshold' }),
  ]);
  const hash = safeMessageHash({ chainId: anvil.chainId, safe, digest });
  // owner 2 signs the hash directly, owner 0 through personal_sign (a hardware wallet's usual way)
  const signatures: Hex[] = [
    await owners[2]!.sign({ hash }),
    await owners[0]!.signMessage({ message: { raw: hash } }),
  ];
  const params = { chainId: anvil.chainId, safe, digest, owners: chainOwners, threshold: Number(threshold) };
  const blob = buildSafeSignature({ ...params, signatures });
  expect(blob.length).toBe(2 + 2 * 130);
  const answer = await anvil.client.readContract({
    address: safe,
    abi: safeAbi,
    functionName: 'isValidSignature',
    args: [digest, blob],
  });
  expect(answer).toBe(ERC1271_MAGIC);

  await expect(async () =>
    buildSafeSignature({ ...params, signatures: [signatures[0]!] }),
  ).rejects.toMatchObject({
    code: 'KEY_MULTISIG_INSUFFICIENT',
    message: `cannot assemble the signature of Safe ${safe}: 1 owner signature(s), threshold 2`,
  });
  const stranger = await outsider.sign({ hash });
  expect(() => buildSafeSignature({ ...params, signatures: [signatures[0]!, stranger] })).toThrow(
    /signature 1 is not by an owner/,
  );
  expect(() => buildSafeSignature({ ...params, signatures: [signatures[0]!, signatures[0]!] })).toThrow(
    /signed twice/,
  );
});

it('a two-step proposal: the owners sign the vault digest, then the envelope that carries the Safe’s signature of it (node.md#multisig-members rule 11)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sfr-two-step-'));
  // The store's seq rules: a reserved seq is above every one handed out or journaled.
  const journal = createMemorySigningJournal();
  let seq = 0;
  let journaled = 0;
  const store: SigningStore = {
    reserve: async (slot, digest, unsigned) => {
      if (slot.kind === 'seq') journaled = Math.max(journaled, slot.seq);
      await journal.reserve(slot, digest, unsigned);
    },
    reserveSeq: async (_issuer, atLeast = 0) => (seq = Math.max(seq + 1, journaled + 1, atLeast)),
  };
  const delivered: SignEnvelopeReturnType[] = [];
  const deliver = async (signed: SignEnvelopeReturnType) => {
    delivered.push(signed);
    return { messageId: signed.messageId };
  };
  const open = async () => {
    const signer = await createMultisigSigner({
      member: safe,
      chainId: anvil.chainId,
      readOwners: createSafeOwnersReader(anvil.client as never, safe),
      dir,
      maxAgeMs: 600_000,
    });
    signer.attach(deliver, store);
    return signer;
  };
  const signer = await open();
  const settlement = {
    poolId: `0x${'5f'.repeat(32)}`,
    claimId: `0x${'ab'.repeat(32)}`,
    round: 0,
    claimant: outsider.address,
    asset: outsider.address,
    amount: 1_000_000n,
    contributions: [{ member: safe, amount: 1_000_000n }],
    epoch: 0n,
    charterHash: `0x${'cd'.repeat(32)}`,
    filedAt: 1_765_000_000_000n,
    decidedAt: 1_765_003_600_000n,
    deadline: 1_767_595_600_000n,
  } as unknown as VaultSettlement;
  const key = `settlement:${settlement.poolId}:${settlement.claimId}:0`;
  const step = vaultStepOf(key, { chainId: anvil.chainId, vault: outsider.address }, { settlement });
  const build = (s: number): UnsignedEnvelope => ({
    sfr: '1.0',
    type: 'ClaimDecision',
    issuer: safe,
    seq: s,
    issuedAt: Date.now(),
    scope: { poolId: settlement.poolId, epoch: 0 },
    payload: {
      claimId: settlement.claimId,
      outcome: 'approved',
      extensions: { 'org.example.note': { v: 1 } },
    },
  });
  const sign = async (owner: number, hash: Hex) =>
    signer.addSignature(step.digest, await owners[owner]!.sign({ hash }));

  // Step 1: the vault digest; asking again answers the same proposal, another digest for the key is refused.
  const first = await signer.propose(store, build, 0, step);
  expect(first).toMatchObject({ id: step.digest, seq: 1, status: 'pending', signatures: [] });
  expect(first.safeMessageHash).toBe(safeMessageHash({ chainId: anvil.chainId, safe, digest: step.digest }));
  expect(first.vault).toMatchObject({ key, digest: step.digest, safeMessageHash: first.safeMessageHash });
  expect(hashTypedData(typedDataFromJson(first.vault!.typedData))).toBe(step.digest);
  expect(safeHashToSign(first)).toBe(first.safeMessageHash); // what `sfr proposals sign` signs
  expect((await signer.propose(store, build, 0, step)).seq).toBe(1);
  const other = vaultStepOf(
    key,
    { chainId: anvil.chainId, vault: outsider.address },
    {
      settlement: { ...settlement, amount: 999_999n },
    },
  );
  await expect(signer.propose(store, build, 0, other)).rejects.toMatchObject({
    code: 'ENVELOPE_SLOT_CONFLICT',
  });
  expect(seq).toBe(1);

  await sign(0, first.safeMessageHash as Hex);
  // Meanwhile the node journaled a later seq (another proposal): the envelope takes a fresh one.
  await store.reserve({ kind: 'seq', issuer: safe, seq: 5 }, `0x${'11'.repeat(32)}`);
  const second = await sign(2, first.safeMessageHash as Hex);
  // Step 2: the Safe's signature of the vault digest is in the payload, and the Safe accepts it on chain.
  const vaultSig = second.vault!.signature as Hex;
  expect(second.vault!.signatures.map((s) => s.owner).sort()).toEqual(
    [owners[0]!.address, owners[2]!.address].sort(),
  );
  const valid = (digest: Hex, signature: Hex) =>
    anvil.client.readContract({
      address: safe,
      abi: safeAbi,
      functionName: 'isValidSignature',
      args: [digest, signature],
    });
  expect(await valid(step.digest, vaultSig)).toBe(ERC1271_MAGIC);
  const envelope = second.envelope as unknown as UnsignedEnvelope;
  expect(envelope.payload).toEqual({
    claimId: settlement.claimId,
    outcome: 'approved',
    extensions: { 'org.example.note': { v: 1 }, 'sfr.settlement': { signature: vaultSig } },
  });
  const envelopeDigest = bytesToHex(typedEnvelopeDigest(envelope, hashPayload(envelope.payload)));
  expect(second).toMatchObject({ id: step.digest, seq: 6, status: 'pending', signatures: [] });
  expect(envelope.seq).toBe(6);
  expect(second.safeMessageHash).toBe(
    safeMessageHash({ chainId: anvil.chainId, safe, digest: envelopeDigest }),
  );
  expect(safeHashToSign(second)).toBe(second.safeMessageHash);
  expect(delivered).toHaveLength(0);

  await sign(1, second.safeMessageHash as Hex);
  const published = await sign(2, second.safeMessageHash as Hex);
  expect(published.status).toBe('published');
  expect(delivered).toHaveLength(1);
  expect(delivered[0]!.envelope.payload).toEqual(envelope.payload);
  expect(await valid(envelopeDigest, delivered[0]!.envelope.signature as Hex)).toBe(ERC1271_MAGIC);

  // A restart holds the proposal: asking again answers it, nothing is proposed or signed twice.
  signer.close();
  const again = await open();
  expect(await again.propose(store, build, 0, step)).toMatchObject({ id: step.digest, status: 'published' });
  expect(seq).toBe(6);
  again.close();
  await rm(dir, { recursive: true, force: true });
});
