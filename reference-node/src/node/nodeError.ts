/**
 * The node assembly's error class (caller errors, never gossip verdicts): stable `code` from the GOSSIP
 * registry (outcome `error`), short message, the spec section, the wrapped cause.
 */
import { type ErrorCode, type RegisteredCodeOf, SfrError } from '@sfr/schemas';

/** The GOSSIP codes whose outcome is `error` (generated from schemas/v1/registry/reason-codes/GOSSIP.json). */
export type NodeCode = Extract<RegisteredCodeOf<'GOSSIP'>, ErrorCode>;

export class NodeError extends SfrError<NodeCode, Readonly<Record<string, unknown>> | undefined> {
  override name = 'NodeError';

  constructor(
    code: NodeCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, { section: 'p2p.md', details: options.details, cause: options.cause });
  }
}
