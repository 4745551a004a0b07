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
