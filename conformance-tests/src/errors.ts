import { type RegisteredCodeOf, SfrError } from '@sfr/schemas';

/**
 * Reason codes of the HARNESS domain (registered in schemas/v1/registry/reason-codes/HARNESS.json,
 * meanings in spec/v1/conformance.md). The runner tags every failed case and every refused input
 * with one of them.
 */
export const HarnessCode = {
  unsupportedOp: 'HARNESS_UNSUPPORTED_OP',
  badRequest: 'HARNESS_BAD_REQUEST',
  internal: 'HARNESS_INTERNAL',
  timeout: 'HARNESS_TIMEOUT',
  crashed: 'HARNESS_CRASHED',
  badResponse: 'HARNESS_BAD_RESPONSE',
  spawnFailed: 'HARNESS_SPAWN_FAILED',
  resultMismatch: 'HARNESS_RESULT_MISMATCH',
  unexpectedError: 'HARNESS_UNEXPECTED_ERROR',
  unknownRunner: 'HARNESS_UNKNOWN_RUNNER',
  unknownHandler: 'HARNESS_UNKNOWN_HANDLER',
  invalidVectorFile: 'HARNESS_INVALID_VECTOR_FILE',
  duplicateDescription: 'HARNESS_DUPLICATE_DESCRIPTION',
  noVectors: 'HARNESS_NO_VECTORS',
  uncoveredCode: 'HARNESS_UNCOVERED_CODE',
  unregisteredCode: 'HARNESS_UNREGISTERED_CODE',
  staleExemption: 'HARNESS_STALE_EXEMPTION',
  usage: 'HARNESS_USAGE',
} as const satisfies Record<string, RegisteredCodeOf<'HARNESS'>>;

export type HarnessCodeValue = (typeof HarnessCode)[keyof typeof HarnessCode];

export type ConformanceErrorParameters = {
  code: HarnessCodeValue;
  message: string;
  details?: string;
  /** Spec section the error relates to, e.g. `conformance.md#vector-files`. */
  section?: string;
  cause?: unknown;
};

/** The one error class of this package: a stable `code`, a short message, details and a spec section. */
export class ConformanceError extends SfrError<HarnessCodeValue, string | undefined> {
  override readonly name = 'ConformanceError';

  constructor({ code, message, details, section, cause }: ConformanceErrorParameters) {
    super(
      code,
      [
        `${code}: ${message}`,
        details === undefined ? '' : `\nDetails: ${details}`,
        section === undefined ? '' : `\nSee: spec/v1/${section}`,
      ].join(''),
      { section: section ?? 'conformance.md', details, cause },
    );
  }
}
