/**
 * Reason codes of the contagion responder (registry: schemas/v1/registry/reason-codes/ALERT.json,
 * spec: spec/v1/contagion.md). A test checks this list and the registry file agree both ways.
 */
export const ALERT_CODES = [
  'ALERT_EXPIRED',
  'ALERT_RESOLVE_NOT_ISSUER',
  'ALERT_NOT_EXPOSED',
  'ALERT_STATE_FULL',
  'ALERT_WEBHOOK_SECRET_UNREADABLE',
  'ALERT_WEBHOOK_FAILED',
  'ALERT_WEBHOOK_REJECTED',
  'ALERT_WEBHOOK_EXHAUSTED',
  'ALERT_OUTBOX_UNREADABLE',
  'ALERT_ACTION_FAILED',
  'ALERT_ACTION_BAD_OUTPUT',
  'ALERT_ACTION_REPORT_REFUSED',
  'ALERT_ACTION_INTERRUPTED',
] as const;

export type AlertCode = (typeof ALERT_CODES)[number];

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
