/**
 * The node assembly's error class (caller errors, never gossip verdicts): stable `code` from the GOSSIP
 * registry (outcome `error`), short message, the spec section, the wrapped cause.
 */
export type NodeCode =
  | 'GOSSIP_NOT_STARTED'
  | 'GOSSIP_PEER_KEY_INSECURE'
  | 'GOSSIP_PEER_KEY_INVALID'
  | 'GOSSIP_BAD_MULTIADDR'
  | 'GOSSIP_PUBLISH_REFUSED'
  | 'GOSSIP_OWN_HEAD_BEHIND';

export class NodeError extends Error {
  override name = 'NodeError';
  readonly code: NodeCode;
  readonly section = 'spec/v1/p2p.md';
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: NodeCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}
