// Payload shapes per proposal 0001 §2 and §5 (the schemas in @sfr/schemas are the authority;
// payloads produced here are validated against them in the tests).

import { REGISTERED_REASON_CODES, type RegisteredCodeOf } from '@sfr/schemas';
import type { AmountRole, RecoveryMechanism } from '@sfr/schemas/types';

export type { AmountRole, RecoveryMechanism };
export type Address = `0x${string}`;
export type Hex = `0x${string}`;

export type Severity = 'unknown' | 'info' | 'low' | 'medium' | 'high' | 'critical';

export interface Asset {
  chain: string;
  address: Address | 'native';
  symbol: string;
  decimals: number;
}

export interface Amount {
  asset: Asset;
  value: string;
}

export interface LogEvidenceRef {
  type: 'log';
  chain: string;
  blockNumber: number;
  blockHash: Hex;
  txHash: Hex;
  logIndex: number;
  emitter: Address;
  topic0: Hex;
  eventSignature?: string;
  confirmations?: number;
}

export interface CallEvidenceRef {
  type: 'call';
  chain: string;
  blockNumber: number;
  blockHash: Hex;
  to: Address;
  data: Hex;
  result: Hex;
  signature?: string;
}

export type EvidenceRef = LogEvidenceRef | CallEvidenceRef;

export type RecoveryEventKind =
  | 'circuit_breaker_tripped'
  | 'emergency_pause'
  | 'resume'
  | 'market_frozen'
  | 'oracle_failure'
  | 'insurance_fund_deployed'
  | 'bad_debt_realized'
  | 'loss_socialized'
  | 'emergency_shutdown'
  | 'exploit_suspected'
  | 'governance_action';

export interface RecoveryEventAmount {
  role: AmountRole;
  amount: Amount;
  usdValue?: { value: string; decimals: number };
}

export interface RecoveryEventPayload {
  kind: RecoveryEventKind;
  protocol: string;
  severity: Severity;
  occurredAt: number;
  detectedAt: number;
  scope: { chain: string; contracts: Address[]; markets?: string[]; assets?: Asset[] };
  mechanism?: RecoveryMechanism;
  amounts?: RecoveryEventAmount[];
  evidence: EvidenceRef[];
  correlationId?: string;
  relatesTo?: `0x${string}`[];
  summary?: string;
  extensions?: Record<string, Record<string, unknown>>;
}

export type SubjectKind = 'asset' | 'oracle_feed' | 'contract' | 'protocol' | 'bridge' | 'chain';

export interface Subject {
  kind: SubjectKind;
  chain?: string;
  address?: Address;
  protocol?: string;
  name?: string;
}

export type ContagionIndicator =
  | 'depeg'
  | 'stale_oracle'
  | 'oracle_deviation'
  | 'invalid_oracle_answer'
  | 'sequencer_down'
  | 'contract_exploit'
  | 'bridge_exploit'
  | 'insolvency'
  | 'liquidity_crunch'
  | 'governance_attack'
  | 'other';

export interface RecommendedAction {
  action:
    | 'monitor'
    | 'pause_market'
    | 'freeze_asset'
    | 'disable_borrowing'
    | 'reduce_ltv'
    | 'raise_margin_requirements'
    | 'switch_oracle'
    | 'halt_bridge_transfers'
    | 'reduce_exposure'
    | 'close_positions'
    | 'other';
  target?: Subject;
  note?: string;
}

export interface ContagionAlertPayload {
  subject: Subject;
  indicator: ContagionIndicator;
  severity: Severity;
  confidence: number;
  observedAt: number;
  expiresAt: number;
  recommendedActions: RecommendedAction[];
  sourceEvents?: `0x${string}`[];
  evidence?: EvidenceRef[];
  metrics?: Record<string, string | number>;
  resolves?: `0x${string}`;
  summary?: string;
  extensions?: Record<string, Record<string, unknown>>;
}

/**
 * One thing an adapter emits. `key` is stable across restarts and re-scans (derived from the
 * evidence), so a host can de-duplicate at-least-once delivery.
 */
export type AdapterOutput =
  | { type: 'RecoveryEvent'; key: string; payload: RecoveryEventPayload }
  | { type: 'ContagionAlert'; key: string; payload: ContagionAlertPayload };

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
  type: 'log' | 'call';
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
  amount: { asset: Asset; value: string } | { usd: { value: string; decimals: number } } | null;
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
