/**
 * pools.md#re-derivation step 2 on real nodes (3 in-process nodes over loopback TCP, anvil, the
 * aave-v3 adapter): a claim and the RecoveryEvent it cites travel on different topics, so either may
 * reach an attester first. The attester waits for a missing cited event, re-judges the claim when the
 * event is accepted, and refuses `CLAIM_RECOVERY_EVENT_MISSING` only once the round is about to close.
 */
import type { RecoveryEvent } from '@sfr/adapter-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { createMemorySigningJournal, messageIdOf, signEnvelope } from '../../src/envelope/index.js';
import { stringifyTopic, topicForEnvelope } from '../../src/network/topics.js';
import type { ClaimView } from '../../src/pools/index.js';
import { waitFor, waitForMesh } from '../node/fixtures.js';
import {
  type Chain,
  charterFor,
  lossClaimFor,
  POOL_ID,
  type PoolNetwork,
  startChain,
  startPoolNetwork,
  U,
} from './poolHarness.js';

describe('attestation race: a claim before or after the RecoveryEvent it cites (3 nodes, anvil)', () => {
  let chain: Chain;
  let pn: PoolNetwork;
  const challengeMs = 1_500;
  const votingMs = 30_000;

  beforeAll(async () => {
    chain = await startChain();
    pn = await startPoolNetwork(3, chain, { enabled: true });
    await waitForMesh(pn.net.nodes, `/sfr/1/pool/${POOL_ID.slice(2)}`);
    const charter = charterFor(
      pn.net.keys.map((k) => k.address),
      Date.now(),
      { windows: { votingMs, challengeMs, cooldownMs: 0 } },
    );
    for (const s of pn.services) await s.signCharter(charter);
    await waitFor(
      () => pn.services.every((s) => s.view(POOL_ID).charters.length === 1),
      TIMEOUTS.event,
      'the charter adopted on every node',
    );
  }, TIMEOUTS.hook);

  afterAll(async () => {
    await pn?.stop();
    await chain?.stop();
  });

  const claimAt = (i: number, claimId: string): ClaimView | undefined =>
    pn.services[i]!.view(POOL_ID).claims.find((x) => x.claim.claimId === claimId);

  const decidedEverywhere = (claimId: string, timeoutMs: number) =>
    waitFor(
      () =>
        pn.services.every((s) => {
          const c = s.getClaim(claimId);
          return (
            c !== undefined &&
            c.status !== 'attesting' &&
            c.publishedDecisions.some((d) => d.outcome === 'accept')
          );
        }),
      timeoutMs,
      `a decision on ${claimId} at every node`,
      100,
    );

  it('event first: every attester approves the re-derived loss', async () => {
    const payload = await chain.deficit(300n * U);
    const r = await pn.net.nodes[0]!.publish('RecoveryEvent', payload as never);
    await waitFor(
      async () => {
        for (const n of pn.net.nodes) if ((await n.store.getMessage(r.messageId)) === undefined) return false;
        return true;
      },
      TIMEOUTS.event,
      'the recovery event in every store',
      100,
    );
    const filed = await pn.services[0]!.fileClaim(
      lossClaimFor({ id: r.messageId, payload }, 'race-event-first', 300n * U, Date.now()),
    );
    await decidedEverywhere(filed.messageId, TIMEOUTS.event);
    expect(claimAt(0, filed.messageId)!.decision).toMatchObject({
      outcome: 'approved',
      approvedAmount: 300n * U,
    });
  });

  it('claim first: the attesters wait for the cited event, re-judge when it is accepted, and approve', async () => {
    const payload: RecoveryEvent = await chain.deficit(400n * U);
    // The claimant's RecoveryEvent, signed now but gossiped only after the claim has reached every
    // attester (at a seq far above the node's own, so the node's next signatures never collide).
    const node0 = pn.net.nodes[0]!;
    const key = pn.net.keys[0]!;
    const signed = await signEnvelope({
      privateKey: key.privateKey,
      guard: createMemorySigningJournal(),
      unsigned: {
        sfr: '1.0',
        type: 'RecoveryEvent',
        issuer: key.address,
        seq: (node0.store.headSeq(node0.member) ?? 0) + 1_000,
        issuedAt: Date.now(),
        payload: payload as never,
      },
    });
    const eventId = messageIdOf(signed.wire);
    const filed = await pn.services[0]!.fileClaim(
      lossClaimFor({ id: eventId, payload }, 'race-claim-first', 400n * U, Date.now()),
    );
    await waitFor(
      () => [1, 2].every((i) => pn.services[i]!.getClaim(filed.messageId)?.awaitingEvents[0] === eventId),
      TIMEOUTS.event,
      'both attesters waiting for the cited event',
      50,
    );
    // Waiting is not refusing: nobody has voted, the round stays open.
    for (const i of [1, 2]) {
      expect(pn.services[i]!.getClaim(filed.messageId)).toMatchObject({ status: 'attesting', myVote: null });
    }
    const topic = stringifyTopic(topicForEnvelope('RecoveryEvent', undefined)!);
    await node0.router.publish(topic, signed.wire);
    await decidedEverywhere(filed.messageId, TIMEOUTS.event);
    for (const i of [1, 2]) {
      const c = pn.services[i]!.getClaim(filed.messageId)!;
      expect(c.awaitingEvents).toEqual([]);
      expect(c.myVote).toBe('approve');
    }
    const view = claimAt(1, filed.messageId)!;
    expect(view.decision).toMatchObject({ outcome: 'approved', approvedAmount: 400n * U });
    expect(view.votes.map((v) => v.amount)).toEqual([400n * U, 400n * U]);
  });

  it('an event that never comes: refused CLAIM_RECOVERY_EVENT_MISSING, only once the round is about to close', async () => {
    const payload = await chain.deficit(500n * U);
    const madeUp = `0x${'e2'.repeat(32)}` as const;
    const filed = await pn.services[0]!.fileClaim(
      lossClaimFor({ id: madeUp, payload }, 'race-never', 500n * U, Date.now()),
    );
    await waitFor(
      () => [1, 2].every((i) => pn.services[i]!.getClaim(filed.messageId)?.awaitingEvents[0] === madeUp),
      TIMEOUTS.event,
      'both attesters waiting for the made-up event',
      50,
    );
    // The round stays open for its voting window: the bound is that window plus the usual one.
    await decidedEverywhere(filed.messageId, votingMs + TIMEOUTS.event);
    const view = claimAt(1, filed.messageId)!;
    expect(view.decision).toMatchObject({ outcome: 'rejected' });
    const refusableAt = view.claim.filedAt + votingMs - challengeMs / 2;
    expect(view.votes).toHaveLength(2);
    for (const v of view.votes) {
      expect(v.message.envelope.payload).toMatchObject({
        verdict: 'reject',
        reasonCode: 'CLAIM_RECOVERY_EVENT_MISSING',
      });
      expect(v.message.envelope.issuedAt).toBeGreaterThanOrEqual(refusableAt);
    }
  });

  it('a manual vote ends the wait: the member has voted', async () => {
    const payload = await chain.deficit(600n * U);
    const madeUp = `0x${'e3'.repeat(32)}` as const;
    const filed = await pn.services[0]!.fileClaim(
      lossClaimFor({ id: madeUp, payload }, 'race-manual', 600n * U, Date.now()),
    );
    await waitFor(
      () => pn.services[1]!.getClaim(filed.messageId)?.awaitingEvents[0] === madeUp,
      TIMEOUTS.event,
      'node 1 waiting for the made-up event',
      50,
    );
    await pn.services[1]!.vote(filed.messageId, {
      verdict: 'reject',
      reasonCode: 'CLAIM_RECOVERY_EVENT_MISSING',
    });
    expect(pn.services[1]!.getClaim(filed.messageId)).toMatchObject({ myVote: 'reject', awaitingEvents: [] });
  });
});
