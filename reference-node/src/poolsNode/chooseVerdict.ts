import type { ClaimAttestation } from '@sfr/schemas/types';
import { minBig } from '../pools/index.js';
import type { JudgeLossReturnType } from './judgeLoss.js';

/** What re-deriving one evidence reference gave (an adapter's `verifyEvidence` answer, reduced). */
export type EvidenceVerdict = { ok: true } | { ok: false; code: string };

/** `policy.autoAttest` of the node config (NodeConfig AutoAttestPolicy). */
export type AutoAttestPolicy = {
  readonly enabled?: boolean;
  /** Approve automatically only up to this amount (unit-asset base units, decimal string). */
  readonly maxApproveAmount?: string;
  /** Reject automatically when cited evidence does not verify (default true). */
  readonly rejectOnEvidenceFailure?: boolean;
};

export type EvidenceCheck = ClaimAttestation['evidenceChecks'][number];

/**
 * Failure codes that say only that the node could not look (a provider down, not yet final, a
 * chain no adapter serves): they prove nothing about the claim, so they never cause a rejection.
 */
const INCONCLUSIVE = new Set([
  'EVIDENCE_RPC_UNAVAILABLE',
  'EVIDENCE_INSUFFICIENT_CONFIRMATIONS',
  'EVIDENCE_WRONG_CHAIN',
]);

/** The attestation's `evidenceChecks[i].result` for an adapter answer (ClaimAttestation schema). */
export function evidenceCheckOf(index: number, v: EvidenceVerdict): EvidenceCheck {
  if (v.ok) return { index, result: 'verified' };
  const result: EvidenceCheck['result'] =
    v.code === 'EVIDENCE_NOT_FOUND'
      ? 'not_found'
      : v.code === 'EVIDENCE_REORGED'
        ? 'reorged'
        : INCONCLUSIVE.has(v.code)
          ? 'unavailable'
          : 'mismatch';
  return /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(v.code) ? { index, result, code: v.code } : { index, result };
}

/** Why a claim waits for a manual vote (a local label, not a wire reason code). */
export type QueueReason =
  | 'manual_policy'
  | 'no_evidence_verifier'
  | 'no_loss_derivation'
  | 'evidence_failed'
  | 'evidence_unavailable'
  | 'above_auto_approve_limit';

export type ChooseVerdictReturnType =
  | { action: 'approve'; approvedAmount: bigint }
  | { action: 'reject'; reasonCode: string }
  /** Not decided automatically: queued for a vote through the HTTP API, with why. */
  | { action: 'queue'; reason: QueueReason };

/**
 * The automatic attestation policy (pools.md#re-derivation, issue 10 item 4), pure: reject with the
 * first failing reference's code when a reference is proven wrong (not found, reorged, a mismatch),
 * or with the re-derivation's code when the evidence does not prove a loss of the covered kind, and
 * the policy allows it; approve `min(requested, the re-derived value)` when every reference verified
 * and the amount is within `maxApproveAmount`; otherwise queue for a manual vote.
 */
export function chooseVerdict(p: {
  policy: AutoAttestPolicy | undefined;
  checks: readonly EvidenceCheck[] | null;
  requestedAmount: bigint;
  /** The node's re-derivation of the loss (`judgeLoss`), or null when its adapters cannot derive one. */
  loss: JudgeLossReturnType | null;
}): ChooseVerdictReturnType {
  const policy = p.policy ?? {};
  if (policy.enabled !== true) return { action: 'queue', reason: 'manual_policy' };
  if (p.checks === null) return { action: 'queue', reason: 'no_evidence_verifier' };
  const failed = p.checks.find(
    (c) => c.result === 'not_found' || c.result === 'reorged' || c.result === 'mismatch',
  );
  if (failed !== undefined) {
    if (policy.rejectOnEvidenceFailure === false) return { action: 'queue', reason: 'evidence_failed' };
    return { action: 'reject', reasonCode: failed.code ?? codeOfResult(failed.result) };
  }
  if (p.checks.some((c) => c.result !== 'verified'))
    return { action: 'queue', reason: 'evidence_unavailable' };
  if (p.loss === null) return { action: 'queue', reason: 'no_loss_derivation' };
  if (!p.loss.ok) {
    if (policy.rejectOnEvidenceFailure === false) return { action: 'queue', reason: 'evidence_failed' };
    return { action: 'reject', reasonCode: p.loss.code };
  }
  // An attestation approves at most what its node re-derived (pools.md#re-derivation).
  const amount = minBig(p.requestedAmount, p.loss.value);
  if (policy.maxApproveAmount !== undefined && amount > BigInt(policy.maxApproveAmount))
    return { action: 'queue', reason: 'above_auto_approve_limit' };
  return { action: 'approve', approvedAmount: amount };
}

function codeOfResult(r: EvidenceCheck['result']): string {
  return r === 'not_found'
    ? 'EVIDENCE_NOT_FOUND'
    : r === 'reorged'
      ? 'EVIDENCE_REORGED'
      : 'EVIDENCE_RESULT_MISMATCH';
}
