import { type RegisteredReasonCode, SfrError } from '@sfr/schemas/errors';

/** Exit codes of `sfr` (STYLE.md: 0 ok, 1 failure, 2 usage). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure the CLI reports on stderr as `error <CODE>: message` and exits with `exitCode`. */
export class CliError extends SfrError<RegisteredReasonCode, undefined> {
  override readonly name = 'CliError';
  readonly exitCode: number;
  constructor(code: RegisteredReasonCode, message: string, exitCode = EXIT_FAILURE, cause?: unknown) {
    super(code, message, { section: 'node.md', details: undefined, cause });
    this.exitCode = exitCode;
  }
}
