import { readFileSync } from 'node:fs';
import { type AnvilInstance, compileSolidity, startAnvil } from '@sfr/adapter-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import {
  canonicalize,
  checkEnvelopeSchema,
  createMemorySigningJournal,
  deriveTestKey,
  type Envelope,
  signEnvelope,
  toChecksumAddress,
} from '../../src/envelope/index.js';
import type { JsonObject } from '../../src/envelope/types.js';
import { createContractSignatures, createErc1271Verifier } from '../../src/validation/contractSignatures.js';
import { createValidationPipeline } from '../../src/validation/pipeline.js';

// A minimal ERC-1271 wallet: a signature is valid when it is its owner's ECDSA signature.
const WALLET = `// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;
contract OwnerWallet {
  address public immutable owner;
  constructor(address o) { owner = o; }
  function isValidSignature(bytes32 hash, bytes calldata sig) external view returns (bytes4) {
    // The owner's 65-byte ECDSA signature first; a longer blob (a Safe's carries dynamic parts) is
    // accepted when it starts with one.
    if (sig.length < 65) return 0xffffffff;
    bytes32 r; bytes32 s; uint8 v;
    assembly {
      r := calldataload(sig.offset)
      s := calldataload(add(sig.offset, 32))
      v := byte(0, calldataload(add(sig.offset, 64)))
    }
    return ecrecover(hash, v, r, s) == owner ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
  }
}
// The same wallet whose owner changes, as a Safe's owners do.
contract MovableWallet {
  address public owner;
  constructor(address o) { owner = o; }
  function setOwner(address o) external { owner = o; }
  function isValidSignature(bytes32 hash, bytes calldata sig) external view returns (bytes4) {
    if (sig.length != 65) return 0xffffffff;
    bytes32 r; bytes32 s; uint8 v;
    assembly {
      r := calldataload(sig.offset)
      s := calldataload(add(sig.offset, 32))
      v := byte(0, calldataload(add(sig.offset, 64)))
    }
    return ecrecover(hash, v, r, s) == owner ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
  }
}
`;

const owner = deriveTestKey('sfr-test-key-2');
const stranger = deriveTestKey('sfr-test-key-3');
const T = 1_767_225_600_000;
let anvil: AnvilInstance;
let wallet: `0x${string}`;
let compiled: Awaited<ReturnType<typeof compileSolidity>>;

const pausePayload = JSON.parse(
  readFileSync(
    new URL('../../../schemas/v1/examples/RecoveryEvent/valid/aave-v3-reserve-paused.json', import.meta.url),
    'utf8',
  ),
) as JsonObject;

async function signAsWallet(
  signer: typeof owner,
  seq: number,
  payload: JsonObject = { note: 'from a Safe-like member' },
  at: { issuer?: `0x${string}`; issuedAt?: number } = {},
): Promise<Envelope> {
  const { envelope } = await signEnvelope({
    privateKey: signer.privateKey,
    guard: createMemorySigningJournal(),
    rotatedKey: true, // the key is not the issuer (a contract) itself
    unsigned: {
      sfr: '1.0',
      type: 'RecoveryEvent',
      issuer: at.issuer ?? wallet,
      seq,
      issuedAt: at.issuedAt ?? T,
      payload,
    },
  });
  return envelope;
}

