import type { DecidedClaim, PoolDecideResult } from '@sfr/schemas/types';
import type { ClaimView, PoolView } from './types.js';

/** A claim as JSON (the conformance `decide` result, pools.md#harness): integers as decimal strings. */
export function serializeClaim(c: ClaimView): DecidedClaim {
  const d = c.decision;
  return {
    claimId: c.claim.claimId,
    claimant: c.claim.claimant,
    incidentId: c.claim.payload.incidentId,
    filedAt: c.claim.filedAt,
    epoch: c.claim.snapshot.epoch,
    requestedAmount: c.claim.requestedAmount.toString(),
    status: c.status,
    round: c.round,
    closesAt: c.closesAt,
    standing: c.standing,
    tally: c.tally,
    decision:
      d === null
        ? null
        : {
            outcome: d.outcome,
            decidedAt: d.decidedAt,
            acceptedLoss: d.acceptedLoss.toString(),
            due: d.due.toString(),
            approvedAmount: d.approvedAmount.toString(),
            shortfall: d.shortfall.toString(),
            haircutBps: d.haircutBps,
            boundBy: d.boundBy,
            contributions: d.contributions.map((x) => ({ member: x.member, amount: x.amount.toString() })),
            attestations: c.votes.map((v) => v.message.messageId).sort(),
          },
    settlement: c.schedule,
  };
}

/** The whole view as the `decide` result (schemas/v1/PoolDecideResult.schema.json). */
export function serializePoolView(view: PoolView): PoolDecideResult & Record<string, unknown> {
  return {
    poolId: view.poolId,
    epochs: view.charters.map((c) => ({
      epoch: c.epoch,
      effectiveAt: c.charter.effectiveAt,
      adoptedAt: c.adoptedAt,
      payloadHash: c.payloadHash,
    })),
    claims: view.claims.map(serializeClaim),
    equivocations: view.equivocations.map((e) => ({
      offender: e.offender,
      claimId: e.claimId,
      round: e.round,
      offense: e.offense,
      first: e.first.messageId,
      second: e.second.messageId,
      provableAt: e.provableAt,
    })),
    refused: view.refused,
    ledger: {
      capital: view.ledger.capital.toString(),
      paidOut: view.ledger.paidOut.toString(),
      forfeitedDeposits: view.ledger.forfeitedDeposits.toString(),
      members: view.ledger.members.map((m) => ({
        member: m.member,
        committed: m.committed.toString(),
        contributed: m.contributed.toString(),
        received: m.received.toString(),
        remaining: m.remaining.toString(),
      })),
    },
  };
}
