/**
 * Equivocation over real nodes (spec/v1/envelope.md#equivocation): a member signs two different
 * envelopes for one (issuer, seq); the node that sees the second IGNOREs it, builds
 * `EquivocationEvidence`, stores it and publishes it on /sfr/1/evidence signed by itself; every other
 * node accepts the evidence. Evidence that does not prove an equivocation is REJECTed at the first hop
 * (`ENVELOPE_EVIDENCE_INVALID`) and penalises its sender.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import {
  createMemorySigningJournal,
  deriveTestKey,
  type Envelope,
  messageIdOf,
  signEnvelope,
  type UnsignedEnvelope,
  verifyEquivocationEvidence,
} from '../../src/envelope/index.js';
import { stringifyTopic } from '../../src/network/topics.js';
import type { AcceptedMessage } from '../../src/node/index.js';
import { alertPayload, startNetwork, type TestNetwork, waitFor, waitForMesh } from '../node/fixtures.js';
import { type Attacker, connectAttacker, startAttacker } from './attacker.js';

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
const EVIDENCE = stringifyTopic({ kind: 'evidence' });
/** A member whose key the test holds: it equivocates. */
const OFFENDER = deriveTestKey('sfr-e3-equivocator');

describe('equivocation between real nodes', () => {
  let net: TestNetwork;
  let attacker: Attacker;
  const accepted: AcceptedMessage[][] = [];

  beforeAll(async () => {
    net = await startNetwork({ n: 3, degree: 1, extraMembers: [OFFENDER.address] });
    await waitForMesh(net.nodes, ALERTS);
    await waitForMesh(net.nodes, EVIDENCE);
    net.nodes.forEach((n, i) => {
      accepted[i] = [];
      n.onAccepted((m) => accepted[i]!.push(m));
    });
    attacker = await startAttacker({ topics: [ALERTS, EVIDENCE] });
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await attacker?.libp2p.stop();
    await net?.stop();
  });

  it('the detecting node publishes evidence that every node accepts; false evidence is REJECTed', async () => {
    const victim = net.nodes[0]!;
    const attackerId = attacker.libp2p.peerId.toString();
    const { router } = attacker;
    await connectAttacker(attacker, victim);

    // Two different alerts for one slot. Separate journals: the offender's own signer would refuse.
    const now = Date.now();
    const alert = (n: number, seq = 5, journal = createMemorySigningJournal()) =>
      signEnvelope({
        privateKey: OFFENDER.privateKey,
        guard: journal,
        unsigned: {
          sfr: '1.0',
          type: 'ContagionAlert',
          issuer: OFFENDER.address,
          seq,
          issuedAt: now,
          payload: alertPayload(now, n) as UnsignedEnvelope['payload'],
        },
      });
    const a = await alert(1);
    const b = await alert(2);
    await router.publish(ALERTS, a.wire);
    await waitFor(
      async () => {
        const at = await Promise.all(net.nodes.map((n) => n.store.getMessage(a.messageId)));
        return at.every((m) => m !== undefined);
      },
      TIMEOUTS.event,
      'first alert everywhere',
    );
    await router.publish(ALERTS, b.wire);

    // Every node accepts one evidence envelope, signed by the victim, proving the offense.
    const evidenceAt = (i: number) => accepted[i]!.find((m) => m.envelope.type === 'EquivocationEvidence');
    await waitFor(
      () => net.nodes.every((_, i) => evidenceAt(i) !== undefined),
      TIMEOUTS.event,
      'evidence everywhere',
    );
    const ev = evidenceAt(2)!;
    expect(ev.envelope.issuer.toLowerCase()).toBe(victim.member);
    const payload = ev.envelope.payload as unknown as {
      offense: string;
      offender: string;
      first: Envelope;
      second: Envelope;
    };
    expect(payload.offense).toBe('duplicate_seq');
    expect(payload.offender.toLowerCase()).toBe(OFFENDER.address.toLowerCase());
    const ids = [a.messageId, b.messageId].sort();
    const enc = new TextEncoder();
    const { canonicalize } = await import('../../src/envelope/index.js');
    expect(messageIdOf(enc.encode(canonicalize(payload.first)))).toBe(ids[0]);
    expect(messageIdOf(enc.encode(canonicalize(payload.second)))).toBe(ids[1]);
    expect(verifyEquivocationEvidence(payload)).toEqual({ outcome: 'accept' });
    // Stored by every node; the conflicting alert itself by none.
    for (const n of net.nodes) {
      expect(await n.store.getMessage(ev.id)).toBeDefined();
      expect(await n.store.getMessage(b.messageId)).toBeUndefined();
    }
    // One report for one offense (the others learnt it from the evidence before detecting it themselves).
    expect(accepted[2]!.filter((m) => m.envelope.type === 'EquivocationEvidence').length).toBe(1);

    // One proof per offence (envelope.md#equivocation): ten more conflicting alerts for the same slot, then
    // a valid alert of the offender's next slot behind them on the same stream and one of the victim's own
    // as barriers; still one evidence for (offender, seq 5) anywhere. (Before: one per pair, 265 for 300.)
    for (let n = 4; n < 14; n++) await router.publish(ALERTS, (await alert(n)).wire);
    const next = await alert(20, 6);
    await router.publish(ALERTS, next.wire);
    const barrier = await victim.publish('ContagionAlert', alertPayload(Date.now(), 99));
    await waitFor(
      async () =>
        (await Promise.all(net.nodes.map((n) => n.store.getMessage(barrier.messageId)))).every(Boolean) &&
        (await Promise.all(net.nodes.map((n) => n.store.getMessage(next.messageId)))).every(Boolean),
      TIMEOUTS.event,
      'the barriers everywhere',
    );
    for (const i of [0, 1, 2]) {
      expect(accepted[i]!.filter((m) => m.envelope.type === 'EquivocationEvidence').length).toBe(1);
    }

    // Schema-invalid conflicting alerts for the same slot, validly signed (issue 13 finding 4: each made
    // the victim reserve a sequence number for evidence that then failed its own schema check). They are
    // REJECTed at rule 25, before rule 29 looks for a conflict: no evidence, no sequence number used. From
    // a fresh attacker: three REJECTs leave it connected, and the first attacker's score untouched.
    const bad = await startAttacker({ topics: [ALERTS, EVIDENCE] });
    try {
      await connectAttacker(bad, victim, 'schema-invalid attacker');
      const headBefore = victim.store.heads().get(victim.member) ?? -1;
      const badId = bad.libp2p.peerId.toString();
      for (let n = 30; n < 33; n++) {
        const invalid = await signEnvelope({
          privateKey: OFFENDER.privateKey,
          guard: createMemorySigningJournal(),
          unsigned: {
            sfr: '1.0',
            type: 'ContagionAlert',
            issuer: OFFENDER.address,
            seq: 5,
            issuedAt: now,
            payload: { ...alertPayload(now, n), severity: 'apocalyptic' } as UnsignedEnvelope['payload'],
          },
        });
        // One at a time, each after the last one's verdict: sent together, the 2nd and 3rd find the slot
        // in flight (rule 21, IGNORE) and never reach rule 25.
        const before = victim.router.getScore(badId);
        await bad.router.publish(ALERTS, invalid.wire);
        await waitFor(
          () => victim.router.getScore(badId) < before - 1_000,
          TIMEOUTS.event,
          `schema-invalid alert ${n} REJECTed`,
        );
      }
      const after = await victim.publish('ContagionAlert', alertPayload(Date.now(), 98));
      expect(after.seq).toBe(headBefore + 1);
      for (const i of [0, 1, 2]) {
        expect(accepted[i]!.filter((m) => m.envelope.type === 'EquivocationEvidence').length).toBe(1);
      }
    } finally {
      await bad.libp2p.stop();
    }

    // False evidence, signed by a member: two envelopes that do not conflict (different seqs).
    const c = await alert(3);
    const other = await alert(3, 6);
    const [lo, hi] = c.messageId < other.messageId ? [c, other] : [other, c];
    const scoreBefore = victim.router.getScore(attackerId);
    const forged = await signEnvelope({
      privateKey: OFFENDER.privateKey,
      guard: createMemorySigningJournal(),
      unsigned: {
        sfr: '1.0',
        type: 'EquivocationEvidence',
        issuer: OFFENDER.address,
        seq: 100,
        issuedAt: Date.now(),
        payload: {
          offense: 'duplicate_seq',
          offender: OFFENDER.address,
          first: lo.envelope,
          second: hi.envelope,
        } as unknown as UnsignedEnvelope['payload'],
      },
    });
    await router.publish(EVIDENCE, forged.wire);
    await waitFor(
      () => victim.router.getScore(attackerId) < scoreBefore - 50,
      TIMEOUTS.event,
      'forger penalised',
    );
    await new Promise((r) => setTimeout(r, 1_500));
    for (const n of net.nodes) expect(await n.store.getMessage(forged.messageId)).toBeUndefined();
    expect(
      await victim.pipeline.check(forged.wire, { source: 'gossip', topic: EVIDENCE, from: 'x' }),
    ).toMatchObject({ outcome: 'reject', code: 'ENVELOPE_EVIDENCE_INVALID' });
  });
});
