// generated — do not edit. Source: schemas/v1/*.schema.json; regenerate with
// `npm run -w @sfr/schemas generate` (schemas/scripts/generate-types.ts).
/* eslint-disable */

/**
 * A blockchain, as a CAIP-2 chain id (`<namespace>:<reference>`).
 */
export type ChainId = string;

/**
 * An account on a chain, as a CAIP-10 account id (`<ChainId>:<address>`).
 */
export type AccountId = string;

/**
 * An EVM address, 20 bytes as `0x` + 40 hex digits. Compared case-insensitively; producers SHOULD emit the EIP-55 checksummed form.
 */
export type Address = string;

/**
 * 32 bytes as `0x` + 64 lower-case hex digits (hashes, ids, topics).
 */
export type Bytes32 = string;

/**
 * Arbitrary bytes as `0x` + an even number of lower-case hex digits. Each use bounds the length (`maxLength`); this definition allows at most 65 536 bytes.
 */
export type Hex = string;

/**
 * An unsigned integer below 2^256 as a decimal string: no sign, no leading zeros, no exponent. The bound 2^256 is checked in code (format `uint256`), since a pattern cannot express it.
 */
export type Uint256 = string;

/**
 * A signed integer in [-2^255, 2^255) as a decimal string: optional `-`, no leading zeros, no `-0`. The bound is checked in code (format `int256`).
 */
export type Int256 = string;

/**
 * A point in time, as integer milliseconds since the Unix epoch (UTC).
 */
export type UnixMs = number;

/**
 * A duration, in integer milliseconds.
 */
export type DurationMs = number;

/**
 * A ratio in basis points: 0 … 10 000 (10 000 = 100 %). SFR never uses floating point.
 */
export type Bps = number;

/**
 * A non-negative integer count or index (0 … 2^53−1).
 */
export type Count = number;

/**
 * How bad it is. Closed enum in v1, ordered `unknown` < `info` < `low` < `medium` < `high` < `critical`.
 */
export type Severity = 'unknown' | 'info' | 'low' | 'medium' | 'high' | 'critical';

/**
 * A protocol (and major version) as a stable lower-case slug.
 */
export type ProtocolSlug = string;

/**
 * The id of a signed envelope: keccak256 of its canonical JSON bytes, signature included (proposal 0001 §4), as `Bytes32`.
 */
export type MessageId = string;

/**
 * The id of an insurance pool, as `Bytes32` (chosen by the founders, e.g. keccak256 of the pool's name and founding members).
 */
export type PoolId = string;

/**
 * A short human-readable text (at most 280 characters). Receivers MUST treat it as untrusted display text.
 */
export type ShortText = string;

/**
 * A machine-readable label: lower-case letters, digits, `_`, `-`, `.`, `/`, `:` (1 … 128 characters), e.g. a market name or an action name.
 */
export type Label = string;

/**
 * A reason code from the SFR registry (`schemas/v1/registry/reason-codes/`): UPPER_SNAKE with a domain prefix. Open enum: a receiver MUST accept a well-formed code it does not know.
 */
export type ReasonCode = string;

/**
 * A libp2p multiaddr in its string form.
 */
export type Multiaddr = string;

/**
 * A libp2p peer id in its base58btc (`12D3Koo…`, `Qm…`) or CIDv1 string form.
 */
export type PeerId = string;

/**
 * A token on a chain. `address` is the token contract, or `native` for the chain's native coin.
 */
export interface Asset {
  /**
   * The chain the token lives on.
   */
  chain: ChainId;
  /**
   * The token contract address (EVM `Address`), or `native` for the chain's native coin.
   */
  address: string;
  /**
   * The token symbol as the contract reports it (display only; never used to identify the asset).
   */
  symbol: string;
  /**
   * The token's decimals: a base-unit amount `v` is worth `v / 10^decimals` tokens.
   */
  decimals: number;
  extensions?: Extensions;
}

/**
 * An amount of an asset, in the asset's base units.
 */
export interface Amount {
  /**
   * The asset.
   */
  asset: Asset;
  /**
   * The amount in base units (e.g. 1 USDC = `1000000`).
   */
  value: Uint256;
}

/**
 * A value in US dollars as a fixed-point integer: `value / 10^decimals` USD.
 */
export interface UsdValue {
  /**
   * The scaled value.
   */
  value: Uint256;
  /**
   * The scale of `value` (8 is usual, as Chainlink USD feeds use).
   */
  decimals: number;
}

