import { REGISTERED_REASON_CODES, type RegisteredCodeOf, SfrError } from '@sfr/schemas';
/** Reason codes of config loading, generated from schemas/v1/registry/reason-codes/CONFIG.json. */
export type ConfigCode = RegisteredCodeOf<'CONFIG'>;
export const CONFIG_CODES = Object.keys(REGISTERED_REASON_CODES.CONFIG) as readonly ConfigCode[];

/** Which layer supplied a value (precedence flag > env > file > default). */
export type ConfigSource = 'flag' | 'env' | 'file' | 'default';

export interface ConfigErrorParameters {
  /** JSON pointer of the offending setting in the merged config ('' for the whole file). */
  readonly field: string;
  /** What was expected, briefly. */
  readonly expected?: string;
  /** Which layer the bad value came from, when known. */
  readonly source?: ConfigSource;
  /** The env var or flag name that carried it. */
  readonly origin?: string;
  /** The underlying schema reason code (SCHEMA_*), for CONFIG_INVALID. */
  readonly schemaCode?: string;
  readonly cause?: unknown;
}

/**
 * The one error of config loading. `loadConfig` returns it as a value (`{ok: false, error}`); the CLI
 * prints `message` and exits 1. The message names the field, what was expected, and where it came from.
 */
export class ConfigError extends SfrError<ConfigCode, ConfigErrorParameters> {
  override readonly name = 'ConfigError';
  readonly field: string;
  readonly expected: string | undefined;
  readonly source: ConfigSource | undefined;
  readonly origin: string | undefined;
  readonly schemaCode: string | undefined;

  constructor(code: ConfigCode, shortMessage: string, parameters: ConfigErrorParameters) {
    const where = parameters.origin ?? parameters.source;
    const lines = [
      `${code}: ${shortMessage}`,
      `  field: ${parameters.field === '' ? '(root)' : parameters.field}`,
    ];
    if (parameters.expected !== undefined) lines.push(`  expected: ${parameters.expected}`);
    if (where !== undefined) lines.push(`  from: ${where}`);
    super(code, lines.join('\n'), {
      section: 'node.md#configuration',
      details: parameters,
      cause: parameters.cause,
    });
    this.field = parameters.field;
    this.expected = parameters.expected;
    this.source = parameters.source;
    this.origin = parameters.origin;
    this.schemaCode = parameters.schemaCode;
  }
}
