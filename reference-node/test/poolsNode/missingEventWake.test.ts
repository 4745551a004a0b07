/**
 * pools.md#re-derivation step 2 on the pool service: a claim citing a RecoveryEvent the attester's store
 * lacks is refused `CLAIM_RECOVERY_EVENT_MISSING` at `closesAt − ⌊challengeMs / 2⌋`, by a timer the
 * service sets for that instant, whatever its periodic tick. Before, only the tick re-judged waiting
 * claims: with a window narrower than the tick (challengeMs 1 500 against a 1 s tick in
 * poolService.e2e) one tick could fall before the window and the next after the close, so the attester
 * never voted and the claim expired instead of being rejected. Here the tick is ten minutes: the
 * refusal comes from the wake alone, before the round closes.
 */
import type { ClaimAttestation } from '@sfr/schemas/types';
import { expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import type { Envelope } from '../../src/envelope/index.js';
import { missingEventRefusableAt } from '../../src/poolsNode/judgeLoss.js';
import type { Store } from '../../src/store/index.js';
import { charterPayload, HOUR, members, POOL_ID, PoolSigner } from '../pools/fixtures.js';
import { storeNodes } from './storeNode.js';

const ms = members([
  { weight: 10, commit: 10_000_000_000n },
  { weight: 10, commit: 10_000_000_000n },
  { weight: 10, commit: 10_000_000_000n },
]);
const [, b] = ms.map((m) => m.key.address.toLowerCase()) as [string, string, string];
const nodes = storeNodes();

/**
 * A store holding a founded pool of three, and member b's pool service (it attests automatically,
 * re-derives every loss, ticks every ten minutes, dates everything by `now`); then a's claim citing a
 * RecoveryEvent (0xe1…e1) nobody ever published, waiting at b's node for that event.
 */
async function awaitingClaim(
  windows: { votingMs: number; challengeMs: number },
  now: () => number = Date.now,
) {
  const store = await nodes.store('sfr-missing-event-');
  const s = new PoolSigner();
  const start = Date.now();
  const text = charterPayload(ms, { effectiveAt: start - 2 * HOUR, windows: { ...windows, cooldownMs: 0 } });
  for (const [i, m] of ms.entries())
    await nodes.append(store, await s.sign(m.key, 'PoolCharter', text, start - HOUR + i, 0));
  const service = await nodes.service(store, {
    key: ms[1]!.key,
    signer: s,
    pools: [{ poolId: POOL_ID }],
    policy: { enabled: true },
    deriveLoss: async () => ({
      ok: true,
      losses: [
        { kind: 'bad_debt_realized', amount: { usd: { value: '1000', decimals: 0 } }, derivation: 'test' },
      ],
    }),
    now,
    tickMs: 600_000,
  });
  expect(service.view(POOL_ID).charters).toHaveLength(1);
  const claim = await s.claim(ms[0]!.key, Date.now());
  await nodes.append(store, claim);
  await service.idle();
  const c = service.view(POOL_ID).claims.find((x) => x.claim.claimId === claim.id)!;
  expect(c.status).toBe('attesting');
  expect(service.getClaim(claim.id)?.awaitingEvents).toEqual([`0x${'e1'.repeat(32)}`]);
  return {
    store,
    s,
    service,
    claim,
    c,
    refusableAt: missingEventRefusableAt(c.closesAt, windows.challengeMs),
  };
}

it('a claim citing a missing recovery event is refused at closesAt − challengeMs / 2, not at the next tick', async () => {
  // A round of 3 s whose refusal window (1 s) is far narrower than the service's tick.
  const { store, service, claim, c, refusableAt } = await awaitingClaim({
    votingMs: 3_000,
    challengeMs: 2_000,
  });
  expect(await votesOf(store, b)).toEqual([]);

  // b's node refuses it on its own once the window opens: before the round closes.
  await waitFor(async () => (await votesOf(store, b)).length > 0, TIMEOUTS.event, "b's refusal");
  const [vote] = await votesOf(store, b);
  const p = vote!.payload as unknown as ClaimAttestation;
  expect(p).toMatchObject({
    claimId: claim.id,
    verdict: 'reject',
    reasonCode: 'CLAIM_RECOVERY_EVENT_MISSING',
  });
  expect(vote!.issuedAt).toBeGreaterThanOrEqual(refusableAt);
  expect(vote!.issuedAt).toBeLessThanOrEqual(c.closesAt);
  expect(service.getClaim(claim.id)?.awaitingEvents).toEqual([]);
});

it('a waiting claim the wake finds this member has voted on is let go, not re-judged in a loop until the close', async () => {
  // Counts the re-judgements of the waiting claims: each starts by reading the clock.
  let rejudged = 0;
  const now = () => {
    if (new Error().stack?.includes('rejudgeAwaiting')) rejudged += 1;
    return Date.now();
  };
  const { store, s, service, claim } = await awaitingClaim({ votingMs: 3_000, challengeMs: 2_000 }, now);
  // b's own vote comes from elsewhere (the member's other node, a message submitted by hand) while its
  // node waits for the cited event: from now on attest returns early, the member having voted.
  await nodes.append(store, await s.attest(ms[1]!.key, claim.id, Date.now(), 'reject'), 'sync');
  await service.idle();
  expect(service.getClaim(claim.id)).toMatchObject({
    myVote: 'reject',
    awaitingEvents: [`0x${'e1'.repeat(32)}`],
  });
  expect(rejudged).toBe(0);

  // The wake at refusableAt re-judges it (attest returns early) and lets it go. Before, the entry stayed,
  // its refusableAt past, so the wake re-armed at 0 ms and re-judged it again until the round closed.
  await waitFor(
    () => service.getClaim(claim.id)?.awaitingEvents.length === 0,
    TIMEOUTS.event,
    'the wait to end',
  );
  expect(rejudged).toBeGreaterThanOrEqual(1);
  expect(rejudged).toBeLessThanOrEqual(3); // a timer may fire a millisecond early: one more turn
  expect(await votesOf(store, b)).toHaveLength(1);
});

/** The ClaimAttestation envelopes `issuer` signed, from the store. */
async function votesOf(st: Store, issuer: string): Promise<Envelope[]> {
  const r = await st.queryMessages({ type: 'ClaimAttestation', issuer, limit: 100 });
  if (!r.ok) throw new Error(r.detail);
  return r.messages.map((m) => JSON.parse(new TextDecoder().decode(m.wire)) as Envelope);
}
