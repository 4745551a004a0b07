/**
 * Rules 33.1 and 33.3 (spec/v1/envelope.md#verification) reach the same view whatever the arrival
 * order: two real nodes (LevelDB, libp2p on loopback, their own pipelines and contagion responders)
 * get the same messages as gossip, one in order and the other in the reverse order, and must agree on
 * - the active alerts and the corroboration state: an all-clear ends its alert only when its issuer is
 *   the alert's, whether it arrived before or after the alert (messages.md#contagionalert rule 4; an
 *   all-clear from another issuer is IGNOREd `ALERT_RESOLVE_NOT_ISSUER` at gossip when its alert is held);
 * - whether a RecoveryEvent is its issuer's own protocol, judged when read on the announcements held
 *   (messages.md#recoveryevent), whether the announcement arrived before or after the event (IGNOREd
 *   `GOSSIP_RECOVERY_NOT_OWN_PROTOCOL` at gossip when the announcement came first).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { type ContagionResponder, createContagionResponder } from '../../src/contagion/index.js';
import {
  createMemorySigningJournal,
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
const [X, Y, B, C] = testKeys(4, 'sfr-arrival-order') as [MemberKey, MemberKey, MemberKey, MemberKey];
const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';
const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
const EVENTS = stringifyTopic({ kind: 'recovery_events' });
const ANNOUNCEMENTS = stringifyTopic({ kind: 'announcements' });
const journals = new Map<string, ReturnType<typeof createMemorySigningJournal>>();

type Signed = { wire: Uint8Array; messageId: string; topic: string };
async function signed(
  key: MemberKey,
  type: string,
  seq: number,
  payload: object,
  topic: string,
): Promise<Signed> {
  const journal = journals.get(key.address) ?? createMemorySigningJournal();
  journals.set(key.address, journal);
  const s = await signEnvelope({
    privateKey: key.privateKey,
    guard: journal,
    unsigned: {
      sfr: '1.0',
      type,
      issuer: key.address,
      seq,
      issuedAt: Date.now(),
      payload: payload as UnsignedEnvelope['payload'],
    },
  });
  return { wire: s.wire, messageId: s.messageId, topic };
}

interface Receiver {
  node: SfrNode;
  responder: ContagionResponder;
  dir: string;
}

describe('rules 33.1 and 33.3 whatever the arrival order', () => {
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    for (const key of [X, Y]) {
      const dir = await mkdtemp(path.join(tmpdir(), 'sfr-arrival-order-'));
      const node = await createNode({
        dataDir: dir,
        memberKey: key.privateKey,
        members: [B.address, C.address],
        listen: ['/ip4/127.0.0.1/tcp/0'],
      });
      await node.start();
      const responder = await createContagionResponder({
        node,
        dataDir: dir,
        baseDir: dir,
        config: {
          identity: { keyFile: 'k', protocol: 'proto-x' },
          exposure: { assets: [{ chain: 'eip155:1', address: USDC, symbol: 'USDC', decimals: 6 }] },
          webhooks: [],
        },
      });
      await responder.start();
      receivers.push({ node, responder, dir });
    }
  }, TIMEOUTS.hook);
  afterAll(async () => {
    for (const r of receivers) {
      await r.responder.stop();
      await r.node.stop();
      await rm(r.dir, { recursive: true, force: true });
    }
  }, TIMEOUTS.hook);

  /**
   * Delivers the messages to the first node in order and to the second in the reverse order, then
   * waits until each node's accepted feed carried every message it accepted (stored, and handed to
   * its responder, which subscribed first) and the responder's work settled.
   */
  async function deliverBothOrders(messages: readonly Signed[]): Promise<void> {
    const orders = [messages, [...messages].reverse()];
    for (const [k, r] of receivers.entries()) {
      const fed = new Set<string>();
      const unsubscribe = r.node.onAccepted((m) => fed.add(m.id));
      const accepted: string[] = [];
      for (const m of orders[k]!) {
        const v = await r.node.pipeline.ingest(m.wire, {
          source: 'gossip',
          topic: m.topic,
          from: 'test-peer',
        });
        if (v.outcome === 'accept') accepted.push(m.messageId);
      }
      await waitFor(() => accepted.every((id) => fed.has(id)), TIMEOUTS.event, 'accepted messages fed');
      unsubscribe();
      await r.responder.idle();
    }
  }
  /** Each node's view: its active alerts and the alerts its corroboration counts. */
  const viewOf = async (r: Receiver) => ({
    active: (await r.node.store.activeAlerts()).map((m) => m.id).sort(),
    counted: r.responder
      .groups()
      .flatMap((g) => g.alerts.map((a) => a.id))
      .sort(),
  });

  it("an all-clear from another issuer ends nothing, before or after the alert; the issuer's own ends it either way", async () => {
    const now = Date.now();
    const depeg = { ...alertPayload(now), indicator: 'depeg' };
    const alertC = await signed(C, 'ContagionAlert', 0, depeg, ALERTS);
    const clearByB = await signed(
      B,
      'ContagionAlert',
      0,
      { ...depeg, severity: 'info', resolves: alertC.messageId },
      ALERTS,
    );
    await deliverBothOrders([alertC, clearByB]);
    const others = await Promise.all(receivers.map((r) => viewOf(r)));
    expect(others[0]).toEqual({ active: [alertC.messageId], counted: [alertC.messageId] });
    expect(others[1]).toEqual(others[0]);

    const stale = { ...alertPayload(now), indicator: 'stale_oracle' };
    const alertC2 = await signed(C, 'ContagionAlert', 1, stale, ALERTS);
    const clearByC = await signed(
      C,
      'ContagionAlert',
      2,
      { ...stale, severity: 'info', resolves: alertC2.messageId },
      ALERTS,
    );
    await deliverBothOrders([alertC2, clearByC]);
    const own = await Promise.all(receivers.map((r) => viewOf(r)));
    // alertC2 ended at both; only the first case's alert is left.
    expect(own[0]).toEqual({ active: [alertC.messageId], counted: [alertC.messageId] });
    expect(own[1]).toEqual(own[0]);
  });

  it('a RecoveryEvent about another protocol than its issuer announced is judged foreign at both nodes', async () => {
    const announcement = await signed(
      B,
      'NodeAnnouncement',
      2,
      {
        ...example('NodeAnnouncement', 'behind-nat-no-addresses'),
        member: toChecksumAddress(B.address),
        protocol: 'aave-v3',
      },
      ANNOUNCEMENTS,
    );
    const payload = (protocol: string) => ({
      ...example('RecoveryEvent', 'aave-v3-reserve-paused'),
      protocol,
    });
    const foreign = await signed(B, 'RecoveryEvent', 3, payload('gmx-v2'), EVENTS);
    const own = await signed(B, 'RecoveryEvent', 4, payload('aave-v3'), EVENTS);
    await deliverBothOrders([announcement, foreign, own]);
    const judged = receivers.map((r) =>
      [
        { seq: 3, protocol: 'gmx-v2' },
        { seq: 4, protocol: 'aave-v3' },
      ].map((e) => r.node.judgeOwnProtocol({ issuer: B.address, ...e })),
    );
    expect(judged).toEqual([
      ['foreign', 'own'],
      ['foreign', 'own'],
    ]);
    // The in-order node refused the event at gossip; the other holds it, and judges it foreign when read.
    expect(await receivers[0]!.node.store.getMessage(foreign.messageId)).toBeUndefined();
    expect(await receivers[1]!.node.store.getMessage(foreign.messageId)).toBeDefined();
  });
});
