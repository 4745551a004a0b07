import { REGISTERED_REASON_CODES, type RegisteredReasonCode } from './generated/v1/reasonCodes.js';

// This module loads only generated constants (no ajv, no file reads), so `@sfr/schemas/errors` is cheap
// to import where start-up time matters (`sfr --version`).
const REGISTERED = new Set<string>(Object.values(REGISTERED_REASON_CODES).flatMap((d) => Object.keys(d)));

/** Whether `code` is a registered reason code. */
export function isRegisteredReasonCode(code: unknown): code is RegisteredReasonCode {
  return typeof code === 'string' && REGISTERED.has(code);
}

/**
 * The registered `code` an error carries, or `fallback` when it carries none or one the registry does
 * not list (a Node system error's `EADDRINUSE`, a library's own code), so what a caller reports is
 * always a registered code.
 */
export function registeredCodeOf(error: unknown, fallback: RegisteredReasonCode): RegisteredReasonCode {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return isRegisteredReasonCode(code) ? code : fallback;
}

/**
 * The message of an error whose first line is what a caller shows (a harness answer, a runner's
 * reason): the summary, then `Code: <code>` and `Spec: spec/v1/<section>` lines for a reader of the log.
 */
export function sfrMessage(summary: string, code: RegisteredReasonCode, section: string): string {
  return `${summary}\nCode: ${code}\nSpec: spec/v1/${section}`;
}

export interface SfrErrorOptions<D> {
  /** The spec section the error relates to, relative to spec/v1/ (e.g. `node.md#keys`). */
  readonly section: string;
  /** What the caller needs to act on it: the field, what was expected, the values seen. */
  readonly details: D;
  /** The error this one wraps (e.g. a viem RPC error), kept rather than replaced. */
  readonly cause?: unknown;
}

/**
 * The one error base class of the SFR packages (STYLE.md "Validation and errors"): a stable registered
 * reason `code`, an explicit `name`, a short message, details and the spec section, wrapping its cause.
 * Each domain's error (EnvelopeError, ConfigError, AdapterError, …) extends it with its code union and
 * the shape of its details. Errors are for callers; gossip verdicts are values, never thrown.
 */
export class SfrError<C extends RegisteredReasonCode = RegisteredReasonCode, D = unknown> extends Error {
  override name = 'SfrError';
  readonly code: C;
  readonly section: string;
  readonly details: D;

  constructor(code: C, message: string, options: SfrErrorOptions<D>) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.section = options.section;
    this.details = options.details;
  }
}
export type { RegisteredReasonCode } from './generated/v1/reasonCodes.js';
