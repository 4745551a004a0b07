import { REGISTERED_REASON_CODES } from '@sfr/schemas';

/**
 * Reason codes of the contagion responder (spec/v1/contagion.md), generated from the registry file
 * schemas/v1/registry/reason-codes/ALERT.json.
 */
export type AlertCode = keyof typeof REGISTERED_REASON_CODES.ALERT;

export const ALERT_CODES = Object.keys(REGISTERED_REASON_CODES.ALERT) as readonly AlertCode[];

/** The one error class of the contagion responder: a stable `code`, a short message, details. */
export class ContagionError extends Error {
  override readonly name = 'ContagionError';
  readonly code: AlertCode;
  readonly details: Readonly<Record<string, unknown>>;
  readonly section: string;
  constructor(
    code: AlertCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown; section?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    this.section = options.section ?? 'spec/v1/contagion.md';
  }
}
