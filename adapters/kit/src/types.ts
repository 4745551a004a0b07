// The payloads an adapter emits are the generated @sfr/schemas types (schemas/v1/*.schema.json are the
// source of truth, `npm run generate` writes them); the kit re-exports them so adapters import one
// package. Only the kit's own interface (outputs, polls, exposure, evidence facts) is declared here.

import {
  type Address,
  type Amount,
  type Asset,
  type ContagionAlert,
  type EvidenceRef,
  type Hex,
  REGISTERED_REASON_CODES,
  type RecoveryEvent,
  type RecoveryEventKind,
  type RegisteredCodeOf,
  type Subject,
  type UsdValue,
} from '@sfr/schemas';

export type {
  ActionKind,
  Address,
  AlertIndicator,
  Amount,
  AmountRole,
  Asset,
  CallEvidence,
  ContagionAlert,
  EvidenceRef,
  Hex,
  LogEvidence,
  RecommendedAction,
  RecoveryAmount,
  RecoveryEvent,
  RecoveryEventKind,
  RecoveryMechanism,
  RecoveryScope,
  Severity,
  Subject,
  SubjectKind,
  UsdValue,
} from '@sfr/schemas';

/**
 * One thing an adapter emits. `key` is stable across restarts and re-scans (derived from the
 * evidence), so a host can de-duplicate at-least-once delivery.
 */
export type AdapterOutput =
  | { type: 'RecoveryEvent'; key: string; payload: RecoveryEvent }
  | { type: 'ContagionAlert'; key: string; payload: ContagionAlert };

/** What the protocol behind an adapter depends on (spec/v1/adapters.md#exposure). */
export interface ExposureProfile {
  protocol: string;
  chain: string;
  contracts: Address[];
  assets: Asset[];
  oracleFeeds: { chain: string; address: Address; asset?: Asset; description?: string }[];
  protocols: { protocol: string; reason: string }[];
  /** The same facts as ContagionAlert subjects, ready to match alerts against. */
  subjects: Subject[];
}

export interface EvidenceFacts {
  type: EvidenceRef['type'];
  chain: string;
  blockNumber: number;
  blockHash: Hex;
  blockTimestamp: number;
  confirmations: number;
  /** log: the contract that emitted it; call: the contract called */
  contract: Address;
  /** log: event name; call: function name */
  name: string;
  /** decoded arguments (log) or outputs (call), integers as decimal strings */
  values: Record<string, unknown>;
  txHash?: Hex;
  logIndex?: number;
}

/** Codes `verifyEvidence` answers (registry: schemas/v1/registry/reason-codes/EVIDENCE.json). */
export type EvidenceFailureCode = RegisteredCodeOf<'EVIDENCE'>;
export const evidenceFailureCodes = Object.keys(
  REGISTERED_REASON_CODES.EVIDENCE,
) as readonly EvidenceFailureCode[];

export type EvidenceVerification =
  | { ok: true; facts: EvidenceFacts }
  | { ok: false; code: EvidenceFailureCode; message: string; details?: Record<string, unknown> };

export interface PollResult {
  outputs: AdapterOutput[];
  /** first block scanned (inclusive); toBlock < fromBlock means nothing new was safe to scan */
  fromBlock: bigint;
  toBlock: bigint;
  head: bigint;
  /** present when the last scanned block was no longer canonical and the cursor was rewound */
  reorg?: { ancestor: bigint; depth: number };
  /** persists the cursor past this batch; call it once the outputs are stored */
  commit(): Promise<void>;
}

export interface WatchOptions {
  /** start block when no cursor is persisted yet (a persisted cursor wins) */
  fromBlock?: bigint;
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * The loss one piece of evidence proves, re-derived from chain (spec/v1/adapters.md#loss-derivation):
 * the RecoveryEvent kind the cited log (or call) stands for and, when it records a loss, the loss in
 * base units — of a token (`asset`), or in USD scaled by `usdDecimals` when the protocol books it so.
 */
export interface DerivedLoss {
  kind: RecoveryEventKind;
  /** null: the evidence proves the kind but no loss (a pause, a freeze). */
  amount: Amount | { usd: UsdValue } | null;
  /** How it was read, for the attestation: e.g. `aave-v3 DeficitCreated.amountCreated`. */
  derivation: string;
}

export type LossDerivation =
  /** one entry per kind the evidence proves (a Liquity liquidation can prove two); none: it proves no kind */
  | { ok: true; losses: DerivedLoss[] }
  | { ok: false; code: EvidenceFailureCode; message: string; details?: Record<string, unknown> };

/** The contract every SFR adapter implements (spec/v1/adapters.md#interface). */
export interface Adapter {
  readonly protocol: string;
  readonly chain: string;
  poll(): Promise<PollResult>;
  watch(options?: WatchOptions): AsyncIterable<AdapterOutput>;
  verifyEvidence(ref: EvidenceRef): Promise<EvidenceVerification>;
  /**
   * Verifies the evidence like `verifyEvidence`, then reads what it proves (spec/v1/adapters.md#loss-derivation).
   * Optional for adapters outside this repository; every reference adapter has it.
   */
  deriveLoss?(ref: EvidenceRef): Promise<LossDerivation>;
  exposure(): ExposureProfile;
}
