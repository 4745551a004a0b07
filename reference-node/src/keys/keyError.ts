import { type RegisteredCodeOf, SfrError } from '@sfr/schemas';
/** Key-domain reason codes, generated from schemas/v1/registry/reason-codes/KEY.json. */
export type KeyCode = RegisteredCodeOf<'KEY'>;

/**
 * A failure of the key domain: loading a key, asking a remote signer, rotating, assembling a
 * multisig signature. The message never carries a key or a passphrase.
 */
export class KeyError extends SfrError<KeyCode, string | undefined> {
  override readonly name = 'KeyError';

  constructor(
    code: KeyCode,
    shortMessage: string,
    options: { details?: string; section?: string; cause?: unknown } = {},
  ) {
    super(code, options.details === undefined ? shortMessage : `${shortMessage} (${options.details})`, {
      section: options.section ?? 'node.md#keys',
      details: options.details,
      cause: options.cause,
    });
  }
}
