/**
 * A member that is a Safe (spec/v1/node.md#multisig-members): the node computes the envelope digest,
 * its owners co-sign the Safe's message hash of it, and the node assembles the ERC-1271 blob. Checked
 * against a real 2-of-3 Safe (@safe-global/safe-smart-account 1.5.0, deployed on anvil by the
 * settlement tests' helper): the Safe answers isValidSignature with the ERC-1271 magic value.
 */
import { type AnvilInstance, startAnvil } from '@sfr/adapter-kit/testing';
import { type Hex, keccak256, parseAbi, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import {
  bytesToHex,
  hashPayload,
  typedEnvelopeDigest,
  type UnsignedEnvelope,
} from '../../src/envelope/index.js';
import { buildSafeSignature, safeMessageHash } from '../../src/keys/index.js';
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
