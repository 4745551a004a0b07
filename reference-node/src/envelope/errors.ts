import { SfrError } from '@sfr/schemas';
import type { EnvelopeCode } from './codes.js';

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
export class EnvelopeError extends SfrError<EnvelopeCode, string | undefined> {
  override name = 'EnvelopeError';
  readonly meta: Record<string, unknown> | undefined;

  /** `options.section` is an anchor of envelope.md (default `rules`). */
  constructor(code: EnvelopeCode, shortMessage: string, options: EnvelopeErrorOptions = {}) {
    const section = `envelope.md#${options.section ?? 'rules'}`;
    const lines = [shortMessage];
    if (options.details) lines.push('', `Details: ${options.details}`);
    lines.push(`Spec: spec/v1/${section}`);
    super(code, lines.join('\n'), { section, details: options.details, cause: options.cause });
    this.meta = options.meta;
  }
}
