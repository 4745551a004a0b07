import { type RegisteredCodeOf, SfrError } from '@sfr/schemas';
import { BaseError, ContractFunctionRevertedError } from 'viem';

/** A reason code of the vault (schemas/v1/registry/reason-codes/VAULT.json) or the bank-run guard's. */
export type VaultCode = RegisteredCodeOf<'VAULT'> | 'POOL_WITHDRAWAL_LOCKED';

/**
 * The one error of the settlement client: `code` is the vault's custom error name (the reason
 * code), `args` its decoded arguments; the viem error is kept as `cause`.
 */
export class VaultError extends SfrError<VaultCode, { readonly args: readonly unknown[] }> {
  override readonly name = 'VaultError';
  /** The custom error's decoded arguments (also `details.args`). */
  readonly args: readonly unknown[];

  constructor(
    code: VaultCode,
    shortMessage: string,
    options: { args?: readonly unknown[]; cause?: unknown; section?: string } = {},
  ) {
    const section = `settlement.md#${options.section ?? 'vault-rules'}`;
    const args = options.args ?? [];
    super(code, `${shortMessage}\nCode: ${code}\nSpec: spec/v1/${section}`, {
      section,
      details: { args },
      cause: options.cause,
    });
    this.args = args;
  }
}

/** A viem error from a vault call as a `VaultError` when the vault reverted with one of its errors; else the error itself. */
export function toVaultError(error: unknown, action: string): unknown {
  if (!(error instanceof BaseError)) return error;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) return error;
  const name = reverted.data?.errorName;
  if (name === undefined || !(name.startsWith('VAULT_') || name === 'POOL_WITHDRAWAL_LOCKED')) return error;
  const args = reverted.data?.args ?? [];
  const shown = args.map((a) => (typeof a === 'bigint' ? a.toString() : String(a))).join(', ');
  return new VaultError(name as VaultCode, `The vault refused ${action}: ${name}(${shown}).`, {
    args,
    cause: error,
  });
}