describe('ERC-1271 contract members (anvil)', () => {
  beforeAll(async () => {
    compiled = await compileSolidity({ 'OwnerWallet.sol': WALLET });
    anvil = await startAnvil();
    wallet = toChecksumAddress(await anvil.deploy(compiled['OwnerWallet']!, [owner.address]));
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await anvil?.stop();
  });

  it('verifies a 1 300-byte contract signature through the node’s schema step; 1 301 bytes is refused', async () => {
    // envelope.md#signature, Envelope.schema.json since 1.0.0-draft.2: up to 1 300 bytes for a
    // contract member. The node's pipeline (with its schema step, rule 25) asks the contract.
    const pipeline = createValidationPipeline({
      limits: { maxMessageBytes: 262_144, skewMs: 10_000, maxAgeMs: 300_000 },
      contracts: createContractSignatures(new Map([[wallet, createErc1271Verifier(anvil.client)]])),
      checkSchema: checkEnvelopeSchema,
    });
    const check = (e: Envelope) =>
      pipeline.check(new TextEncoder().encode(canonicalize(e)), { source: 'gossip', from: 'test', now: T });
    const signed = await signAsWallet(owner, 10, pausePayload);
    const padded = (bytes: number): Envelope => ({
      ...signed,
      signature: `${signed.signature}${'ab'.repeat(bytes - 65)}`,
    });
    expect(await check(signed)).toMatchObject({ outcome: 'accept' });
    expect(padded(1300).signature.length).toBe(2 + 2 * 1300);
    expect(await check(padded(1300))).toMatchObject({ outcome: 'accept' });
    expect(await check(padded(1301))).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_BAD_SIGNATURE_ENCODING',
    });
  });

  it('ignores ENVELOPE_ERC1271_NOT_VALID_NOW what the contract accepted at the message’s time only; rejects what it never accepted', async () => {
    // envelope.md#erc-1271-members, rule 24: a relay cannot know the receiver's block.
    const movable = toChecksumAddress(await anvil.deploy(compiled['MovableWallet']!, [owner.address]));
    const deployedAt = (await anvil.client.getBlock()).timestamp;
    const contractsNow = () =>
      createContractSignatures(new Map([[movable, createErc1271Verifier(anvil.client)]]));
    const check = (e: Envelope) =>
      createValidationPipeline({
        limits: { maxMessageBytes: 262_144, skewMs: 10_000, maxAgeMs: 300_000 },
        contracts: contractsNow(),
      }).check(new TextEncoder().encode(canonicalize(e)), {
        source: 'gossip',
        from: 'test',
        now: e.issuedAt,
      });
    const signedThen = await signAsWallet(owner, 1, undefined, {
      issuer: movable,
      issuedAt: Number(deployedAt) * 1000,
    });
    expect(await check(signedThen)).toMatchObject({ outcome: 'accept' });
    // The owner changes in a later second than the message's.
    await anvil.increaseTime(2);
    await anvil.write(movable, compiled['MovableWallet']!.abi, 'setOwner', [stranger.address]);
    const changedAt = Number((await anvil.client.getBlock()).timestamp) * 1000;
    expect(changedAt).toBeGreaterThan(signedThen.issuedAt + 999);
    // The old owner's signature, issued before the change: a relayer checked it then; IGNORE now.
    expect(await check(signedThen)).toMatchObject({
      outcome: 'ignore',
      code: 'ENVELOPE_ERC1271_NOT_VALID_NOW',
    });
    // The old owner signing after the change: the contract never accepted it: REJECT.
    const signedAfter = await signAsWallet(owner, 2, undefined, { issuer: movable, issuedAt: changedAt });
    expect(await check(signedAfter)).toMatchObject({ outcome: 'reject', code: 'ENVELOPE_BAD_SIGNATURE' });
    // A stranger's signature dated before it became the owner is valid now: accepted.
    const stranger1 = await signAsWallet(stranger, 3, undefined, {
      issuer: movable,
      issuedAt: signedThen.issuedAt,
    });
    expect(await check(stranger1)).toMatchObject({ outcome: 'accept' });
  });

  it('accepts what the contract accepts, rejects what it refuses, ignores when no chain answers', async () => {
    const verify = (contracts: ReturnType<typeof createContractSignatures>, e: Envelope) =>
      createValidationPipeline({
        limits: { maxMessageBytes: 262_144, skewMs: 10_000, maxAgeMs: 300_000 },
        contracts,
      }).check(new TextEncoder().encode(canonicalize(e)), { source: 'gossip', from: 'test', now: T });
    const withChain = createContractSignatures(new Map([[wallet, createErc1271Verifier(anvil.client)]]));
    const good = await signAsWallet(owner, 1);
    const bad = await signAsWallet(stranger, 2);
    expect(await verify(withChain, good)).toMatchObject({ outcome: 'accept' });
    expect(await verify(withChain, bad)).toMatchObject({ outcome: 'reject', code: 'ENVELOPE_BAD_SIGNATURE' });
    const tampered = { ...good, payload: { note: 'changed' } };
    expect(await verify(withChain, tampered)).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_BAD_SIGNATURE',
    });
    // Without a chain: IGNORE, whatever the signature.
    const noChain = createContractSignatures(new Map([[wallet, undefined]]));
    expect(await verify(noChain, good)).toMatchObject({ code: 'ENVELOPE_ERC1271_UNVERIFIABLE' });
    // EOA members still go through ECDSA on the same path.
    const eoa = await signEnvelope({
      privateKey: stranger.privateKey,
      guard: createMemorySigningJournal(),
      unsigned: {
        sfr: '1.0',
        type: 'RecoveryEvent',
        issuer: stranger.address,
        seq: 1,
        issuedAt: T,
        payload: {},
      },
    });
    expect(await verify(withChain, eoa.envelope)).toMatchObject({ outcome: 'accept' });
    // A definite answer is cached; the chain going away then IGNOREs a new question, never REJECTs it.
    await anvil.stop();
    expect(await verify(withChain, good)).toMatchObject({ outcome: 'accept' });
    const fresh = await signAsWallet(owner, 3);
    expect(await verify(withChain, fresh)).toMatchObject({
      outcome: 'ignore',
      code: 'ENVELOPE_ERC1271_UNVERIFIABLE',
    });
  });
});
