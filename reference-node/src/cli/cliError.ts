/** Exit codes of `sfr` (STYLE.md: 0 ok, 1 failure, 2 usage). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure the CLI reports on stderr as `error <CODE>: message` and exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode = EXIT_FAILURE) {
    super(message);
    this.code = code;
    this.exitCode = exitCode;
  }
}
