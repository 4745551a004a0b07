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

/** Typed data as JSON (a proposal's `vault.typedData`, node.md#multisig-members rule 11): integers as decimal strings. */
export function typedDataToJson(typed: TypedDataDefinition): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(typed, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  ) as Record<string, unknown>;
}

type TypeField = { name: string; type: string };

/**
 * The typed data a proposal's `vault.typedData` shows, ready to hash: each integer field of the message
 * (by its declared EIP-712 type, arrays of structs included) read back from its decimal string.
 */
export function typedDataFromJson(json: Record<string, unknown>): TypedDataDefinition {
  const types = (json['types'] ?? {}) as Record<string, TypeField[]>;
  const read = (type: string, value: unknown): unknown => {
    if (type.endsWith('[]')) return (value as unknown[]).map((v) => read(type.slice(0, -2), v));
    if (/^u?int\d*$/.test(type)) return BigInt(value as string | number);
    const fields = types[type];
    if (fields === undefined) return value;
    const o = value as Record<string, unknown>;
    return Object.fromEntries(fields.map((f) => [f.name, read(f.type, o[f.name])]));
  };
  return { ...json, message: read(json['primaryType'] as string, json['message']) } as TypedDataDefinition;
}
