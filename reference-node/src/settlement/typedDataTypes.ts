/**
 * The EIP-712 types of settlement.md#typed-data, member order normative; the contract's
 * `CHARTER_TYPEHASH` and `SETTLEMENT_TYPEHASH` are keccak256 of their encodeType strings.
 */
export const CHARTER_TYPES = {
  Charter: [
    { name: 'poolId', type: 'bytes32' },
    { name: 'epoch', type: 'uint64' },
    { name: 'charterHash', type: 'bytes32' },
    { name: 'effectiveAt', type: 'uint64' },
    { name: 'asset', type: 'address' },
    { name: 'members', type: 'Member[]' },
    { name: 'quorumBps', type: 'uint16' },
    { name: 'minMembers', type: 'uint16' },
    { name: 'maxMemberWeightBps', type: 'uint16' },
    { name: 'perClaim', type: 'uint256' },
    { name: 'perMemberPerPeriod', type: 'uint256' },
    { name: 'perPeriod', type: 'uint256' },
    { name: 'periodMs', type: 'uint64' },
    { name: 'rateMaxAmount', type: 'uint256' },
    { name: 'rateWindowMs', type: 'uint64' },
    { name: 'votingMs', type: 'uint64' },
    { name: 'challengeMs', type: 'uint64' },
    { name: 'noticePeriodMs', type: 'uint64' },
  ],
  Member: [
    { name: 'member', type: 'address' },
    { name: 'weight', type: 'uint64' },
    { name: 'leavingAt', type: 'uint64' },
    { name: 'commitment', type: 'uint256' },
  ],
} as const;

export const SETTLEMENT_TYPES = {
  Settlement: [
    { name: 'poolId', type: 'bytes32' },
    { name: 'claimId', type: 'bytes32' },
    { name: 'round', type: 'uint32' },
    { name: 'claimant', type: 'address' },
    { name: 'asset', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'contributions', type: 'Contribution[]' },
    { name: 'epoch', type: 'uint64' },
    { name: 'charterHash', type: 'bytes32' },
    { name: 'filedAt', type: 'uint64' },
    { name: 'decidedAt', type: 'uint64' },
    { name: 'deadline', type: 'uint64' },
  ],
  Contribution: [
    { name: 'member', type: 'address' },
    { name: 'amount', type: 'uint256' },
  ],
} as const;

/** How long after `decidedAt` a settlement stays valid: 30 days (settlement.md#from-the-decision). */
export const SETTLEMENT_VALIDITY_MS = 30 * 24 * 3_600_000;

/** `encodeType(Settlement)`: keccak256 of it is the vault's `SETTLEMENT_TYPEHASH` (settlement.md#typed-data). */
export const SETTLEMENT_ENCODE_TYPE =
  'Settlement(bytes32 poolId,bytes32 claimId,uint32 round,address claimant,address asset,uint256 amount,Contribution[] contributions,uint64 epoch,bytes32 charterHash,uint64 filedAt,uint64 decidedAt,uint64 deadline)Contribution(address member,uint256 amount)';

/** `encodeType(Charter)`: keccak256 of it is the vault's `CHARTER_TYPEHASH` (settlement.md#typed-data). */
export const CHARTER_ENCODE_TYPE =
  'Charter(bytes32 poolId,uint64 epoch,bytes32 charterHash,uint64 effectiveAt,address asset,Member[] members,uint16 quorumBps,uint16 minMembers,uint16 maxMemberWeightBps,uint256 perClaim,uint256 perMemberPerPeriod,uint256 perPeriod,uint64 periodMs,uint256 rateMaxAmount,uint64 rateWindowMs,uint64 votingMs,uint64 challengeMs,uint64 noticePeriodMs)Member(address member,uint64 weight,uint64 leavingAt,uint256 commitment)';
