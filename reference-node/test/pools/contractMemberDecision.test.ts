/**
 * pools.md#verifying-a-decision with a contract (Safe) member: its attestation's signature is a blob
 * only its contract can judge (ERC-1271, which needs its chain), so a decision embedding it cannot be
 * verified from the decision alone; a node holding the pool's messages holds that attestation, which
 * its validation accepted, and counts the embedded copy as verified. Before, every node refused every
 * decision of a claim a Safe member voted on `CLAIM_DECISION_BAD_ATTESTATION`.
 */
import type { PoolCharter } from '@sfr/schemas/types';
import { getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { type Envelope, type Hex, sealEnvelope } from '../../src/envelope/index.js';
import {
  applyPoolMessage,
  buildClaimDecision,
  createPoolState,
  type PoolMessage,
  type PoolState,
  verifyClaimDecision,
  viewPool,
} from '../../src/pools/index.js';
import { charterPayload, HOUR, members, POOL_ID, PoolSigner, type Signed, T0, VAULT } from './fixtures.js';

const SAFE = getAddress(`0x${'5afe'.repeat(10)}`);
const ms = members([
  { weight: 10, commit: 1000n },
  { weight: 10, commit: 1000n },
]);
const base = charterPayload([...ms, ms[0]!], { quorum: { weightBps: 5000, minMembers: 2 } });
const text: PoolCharter = {
  ...base,
  members: [
    base.members[0]!,
    base.members[1]!,
    { ...base.members[2]!, member: SAFE, protocol: 'proto-safe' },
  ],
};
let safeSeq = 0;

/** What the Safe's node publishes: its owners' signatures (130 bytes), not one ECDSA signature. */
function bySafe(type: string, payload: object, issuedAt: number, epoch: number): PoolMessage {
  const sealed = sealEnvelope(
    {
      sfr: '1.0',
      type,
      issuer: SAFE,
      seq: ++safeSeq,
      issuedAt,
      scope: { poolId: POOL_ID, epoch },
      domain: { chainId: 8453, verifyingContract: VAULT as Hex },
      payload: JSON.parse(JSON.stringify(payload)),
    },
    `0x${'ab'.repeat(130)}`,
  );
  return { envelope: sealed.envelope, messageId: sealed.messageId };
}
const held = (x: Signed): PoolMessage => ({ envelope: x.envelope, messageId: x.id });

describe('a decision embedding a contract member’s attestation (pools.md#verifying-a-decision)', () => {
  it('is accepted by a node holding the pool’s messages, and judged alone it still names the unverifiable attestation', async () => {
    const s = new PoolSigner();
    let state: PoolState = createPoolState([]);
    for (const [i, m] of ms.entries())
      state = applyPoolMessage(state, held(await s.sign(m.key, 'PoolCharter', text, T0 - HOUR + i, 0)));
    state = applyPoolMessage(state, bySafe('PoolCharter', text, T0 - HOUR + 2, 0));
    expect(viewPool(state, T0).charters).toHaveLength(1);
    const claim = await s.claim(ms[0]!.key, T0, { requestedAmount: '1000000' });
    state = applyPoolMessage(state, held(claim));
    const vote = {
      poolId: POOL_ID,
      claimId: claim.id,
      round: 0,
      verdict: 'approve',
      approvedAmount: '1000000',
      evidenceChecks: [{ index: 0, result: 'verified' }],
    };
    state = applyPoolMessage(
      state,
      held(await s.attest(ms[1]!.key, claim.id, T0 + HOUR, 'approve', 1_000_000n)),
    );
    state = applyPoolMessage(state, bySafe('ClaimAttestation', vote, T0 + HOUR + 1, 0));
    const later = T0 + 3 * 24 * HOUR;
    const c = viewPool(state, later).claims[0]!;
    expect(c.decision?.outcome).toBe('approved');
    const payload = buildClaimDecision(POOL_ID, c)!;
    expect(payload.attestations).toHaveLength(2);
    const decision = held(await s.sign(ms[1]!.key, 'ClaimDecision', payload, later, 0));
    state = applyPoolMessage(state, decision);
    const view = viewPool(state, later);
    expect(view.refused.filter((r) => r.messageId === decision.messageId)).toEqual([]);
    // From the decision alone the Safe's attestation cannot be verified (no chain): refused, naming it;
    // given the messages the node holds, it verifies.
    const params = { charter: c.claim.snapshot.charter, claim: claim.envelope as Envelope };
    expect(verifyClaimDecision(payload, params)).toMatchObject({
      outcome: 'reject',
      code: 'CLAIM_DECISION_BAD_ATTESTATION',
    });
    expect(verifyClaimDecision(payload, { ...params, held: state.messages })).toMatchObject({
      outcome: 'accept',
    });
  });
});
