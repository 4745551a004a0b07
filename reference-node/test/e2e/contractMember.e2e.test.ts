/**
 * Contract members and key rotation between two `sfr node start` processes and anvil (issue 9;
 * spec/v1/node.md#contract-members, envelope.md#erc-1271-members and #keys). A real 2-of-3 Safe
 * (@safe-global/safe-smart-account 1.5.0, ERC-1271 through its CompatibilityFallbackHandler) is a
 * member named in both nodes' configs with `contract: {chain}`, checked through `chains[]`. Its
 * envelopes, co-signed by two owners, are submitted to node 0 by a gossip peer (the Safe's relay);
 * node 0 and then node 1 ask the Safe. An EOA member without a node here rotates its key. The
 * verdicts are those of the `ingest` vectors (conformance-tests/vectors/v1/envelope/ingest).
 */

import { multiaddr } from '@multiformats/multiaddr';
import { type AnvilInstance, startAnvil } from '@sfr/adapter-kit/testing';
import { toHex, keccak256 as viemKeccak } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import {
  bytesToHex,
  canonicalize,
  createMemorySigningJournal,
  deriveTestKey,
  hashPayload,
  type MemberKey,
  messageIdOf,
  signEnvelope,
  typedEnvelopeDigest,
  type UnsignedEnvelope,
} from '../../src/envelope/index.js';
import type { JsonObject } from '../../src/envelope/types.js';
import { rotationProofText } from '../../src/keys/index.js';
import { createLibp2pNode, type SfrLibp2p } from '../../src/network/createLibp2pNode.js';
import { PeerDenylist } from '../../src/network/denylist.js';
import { createGossipsubRouter } from '../../src/network/gossip/gossipsubRouter.js';
import { fixedTopicStrings, stringifyTopic } from '../../src/network/topics.js';
import { alertPayload } from '../node/fixtures.js';
import { deploySafe, type SafeWallet } from '../settlement/safe.js';
import { api, createProcNetwork, metricValue, type ProcNetwork } from './processNetwork.js';

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
const ANNOUNCEMENTS = stringifyTopic({ kind: 'announcements' });
const owners = [0, 1, 2].map((i) => privateKeyToAccount(viemKeccak(toHex(`sfr-contract-member-owner-${i}`))));
const rotating = deriveTestKey('sfr-contract-member-rotating');
const rotatedTo = deriveTestKey('sfr-contract-member-rotated-to');

let anvil: AnvilInstance;
let safe: SafeWallet;
let net: ProcNetwork;
let relay: SfrLibp2p | undefined;
let router: ReturnType<typeof createGossipsubRouter>;

beforeAll(async () => {
  anvil = await startAnvil();
  safe = await deploySafe(anvil, owners, 2n);
  net = await createProcNetwork(2, {
    extraMembers: [
      { member: safe.address, contract: { chain: `eip155:${anvil.chainId}` } },
      rotating.address,
    ],
    chains: [{ chain: `eip155:${anvil.chainId}`, rpcUrl: anvil.rpcUrl }],
  });
  await Promise.all([net.start(0), net.start(1)]);
  relay = await createLibp2pNode({
    denylist: new PeerDenylist(),
    gossip: { topics: fixedTopicStrings(), asyncValidation: false, score: { ipColocationWeight: 0 } },
  });
  await relay.start();
  router = createGossipsubRouter(relay.services.pubsub);
  router.subscribe(ALERTS);
  router.subscribe(ANNOUNCEMENTS);
  await relay.dial(multiaddr(net.nodes[0]!.multiaddr));
  // Node 0 subscribed to both topics, as the relay sees it.
  const node0 = net.nodes[0]!.peerId;
  await waitFor(
    () => [ALERTS, ANNOUNCEMENTS].every((t) => router.getSubscribers(t).includes(node0)),
    TIMEOUTS.mesh,
    'node 0 subscribed, seen by the relay',
  );
}, TIMEOUTS.hook);

afterAll(async () => {
  await relay?.stop();
  await net?.stop();
  await anvil?.stop();
}, TIMEOUTS.hook);

const stored = async (node: number, id: string) =>
  (await api(net.nodes[node]!, 'GET', `/v1/messages/${id}`)).status === 200;

/** Submits `wire` to node 0 and waits until node 1 holds it (accepted at both, relayed between them). */
async function acceptedAtTheOtherNode(topic: string, wire: Uint8Array, what: string): Promise<void> {
  const id = messageIdOf(wire);
  await router.publish(topic, wire);
  await waitFor(() => stored(1, id), TIMEOUTS.event, `${what} stored at node 1`, 200);
  expect(await stored(0, id)).toBe(true);
}

