import { REGISTERED_REASON_CODES, validate } from '@sfr/schemas';
import type { Refusal } from './types.js';

/**
 * @rule 25 The schema step of the validation pipeline for a decoded envelope: `@sfr/schemas`
 * `validate('Envelope', value)` (header and the payload schema its `type` names). Pass it as
 * `VerifyContext.checkSchema`. A failure is the first issue's `SCHEMA_*` code with its registered
 * outcome: REJECT, except `SCHEMA_INTERNAL_ERROR`, which is IGNORE (a bug of ours never penalizes a
 * peer). An `error` code (`SCHEMA_UNKNOWN_KIND`, which `validate('Envelope')` cannot give) is ours too.
 */
export function checkEnvelopeSchema(value: unknown): Refusal | null {
  const result = validate('Envelope', value);
  if (result.ok) return null;
  const issue = result.issues[0];
  const meta = { pointer: issue?.pointer ?? '', message: issue?.message ?? '' };
  const code = issue?.code ?? 'SCHEMA_INTERNAL_ERROR';
  const outcome = REGISTERED_REASON_CODES.SCHEMA[code];
  if (outcome === 'error' || code === 'SCHEMA_UNKNOWN_KIND')
    return { outcome: 'ignore', code: 'SCHEMA_INTERNAL_ERROR', meta };
  return { outcome, code, meta };
}
