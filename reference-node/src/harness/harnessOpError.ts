import { type RegisteredReasonCode, SfrError, sfrMessage } from '@sfr/schemas';

/**
 * The error a harness op throws to answer `{"error": {code, message}}` (spec/v1/conformance.md#harness-protocol):
 * a registered code (HARNESS_BAD_REQUEST, HARNESS_UNSUPPORTED_OP, HARNESS_INTERNAL, or the code of the
 * domain that refused the input, e.g. ADAPTER_CONFIG_INVALID, POOL_INPUT_INVALID) and a message whose
 * first line is the answer's `message`.
 */
export class HarnessOpError extends SfrError<RegisteredReasonCode, { readonly op?: string }> {
  override readonly name = 'HarnessOpError';

  constructor(
    code: RegisteredReasonCode,
    summary: string,
    options: { op?: string; section?: string; cause?: unknown } = {},
  ) {
    const section = options.section ?? 'conformance.md#harness-protocol';
    super(code, sfrMessage(summary, code, section), {
      section,
      details: options.op === undefined ? {} : { op: options.op },
      cause: options.cause,
    });
  }
}
