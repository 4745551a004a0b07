import type { ClaimDecision } from '@sfr/schemas/types';
import type { Hex } from '../envelope/index.js';
import { byId } from './readPoolMessage.js';
import type { ClaimView } from './types.js';

/**
 * The `ClaimDecision` payload of a closed claim (pools.md#decision-messages): outcome, amount,
 * contributions, shortfall, tally and every counted attestation envelope in ascending message-id
 * order. Returns null while the claim's round is open.
 */
export function buildClaimDecision(poolId: Hex, claim: ClaimView): ClaimDecision | null {
  const d = claim.decision;
  if (!d) return null;
  return {
    poolId,
    claimId: claim.claim.claimId,
    round: claim.round,
    outcome: d.outcome,
    approvedAmount: d.approvedAmount.toString(),
    contributions: d.contributions.map((c) => ({ member: c.member, amount: c.amount.toString() })),
    shortfall: d.shortfall.toString(),
    tally: {
      approveWeight: claim.tally.approveWeight,
      rejectWeight: claim.tally.rejectWeight,
      abstainWeight: claim.tally.abstainWeight,
      totalWeight: claim.tally.totalWeight,
    },
    attestations: [...claim.votes.map((v) => v.message)]
      .sort(byId)
      .map((m) => m.envelope as unknown as ClaimDecision['attestations'][number]),
    decidedAt: d.decidedAt,
  };
}
