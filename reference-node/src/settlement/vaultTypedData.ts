import type { TypedDataDefinition } from 'viem';
import { CHARTER_TYPES, SETTLEMENT_TYPES } from './typedDataTypes.js';
import type { VaultCharter, VaultDomain, VaultSettlement } from './types.js';

/** The EIP-712 definition of a settlement or a charter's terms under the vault's domain (settlement.md#typed-data). */
export function vaultTypedData(
  domain: VaultDomain,
  message: { settlement: VaultSettlement } | { charter: VaultCharter },
): TypedDataDefinition {
  const eip712Domain = {
    name: 'SFR',
    version: '1',
    chainId: domain.chainId,
    verifyingContract: domain.vault,
  };
  if ('settlement' in message) {
    return {
      domain: eip712Domain,
      types: SETTLEMENT_TYPES,
      primaryType: 'Settlement',
      message: message.settlement,
    } as TypedDataDefinition;
  }
  return {
    domain: eip712Domain,
    types: CHARTER_TYPES,
    primaryType: 'Charter',
    message: message.charter,
  } as TypedDataDefinition;
}
