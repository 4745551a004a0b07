import type { EnvelopeCode } from './codes.js';

const DOCS = 'spec/v1/envelope.md';

export type EnvelopeErrorOptions = {
  details?: string;
  section?: string;
  meta?: Record<string, unknown>;
  cause?: unknown;
};

/**
 * The one error class of the envelope library (thrown only to callers that misuse an API, e.g.
 * signing an invalid envelope or a journal refusing a slot; verification never throws).
 */
export class EnvelopeError extends Error {
  override name = 'EnvelopeError';
  readonly code: EnvelopeCode;
  readonly details: string | undefined;
  readonly section: string;
  readonly meta: Record<string, unknown> | undefined;

  constructor(code: EnvelopeCode, shortMessage: string, options: EnvelopeErrorOptions = {}) {
    const section = options.section ?? 'rules';
    const lines = [shortMessage];
    if (options.details) lines.push('', `Details: ${options.details}`);
    lines.push(`Spec: ${DOCS}#${section}`);
    super(lines.join('\n'), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.section = section;
    this.meta = options.meta;
  }
}
