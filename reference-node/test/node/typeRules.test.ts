/**
 * The type rules that read what the node holds (spec/v1/p2p.md#validation-rules), on a real node
 * (LevelDB store, libp2p on loopback, its own pipeline), fed as its gossip ingress feeds it: a message
 * they refuse is neither stored nor relayed.
 * - an all-clear only from the alert's issuer (messages.md#contagionalert rule 4);
 * - a RecoveryEvent only about the issuer's announced protocol (messages.md#recoveryevent), also
 *   after a restart;
 * - pool messages through the pool rules' final refusals only (pools.md#gossip-admission).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMemorySigningJournal,
  type Hex,
  type MemberKey,
  signEnvelope,
  toChecksumAddress,
  type UnsignedEnvelope,
} from '../../src/envelope/index.js';
import { stringifyTopic } from '../../src/network/topics.js';
import { createNode, type SfrNode } from '../../src/node/index.js';
import { alertPayload, testKeys } from './fixtures.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../../schemas/v1/examples');
const example = (kind: string, name: string) =>
  JSON.parse(readFileSync(path.join(EXAMPLES, kind, 'valid', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
const [LOCAL, B, C] = testKeys(3, 'sfr-type-rules') as [MemberKey, MemberKey, MemberKey];
const POOL_ID = `0x${'5a'.repeat(32)}`;
const journals = new Map<string, ReturnType<typeof createMemorySigningJournal>>();

async function signed(
  key: MemberKey,
  type: string,
  seq: number,
  payload: Record<string, unknown>,
  scope?: { poolId: string; epoch: number },
) {
  const journal = journals.get(key.address) ?? createMemorySigningJournal();
  journals.set(key.address, journal);
  return signEnvelope({
    privateKey: key.privateKey,
    guard: journal,
    unsigned: {
      sfr: '1.0',
      type,
      issuer: key.address,
      seq,
      issuedAt: Date.now(),
      ...(scope === undefined ? {} : { scope: { poolId: scope.poolId as Hex, epoch: scope.epoch } }),
      payload: payload as UnsignedEnvelope['payload'],
    },
  });
}

describe('type rules on held state', () => {
  let dir: string;
  let node: SfrNode;
  const start = async () => {
    node = await createNode({
      dataDir: dir,
      memberKey: LOCAL.privateKey,
      members: [B.address, C.address],
      listen: ['/ip4/127.0.0.1/tcp/0'],
    });
    await node.start();
  };
  /** Runs a wire through the node's pipeline as gossip on `topic`; the verdict and whether it is stored. */
  const gossip = async (w: { wire: Uint8Array; messageId: string }, topic: string) => {
    const r = await node.pipeline.ingest(w.wire, { source: 'gossip', topic, from: 'test-peer' });
    const stored = (await node.store.getMessage(w.messageId)) !== undefined;
    return { outcome: r.outcome, code: r.outcome === 'accept' ? undefined : r.code, stored };
  };
  const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
  const EVENTS = stringifyTopic({ kind: 'recovery_events' });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sfr-type-rules-'));
    await start();
  });
  afterAll(async () => {
    await node?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses an all-clear of another issuer's alert before storing it; the issuer's own ends the alert", async () => {
    const now = Date.now();
    const alert = await signed(C, 'ContagionAlert', 0, alertPayload(now));
    expect(await gossip(alert, ALERTS)).toEqual({ outcome: 'accept', code: undefined, stored: true });
    const allClear = { ...alertPayload(now), severity: 'info', resolves: alert.messageId };
    const byOther = await signed(B, 'ContagionAlert', 0, allClear);
    expect(await gossip(byOther, ALERTS)).toEqual({
      outcome: 'ignore',
      code: 'ALERT_RESOLVE_NOT_ISSUER',
      stored: false,
    });
    expect((await node.store.activeAlerts()).map((m) => m.id)).toEqual([alert.messageId]);
    const byIssuer = await signed(C, 'ContagionAlert', 1, allClear);
    expect(await gossip(byIssuer, ALERTS)).toMatchObject({ outcome: 'accept', stored: true });
    expect(await node.store.activeAlerts()).toEqual([]);
  });

  it('refuses a RecoveryEvent about another protocol than the one its issuer announced, also after a restart', async () => {
    const event = (protocol: string) => ({ ...example('RecoveryEvent', 'aave-v3-reserve-paused'), protocol });
    // Nothing announced yet: the node cannot tell, and accepts (messages.md general rule 4).
    expect(await gossip(await signed(B, 'RecoveryEvent', 1, event('gmx-v2')), EVENTS)).toMatchObject({
      outcome: 'accept',
    });
    const announcement = await signed(B, 'NodeAnnouncement', 2, {
      ...example('NodeAnnouncement', 'behind-nat-no-addresses'),
      member: toChecksumAddress(B.address),
      protocol: 'aave-v3',
    });
    expect(await gossip(announcement, stringifyTopic({ kind: 'announcements' }))).toMatchObject({
      outcome: 'accept',
    });
    const other = await signed(B, 'RecoveryEvent', 3, event('gmx-v2'));
    expect(await gossip(other, EVENTS)).toEqual({
      outcome: 'ignore',
      code: 'GOSSIP_RECOVERY_NOT_OWN_PROTOCOL',
      stored: false,
    });
    expect(await gossip(await signed(B, 'RecoveryEvent', 4, event('aave-v3')), EVENTS)).toMatchObject({
      outcome: 'accept',
      stored: true,
    });
    await node.stop();
    await start();
    const again = await signed(B, 'RecoveryEvent', 5, event('gmx-v2'));
    expect(await gossip(again, EVENTS)).toMatchObject({
      code: 'GOSSIP_RECOVERY_NOT_OWN_PROTOCOL',
      stored: false,
    });
  });

  it('stores and relays a claim in a pool whose charter it does not hold yet (pools.md#gossip-admission)', async () => {
    // POOL_NOT_FOUNDED is not a final refusal: the charter may reach this node after the claim.
    const claim = { ...example('FundClaim', 'aave-v3-arbitrum-deficit'), poolId: POOL_ID };
    const w = await signed(B, 'FundClaim', 6, claim, { poolId: POOL_ID, epoch: 0 });
    expect(await gossip(w, stringifyTopic({ kind: 'pool', poolId: POOL_ID.slice(2) }))).toEqual({
      outcome: 'accept',
      code: undefined,
      stored: true,
    });
  });

  it("takes a retraction only from the retracted event's issuer, of its kind and protocol; the store marks the event whatever the order (messages.md#retraction)", async () => {
    const paused = example('RecoveryEvent', 'aave-v3-reserve-paused');
    const retraction = (retracts: string, extra: Record<string, unknown> = {}) => ({
      ...paused,
      severity: 'info',
      relatesTo: [retracts],
      extensions: {
        'sfr.retraction': { retracts, reasonCode: 'EVIDENCE_REORGED', ancestorBlock: '21524998' },
      },
      ...extra,
    });
    const event = await signed(C, 'RecoveryEvent', 10, paused);
    expect(await gossip(event, EVENTS)).toMatchObject({ outcome: 'accept', stored: true });
    // B announced aave-v3 above, so only rule 33.4 refuses its retraction of C's event.
    expect(await gossip(await signed(B, 'RecoveryEvent', 20, retraction(event.messageId)), EVENTS)).toEqual({
      outcome: 'ignore',
      code: 'GOSSIP_RETRACTION_NOT_ISSUER',
      stored: false,
    });
    const malformed = [
      retraction(event.messageId, { relatesTo: [] }),
      retraction(event.messageId, { severity: 'high' }),
      retraction(event.messageId, {
        extensions: { 'sfr.retraction': { retracts: event.messageId, reasonCode: 'PUBLISHED_IN_ERROR' } },
      }),
    ];
    for (const [k, payload] of malformed.entries())
      expect(await gossip(await signed(C, 'RecoveryEvent', 11 + k, payload), EVENTS)).toEqual({
        outcome: 'reject',
        code: 'GOSSIP_RETRACTION_INVALID',
        stored: false,
      });
    const { mechanism: _guardian, ...otherKind } = retraction(event.messageId, { kind: 'resume' }) as Record<
      string,
      unknown
    >;
    expect(await gossip(await signed(C, 'RecoveryEvent', 14, otherKind), EVENTS)).toEqual({
      outcome: 'ignore',
      code: 'GOSSIP_RETRACTION_MISMATCH',
      stored: false,
    });
    expect(await node.store.retractedBy(event.messageId, C.address)).toBeUndefined();

    const first = await signed(C, 'RecoveryEvent', 15, retraction(event.messageId));
    expect(await gossip(first, EVENTS)).toMatchObject({ outcome: 'accept', stored: true });
    expect(
      await gossip(await signed(C, 'RecoveryEvent', 16, retraction(event.messageId)), EVENTS),
    ).toMatchObject({
      outcome: 'accept',
    });
    expect(await node.store.retractedBy(event.messageId, C.address)).toBe(first.messageId);

    // A retraction of an event not held yet is kept, and marks the event when it arrives.
    const later = await signed(C, 'RecoveryEvent', 17, { ...paused, summary: 'a second pause' });
    const early = await signed(C, 'RecoveryEvent', 18, retraction(later.messageId));
    expect(await gossip(early, EVENTS)).toMatchObject({ outcome: 'accept', stored: true });
    expect(await gossip(later, EVENTS)).toMatchObject({ outcome: 'accept', stored: true });
    expect(await node.store.retractedBy(later.messageId, C.address)).toBe(early.messageId);
    // ... and survives a rebuild of the derived state from the log.
    await node.store.rebuildDerived();
    expect(await node.store.retractedBy(later.messageId, C.address)).toBe(early.messageId);
  });
});
