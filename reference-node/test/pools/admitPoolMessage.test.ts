/**
 * Gossip admission (pools.md#gossip-admission): a node refuses a pool message at the gossip layer only
 * for a final refusal, so what it holds, and so what it decides, does not depend on the order messages
 * reach it. Each simulated node admits the same messages in its own order (admitted messages are held,
 * refused ones dropped, as the pipeline does), then every node's decision is compared.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  admitPoolMessage,
  applyPoolMessage,
  buildClaimDecision,
  checkPoolMessage,
  createPoolState,
  type PoolMessage,
  type PoolState,
  viewPool,
} from '../../src/pools/index.js';
import { charterPayload, HOUR, members, POOL_ID, PoolSigner, type Signed, T0 } from './fixtures.js';

const asMessage = (s: Signed): PoolMessage => ({ envelope: s.envelope, messageId: s.id });
const MINUTE = 60_000;
// After the round's close (standing approval at T0 + 4 h + 1 min, challengeMs 1 h): every decision is final.
const LATE = T0 + 7 * HOUR;

type Admit = (state: PoolState, m: PoolMessage, now: number) => { outcome: string };

/** One node: admits each message in `order` at time LATE, holds what it accepts; its decision on `claimId`. */
function decideAt(order: readonly Signed[], admit: Admit, claimId: string): string {
  let state = createPoolState([]);
  for (const s of order) {
    const m = asMessage(s);
    if (admit(state, m, LATE).outcome === 'accept') state = applyPoolMessage(state, m);
  }
  const claim = viewPool(state, LATE).claims.find((c) => c.claim.claimId === claimId);
  return JSON.stringify(claim === undefined ? null : buildClaimDecision(POOL_ID, claim));
}

describe('admitPoolMessage (pools.md#gossip-admission)', async () => {
  const ms = members([1, 2, 3, 4, 5].map(() => ({ weight: 10, commit: 10_000_000_000n })));
  const key = (i: number) => ms[i]!.key;
  const s = new PoolSigner();
  const founding = await s.charter(
    charterPayload(ms),
    ms.map((m) => m.key),
  );
  const claim = await s.claim(key(0), T0 + 3 * HOUR);
  // Two approvals make the outcome stand at T0 + 4 h + 1 min; the third is inside the challenge window.
  const votes = [
    await s.attest(key(1), claim.id, T0 + 4 * HOUR, 'approve', 1_000_000_000n),
    await s.attest(key(2), claim.id, T0 + 4 * HOUR + MINUTE, 'approve', 1_000_000_000n),
    await s.attest(key(3), claim.id, T0 + 4 * HOUR + 2 * MINUTE, 'approve', 1_000_000_000n),
  ];
  const claimantVote = await s.attest(key(0), claim.id, T0 + 4 * HOUR, 'approve', 1_000_000_000n);
  const roundOne = await s.attest(key(4), claim.id, T0 + 4 * HOUR, 'approve', 1n, { round: 1 });
  const all = [...founding, claim, ...votes];
  const full = all.reduce((st, m) => applyPoolMessage(st, asMessage(m)), createPoolState([]));
  const fullView = viewPool(full, LATE).claims.find((c) => c.claim.claimId === claim.id)!;
  const decisionPayload = buildClaimDecision(POOL_ID, fullView)!;
  const decision = await s.sign(key(4), 'ClaimDecision', decisionPayload, T0 + 6 * HOUR, 0);
  const messages = [...all, claimantVote, roundOne, decision];
  const expected = JSON.stringify(decisionPayload);

  it('the full set decides the claim approved with the three votes', () => {
    expect(decisionPayload).toMatchObject({ outcome: 'approved', approvedAmount: '1000000000' });
    expect(decisionPayload.attestations).toHaveLength(3);
  });

  it('accepts, as waiting, a vote that outruns its claim and a claim that outruns its charter', () => {
    const none = createPoolState([]);
    expect(admitPoolMessage(none, asMessage(votes[0]!), LATE)).toEqual({
      outcome: 'accept',
      waiting: 'POOL_NOT_FOUNDED',
    });
    const founded = founding.reduce((st, m) => applyPoolMessage(st, asMessage(m)), none);
    expect(admitPoolMessage(founded, asMessage(votes[0]!), LATE)).toEqual({
      outcome: 'accept',
      waiting: 'CLAIM_UNKNOWN',
    });
    expect(checkPoolMessage(founded, asMessage(votes[0]!), LATE)).toEqual({
      outcome: 'ignore',
      code: 'CLAIM_UNKNOWN',
    });
  });

  it('accepts, as waiting, a decision that differs from the view of a node missing a vote', () => {
    const missing = [...founding, claim, votes[1]!, votes[2]!].reduce(
      (st, m) => applyPoolMessage(st, asMessage(m)),
      createPoolState([]),
    );
    expect(admitPoolMessage(missing, asMessage(decision), LATE)).toEqual({
      outcome: 'accept',
      waiting: 'CLAIM_DECISION_MISMATCH',
    });
  });

  it('refuses the final refusals: the claimant’s own vote and a vote for another round', () => {
    const held = [...founding, claim].reduce(
      (st, m) => applyPoolMessage(st, asMessage(m)),
      createPoolState([]),
    );
    expect(admitPoolMessage(held, asMessage(claimantVote), LATE)).toEqual({
      outcome: 'ignore',
      code: 'CLAIM_ATTESTER_IS_CLAIMANT',
    });
    expect(admitPoolMessage(held, asMessage(roundOne), LATE)).toEqual({
      outcome: 'ignore',
      code: 'CLAIM_ROUND_NOT_OPEN',
    });
  });

  it('every delivery order gives every node the same decision, the full set’s', () => {
    // The order that broke the reverted rule: the first vote before its claim.
    const votesFirst = [...founding, votes[0]!, claim, votes[1]!, votes[2]!, decision];
    expect(decideAt(votesFirst, admitPoolMessage, claim.id)).toBe(expected);
    // Refusing every non-final refusal (checkPoolMessage's verdict as is) drops that vote and decides otherwise.
    expect(decideAt(votesFirst, checkPoolMessage, claim.id)).not.toBe(expected);
    fc.assert(
      fc.property(fc.shuffledSubarray(messages, { minLength: messages.length }), (order) => {
        expect(decideAt(order, admitPoolMessage, claim.id)).toBe(expected);
      }),
      { numRuns: 100 },
    );
  });
});
