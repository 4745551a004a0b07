import type { ClaimAttestation, FundClaim, PoolCharter } from '@sfr/schemas/types';
import type { Address, Envelope, Hex } from '../envelope/index.js';
import type { PoolRefusal } from './codes.js';

/** A message as the pool functions take it: a wire string, wire bytes, or a decoded envelope. */
export type MessageInput = Envelope | Uint8Array | string;

/** An envelope that passed the envelope checks (signature, schema), with its message id. */
export type PoolMessage = { envelope: Envelope; messageId: Hex };

/** A charter in force from `charter.effectiveAt`, adopted by its members' signatures (pools.md#charter). */
export type AdoptedCharter = {
  epoch: number;
  charter: PoolCharter;
  /** keccak256 of the charter payload's canonical JSON: the identity of the charter text. */
  payloadHash: Hex;
  /** Message ids of the signed envelopes carrying it, ascending; an amendment's `previousCharter` names one. */
  ids: Hex[];
  /** When the last signature it needed was issued. */
  adoptedAt: number;
};

/** The weights counted in a round (pools.md#tally); numbers because every weight is < 2^53. */
export type TallyView = {
  approveWeight: number;
  rejectWeight: number;
  abstainWeight: number;
  totalWeight: number;
  approveCount: number;
  rejectCount: number;
  abstainCount: number;
  eligibleCount: number;
};

export type ClaimStatus = 'attesting' | 'approved' | 'rejected' | 'expired' | 'settled';
export type RoundOutcome = 'approved' | 'rejected' | 'expired';

/** One counted vote. */
export type CountedVote = {
  member: Address;
  weight: bigint;
  verdict: ClaimAttestation['verdict'];
  /** min(approvedAmount, requestedAmount) for an approval, else null. */
  amount: bigint | null;
  issuedAt: number;
  message: PoolMessage;
};

/** An admitted claim, with the snapshot it is decided under. */
export type AdmittedClaim = {
  claimId: Hex;
  claimant: Address;
  message: PoolMessage;
  payload: FundClaim;
  filedAt: number;
  snapshot: AdoptedCharter;
  requestedAmount: bigint;
  /** The claim's own valuation of its losses (null when the method is unknown). */
  valuation: bigint | null;
};

export type Contribution = { member: Address; amount: bigint };

/** What `computePayout` returns (pools.md#payout). */
export type PayoutResult = {
  /** The weighted median of the approved amounts, capped at the request: the loss the pool accepts. */
  acceptedLoss: bigint;
  /** After the deductible. */
  covered: bigint;
  /** After the per-claim, per-member-per-period and per-period caps: what the pool owes. */
  due: bigint;
  /** What it pays: min(due, the contributors' remaining capital). */
  approvedAmount: bigint;
  shortfall: bigint;
  /** floor(shortfall × 10 000 / due), 0 when nothing is due. */
  haircutBps: number;
  contributions: Contribution[];
  /** Which cap bound `due`, if any. */
  boundBy: 'none' | 'perClaim' | 'perMemberPerPeriod' | 'perPeriod';
};

/** A payout leaving the vault in tranches under the charter's rate limit (pools.md#rate-limit). */
export type PayoutSchedule = { firstAt: number; lastAt: number; tranches: number } | null;

export type DecisionView = {
  outcome: RoundOutcome;
  approvedAmount: bigint;
  shortfall: bigint;
  haircutBps: number;
  contributions: Contribution[];
  decidedAt: number;
  boundBy: PayoutResult['boundBy'];
  acceptedLoss: bigint;
  due: bigint;
};

export type ClaimView = {
  claim: AdmittedClaim;
  status: ClaimStatus;
  round: 0;
  /** When the round closes (or closed): see pools.md#timing. */
  closesAt: number;
  /** The outcome that currently holds quorum, if any. */
  standing: 'approved' | 'rejected' | null;
  tally: TallyView;
  votes: CountedVote[];
  decision: DecisionView | null;
  schedule: PayoutSchedule;
};

export type EquivocationView = {
  offender: Address;
  claimId: Hex;
  round: number;
  offense: 'duplicate_seq' | 'conflicting_attestation';
  /** The two conflicting envelopes, lower message id first (an `EquivocationEvidence` payload). */
  first: PoolMessage;
  second: PoolMessage;
  /** When the conflict became provable (the later of the two envelopes' times). */
  provableAt: number;
};

/** A pool's money, per member, after the decisions closed by `now` (pools.md#ledger). */
export type LedgerView = {
  /** Σ unit-asset commitments of the latest charter in force. */
  capital: bigint;
  paidOut: bigint;
  members: { member: Address; committed: bigint; contributed: bigint; received: bigint; remaining: bigint }[];
  /** Claim deposits forfeited by rejected claims, in the deposit asset's base units. */
  forfeitedDeposits: bigint;
};

export type PoolView = {
  poolId: Hex | null;
  charters: AdoptedCharter[];
  claims: ClaimView[];
  equivocations: EquivocationView[];
  refused: PoolRefusal[];
  ledger: LedgerView;
  now: number;
};
