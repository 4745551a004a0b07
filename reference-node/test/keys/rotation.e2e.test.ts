/**
 * Key rotation (spec/v1/node.md#rotation, envelope.md#keys) between two real nodes on loopback: the
 * node publishes a NodeAnnouncement whose keyRotation names the new key from the next seq, with the
 * new key's proof of possession, signed by the old key; the other node accepts it, then accepts what
 * the new key signs and refuses what the old key signs at a seq the rotation governs.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import {
  createMemorySigningJournal,
  deriveTestKey,
  type Hex,
  hexToBytes,
  keccak256,
  recoverSigner,
  signEnvelope,
} from '../../src/envelope/index.js';
import { rotateMemberKey, rotationProofText } from '../../src/keys/index.js';
import { stringifyTopic } from '../../src/network/topics.js';
import { runValidation } from '../../src/validation/gossipAdapter.js';
import { alertPayload, startNetwork, type TestNetwork, waitForMesh } from '../node/fixtures.js';

let net: TestNetwork;
beforeAll(async () => {
  net = await startNetwork({ n: 2 });
  await waitForMesh(net.nodes, stringifyTopic({ kind: 'contagion_alerts' }));
}, TIMEOUTS.hook);
afterAll(async () => {
  await net?.stop();
}, TIMEOUTS.hook);

it('peers accept the rotated key and refuse the old one from effectiveFromSeq on', async () => {
  const [a, b] = net.nodes as [NonNullable<(typeof net.nodes)[0]>, NonNullable<(typeof net.nodes)[1]>];
  const oldKey = net.keys[0]!;
  const newKey = deriveTestKey('sfr-keys-rotation-new');
  await a.publish('ContagionAlert', alertPayload(Date.now(), 1));

  await expect(rotateMemberKey({ node: a, newKey: oldKey, protocol: 'aave-v3' })).rejects.toMatchObject({
    code: 'KEY_ROTATION_REFUSED',
  });
  const r = await rotateMemberKey({ node: a, newKey, protocol: 'aave-v3' });
  expect(r.effectiveFromSeq).toBe(r.announcement.seq + 1);
  const rotation = (r.announcement.envelope.payload as { keyRotation: Record<string, unknown> }).keyRotation;
  expect(rotation).toMatchObject({ newKey: newKey.address, effectiveFromSeq: r.effectiveFromSeq });
  // the proof of possession: EIP-191 over `sfr-key-rotation:<member>:<effectiveFromSeq>` by the new key
  const text = new TextEncoder().encode(rotationProofText(oldKey.address, r.effectiveFromSeq));
  const prefixed = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${text.length}`);
  const proofDigest = keccak256(new Uint8Array([...prefixed, ...text]));
  expect(recoverSigner(proofDigest, hexToBytes(rotation['newKeySignature'] as Hex)!)).toBe(
    newKey.address.toLowerCase(),
  );
  expect(a.signer.key).toBe(newKey.address);
  await waitFor(
    async () => (await b.store.getMessage(r.announcement.messageId)) !== undefined,
    TIMEOUTS.event,
    'the rotation at the other node',
  );

  // signed by the new key, still issued by the member: accepted by the other node
  const next = await a.publish('ContagionAlert', alertPayload(Date.now(), 2));
  expect([next.seq, next.envelope.issuer]).toEqual([r.effectiveFromSeq, oldKey.address]);
  await waitFor(
    async () => (await b.store.getMessage(next.messageId)) !== undefined,
    TIMEOUTS.event,
    'the alert signed by the new key at the other node',
  );

  // the old key at a seq the rotation governs: refused
  const forged = await signEnvelope({
    privateKey: oldKey.privateKey,
    guard: createMemorySigningJournal(),
    unsigned: {
      sfr: '1.0',
      type: 'ContagionAlert',
      issuer: oldKey.address,
      seq: next.seq + 1,
      issuedAt: Date.now(),
      payload: alertPayload(Date.now(), 3) as never,
    },
  });
  const verdict = await runValidation(b.pipeline, forged.wire, {
    source: 'gossip',
    topic: stringifyTopic({ kind: 'contagion_alerts' }),
    from: a.peerId,
  });
  expect(verdict).toMatchObject({ outcome: 'reject', code: 'ENVELOPE_BAD_SIGNATURE' });
});