/**
 * A reference to an on-chain event log, which any node with the chain can re-read and check.
 */
export interface LogEvidence {
  /**
   * Discriminator: a log reference.
   */
  type: 'log';
  /**
   * The chain the log was emitted on.
   */
  chain: ChainId;
  /**
   * The block number.
   */
  blockNumber: Count;
  /**
   * The block hash (pins the log to one fork).
   */
  blockHash: Bytes32;
  /**
   * The transaction hash.
   */
  txHash: Bytes32;
  /**
   * The log's index in the block.
   */
  logIndex: Count;
  /**
   * The contract that emitted the log.
   */
  emitter: Address;
  /**
   * The log's first topic: keccak256 of the canonical event signature (for non-anonymous events).
   */
  topic0: Bytes32;
  /**
   * The canonical event signature, informative, e.g. `ReservePaused(address,bool)`.
   */
  eventSignature?: string;
  /**
   * Blocks on top of `blockNumber` when the issuer observed the log (informative).
   */
  confirmations?: Count;
}

/**
 * A reference to a contract state read (`eth_call`) at a block, which any node with the chain can repeat.
 */
export interface CallEvidence {
  /**
   * Discriminator: a call reference.
   */
  type: 'call';
  /**
   * The chain.
   */
  chain: ChainId;
  /**
   * The block the call was made at.
   */
  blockNumber: Count;
  /**
   * The block hash (pins the state to one fork).
   */
  blockHash: Bytes32;
  /**
   * The contract called.
   */
  to: Address;
  /**
   * The calldata (selector + ABI-encoded arguments), at most 10 000 bytes.
   */
  data: Hex;
  /**
   * The returned bytes, at most 10 000 bytes.
   */
  result: Hex;
  /**
   * The function signature, informative, e.g. `getReserveData(address)`.
   */
  signature?: string;
}

/**
 * On-chain evidence: a log reference or a call reference, discriminated by `type`.
 */
export type EvidenceRef = LogEvidence | CallEvidence;

/**
 * What kind of thing a subject is. Open enum: a receiver maps a kind it does not know to `other`.
 */
export type SubjectKind = 'asset' | 'oracle_feed' | 'contract' | 'protocol' | 'bridge' | 'chain' | 'other';

/**
 * Something other protocols may depend on. `asset`, `oracle_feed` and `contract` need `chain` + `address`; `protocol` needs `protocol`; `bridge` needs `protocol` or `chain` + `address`; `chain` needs `chain`; `other` needs `name`.
 */
export interface Subject {
  kind: SubjectKind;
  /**
   * The chain of the subject.
   */
  chain?: ChainId;
  /**
   * The subject's contract address (token, feed, contract, bridge).
   */
  address?: Address;
  /**
   * The protocol the subject is, or belongs to.
   */
  protocol?: ProtocolSlug;
  /**
   * A display name (e.g. `USDC`, `ETH / USD`), informative.
   */
  name?: string;
  extensions?: Extensions;
}

/**
 * Namespaced extension data (proposal 0001 §3). Keys are reverse-DNS namespaces (`org.example.risk`); `sfr.*` is reserved for extensions admitted by the spec. Values are objects. Extensions are signed with the payload; a receiver that does not know a namespace MUST keep and relay it unchanged and MUST NOT let it change the meaning of core fields.
 */
export interface Extensions {
  [k: string]: {[k: string]: unknown};
}

/**
 * A signed SFR message (proposal 0001 §4). On gossip and sync the bytes are exactly the RFC 8785 canonical JSON of the envelope. The payload is checked against the schema its `type` names; `scope` is present exactly on pool messages. A receiver checks `sfr` (MAJOR.MINOR) before this schema: a message of an unknown minor or major is IGNOREd, never rejected.
 */
export interface Envelope {
  /**
   * The wire version, `MAJOR.MINOR`. This schema set is `1.0`; the schema accepts any well-formed version so that the version rule (IGNORE an unknown version) runs, not a schema REJECT.
   */
  sfr: string;
  type: PayloadType;
  /**
   * The member's address that signed the envelope (an EOA, or an ERC-1271 contract).
   */
  issuer: Address;
  /**
   * The issuer's sequence number, strictly increasing per issuer across all types.
   */
  seq: Count;
  /**
   * When the issuer signed the envelope.
   */
  issuedAt: UnixMs;
  scope?: EnvelopeScope;
  domain?: EnvelopeDomain;
  /**
   * The message body; its schema is the one `type` names.
   */
  payload: Payload;
  /**
   * The EIP-712 signature over the envelope header and the payload hash: 65 bytes `r ‖ s ‖ v` as lower-case hex, `v ∈ {27, 28}`, low-s (checked by the envelope rules, not this schema).
   */
  signature: string;
}

