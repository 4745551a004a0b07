import { REGISTERED_REASON_CODES } from '@sfr/schemas';

/**
 * ENVELOPE_* reason codes with their outcomes, generated from the registry file
 * `schemas/v1/registry/reason-codes/ENVELOPE.json` (the normative list), so a misspelt or
 * unregistered code fails compilation.
 */
export const ENVELOPE_CODES = REGISTERED_REASON_CODES.ENVELOPE;

export type EnvelopeCode = keyof typeof ENVELOPE_CODES;
