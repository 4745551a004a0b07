import type { ClaimDecision } from '@sfr/schemas/types';
import { getAddress, type Hex } from 'viem';
import type { Envelope } from '../envelope/index.js';
import type { AdoptedCharter } from '../pools/index.js';
import { toVaultCharter } from './toVaultCharter.js';
import { SETTLEMENT_VALIDITY_MS } from './typedDataTypes.js';
import type { VaultSettlement } from './types.js';
import { VaultError } from './vaultError.js';

export type BuildSettlementParameters = {
  /** The approved decision (its payload), as every node recomputes it (pools.md#decision-messages). */
  decision: ClaimDecision;
  /** The claim's `FundClaim` envelope (its header suffices): its issuer is the claimant, its `issuedAt` the filing time. */
  claim: Pick<Envelope, 'issuer' | 'issuedAt'>;
  /** The claim's snapshot charter (pools.md#snapshot). */
  snapshot: Pick<AdoptedCharter, 'epoch' | 'charter' | 'payloadHash'>;
};

/**
 * The `Settlement` struct that follows from an approved `ClaimDecision` (settlement.md#from-the-decision):
 * every field is read from the decision, the claim envelope and the snapshot, so every approving
 * member signs the same digest. Only an `approved` decision with a non-zero amount settles.
 */
export function buildSettlement({ decision, claim, snapshot }: BuildSettlementParameters): VaultSettlement {
  if (decision.outcome !== 'approved' || BigInt(decision.approvedAmount) === 0n) {
    throw new VaultError(
      'VAULT_NOT_SETTLEABLE',
      'Only an approved decision with a non-zero amount settles.',
      {
        section: 'from-the-decision',
        args: [decision.claimId, decision.outcome, decision.approvedAmount],
      },
    );
  }
  const terms = toVaultCharter(snapshot.charter, snapshot.payloadHash);
  return {
    poolId: decision.poolId as Hex,
    claimId: decision.claimId as Hex,
    round: decision.round,
    claimant: getAddress(claim.issuer),
    asset: terms.asset,
    amount: BigInt(decision.approvedAmount),
    contributions: [...decision.contributions]
      .sort((a, b) => (a.member.toLowerCase() < b.member.toLowerCase() ? -1 : 1))
      .map((c) => ({ member: getAddress(c.member), amount: BigInt(c.amount) })),
    epoch: BigInt(snapshot.epoch),
    charterHash: snapshot.payloadHash,
    filedAt: BigInt(claim.issuedAt),
    decidedAt: BigInt(decision.decidedAt),
    deadline: BigInt(decision.decidedAt + SETTLEMENT_VALIDITY_MS),
  };
}
