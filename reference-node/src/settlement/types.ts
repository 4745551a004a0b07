import type { Address, Hex } from 'viem';

/** A member as the vault stores it (settlement.md#charter-terms). */
export type VaultMember = { member: Address; weight: bigint; leavingAt: bigint; commitment: bigint };

/** The `Charter` typed struct: the terms of one charter epoch the vault enforces (settlement.md#charter-terms). */
export type VaultCharter = {
  poolId: Hex;
  epoch: bigint;
  charterHash: Hex;
  effectiveAt: bigint;
  asset: Address;
  /** Strictly ascending addresses. */
  members: VaultMember[];
  quorumBps: number;
  minMembers: number;
  maxMemberWeightBps: number;
  perClaim: bigint;
  perMemberPerPeriod: bigint;
  perPeriod: bigint;
  periodMs: bigint;
  rateMaxAmount: bigint;
  rateWindowMs: bigint;
  votingMs: bigint;
  challengeMs: bigint;
  noticePeriodMs: bigint;
};

/** The `Settlement` typed struct each approving member signs (settlement.md#typed-data). */
export type VaultSettlement = {
  poolId: Hex;
  claimId: Hex;
  round: number;
  claimant: Address;
  asset: Address;
  amount: bigint;
  /** Strictly ascending members, non-zero amounts. */
  contributions: { member: Address; amount: bigint }[];
  epoch: bigint;
  charterHash: Hex;
  filedAt: bigint;
  decidedAt: bigint;
  deadline: bigint;
};

/** One member's signature as `settle` and `registerCharter` take it. */
export type VaultSignature = { signer: Address; signature: Hex };

/** The vault's EIP-712 domain: SFR's, bound to the settlement chain and vault (envelope.md#typed-data). */
export type VaultDomain = { chainId: number; vault: Address };