/** Submits `wire` to node 0 and waits for node 0's REJECT with `code`; it never reaches node 1. */
async function refused(topic: string, wire: Uint8Array, code: string, what: string): Promise<void> {
  const before = await metricValue(net.nodes[0]!, 'sfr_validation_outcomes_total', {
    outcome: 'reject',
    code,
  });
  await router.publish(topic, wire);
  await waitFor(
    async () =>
      (await metricValue(net.nodes[0]!, 'sfr_validation_outcomes_total', { outcome: 'reject', code })) >
      before,
    TIMEOUTS.event,
    `${what} refused ${code} at node 0`,
    200,
  );
  const id = messageIdOf(wire);
  expect(await stored(0, id)).toBe(false);
  expect(await stored(1, id)).toBe(false);
}

const encode = (envelope: object) => new TextEncoder().encode(canonicalize(envelope));

async function safeAlert(seq: number, signers: typeof owners): Promise<Uint8Array> {
  const unsigned: UnsignedEnvelope = {
    sfr: '1.0',
    type: 'ContagionAlert',
    issuer: safe.address,
    seq,
    issuedAt: Date.now(),
    payload: alertPayload(Date.now(), seq) as JsonObject,
  };
  const digest = bytesToHex(typedEnvelopeDigest(unsigned, hashPayload(unsigned.payload)));
  return encode({ ...unsigned, signature: await safe.sign(digest, signers) });
}

async function signedBy(
  key: MemberKey,
  seq: number,
  type: 'ContagionAlert' | 'NodeAnnouncement',
  payload: JsonObject,
): Promise<Uint8Array> {
  const { wire } = await signEnvelope({
    privateKey: key.privateKey,
    guard: createMemorySigningJournal(),
    ...(key === rotating ? {} : { rotatedKey: true }),
    unsigned: { sfr: '1.0', type, issuer: rotating.address, seq, issuedAt: Date.now(), payload },
  });
  return wire;
}

/** The new key's proofs of possession (node.md#rotation rule 2), by effectiveFromSeq. */
const proofs = new Map<number, string>();

function announcement(effectiveFromSeq: number): JsonObject {
  return {
    peerId: relay!.peerId.toString(),
    member: rotating.address,
    protocol: 'e2e-rotating',
    addresses: [relay!.getMultiaddrs()[0]!.toString()],
    specVersions: ['1.0'],
    capabilities: ['relay'],
    keyRotation: {
      newKey: rotatedTo.address,
      effectiveFromSeq,
      newKeySignature: proofs.get(effectiveFromSeq)!,
    },
  };
}

it('a 2-of-3 Safe member’s messages are accepted at the other node, and refused once its owners change', async () => {
  await acceptedAtTheOtherNode(ALERTS, await safeAlert(1, [owners[0]!, owners[1]!]), 'Safe alert 1');
  // Owner 1 leaves (threshold stays 2): owners 0 and 1 no longer make a valid signature.
  await safe.removeOwner(owners[1]!.address, 2n, [owners[0]!, owners[2]!]);
  await refused(
    ALERTS,
    await safeAlert(2, [owners[0]!, owners[1]!]),
    'ENVELOPE_BAD_SIGNATURE',
    'Safe alert signed by a removed owner',
  );
  // The remaining owners keep the member publishing.
  await acceptedAtTheOtherNode(ALERTS, await safeAlert(3, [owners[0]!, owners[2]!]), 'Safe alert 3');
});

it('a member rotates its key and keeps publishing; the old key and an invalid rotation are refused', async () => {
  const rotatedAccount = privateKeyToAccount(rotatedTo.privateKey);
  for (const from of [3, 5]) {
    proofs.set(
      from,
      await rotatedAccount.signMessage({ message: rotationProofText(rotating.address, from) }),
    );
  }
  await acceptedAtTheOtherNode(
    ALERTS,
    await signedBy(rotating, 1, 'ContagionAlert', alertPayload(Date.now(), 1) as JsonObject),
    'alert by the first key',
  );
  await acceptedAtTheOtherNode(
    ANNOUNCEMENTS,
    await signedBy(rotating, 2, 'NodeAnnouncement', announcement(3)),
    'rotation to the new key from seq 3',
  );
  await acceptedAtTheOtherNode(
    ALERTS,
    await signedBy(rotatedTo, 3, 'ContagionAlert', alertPayload(Date.now(), 3) as JsonObject),
    'alert by the new key',
  );
  await refused(
    ALERTS,
    await signedBy(rotating, 4, 'ContagionAlert', alertPayload(Date.now(), 4) as JsonObject),
    'ENVELOPE_BAD_SIGNATURE',
    'alert by the old key after the rotation',
  );
  // effectiveFromSeq at the announcement's own seq (rule 27): refused.
  await refused(
    ANNOUNCEMENTS,
    await signedBy(rotatedTo, 5, 'NodeAnnouncement', announcement(5)),
    'ENVELOPE_BAD_ROTATION',
    'rotation effective at its own seq',
  );
});
