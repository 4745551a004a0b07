import { REGISTERED_REASON_CODES } from '@sfr/schemas';

/**
 * GOSSIP_* reason codes (network-level verdicts of the SFR node) with their outcomes, generated from
 * the registry file `schemas/v1/registry/reason-codes/GOSSIP.json` (the normative list).
 */
export const GOSSIP_CODES = REGISTERED_REASON_CODES.GOSSIP;

export type GossipCode = keyof typeof GOSSIP_CODES;