/**
 * The payload's type. A new type is a minor-version addition.
 */
export type PayloadType =
  | 'RecoveryEvent'
  | 'ContagionAlert'
  | 'PoolCharter'
  | 'FundClaim'
  | 'ClaimAttestation'
  | 'ClaimDecision'
  | 'NodeAnnouncement'
  | 'EquivocationEvidence';

/**
 * The pool a pool message belongs to. Required for `PoolCharter`, `FundClaim`, `ClaimAttestation` and `ClaimDecision`; absent otherwise.
 */
export interface EnvelopeScope {
  /**
   * The pool's id (the charter's `poolId`).
   */
  poolId: PoolId;
  /**
   * The charter epoch the message is made under.
   */
  epoch: Count;
}

/**
 * The EIP-712 domain's chain and verifying contract, present only on pool messages meant for an on-chain vault; it MUST equal the charter's settlement chain id and vault.
 */
export interface EnvelopeDomain {
  /**
   * The EIP-155 chain id of the settlement chain.
   */
  chainId: number;
  /**
   * The settlement vault.
   */
  verifyingContract: Address;
}

/**
 * Something failed, or was done, on the issuer's protocol: what, where (chain, contracts, markets, assets), how bad, which amounts, and the on-chain evidence any node can re-derive (proposal 0001 §5).
 */
export interface RecoveryEvent {
  kind: RecoveryEventKind;
  /**
   * The protocol the event happened on (the issuer's own protocol).
   */
  protocol: ProtocolSlug;
  /**
   * The issuer's assessment of the impact.
   */
  severity: Severity;
  /**
   * When the event happened (the block timestamp of the first evidence, when there is one).
   */
  occurredAt: UnixMs;
  /**
   * When the issuer's node or adapter detected it (≥ `occurredAt`, checked by the event rules).
   */
  detectedAt: UnixMs;
  scope: RecoveryScope;
  mechanism?: RecoveryMechanism;
  /**
   * The amounts involved (bad debt, funds used, losses socialized …), at most 32.
   *
   * @maxItems 32
   */
  amounts?: RecoveryAmount[];
  /**
   * On-chain evidence, at most 32 references. At least one is required, except for `exploit_suspected` (which may be raised from off-chain monitoring before anything lands on chain).
   *
   * @maxItems 32
   */
  evidence: EvidenceRef[];
  /**
   * An issuer-chosen id grouping the events of one incident (e.g. a pause, the bad debt it revealed, the resume).
   */
  correlationId?: Label;
  /**
   * Earlier messages this event follows up (e.g. the `emergency_pause` a `resume` ends), at most 32.
   *
   * @maxItems 32
   */
  relatesTo?: MessageId[];
  /**
   * A one-line human summary (≤ 280 characters), untrusted display text.
   */
  summary?: ShortText;
  extensions?: Extensions;
}

/**
 * What happened. Closed within a minor version: a new kind is a minor-version addition, and a receiver of an older minor IGNOREs the message by the version rule (there is no `other`).
 */
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

/**
 * How it happened, refining `kind`: for `loss_socialized` one of `auto_deleveraging`, `socialized_loss`, `funding_shortfall`; for `oracle_failure` one of `stale`, `invalid_answer`, `deviation`, `sequencer_down`; others for the remaining kinds. Open enum: a receiver maps a value it does not know to `other`.
 */
export type RecoveryMechanism =
  | 'auto_deleveraging'
  | 'socialized_loss'
  | 'funding_shortfall'
  | 'stale'
  | 'invalid_answer'
  | 'deviation'
  | 'sequencer_down'
  | 'price_deviation'
  | 'volatility'
  | 'rate_limit'
  | 'guardian'
  | 'governance'
  | 'insolvent_liquidation'
  | 'deficit_coverage'
  | 'other';

/**
 * Where the event happened.
 */
