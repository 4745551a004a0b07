/**
 * The per-type gossip rules the node enforces after every envelope rule (spec/v1/envelope.md#verification
 * rules 32–33), on an envelope whose schema and signature the pipeline already checked. More rules
 * (pools, alerts, events) are composed in through the same `TypeRules` hook.
 */
import { ACCEPT, reject, type ValidationOutcome } from './outcome.js';
import type { TypeRules, WireEnvelope } from './types.js';

export function createTypeRules(): TypeRules {
  return (envelope: WireEnvelope): ValidationOutcome => {
    // 32. [REJECT] A NodeAnnouncement's `member` is its `issuer`. — GOSSIP_ANNOUNCEMENT_MEMBER_MISMATCH
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
