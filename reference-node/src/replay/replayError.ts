import type { RegisteredCodeOf } from '@sfr/schemas';

/** The error of a crisis replay: a registered code (schemas/v1/registry/reason-codes/REPLAY.json). */
export type ReplayCode = RegisteredCodeOf<'REPLAY'>;

export class ReplayError extends Error {
  override readonly name = 'ReplayError';
  readonly code: ReplayCode;
  /** The JSON pointer of the offending value in the scenario, when there is one. */
  readonly pointer?: string;
  constructor(code: ReplayCode, message: string, options: { pointer?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.pointer !== undefined) this.pointer = options.pointer;
  }
}
