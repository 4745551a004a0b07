import { type RegisteredCodeOf, SfrError } from '@sfr/schemas';

/** The error of a crisis replay: a registered code (schemas/v1/registry/reason-codes/REPLAY.json). */
export type ReplayCode = RegisteredCodeOf<'REPLAY'>;

/**
 * The error of a crisis replay (spec/v1/node.md#crisis-replays). Its message is shown to the operator
 * as is, so it carries no extra lines; `details.pointer` (also `pointer`) is the JSON pointer of the
 * offending value in the scenario, when there is one.
 */
export class ReplayError extends SfrError<ReplayCode, { readonly pointer?: string }> {
  override readonly name = 'ReplayError';
  /** The JSON pointer of the offending value in the scenario, when there is one. */
  readonly pointer?: string;
  constructor(code: ReplayCode, message: string, options: { pointer?: string; cause?: unknown } = {}) {
    const details = options.pointer === undefined ? {} : { pointer: options.pointer };
    super(code, message, { section: 'node.md#crisis-replays', details, cause: options.cause });
    if (options.pointer !== undefined) this.pointer = options.pointer;
  }
}
