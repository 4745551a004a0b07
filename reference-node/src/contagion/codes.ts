import { REGISTERED_REASON_CODES, SfrError } from '@sfr/schemas';

/**
 * Reason codes of the contagion responder (spec/v1/contagion.md), generated from the registry file
 * schemas/v1/registry/reason-codes/ALERT.json.
 */
export type AlertCode = keyof typeof REGISTERED_REASON_CODES.ALERT;

export const ALERT_CODES = Object.keys(REGISTERED_REASON_CODES.ALERT) as readonly AlertCode[];

/** The one error class of the contagion responder: a stable `code`, a short message, details. */
export class ContagionError extends SfrError<AlertCode, Readonly<Record<string, unknown>>> {
  override readonly name = 'ContagionError';
  constructor(
    code: AlertCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown; section?: string } = {},
  ) {
    super(code, message, {
      section: options.section ?? 'contagion.md',
      details: options.details ?? {},
      cause: options.cause,
    });
  }
}
