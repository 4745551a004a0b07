import type { FundClaim } from '@sfr/schemas/types';
import type { AdoptedCharter, PoolReasonCode, PoolView } from '../pools/index.js';
import { evidenceKey, parseUint256, valueClaim } from '../pools/index.js';

/**
 * The filing checks of pools.md#filing that a claim can be judged by before it is signed (the
 * charter in force now is its snapshot; the time is `now`): the reason code of the first one that
 * fails, or null. The domain and epoch are set by the signer, so checks 2 and 3 cannot fail here.
 */
export function precheckClaim(
  view: PoolView,
  snapshot: AdoptedCharter,
  claim: FundClaim,
  claimant: string,
  now: number,
): PoolReasonCode | null {
  const charter = snapshot.charter;
  const me = claimant.toLowerCase();
  const member = charter.members.find((x) => x.member.toLowerCase() === me);
  if (!member || (member.leavingAt !== undefined && member.leavingAt <= now))
    return 'CLAIM_CLAIMANT_NOT_MEMBER';
  if (!charter.coveredKinds.includes(claim.coveredKind)) return 'CLAIM_KIND_NOT_COVERED';
  if (!(claim.incidentWindow.from <= claim.incidentWindow.to && claim.incidentWindow.to <= now))
    return 'CLAIM_BAD_INCIDENT_WINDOW';
  const deposit = parseUint256(charter.claimDeposit.value);
  if (deposit !== null && deposit > 0n && claim.deposit === undefined) return 'CLAIM_DEPOSIT_MISSING';
  const requested = parseUint256(claim.requestedAmount);
  if (requested === null) return 'POOL_AMOUNT_OUT_OF_RANGE';
  if (requested === 0n) return 'CLAIM_ZERO_AMOUNT';
  const valued = valueClaim(charter, claim);
  if (!valued.ok) return valued.code;
  if (valued.value !== null && requested > valued.value) return 'CLAIM_REQUEST_EXCEEDS_VALUATION';
  for (const c of view.claims) {
    if (c.claim.claimant.toLowerCase() !== me) continue;
    const open = c.closesAt > now;
    if (c.claim.payload.incidentId === claim.incidentId && (open || c.decision?.outcome === 'approved'))
      return 'CLAIM_DUPLICATE_INCIDENT';
  }
  const keys = new Set(claim.evidence.map(evidenceKey));
  for (const c of view.claims) {
    const open = c.closesAt > now;
    if (
      (open || c.decision?.outcome === 'approved') &&
      c.claim.payload.evidence.some((r) => keys.has(evidenceKey(r)))
    )
      return 'CLAIM_DUPLICATE_EVIDENCE';
  }
  for (const c of view.claims)
    if (c.claim.claimant.toLowerCase() === me && c.claim.filedAt > now - charter.windows.cooldownMs)
      return 'CLAIM_COOLDOWN';
  return null;
}
