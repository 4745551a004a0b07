/**
 * Contract members and key rotation between two `sfr node start` processes and anvil (issue 9;
 * spec/v1/node.md#contract-members, envelope.md#erc-1271-members and #keys). A real 2-of-3 Safe
 * (@safe-global/safe-smart-account 1.5.0, ERC-1271 through its CompatibilityFallbackHandler) is a
 * member named in both nodes' configs with `contract: {chain}`, checked through `chains[]`. Its
 * envelopes, co-signed by two owners, are submitted to node 0 by a gossip peer (the Safe's relay);
 * node 0 and then node 1 ask the Safe. An EOA member without a node here rotates its key. The
 * verdicts are those of the `ingest` vectors (conformance-tests/vectors/v1/envelope/ingest).
 * A third node runs AS the Safe (node.md#multisig-members, `identity.contract`): what it publishes is a
 * proposal its owners co-sign with `sfr proposals sign`, published once the threshold is met; its pool
 * writes answer 202 with the proposal too, and an idempotency key names one proposal. Its adapter host
 * (the real pausable adapter on a PausableMock) keeps polling while an event's proposal waits for the
 * owners (adapters.md#multisig-members). With no `identity.sender`, the Safe's node moves no money on a
 * vault it follows: deposits, withdrawals and settlements answer 409 `VAULT_NO_SENDER` saying what to
 * configure, and `sfr pool deposit` prints it (settlement.md#sending, #escrow-from-the-node).
 */

import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { multiaddr } from '@multiformats/multiaddr';
import {
  type AnvilInstance,
  type CompiledContract,
  compileSolidityFiles,
  startAnvil,
} from '@sfr/adapter-kit/testing';
import type { PoolCharter } from '@sfr/schemas/types';
import { erc20Abi, type Hex, toHex, keccak256 as viemKeccak } from 'viem';
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
  saveMemberKey,
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
import {
  deployVault,
  readBalances,
  testToken,
  toVaultCharter,
  type VaultClient,
} from '../../src/settlement/index.js';
import { alertPayload } from '../node/fixtures.js';
import { charterPayload, POOL_ID } from '../pools/fixtures.js';
import { charterFor, claimFor, U, USDC } from '../poolsNode/poolHarness.js';
import { EVIDENCE } from '../poolsNode/twoNodePool.js';
import { fundEscrow, type VaultChain } from '../settlement/fixtures.js';
import { deploySafe, type SafeWallet } from '../settlement/safe.js';
import {
  api,
  createProcNetwork,
  type Json,
  metricValue,
  type ProcNetwork,
  type ProcNode,
  waitForTopicMesh,
} from './processNetwork.js';

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
const ANNOUNCEMENTS = stringifyTopic({ kind: 'announcements' });
const owners = [0, 1, 2].map((i) => privateKeyToAccount(viemKeccak(toHex(`sfr-contract-member-owner-${i}`))));
/** The same owners' keys as files, for `sfr proposals sign --key`. */
const ownerKeys = [0, 1, 2].map((i) => deriveTestKey(`sfr-contract-member-owner-${i}`));
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const rotating = deriveTestKey('sfr-contract-member-rotating');
const rotatedTo = deriveTestKey('sfr-contract-member-rotated-to');

let anvil: AnvilInstance;
let safe: SafeWallet;
/** A PausableMock the Safe's node watches with the pausable adapter (protocol `e2e-safe`, its own). */
let pausable: { mock: CompiledContract; address: `0x${string}` };
let net: ProcNetwork;
let relay: SfrLibp2p | undefined;
let router: ReturnType<typeof createGossipsubRouter>;

