import { BaseError, ContractFunctionRevertedError } from 'viem';

const DOCS = 'spec/v1/settlement.md';

/** A reason code of the vault (schemas/v1/registry/reason-codes/VAULT.json) or the bank-run guard's. */
export type VaultCode = `VAULT_${string}` | 'POOL_WITHDRAWAL_LOCKED';

/**
 * The one error of the settlement client: `code` is the vault's custom error name (the reason
 * code), `args` its decoded arguments; the viem error is kept as `cause`.
 */
export class VaultError extends Error {
  override readonly name = 'VaultError';
  readonly code: VaultCode;
  readonly args: readonly unknown[];
  readonly section: string;

  constructor(
    code: VaultCode,
    shortMessage: string,
    options: { args?: readonly unknown[]; cause?: unknown; section?: string } = {},
  ) {
    const section = `${DOCS}#${options.section ?? 'vault-rules'}`;
    super(
      `${shortMessage}\nCode: ${code}\nSpec: ${section}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.args = options.args ?? [];
    this.section = section;
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
