/**
 * The last validation step before the store: the envelope's schema (header + the payload schema its
 * `type` names, from `@sfr/schemas`) and the per-type rules the node enforces at the gossip layer.
 */
import { checkEnvelopeSchema, verifyEquivocationEvidence } from '../envelope/index.js';
import { ACCEPT, reject, type ValidationOutcome } from './outcome.js';
import type { TypeRules, WireEnvelope } from './types.js';

export function createTypeRules(): TypeRules {
  return (envelope: WireEnvelope): ValidationOutcome => {
    // [REJECT] The envelope or its payload violates its schema. — SCHEMA_* (first issue's code)
    const schema = checkEnvelopeSchema(envelope);
    if (schema !== null) return schema;
    // [REJECT] An EquivocationEvidence payload does not prove, from its two envelopes alone, that `offender`
    //          signed both and that they conflict as `offense` says. — ENVELOPE_EVIDENCE_INVALID
    if (envelope.type === 'EquivocationEvidence') {
      const proof = verifyEquivocationEvidence(envelope.payload);
      if (proof.outcome !== 'accept') return proof;
    }
    // [REJECT] A NodeAnnouncement's `member` is not its `issuer`. — GOSSIP_ANNOUNCEMENT_MEMBER_MISMATCH
    if (envelope.type === 'NodeAnnouncement') {
      const member = envelope.payload['member'];
      // `member` is an address or a CAIP-10 account id ending with the address.
      if (typeof member !== 'string' || !member.toLowerCase().endsWith(envelope.issuer.toLowerCase())) {
        return reject('GOSSIP_ANNOUNCEMENT_MEMBER_MISMATCH', { member, issuer: envelope.issuer });
      }
    }
    return ACCEPT;
  };
}
