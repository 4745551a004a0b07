import { getAddress, type Hex } from 'viem';
import type { VaultCharter, VaultSettlement } from './types.js';

/**
 * The JSON form of the typed structs in vectors and harness ops (settlement.md#vectors): uint256
 * values as decimal strings, uint16 … uint64 values as JSON integers, addresses in EIP-55 form.
 */
export function settlementToJson(
  value: { settlement: VaultSettlement } | { charter: VaultCharter },
): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify('settlement' in value ? value.settlement : value.charter, (key, v: unknown) =>
      typeof v === 'bigint' ? (isWide(key) ? v.toString() : Number(v)) : v,
    ),
  ) as Record<string, unknown>;
}

/** The inverse of `settlementToJson`; throws a TypeError naming the first malformed field. */
export function settlementFromJson<K extends 'settlement' | 'charter'>(
  kind: K,
  json: unknown,
): K extends 'settlement' ? VaultSettlement : VaultCharter {
  const walk = (v: unknown, key: string, path: string): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => walk(x, key, `${path}[${i}]`));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k, `${path}.${k}`)]));
    }
    if (ADDRESS_KEYS.has(key)) {
      if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(v))
        throw new TypeError(`${path}: expected an address`);
      return getAddress(v);
    }
    if (BYTES32_KEYS.has(key)) {
      if (typeof v !== 'string' || !/^0x[0-9a-f]{64}$/.test(v))
        throw new TypeError(`${path}: expected lower-case bytes32 hex`);
      return v as Hex;
    }
    if (isWide(key)) {
      if (typeof v !== 'string' || !/^(0|[1-9][0-9]{0,77})$/.test(v))
        throw new TypeError(`${path}: expected a decimal string`);
      return BigInt(v);
    }
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw new TypeError(`${path}: expected a non-negative integer`);
    return SMALL_KEYS.has(key) ? v : BigInt(v);
  };
  const fields = (v: unknown, path: string, names: readonly string[]) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      throw new TypeError(`${path}: expected an object`);
    const have = Object.keys(v).sort().join(',');
    if (have !== [...names].sort().join(',')) {
      throw new TypeError(`${path}: expected exactly the fields ${names.join(', ')}`);
    }
  };
  const [top, listKey, item] = kind === 'settlement' ? SETTLEMENT_FIELDS : CHARTER_FIELDS;
  fields(json, kind, top);
  const list = (json as Record<string, unknown>)[listKey];
  if (!Array.isArray(list)) throw new TypeError(`${kind}.${listKey}: expected an array`);
  list.forEach((x, i) => {
    fields(x, `${kind}.${listKey}[${i}]`, item);
  });
  return walk(json, '', kind) as K extends 'settlement' ? VaultSettlement : VaultCharter;
}

/** The struct fields (settlement.md#typed-data): the top level, the list's name, the list item's. */
const SETTLEMENT_FIELDS = [
  [
    'poolId',
    'claimId',
    'round',
    'claimant',
    'asset',
    'amount',
    'contributions',
    'epoch',
    'charterHash',
    'filedAt',
    'decidedAt',
    'deadline',
  ],
  'contributions',
  ['member', 'amount'],
] as const;
const CHARTER_FIELDS = [
  [
    'poolId',
    'epoch',
    'charterHash',
    'effectiveAt',
    'asset',
    'members',
    'quorumBps',
    'minMembers',
    'maxMemberWeightBps',
    'perClaim',
    'perMemberPerPeriod',
    'perPeriod',
    'periodMs',
    'rateMaxAmount',
    'rateWindowMs',
    'votingMs',
    'challengeMs',
    'noticePeriodMs',
  ],
  'members',
  ['member', 'weight', 'leavingAt', 'commitment'],
] as const;

/** uint256 fields (and a contribution's or member's amount): decimal strings. */
const WIDE_KEYS = new Set([
  'amount',
  'commitment',
  'perClaim',
  'perMemberPerPeriod',
  'perPeriod',
  'rateMaxAmount',
]);
/** uint16 / uint32 fields kept as numbers in the TypeScript structs. */
const SMALL_KEYS = new Set(['round', 'quorumBps', 'minMembers', 'maxMemberWeightBps']);
const ADDRESS_KEYS = new Set(['claimant', 'asset', 'member']);
const BYTES32_KEYS = new Set(['poolId', 'claimId', 'charterHash']);

function isWide(key: string): boolean {
  return WIDE_KEYS.has(key);
}
