import { hashPayload } from './hashPayload.js';
import { bytesToHex } from './hex.js';
import type { Address, Envelope, Hex, Refusal, VerifyResult } from './types.js';
import { digestOf, type VerifyContext, verifyEnvelope } from './verifyEnvelope.js';

/** Payload of an `EquivocationEvidence` message (proposal 0001 §5, envelope.md#equivocation). */
export type EquivocationEvidence = {
  offense: 'duplicate_seq' | 'conflicting_attestation';
  offender: Address;
  first: Envelope;
  second: Envelope;
};

/** (claimId, round) of a ClaimAttestation payload, if it has them. */
export function attestationSlotOf(envelope: Envelope): { claimId: string; round: number } | null {
  if (envelope.type !== 'ClaimAttestation') return null;
  const { claimId, round } = envelope.payload as { claimId?: unknown; round?: unknown };
  if (typeof claimId !== 'string' || typeof round !== 'number' || !Number.isSafeInteger(round)) return null;
  return { claimId: claimId.toLowerCase(), round };
}

/**
 * The offence an evidence proves, as a key (envelope.md#equivocation: one proof per offence): the slot,
 * not the pair, so an issuer that signs many conflicting envelopes for one slot is reported once.
 */
export function offenseKeyOf(evidence: Pick<EquivocationEvidence, 'offense' | 'offender' | 'first'>): string {
  const offender = evidence.offender.toLowerCase();
  if (evidence.offense === 'duplicate_seq') return `duplicate_seq|${offender}|${evidence.first.seq}`;
  const slot = attestationSlotOf(evidence.first);
  return `conflicting_attestation|${offender}|${slot?.claimId ?? ''}|${slot?.round ?? ''}`;
}

function offenseOf(a: Envelope, b: Envelope): EquivocationEvidence['offense'] | null {
  if (a.issuer.toLowerCase() !== b.issuer.toLowerCase()) return null;
  // Same signed content (equal EIP-712 digests) is never an offense, whatever the signature bytes.
  if (a.seq === b.seq) return bytesToHex(digestOf(a)) === bytesToHex(digestOf(b)) ? null : 'duplicate_seq';
  const sa = attestationSlotOf(a);
  const sb = attestationSlotOf(b);
  if (
    sa &&
    sb &&
    sa.claimId === sb.claimId &&
    sa.round === sb.round &&
    hashPayload(a.payload) !== hashPayload(b.payload)
  ) {
    return 'conflicting_attestation';
  }
  return null;
}

/**
 * Evidence that one issuer signed two conflicting envelopes, or `null` if they do not conflict.
 * Pass two distinct, individually verified envelopes with their message ids; `first` is the one
 * with the lower message id, so that the evidence (and its message id) is unique.
 */
export function buildEquivocationEvidence(
  a: { envelope: Envelope; messageId: Hex },
  b: { envelope: Envelope; messageId: Hex },
): EquivocationEvidence | null {
  if (a.messageId === b.messageId) return null;
  const offense = offenseOf(a.envelope, b.envelope);
  if (!offense) return null;
  const [first, second] = a.messageId < b.messageId ? [a, b] : [b, a];
  return { offense, offender: first.envelope.issuer, first: first.envelope, second: second.envelope };
}

function invalid(reason: string, meta: Record<string, unknown> = {}): Refusal {
  return { outcome: 'reject', code: 'ENVELOPE_EVIDENCE_INVALID', meta: { reason, ...meta } };
}

/**
 * Check `EquivocationEvidence` from the two envelopes alone (envelope.md#equivocation): both
 * carry valid signatures of `offender` (time windows do not apply), they are ordered by message
 * id, and they conflict as `offense` says. REJECT `ENVELOPE_EVIDENCE_INVALID` otherwise; an
 * envelope that cannot be checked here (e.g. an ERC-1271 member without a chain) gives its IGNORE.
 */
export function verifyEquivocationEvidence(
  evidence: unknown,
  ctx: Pick<VerifyContext, 'signers' | 'isContractMember'> = {},
): VerifyResult {
  if (typeof evidence !== 'object' || evidence === null || Array.isArray(evidence))
    return invalid('not an object');
  const e = evidence as Record<string, unknown>;
  for (const key of Object.keys(e)) {
    if (!['offense', 'offender', 'first', 'second', 'detectedAt', 'extensions'].includes(key))
      return invalid(`unknown property ${key}`);
  }
  if (e['offense'] !== 'duplicate_seq' && e['offense'] !== 'conflicting_attestation')
    return invalid('bad offense');
  if (typeof e['offender'] !== 'string') return invalid('bad offender');
  const verified = [];
  for (const which of ['first', 'second'] as const) {
    const r = verifyEnvelope(e[which], { ...ctx, now: 0, skipTimeChecks: true });
    if (r.outcome !== 'accept') {
      return r.outcome === 'ignore'
        ? r
        : invalid(`${which} envelope does not verify`, { which, code: r.code });
    }
    verified.push(r);
  }
  const [first, second] = verified as [(typeof verified)[0], (typeof verified)[0]];
  const offender = e['offender'].toLowerCase();
  if (first.envelope.issuer.toLowerCase() !== offender || second.envelope.issuer.toLowerCase() !== offender) {
    return invalid('envelopes are not both signed by the offender');
  }
  if (!(first.messageId < second.messageId)) return invalid('first must have the lower message id');
  if (offenseOf(first.envelope, second.envelope) !== e['offense'])
    return invalid('the envelopes do not conflict as stated');
  return { outcome: 'accept' };
}
