import { reasonCodes } from '@sfr/schemas';
import { expect, it } from 'vitest';
import { sfrVault } from '../../src/settlement/index.js';

/** Codes only the client raises (settlement.md#from-the-decision, settlement.md#client, settlement.md#sending, settlement.md#escrow-from-the-node, settlement.md#vectors). */
const CLIENT_ONLY = [
  'VAULT_NOT_SETTLEABLE',
  'VAULT_TX_REVERTED',
  'VAULT_INPUT_INVALID',
  'VAULT_RPC_UNAVAILABLE',
  'VAULT_REORG_TOO_DEEP',
  // the node's sending account (settlement.md#sending)
  'VAULT_NO_SENDER',
  'VAULT_SENDER_NOT_MEMBER',
  'VAULT_TX_REPLACED',
  'VAULT_TX_PENDING',
  // the node's escrow transfers (settlement.md#escrow-from-the-node)
  'VAULT_NOT_FOLLOWED',
  'VAULT_BALANCE_INSUFFICIENT',
];
/** OpenZeppelin's own errors the vault's ABI inherits: EIP712's ShortStrings (constructor only) and SafeERC20's (a token refusing a transfer). */
const LIBRARY = ['InvalidShortString', 'StringTooLong', 'SafeERC20FailedOperation'];

it("every custom error of the vault is a registered reason code, and every VAULT_ code is the vault's or the client's", () => {
  const errors = sfrVault.abi
    .filter((e) => e.type === 'error')
    .map((e) => e.name)
    .filter((e) => !LIBRARY.includes(e));
  const registered = new Set(reasonCodes.map((c) => c.code));
  expect(errors.filter((e) => !registered.has(e))).toEqual([]);
  const vault = reasonCodes.filter((c) => c.domain === 'VAULT').map((c) => c.code);
  expect(vault.sort()).toEqual([...errors.filter((e) => e.startsWith('VAULT_')), ...CLIENT_ONLY].sort());
  expect(errors).toContain('POOL_WITHDRAWAL_LOCKED');
});