beforeAll(async () => {
  anvil = await startAnvil();
  safe = await deploySafe(anvil, owners, 2n);
  const mock = (
    await compileSolidityFiles(path.resolve(import.meta.dirname, '../../../adapters/pausable/contracts'), [
      'PausableMock.sol',
    ])
  ).PausableMock!;
  pausable = { mock, address: await anvil.deploy(mock) };
  const chain = `eip155:${anvil.chainId}`;
  net = await createProcNetwork(3, {
    extraMembers: [{ member: safe.address, contract: { chain } }, rotating.address],
    // One confirmation: the vault followers of the Safe-member pool (last test) read each block at once.
    chains: [{ chain, rpcUrl: anvil.rpcUrl, confirmations: 1 }],
    // Node 2 is the Safe's own node: no key, its owners co-sign what it proposes.
    configure: (node) =>
      node.index === 2
        ? {
            identity: { keyFile: 'safe.json', member: safe.address, protocol: 'e2e-safe' },
            adapters: [
              {
                package: '@sfr/adapter-pausable',
                config: {
                  chainId: anvil.chainId,
                  protocol: 'e2e-safe',
                  contracts: [{ address: pausable.address, name: 'vault' }],
                  confirmations: 1,
                  pollIntervalMs: 200,
                },
              },
            ],
          }
        : {},
  });
  await writeFile(
    path.join(net.nodes[2]!.dir, 'safe.json'),
    JSON.stringify({ kind: 'sfr-multisig', member: safe.address, chain }),
    { mode: 0o600 },
  );
  await Promise.all([net.start(0), net.start(1), net.start(2)]);
  await Promise.all(ownerKeys.map((k, i) => saveMemberKey(path.join(net.root, `owner${i}.key`), k)));
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

async function safeAlert(seq: number, signers: typeof owners, issuedAt = Date.now()): Promise<Uint8Array> {
  const unsigned: UnsignedEnvelope = {
    sfr: '1.0',
    type: 'ContagionAlert',
    issuer: safe.address,
    seq,
    issuedAt,
    payload: alertPayload(issuedAt, seq) as JsonObject,
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

/** Node 0's gossip score of the test's relay peer (GET /v1/peers). */
const relayScore = async (): Promise<number> =>
  ((await api(net.nodes[0]!, 'GET', '/v1/peers')).json.peers as { peerId: string; score: number }[]).find(
    (p) => p.peerId === relay!.peerId.toString(),
  )!.score;

/** The latest block's time, ms: a message dated from it is judged at that block (envelope.md#erc-1271-members). */
const chainNow = async () => Number((await anvil.client.getBlock()).timestamp) * 1000;

it('a 2-of-3 Safe member’s messages are accepted at the other node, and refused once its owners change', async () => {
  const first = await safeAlert(1, [owners[0]!, owners[1]!]);
  await acceptedAtTheOtherNode(ALERTS, first, 'Safe alert 1');
  await waitFor(
    () => stored(2, messageIdOf(first)),
    TIMEOUTS.event,
    'Safe alert 1 stored at the Safe’s node',
    200,
  );
  // Signed by owners 0 and 1 before the change, relayed to node 0 only after it (a late receiver).
  const late = await safeAlert(10, [owners[0]!, owners[1]!], await chainNow());
  // Owner 1 leaves (threshold stays 2), in a later second than `late`: owners 0 and 1 no longer make
  // a valid signature.
  await anvil.increaseTime(2);
  await safe.removeOwner(owners[1]!.address, 2n, [owners[0]!, owners[2]!]);
  const removedAt = await chainNow();
  // envelope.md rule 24: node 0 asks the Safe at the block of `late`'s time, where it was valid, and
  // IGNOREs it ENVELOPE_ERC1271_NOT_VALID_NOW: not stored, and the relay that sent it keeps its score
  // (a REJECT costs -100 at once).
  const scoreBefore = await relayScore();
  const code = 'ENVELOPE_ERC1271_NOT_VALID_NOW';
  const ignoredBefore = await metricValue(net.nodes[0]!, 'sfr_validation_outcomes_total', {
    outcome: 'ignore',
    code,
  });
  await router.publish(ALERTS, late);
  await waitFor(
    async () =>
      (await metricValue(net.nodes[0]!, 'sfr_validation_outcomes_total', { outcome: 'ignore', code })) >
      ignoredBefore,
    TIMEOUTS.event,
    `the late Safe alert ignored ${code} at node 0`,
    200,
  );
  expect(await stored(0, messageIdOf(late))).toBe(false);
  expect(await relayScore()).toBeGreaterThan(scoreBefore - 50);
  // Signed by the removed owner after the change (at or after the removal's block): REJECT.
  await refused(
    ALERTS,
    await safeAlert(2, [owners[0]!, owners[1]!], Math.max(Date.now(), removedAt)),
    'ENVELOPE_BAD_SIGNATURE',
    'Safe alert signed by a removed owner',
  );
  // The remaining owners keep the member publishing.
  await acceptedAtTheOtherNode(
    ALERTS,
    await safeAlert(3, [owners[0]!, owners[2]!], Math.max(Date.now(), removedAt)),
    'Safe alert 3',
  );
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

/** `sfr proposals sign <id> --key owner<i>.key` against the Safe's node: exit code, stdout, stderr. */
async function ownerSigns(
  id: string,
  owner: number,
  extra: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const node = net.nodes[2]!;
  const { SFR_TEST_TIMEOUT_SCALE: _scale, ...env } = process.env;
  const args = [
    ...[CLI, 'proposals', 'sign', id, '--key', path.join(net.root, `owner${owner}.key`)],
    ...['--api', node.apiUrl, '--token-file', path.join(node.dir, 'http.token'), '--json', ...extra],
  ];
  try {
    const r = await promisify(execFile)(process.execPath, args, { env, timeout: TIMEOUTS.event });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Owner `i` signs proposal `p`'s Safe message hash here and posts it (the CLI's path, without a process). */
const cosign = async (p: Json, i: number) =>
  api(net.nodes[2]!, 'POST', `/v1/proposals/${p.id}/signatures`, {
    signature: await owners[i]!.sign({ hash: p.safeMessageHash }),
  });

const proposal = async (id: string) =>
  ((await api(net.nodes[2]!, 'GET', '/v1/proposals')).json.proposals as { id: string }[]).find(
    (p) => p.id === id,
  ) as Json;

const propose = async (n: number): Promise<Json> => {
  const r = await api(net.nodes[2]!, 'POST', '/v1/alerts', { payload: alertPayload(Date.now(), n) });
  expect(r.status, JSON.stringify(r.json)).toBe(202);
  return r.json;
};

/**
 * A proposal whose `issuedAt` leaves the time window (the default `time.maxAgeMs`, 300 s) `inMs` from
 * now. A request slowed past that margin is refused ENVELOPE_TOO_OLD before anything is reserved: retried.
 */
async function proposeExpiring(inMs: number): Promise<Json> {
  for (let attempt = 0; ; attempt++) {
    const issuedAt = Date.now() - 300_000 + inMs;
    const r = await api(net.nodes[2]!, 'POST', '/v1/alerts', {
      payload: alertPayload(issuedAt, 200 + attempt),
      issuedAt,
    });
    if (r.status === 202) return r.json;
    expect(attempt < 3 && r.json.code === 'ENVELOPE_TOO_OLD', JSON.stringify(r.json)).toBe(true);
  }
}

it('a node running as the Safe proposes; its owners co-sign with `sfr proposals sign`; the other nodes accept it', async () => {
  // After the first test: owners 0 and 2, threshold 2; owner 1 was removed.
  const safeNode = net.nodes[2]!;
  await waitFor(
    async () =>
      ((await api(safeNode, 'GET', '/v1/status')).json.topics as { topic: string; meshPeers: number }[]).some(
        (t) => t.topic === ALERTS && t.meshPeers >= 2,
      ),
    TIMEOUTS.mesh,
    "the Safe's node in the alerts mesh",
    200,
  );

  const first = await propose(201);
  expect(first).toMatchObject({ status: 'pending', threshold: 2, signatures: [] });
  expect(first.chain).toBe(`eip155:${anvil.chainId}`);
  const signed0 = await ownerSigns(first.id, 0);
  expect(signed0.code, signed0.stderr).toBe(0);
  // One of two: listed, not published.
  expect(await proposal(first.id)).toMatchObject({
    status: 'pending',
    signatures: [{ owner: owners[0]!.address }],
  });
  const id = messageIdOf(
    encode({ ...first.envelope, signature: await safe.sign(first.id, [owners[0]!, owners[2]!]) }),
  );
  expect(await stored(2, id)).toBe(false);

  // Owner 1 is no longer an owner; owner 0 twice; a malformed signature; an unknown proposal.
  const removed = await ownerSigns(first.id, 1);
  expect(removed.code).toBe(1);
  expect(removed.stderr).toContain('KEY_PROPOSAL_NOT_OWNER');
  expect(removed.stderr).toContain(
    '; field /signature; expected a signature of safeMessageHash by a current owner',
  );
  expect(await cosign(first, 0)).toMatchObject({
    status: 422,
    json: { code: 'KEY_PROPOSAL_DUPLICATE_OWNER' },
  });
  const badV = `${(await owners[2]!.sign({ hash: first.safeMessageHash })).slice(0, -2)}1d`;
  expect(
    await api(safeNode, 'POST', `/v1/proposals/${first.id}/signatures`, { signature: badV }),
  ).toMatchObject({ status: 422, json: { code: 'KEY_PROPOSAL_BAD_SIGNATURE' } });
  expect(
    await api(safeNode, 'POST', `/v1/proposals/0x${'ab'.repeat(32)}/signatures`, { signature: badV }),
  ).toMatchObject({ status: 404, json: { code: 'KEY_PROPOSAL_UNKNOWN' } });

  // The second owner (EIP-191 form): published, and accepted at the other nodes through ERC-1271,
  // after the expired proposal's gap.
  const signed2 = await ownerSigns(first.id, 2, ['--eth-sign']);
  expect(signed2.code, signed2.stderr).toBe(0);
  const published = JSON.parse(signed2.stdout) as Json;
  expect(published.status).toBe('published');
  await waitFor(() => stored(1, published.messageId), TIMEOUTS.event, 'co-signed alert at node 1', 200);
  expect(await stored(0, published.messageId)).toBe(true);
  expect(await cosign(first, 0)).toMatchObject({ status: 409, json: { code: 'KEY_PROPOSAL_CLOSED' } });

  // A proposal whose envelope is about to leave the time window expires unpublished: its seq is a gap,
  // and the next proposal, published, is accepted after it.
  const stale = await proposeExpiring(3_000);
  await waitFor(async () => (await proposal(stale.id)).status === 'expired', TIMEOUTS.event, 'expired', 200);
  expect(await cosign(stale, 0)).toMatchObject({ status: 409, json: { code: 'KEY_PROPOSAL_EXPIRED' } });

  // The owners change: owner 2 signs, then leaves (threshold 1). Its signature no longer counts, and
  // owner 0 alone publishes; owner 2 is refused on the next proposal.
  const second = await propose(202);
  expect(second.seq).toBe(stale.seq + 1);
  expect((await cosign(second, 2)).json).toMatchObject({ status: 'pending', signatures: [{}] });
  await safe.removeOwner(owners[2]!.address, 1n, [owners[0]!, owners[2]!]);
  const afterChange = (await cosign(second, 0)).json;
  expect(afterChange).toMatchObject({
    status: 'published',
    threshold: 1,
    signatures: [{ owner: owners[0]!.address }],
  });
  await waitFor(
    () => stored(1, afterChange.messageId),
    TIMEOUTS.event,
    'alert after the change at node 1',
    200,
  );
  const third = await propose(203);
  expect(await cosign(third, 2)).toMatchObject({ status: 422, json: { code: 'KEY_PROPOSAL_NOT_OWNER' } });
});

it('the Safe’s node answers a pool write 202 with its proposal, accepted at another node once co-signed; an idempotency key names one proposal', async () => {
  // After the test above: owner 0 alone, threshold 1.
  const safeNode = net.nodes[2]!;
  const charter = charterPayload([], {
    members: [net.nodes[0]!.key.address, net.nodes[1]!.key.address, safe.address].map((member, i) => ({
      member,
      protocol: `e2e-pool-${i}`,
      weight: 1,
      commitments: [{ asset: charterPayload([]).payoutAssets[0]!, value: '1000000000' }],
    })),
  });
  const r = await api(safeNode, 'POST', `/v1/pools/${POOL_ID}/charter`, charter);
  expect(r.status, JSON.stringify(r.json)).toBe(202);
  expect(r.json).toMatchObject({
    status: 'pending',
    signatures: [],
    envelope: { type: 'PoolCharter', scope: { poolId: POOL_ID, epoch: 0 } },
  });
  // Its status URL (the 202's Location).
  expect(await api(safeNode, 'GET', `/v1/proposals/${r.json.id}`)).toMatchObject({
    status: 200,
    json: { id: r.json.id, status: 'pending' },
  });
  const done = (await cosign(r.json, 0)).json;
  expect(done).toMatchObject({ status: 'published' });
  // The Safe's node nudges its peers, which catch the charter up from it (pools.md#founding).
  await waitFor(() => stored(1, done.messageId), TIMEOUTS.event, 'the Safe’s charter at node 1', 200);

  // api.md#idempotency on a multisig member's node: the same key and body → the same proposal; another
  // body → 409, proposing nothing.
  const body = { payload: alertPayload(Date.now(), 204), idempotencyKey: 'safe-alert-204' };
  const once = await api(safeNode, 'POST', '/v1/alerts', body);
  expect(once.status, JSON.stringify(once.json)).toBe(202);
  const again = await api(safeNode, 'POST', '/v1/alerts', body);
  expect(again).toMatchObject({ status: 202, json: { id: once.json.id, seq: once.json.seq } });
  const other = await api(safeNode, 'POST', '/v1/alerts', {
    ...body,
    payload: alertPayload(Date.now(), 205),
  });
  expect(other).toMatchObject({
    status: 409,
    json: { code: 'API_IDEMPOTENCY_CONFLICT', field: 'idempotencyKey' },
  });
  const listed = (await api(safeNode, 'GET', '/v1/proposals')).json.proposals as { seq: number }[];
  expect(listed.filter((p) => p.seq > once.json.seq)).toEqual([]);
});

it('the Safe’s adapter host keeps polling while an event’s proposal waits for the owners; both publish once when signed', async () => {
  // After the tests above: owners 0 and 2, threshold 2.
  const safeNode = net.nodes[2]!;
  const eventProposals = async () =>
    ((await api(safeNode, 'GET', '/v1/proposals')).json.proposals as Json[]).filter(
      (p) => p.envelope.type === 'RecoveryEvent',
    );
  const proposalOf = async (kind: string) =>
    (await eventProposals()).find((p) => p.envelope.payload.kind === kind);
  // The pause is mined, then one block on top (confirmations 1): the adapter sees it and the host proposes it.
  await anvil.write(pausable.address, pausable.mock.abi, 'pause');
  await anvil.mine(1);
  await waitFor(
    async () => (await proposalOf('emergency_pause')) !== undefined,
    TIMEOUTS.event,
    'pause proposed',
    200,
  );
  const pause = (await proposalOf('emergency_pause'))!;
  expect(pause).toMatchObject({ status: 'pending', signatures: [] });
  // While the first waits for the owners, the host still polls: the unpause is seen and proposed too.
  await anvil.write(pausable.address, pausable.mock.abi, 'unpause');
  await anvil.mine(1);
  await waitFor(
    async () => (await proposalOf('resume')) !== undefined,
    TIMEOUTS.event,
    'resume proposed while the pause waits',
    200,
  );
  const resume = (await proposalOf('resume'))!;
  expect((await proposal(pause.id)).status).toBe('pending');

  // The owners sign both (owner 0, then owner 2 while the threshold is not met: the tests above lowered
  // it to 1): each is published once, and the other nodes accept it.
  for (const p of [pause, resume]) {
    for (const i of [0, 2]) {
      if ((await proposal(p.id)).status !== 'pending') break;
      const r = await cosign(p, i);
      expect(r.status, `owner ${i} on ${p.envelope.payload.kind}: ${JSON.stringify(r.json)}`).toBeLessThan(
        300,
      );
    }
  }
  await waitFor(
    async () =>
      (await proposal(pause.id)).status === 'published' && (await proposal(resume.id)).status === 'published',
    TIMEOUTS.event,
    'both proposals published',
    200,
  );
  const ids = [(await proposal(pause.id)).messageId, (await proposal(resume.id)).messageId] as string[];
  for (const id of ids)
    await waitFor(() => stored(1, id), TIMEOUTS.event, `event ${id} stored at node 1`, 200);
  // Exactly once: the host proposed each output one time, and further polls propose nothing new.
  await anvil.mine(2);
  const events = await eventProposals();
  expect(events.map((p) => p.envelope.payload.kind).sort()).toEqual(['emergency_pause', 'resume']);
  const held = (await api(net.nodes[1]!, 'GET', `/v1/messages?type=RecoveryEvent&issuer=${safe.address}`))
    .json.items as { messageId: string }[];
  expect(held.map((m) => m.messageId).sort()).toEqual([...ids].sort());
});

it('the Safe’s node, with no identity.sender, moves no money on a vault it follows: 409 VAULT_NO_SENDER saying what to configure, printed by `sfr pool deposit`', async () => {
  // settlement.md#sending: a contract member's node without identity.sender sends nothing. A pool of
  // node 1 and the Safe settled at a real vault on anvil (a real ERC-20 its unit asset), founded by
  // the Safe (owner 0 co-signs; after the tests above its threshold is 1, or owner 2 completes it) and
  // signed by node 1: adopted at the Safe's node, which follows the vault but has no account to send from.
  const safeNode = net.nodes[2]!;
  const chain = `eip155:${anvil.chainId}`;
  const vault = await deployVault({ client: anvil.client as unknown as VaultClient });
  const token = await anvil.deploy(testToken, ['USD Coin (test)', 'USDC', 6]);
  const poolId = `0x${'5e'.repeat(32)}` as Hex;
  const onVault = <T>(v: T): T => JSON.parse(JSON.stringify(v).replaceAll(USDC.address, token));
  const charter = onVault(
    charterFor([net.nodes[1]!.key.address, safe.address], Date.now(), {
      poolId,
      quorum: { weightBps: 5000, minMembers: 1 },
      settlement: { chain, vault },
    }),
  );
  const founded = await api(safeNode, 'POST', `/v1/pools/${poolId}/charter`, charter);
  expect(founded.status, JSON.stringify(founded.json)).toBe(202);
  // The vault is on the Safe's chain: a two-step proposal, the terms then the charter (node.md#proposals rule 11).
  let text = founded.json;
  for (const i of [0, 2, 0, 2])
    if (text.status === 'pending') {
      const r = await cosign(text, i);
      if (r.status === 200) text = r.json;
    }
  expect(text.status).toBe('published');
  await waitFor(() => stored(1, text.messageId), TIMEOUTS.event, 'the Safe’s charter at node 1', 200);
  const signed = await api(net.nodes[1]!, 'POST', `/v1/pools/${poolId}/charter`, charter);
  expect(signed.status, JSON.stringify(signed.json)).toBe(201);
  const view = async () => (await api(safeNode, 'GET', `/v1/pools/${poolId}`)).json;
  await waitFor(
    async () => {
      const v = await view();
      return v.onChain?.syncedToBlock != null && v.onChain.asset !== null;
    },
    TIMEOUTS.event,
    'the pool adopted at the Safe’s node and its vault read',
    200,
  );
  // Founded first by the Safe, then signed by node 1: node 1 adopts it too, holding the Safe's copy it
  // took part on (pools.md#founding rule 3; it rebuilt the pool without it and showed it POOL_NOT_FOUNDED).
  await waitFor(
    async () => {
      const v = (await api(net.nodes[1]!, 'GET', `/v1/pools/${poolId}`)).json;
      return v.epochs?.length === 1 && v.founding[0].complete === true && v.refused.length === 0;
    },
    TIMEOUTS.event,
    'the pool adopted at node 1 with the Safe’s signature',
    200,
  );
  const { onChain } = await view();
  expect(onChain).toMatchObject({ asset: { symbol: 'USDC', decimals: 6 }, error: null });
  expect(String(onChain.vault).toLowerCase()).toBe(vault.toLowerCase());

  const expected = `identity.sender in the node config: a key that pays for the vault transactions of the contract member ${safe.address} (settlement.md#sending)`;
  const noSender = { status: 409, json: { code: 'VAULT_NO_SENDER', expected } };
  for (const route of ['deposits', 'withdrawals'])
    expect(await api(safeNode, 'POST', `/v1/pools/${poolId}/${route}`, { amount: '5000000' })).toMatchObject(
      noSender,
    );
  // The Safe files a claim (its owners co-sign it; its evidence need not hold: it is never settled):
  // its operator's settle request is refused the same way.
  let filed = (
    await api(
      safeNode,
      'POST',
      `/v1/pools/${poolId}/claims`,
      onVault({ ...claimFor(EVIDENCE, 'incident-no-sender', 5n * U, Date.now()), poolId }),
    )
  ).json;
  for (const i of [0, 2]) if (filed.status === 'pending') filed = (await cosign(filed, i)).json;
  expect(filed.status, JSON.stringify(filed)).toBe('published');
  const claimId = filed.messageId as string;
  expect(await api(safeNode, 'POST', `/v1/pools/${poolId}/claims/${claimId}/settle`, {})).toMatchObject(
    noSender,
  );

  // The operator's CLI prints the code and what to configure; nothing was sent from any account.
  const { SFR_TEST_TIMEOUT_SCALE: _scale, ...env } = process.env;
  const deposit = await promisify(execFile)(
    process.execPath,
    [
      CLI,
      'pool',
      'deposit',
      poolId,
      '5',
      '--api',
      safeNode.apiUrl,
      '--token-file',
      path.join(safeNode.dir, 'http.token'),
    ],
    { env, timeout: TIMEOUTS.event },
  ).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
  );
  expect(deposit.code).toBe(1);
  expect(deposit.stderr).toContain('VAULT_NO_SENDER');
  expect(deposit.stderr).toContain(`; expected ${expected}`);
  expect(((await view()).onChain.members as Json[]).map((m) => m.deposited)).toEqual(['0', '0']);
});

it('a pool with the Safe as a member is founded through the nodes and settles a claim it approved with its signature counted on chain (settlement.md#counting-vault-signatures, node.md#proposals rule 11)', async () => {
  // After the tests above the Safe is owner 0 alone (threshold 1): owners 1 and 2 come back, 2 of 3.
  await safe.addOwner(owners[1]!.address, 1n, [owners[0]!]);
  await safe.addOwner(owners[2]!.address, 2n, [owners[0]!]);
  const vaultChain = {
    anvil,
    vault: await deployVault({ client: anvil.client as unknown as VaultClient }),
    token: await anvil.deploy(testToken, ['USD Coin (test)', 'USDC', 6]),
  } as VaultChain;
  const chainId = `eip155:${anvil.chainId}`;
  const poolId = `0x${'5a'.repeat(32)}` as Hex;
  const [n0, n1, safeNode] = net.nodes as [ProcNode, ProcNode, ProcNode];
  // The EOA members' nodes pay gas from their own keys; the Safe's node sends nothing.
  for (const n of [n0, n1])
    await anvil.client.setBalance({ address: n.key.address as Hex, value: 10n ** 20n });
  const charter = JSON.parse(
    JSON.stringify(
      charterFor([n0.key.address, n1.key.address, safe.address] as Hex[], Date.now(), {
        poolId,
        // Without the Safe's weight the quorum cannot be met: its signature must count on chain.
        quorum: { weightBps: 6000, minMembers: 2 },
        windows: { votingMs: 60_000, challengeMs: 2_000, cooldownMs: 0 },
        settlement: { chain: chainId, vault: vaultChain.vault },
      }),
    ).replaceAll(USDC.address, vaultChain.token),
  ) as PoolCharter;
  const poolView = async (n: ProcNode) => (await api(n, 'GET', `/v1/pools/${poolId}`)).json as Json;
  const safeProposals = async () => (await api(safeNode, 'GET', '/v1/proposals')).json.proposals as Json[];
  /** Owners 0 and 1 sign a two-step proposal's current step, then the next; answers it published. */
  const coSignBothSteps = async (id: string): Promise<Json> => {
    for (const step of [1, 2]) {
      const p = await proposal(id);
      expect(p.vault.signature === undefined ? 1 : 2, JSON.stringify(p)).toBe(step);
      for (const i of [0, 1]) {
        const r = await cosign(await proposal(id), i);
        expect(r.status, JSON.stringify(r.json)).toBe(200);
      }
    }
    const done = await proposal(id);
    expect(done.status, JSON.stringify(done)).toBe('published');
    return done;
  };

  // 1. Founded through the nodes: the EOAs sign at once; the Safe's node proposes in two steps.
  for (const n of [n0, n1])
    expect((await api(n, 'POST', `/v1/pools/${poolId}/charter`, charter)).status).toBe(201);
  const asked = await api(safeNode, 'POST', `/v1/pools/${poolId}/charter`, charter);
  expect(asked.status, JSON.stringify(asked.json)).toBe(202);
  expect(asked.json.vault).toMatchObject({ key: expect.stringMatching(new RegExp(`^charter:${poolId}:0:`)) });
  expect(asked.json.vault.typedData.primaryType).toBe('Charter');
  // `sfr proposals sign` recomputes the terms' digest from the typed data and signs step 1.
  const cliSigned = await ownerSigns(asked.json.id, 2);
  expect(cliSigned.code, cliSigned.stderr).toBe(0);
  expect((await proposal(asked.json.id)).signatures).toHaveLength(1);
  const charterDone = await (async () => {
    const r = await cosign(await proposal(asked.json.id), 0); // the threshold: step 2 asked
    expect(r.json.vault.signature, JSON.stringify(r.json)).toMatch(/^0x/);
    for (const i of [0, 1]) expect((await cosign(await proposal(asked.json.id), i)).status).toBe(200);
    return proposal(asked.json.id);
  })();
  expect(charterDone.status).toBe('published');
  expect(charterDone.envelope.payload.extensions['sfr.settlement'].signature).toBe(
    charterDone.vault.signature,
  );
  // Registered by an EOA node with the Safe's signature among the three (epoch 0 needs every member).
  for (const n of net.nodes)
    await waitFor(
      async () => (await poolView(n)).onChain?.epochs?.length === 1,
      TIMEOUTS.scenario,
      `epoch 0 on the vault, seen by node ${n.index}`,
      250,
    );
  const payloadHash = (await poolView(n0)).founding[0].payloadHash as Hex;
  expect((await poolView(n0)).onChain.epochs[0].charterHash).toBe(payloadHash);
  await fundEscrow(vaultChain, toVaultCharter(charter, payloadHash));
  await waitForTopicMesh(net, `/sfr/1/pool/${poolId.slice(2)}`, TIMEOUTS.mesh);

  // 2. Node 0 files a claim; node 1 and the Safe approve it by hand (the Safe's vote is a proposal).
  const filed = await api(
    n0,
    'POST',
    `/v1/pools/${poolId}/claims`,
    JSON.parse(
      JSON.stringify({ ...claimFor(EVIDENCE, 'safe-pool-1', U, Date.now()), poolId }).replaceAll(
        USDC.address,
        vaultChain.token,
      ),
    ),
  );
  expect(filed.status, JSON.stringify(filed.json)).toBe(201);
  const claimId = filed.json.messageId as string;
  for (const n of [n1, safeNode])
    await waitFor(
      async () => (await api(n, 'GET', `/v1/claims/${claimId}`)).json.status === 'attesting',
      TIMEOUTS.event,
      `the claim attesting at node ${n.index}`,
      250,
    );
  const approve = {
    poolId,
    claimId,
    round: 0,
    verdict: 'approve',
    approvedAmount: U.toString(),
    evidenceChecks: [],
  };
  expect((await api(n1, 'POST', `/v1/claims/${claimId}/votes`, approve)).status).toBe(201);
  const vote = await api(safeNode, 'POST', `/v1/claims/${claimId}/votes`, approve);
  expect(vote.status, JSON.stringify(vote.json)).toBe(202);
  for (const i of [0, 1]) expect((await cosign(vote.json, i)).status).toBe(200);
  const paidBefore = (await anvil.client.readContract({
    address: vaultChain.token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [n0.key.address as Hex],
  })) as bigint;

  // 3. Decided: the Safe's node asks its owners for the settlement, then for the decision carrying it.
  const key = `settlement:${poolId}:${claimId}:0`;
  let settleProposal: Json | undefined;
  await waitFor(
    async () => {
      settleProposal = (await safeProposals()).find((p) => p.vault?.key === key);
      return settleProposal !== undefined;
    },
    TIMEOUTS.scenario,
    "the Safe's settlement proposal",
    250,
  );
  expect(settleProposal!.vault.typedData.primaryType).toBe('Settlement');
  expect(settleProposal!.vault.typedData.message.amount).toBe(U.toString());
  await coSignBothSteps(settleProposal!.id);
  // One ask per round: no second settlement proposal appears while the nodes go on ticking.
  expect((await safeProposals()).filter((p) => p.vault?.key === key)).toHaveLength(1);

  // 4. Settled with the Safe's signature counted: the quorum needs it, and the claimant is paid exactly.
  for (const n of net.nodes)
    await waitFor(
      async () =>
        ((await poolView(n)).onChain?.claims ?? []).some(
          (c: Json) => c.claimId.toLowerCase() === claimId.toLowerCase() && c.settled !== null,
        ),
      TIMEOUTS.scenario,
      `the settlement followed by node ${n.index}`,
      250,
    );
  // Every node accepts the published decisions, though they embed the Safe's vote (pools.md#verifying-a-decision:
  // it verifies as the attestation each node holds; refused CLAIM_DECISION_BAD_ATTESTATION before).
  for (const n of net.nodes) {
    const published = (await api(n, 'GET', `/v1/claims/${claimId}`)).json.publishedDecisions as Json[];
    expect(published.length, `decisions at node ${n.index}`).toBeGreaterThan(0);
    expect(
      published.filter((d) => d.outcome !== 'accept'),
      `decisions refused at node ${n.index}`,
    ).toEqual([]);
  }
  const decision = (await api(n1, 'GET', `/v1/claims/${claimId}`)).json.decision as Json;
  expect(decision).toMatchObject({ outcome: 'approved', approvedAmount: U.toString() });
  const paidAfter = (await anvil.client.readContract({
    address: vaultChain.token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [n0.key.address as Hex],
  })) as bigint;
  expect(paidAfter - paidBefore).toBe(BigInt(decision.approvedAmount));
  const escrows = await readBalances({
    client: anvil.client,
    vault: vaultChain.vault,
    poolId,
    members: [safe.address],
  });
  const safeShare = (decision.contributions as { member: string; amount: string }[]).find(
    (c) => c.member.toLowerCase() === safe.address.toLowerCase(),
  )!;
  expect(escrows[0]!.escrow).toBe(1000n * U - BigInt(safeShare.amount));
});