export interface RecoveryScope {
  /**
   * The chain.
   */
  chain: ChainId;
  /**
   * The affected contracts (pool, comet, market, vault …), 1 … 64.
   *
   * @minItems 1
   * @maxItems 64
   */
  contracts: Address[];
  /**
   * The affected markets, in the protocol's own naming (e.g. a GMX market token address or `ETH/USD`), at most 64.
   *
   * @maxItems 64
   */
  markets?: Label[];
  /**
   * The affected assets, at most 64.
   *
   * @maxItems 64
   */
  assets?: Asset[];
}

/**
 * An amount with the role it plays in the event.
 */
export interface RecoveryAmount {
  role: AmountRole;
  /**
   * The amount, in base units of its asset.
   */
  amount: Amount;
  /**
   * The issuer's USD valuation at `occurredAt`, informative (claims use the pool's valuation rule).
   */
  usdValue?: UsdValue;
}

/**
 * What an amount is. Open enum: a receiver maps a value it does not know to `other`.
 */
export type AmountRole =
  | 'bad_debt'
  | 'deficit'
  | 'insurance_fund_used'
  | 'socialized_loss'
  | 'deleveraged_notional'
  | 'collateral_seized'
  | 'debt_absorbed'
  | 'reserves_used'
  | 'funds_at_risk'
  | 'funds_frozen'
  | 'loss'
  | 'other';

/**
 * A warning that a subject other protocols may depend on (an asset, an oracle feed, a contract, a protocol, a bridge, a chain) is unsafe. Independent issuers corroborating an alert raise its confidence; an alert expires at `expiresAt` or when another alert `resolves` it.
 */
export interface ContagionAlert {
  /**
   * What the alert is about.
   */
  subject: Subject;
  indicator: AlertIndicator;
  /**
   * The issuer's assessment of the danger to dependants.
   */
  severity: Severity;
  /**
   * The issuer's own confidence, in basis points (10 000 = certain). Receivers combine the confidence of independent issuers.
   */
  confidence: Bps;
  /**
   * When the condition was observed.
   */
  observedAt: UnixMs;
  /**
   * When the alert stops applying unless renewed (> `observedAt`, checked by the alert rules).
   */
  expiresAt: UnixMs;
  /**
   * What dependants should consider doing, most important first (at most 16; may be empty).
   *
   * @maxItems 16
   */
  recommendedActions: RecommendedAction[];
  /**
   * The messages (usually `RecoveryEvent`s) the alert is based on, at most 32.
   *
   * @maxItems 32
   */
  sourceEvents?: MessageId[];
  /**
   * On-chain evidence of the condition (e.g. the oracle's last `AnswerUpdated` log), at most 32.
   *
   * @maxItems 32
   */
  evidence?: EvidenceRef[];
  metrics?: AlertMetrics;
  /**
   * Set on an all-clear: the alert this one resolves (same subject and indicator).
   */
  resolves?: MessageId;
  /**
   * A one-line human summary (≤ 280 characters), untrusted display text.
   */
  summary?: ShortText;
  extensions?: Extensions;
}

/**
 * What is wrong with the subject. Open enum: a receiver maps a value it does not know to `other`.
 */
export type AlertIndicator =
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

/**
 * An action a dependant may take.
 */
export interface RecommendedAction {
  action: ActionKind;
  /**
   * What to act on, when it is not the alert's subject.
   */
  target?: Subject;
  /**
   * Human guidance, untrusted display text.
   */
  note?: ShortText;
}

/**
 * A protective action. Open enum: a receiver maps a value it does not know to `other`.
 */
export type ActionKind =
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

/**
 * Measurements behind the alert, e.g. `{"priceE8": "99120000", "deviationBps": 88, "staleForMs": 5400000}`. Keys are camelCase (≤ 64 characters, at most 32 keys); values are integers or `Int256` decimal strings, never floats.
 */
export interface AlertMetrics {
  [k: string]: number | string;
}

/** Each schema kind `validate` knows, mapped to the type of a valid document of that kind. */
export interface SchemaTypeMap {
  Envelope: Envelope;
  RecoveryEvent: RecoveryEvent;
  ContagionAlert: ContagionAlert;
}

/** A payload: the document an envelope of one of the `PayloadType`s carries. */
export type Payload = RecoveryEvent | ContagionAlert;

/** The payload types that have a schema (`PayloadType` values). */
export type PayloadKind = 'RecoveryEvent' | 'ContagionAlert';

/** An envelope whose `type` is `T` and whose payload is therefore a `T`. */
export type EnvelopeOf<T extends PayloadKind> = Omit<Envelope, 'type' | 'payload'> & {
  type: T;
  payload: SchemaTypeMap[T];
};
