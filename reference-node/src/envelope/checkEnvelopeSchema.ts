import { validate } from '@sfr/schemas';
import type { Refusal } from './types.js';

/**
 * The schema step of the validation pipeline for a decoded envelope: `@sfr/schemas`
 * `validate('Envelope', value)` (header and the payload schema its `type` names). Pass it as
 * `VerifyContext.checkSchema`. A failure is REJECT with the first issue's `SCHEMA_*` code, except
 * `SCHEMA_INTERNAL_ERROR`, which is IGNORE (a bug of ours never penalizes a peer).
 */
export function checkEnvelopeSchema(value: unknown): Refusal | null {
  const result = validate('Envelope', value);
  if (result.ok) return null;
  const issue = result.issues[0];
  const code = issue?.code ?? 'SCHEMA_INTERNAL_ERROR';
  return {
    outcome: code === 'SCHEMA_INTERNAL_ERROR' ? 'ignore' : 'reject',
    code,
    meta: { pointer: issue?.pointer ?? '', message: issue?.message ?? '' },
  };
}
