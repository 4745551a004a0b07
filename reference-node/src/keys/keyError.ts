import type { RegisteredCodeOf } from '@sfr/schemas';
/** Key-domain reason codes, generated from schemas/v1/registry/reason-codes/KEY.json. */
export type KeyCode = RegisteredCodeOf<'KEY'>;

/**
 * A failure of the key domain: loading a key, asking a remote signer, rotating, assembling a
 * multisig signature. The message never carries a key or a passphrase.
 */
export class KeyError extends Error {
  override readonly name = 'KeyError';
  readonly code: KeyCode;
  readonly details: string | undefined;
  /** The spec section, e.g. `node.md#keys`. */
  readonly section: string;

  constructor(
    code: KeyCode,
    shortMessage: string,
    options: { details?: string; section?: string; cause?: unknown } = {},
  ) {
    super(
      options.details === undefined ? shortMessage : `${shortMessage} (${options.details})`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.details = options.details;
    this.section = options.section ?? 'node.md#keys';
  }
}
