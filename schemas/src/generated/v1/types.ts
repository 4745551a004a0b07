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
export type Address = `0x${string}`;

/**
 * 32 bytes as `0x` + 64 lower-case hex digits (hashes, ids, topics).
 */
export type Bytes32 = `0x${string}`;

/**
 * Arbitrary bytes as `0x` + an even number of lower-case hex digits. Each use bounds the length (`maxLength`); this definition allows at most 65 536 bytes.
 */
export type Hex = `0x${string}`;

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
export type MessageId = `0x${string}`;

/**
 * The id of an insurance pool, as `Bytes32` (chosen by the founders, e.g. keccak256 of the pool's name and founding members).
 */
export type PoolId = `0x${string}`;

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
   * The EIP-712 signature over the envelope header and the payload hash, as lower-case hex: for an EOA member 65 bytes `r ‖ s ‖ v`, `v ∈ {27, 28}`, low-s; for a contract (ERC-1271) member the bytes its `isValidSignature` accepts, at most 1 300 (envelope.md#signature; which member is which, and the 65-byte form, are checked by the envelope rules, not this schema).
   */
  signature: `0x${string}`;
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
 * The value of the `sfr.retraction` extension of a RecoveryEvent (messages.md#retraction, proposal 0004): the issuer voids one of its own earlier RecoveryEvents, whose evidence a chain reorganisation removed. The carrying event has the retracted event's kind, protocol and scope, severity `info`, and `relatesTo` exactly `[retracts]`.
 */
export interface Retraction {
  /**
   * The id of the RecoveryEvent this one retracts (an event of the same issuer).
   */
  retracts: MessageId;
  /**
   * Why: `EVIDENCE_REORGED`, the retracted event's evidence is no longer on the canonical chain. The only reason this version defines.
   */
  reasonCode: 'EVIDENCE_REORGED';
  /**
   * The common ancestor block the issuer's adapter found below the reorganisation (informative).
   */
  ancestorBlock?: Uint256;
}

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
  /**
   * An integer (within ±(2^53−1)) or an `Int256` decimal string.
   */
  [k: string]: number | string;
}

/**
 * A shared insurance pool: who is in it, what each member commits, which losses it covers and under which caps, how claims are voted on and where they settle. Founded by its first members' signatures; amended by quorum as a new epoch whose `previousCharter` names the one it replaces. Pools are isolated: a claim on one pool never reaches another pool's capital. All money figures are base units of `valuation.unitAsset` unless said otherwise.
 */
export interface PoolCharter {
  /**
   * The pool's id; equal to the `scope.poolId` of every message of the pool.
   */
  poolId: PoolId;
  /**
   * A display name.
   */
  name: string;
  /**
   * The charter version: 0 for the founding charter, +1 for each amendment (equal to the envelope's `scope.epoch`).
   */
  epoch: Count;
  /**
   * The message id of the charter this one amends; required when `epoch` > 0.
   */
  previousCharter?: MessageId;
  /**
   * When the charter takes effect. Claims filed before it are decided under the charter they were filed under (weights are snapshotted at filing).
   */
  effectiveAt: UnixMs;
  /**
   * The members, 2 … 128, each address at most once (checked by the pool rules).
   *
   * @minItems 2
   * @maxItems 128
   */
  members: PoolMember[];
  /**
   * The assets payouts are made in (1 … 8), each held in the vault.
   *
   * @minItems 1
   * @maxItems 8
   */
  payoutAssets: Asset[];
  /**
   * The recovery-event kinds a claim may cite as its cause (1 … 16).
   *
   * @minItems 1
   * @maxItems 16
   */
  coveredKinds: RecoveryEventKind[];
  deductible: Deductible;
  caps: PoolCaps;
  payoutRateLimit: PayoutRateLimit;
  quorum: Quorum;
  /**
   * The most any one member's weight counts for, as a share of the total weight (e.g. 3 000 = 30 %); weight above it is ignored in tallies.
   */
  maxMemberWeightBps: Bps;
  windows: PoolWindows;
  /**
   * How long before leaving takes effect; a member cannot withdraw while a claim is open (the bank-run guard).
   */
  noticePeriodMs: DurationMs;
  /**
   * The deposit a claimant locks when filing; forfeited to the pool if the claim is rejected.
   */
  claimDeposit: Amount;
  valuation: ValuationRule;
  settlement: Settlement;
  extensions?: Extensions;
}

/**
 * A member of the pool and its commitment.
 */
export interface PoolMember {
  /**
   * The member's signing address.
   */
  member: Address;
  /**
   * The protocol the member operates.
   */
  protocol: ProtocolSlug;
  /**
   * Voting weight (an integer ≥ 1; shares are computed against the total). Usually proportional to committed capital.
   */
  weight: number;
  /**
   * Capital the member commits, per asset (1 … 8), in base units of each asset.
   *
   * @minItems 1
   * @maxItems 8
   */
  commitments: Amount[];
  /**
   * Set when the member gave notice: when its membership ends (≥ notice time + `noticePeriodMs`).
   */
  leavingAt?: UnixMs;
  extensions?: Extensions;
}

/**
 * What the claimant bears itself: `fixed`, plus `bps` of the loss above `fixed`.
 */
export interface Deductible {
  /**
   * A fixed amount, in unit-asset base units.
   */
  fixed: Uint256;
  /**
   * A share of the loss above `fixed`.
   */
  bps: Bps;
}

/**
 * Upper bounds on payouts, in unit-asset base units.
 */
export interface PoolCaps {
  /**
   * The most one claim can be paid.
   */
  perClaim: Uint256;
  /**
   * The most one member can be paid over one period.
   */
  perMemberPerPeriod: Uint256;
  /**
   * The most the pool pays over one period.
   */
  perPeriod: Uint256;
  /**
   * The period length (rolling, ending at the decision time).
   */
  periodMs: DurationMs;
}

/**
 * A rate limit on payouts leaving the vault: at most `maxAmount` per `windowMs`; larger approved amounts are paid in tranches.
 */
export interface PayoutRateLimit {
  /**
   * The most paid out per window.
   */
  maxAmount: Uint256;
  /**
   * The window length.
   */
  windowMs: DurationMs;
}

/**
 * When a vote counts: approvals (or rejections) carrying at least `weightBps` of the total snapshot weight (claimant excluded), from at least `minMembers` distinct members.
 */
export interface Quorum {
  /**
   * The share of the total weight needed, e.g. 6 667 for two thirds.
   */
  weightBps: Bps;
  /**
   * The minimum number of distinct attesting members.
   */
  minMembers: number;
}

/**
 * The claim timetable.
 */
export interface PoolWindows {
  /**
   * How long attestations are accepted after filing; votes after it do not count.
   */
  votingMs: DurationMs;
  /**
   * After an approval, how long members can challenge (e.g. with reorg evidence) before settlement.
   */
  challengeMs: DurationMs;
  /**
   * The minimum time between two claims of one member on the pool.
   */
  cooldownMs: DurationMs;
}

/**
 * How losses are valued into the unit asset, resistant to manipulation: each asset is priced at the median of the feed's answers over `lookbackMs` ending before the incident window opens (a pre-incident price), never at a price from inside the incident.
 */
export interface ValuationRule {
  /**
   * The accounting unit of caps, deductibles and approved amounts (e.g. USDC).
   */
  unitAsset: Asset;
  /**
   * The pricing method. Open enum: a receiver that does not know the method abstains from valuing.
   */
  method: 'pre_incident_median' | 'pre_incident_twap' | 'fixed_price' | 'other';
  /**
   * The pre-incident window the method looks at.
   */
  lookbackMs: DurationMs;
  /**
   * An attester rejects a claim whose valuation input deviates more than this from its own.
   */
  maxDeviationBps: Bps;
  /**
   * Price feeds per asset, at most 32.
   *
   * @maxItems 32
   */
  feeds?: PriceFeed[];
}

/**
 * A price feed for one asset, quoted in the unit asset's currency.
 */
export interface PriceFeed {
  /**
   * The asset priced.
   */
  asset: Asset;
  /**
   * The feed's chain.
   */
  chain: ChainId;
  /**
   * The feed contract (e.g. a Chainlink aggregator proxy).
   */
  feed: Address;
  /**
   * The feed answer's decimals.
   */
  decimals: number;
  /**
   * For `fixed_price`: the price, scaled by `decimals`.
   */
  fixedPrice?: Uint256;
}

/**
 * Where approved claims are paid.
 */
export interface Settlement {
  /**
   * The settlement chain (its EIP-155 id is the envelope's `domain.chainId`).
   */
  chain: ChainId;
  /**
   * The vault holding the pool's capital (the envelope's `domain.verifyingContract`).
   */
  vault: Address;
}

/**
 * A member asks its pool to cover a loss. The claim's id is this message's id. It cites the member's own recovery events and the on-chain evidence of the loss, which every other member's node re-derives before attesting.
 */
export interface FundClaim {
  /**
   * The pool (equal to the envelope's `scope.poolId`).
   */
  poolId: PoolId;
  /**
   * The claimant's id of the incident (one open claim per member and incident); usually the `correlationId` of its recovery events.
   */
  incidentId: Label;
  incidentWindow: IncidentWindow;
  /**
   * The covered event kind the claim rests on (one of the charter's `coveredKinds`).
   */
  coveredKind: RecoveryEventKind;
  /**
   * The claimant's `RecoveryEvent` messages about the incident (1 … 32).
   *
   * @minItems 1
   * @maxItems 32
   */
  recoveryEvents: MessageId[];
  /**
   * The on-chain evidence of the loss (1 … 64).
   *
   * @minItems 1
   * @maxItems 64
   */
  evidence: EvidenceRef[];
  /**
   * The losses, per asset, in base units of each asset (1 … 16).
   *
   * @minItems 1
   * @maxItems 16
   */
  losses: ClaimLoss[];
  /**
   * The amount asked for, in base units of the charter's unit asset (before deductible and caps, which the decision applies).
   */
  requestedAmount: Uint256;
  /**
   * The prices the claimant used to value its losses (0 … 16); attesters recompute them by the charter's valuation rule.
   *
   * @maxItems 16
   */
  valuationInputs: ValuationInput[];
  /**
   * Evidence of the claim deposit (the vault's deposit log), when the pool has a vault.
   */
  deposit?: EvidenceRef;
  /**
   * A one-line human summary, untrusted display text.
   */
  summary?: ShortText;
  extensions?: Extensions;
}

/**
 * The time span of the incident; `from` ≤ `to`, checked by the claim rules.
 */
export interface IncidentWindow {
  /**
   * When the incident began.
   */
  from: UnixMs;
  /**
   * When it ended (or when the claim was filed, if ongoing).
   */
  to: UnixMs;
}

/**
 * One loss.
 */
export interface ClaimLoss {
  /**
   * What the loss is (e.g. `bad_debt`).
   */
  role: AmountRole;
  /**
   * The loss in base units of its asset.
   */
  amount: Amount;
}

/**
 * A price the claimant used.
 */
export interface ValuationInput {
  /**
   * The asset priced.
   */
  asset: Asset;
  /**
   * The price of one whole token in the unit asset's currency, scaled by `priceDecimals`.
   */
  price: Uint256;
  /**
   * The scale of `price`.
   */
  priceDecimals: number;
  /**
   * The time the price is for.
   */
  observedAt: UnixMs;
  /**
   * Where the price can be re-read (e.g. the feed's `latestRoundData()` call at a block).
   */
  source?: EvidenceRef;
}

/**
 * The verdict. Closed enum.
 */
export type Verdict = 'approve' | 'reject' | 'abstain';

/**
 * A member's verdict on a claim, after its own node re-derived the cited evidence from chain: approve with an amount, reject with a reason, or abstain. The claimant's own attestation never counts.
 */
export interface ClaimAttestation {
  /**
   * The pool (equal to the envelope's `scope.poolId`).
   */
  poolId: PoolId;
  /**
   * The claim: the message id of its `FundClaim`.
   */
  claimId: MessageId;
  /**
   * The voting round (0 for the first; a challenge opens the next).
   */
  round: Count;
  verdict: Verdict;
  /**
   * The amount the attester approves, in unit-asset base units; present if and only if `verdict` is `approve`.
   */
  approvedAmount?: Uint256;
  /**
   * Why the attester rejects (e.g. `EVIDENCE_LOG_NOT_FOUND`); present if and only if `verdict` is `reject`.
   */
  reasonCode?: ReasonCode;
  /**
   * The result of re-deriving each cited evidence reference (at most 64), in the claim's order.
   *
   * @maxItems 64
   */
  evidenceChecks: EvidenceCheck[];
  /**
   * The attester's own valuation of the losses, in unit-asset base units.
   */
  valuation?: Uint256;
  /**
   * A human note, untrusted display text.
   */
  note?: ShortText;
  extensions?: Extensions;
}

/**
 * What the attester found. Open enum: a receiver maps a value it does not know to `unavailable`.
 */
export type EvidenceCheckResult = 'verified' | 'mismatch' | 'not_found' | 'reorged' | 'unavailable';

/**
 * The outcome of re-deriving one piece of evidence.
 */
export interface EvidenceCheck {
  /**
   * The index of the reference in the claim's `evidence` array.
   */
  index: Count;
  result: EvidenceCheckResult;
  /**
   * The adapter's `EVIDENCE_*` reason code when the result is not `verified`.
   */
  code?: ReasonCode;
}

/**
 * The outcome. Closed enum.
 */
export type ClaimOutcome = 'approved' | 'rejected' | 'expired';

/**
 * The outcome of a claim round once quorum is reached or made impossible, or the voting window ends: derived deterministically from the charter and the accepted messages, so every node computes the same decision; any node may publish it. It embeds the attestation envelopes it counts, so anyone can verify it.
 */
export interface ClaimDecision {
  /**
   * The pool.
   */
  poolId: PoolId;
  /**
   * The claim decided.
   */
  claimId: MessageId;
  /**
   * The round decided.
   */
  round: Count;
  outcome: ClaimOutcome;
  /**
   * The amount paid, in unit-asset base units, after deductible, caps and any shortfall haircut; `0` unless approved.
   */
  approvedAmount: Uint256;
  /**
   * Each contributing member's share of the payout (claimant excluded), in unit-asset base units; the sum equals `approvedAmount`. Empty unless approved.
   *
   * @maxItems 128
   */
  contributions: Contribution[];
  /**
   * How much of the amount due the pool could not cover (the pro-rata haircut), in unit-asset base units.
   */
  shortfall?: Uint256;
  tally?: Tally;
  /**
   * The signed `ClaimAttestation` envelopes counted (at most 128), in ascending message-id order.
   *
   * @maxItems 128
   */
  attestations: Envelope[];
  /**
   * The decision time: when quorum was reached or became impossible, or the voting window's end.
   */
  decidedAt: UnixMs;
  extensions?: Extensions;
}

/**
 * One member's contribution.
 */
export interface Contribution {
  /**
   * The contributing member.
   */
  member: Address;
  /**
   * Its contribution, in unit-asset base units.
   */
  amount: Uint256;
}

/**
 * The weights counted (after the per-member cap), as integers.
 */
export interface Tally {
  /**
   * Weight of approvals.
   */
  approveWeight: Count;
  /**
   * Weight of rejections.
   */
  rejectWeight: Count;
  /**
   * Weight of abstentions.
   */
  abstainWeight: Count;
  /**
   * The total snapshot weight, claimant excluded.
   */
  totalWeight: Count;
}

/**
 * A node binds its libp2p peer id to its member key and says what it supports. Re-sent periodically with a `heartbeat`; a `keyRotation` announces the member's next signing key.
 */
export interface NodeAnnouncement {
  /**
   * The node's libp2p peer id.
   */
  peerId: PeerId;
  /**
   * The member address the node signs for (equals the envelope's `issuer`).
   */
  member: Address;
  /**
   * The protocol the member operates.
   */
  protocol: ProtocolSlug;
  /**
   * Multiaddrs the node can be dialled on (may be empty for a node behind NAT), at most 16.
   *
   * @maxItems 16
   */
  addresses: Multiaddr[];
  /**
   * Wire versions the node accepts (`MAJOR.MINOR`), e.g. `["1.0"]`; 1 … 8.
   *
   * @minItems 1
   * @maxItems 8
   */
  specVersions: string[];
  /**
   * What the node does, at most 16.
   *
   * @maxItems 16
   */
  capabilities: NodeCapability[];
  heartbeat?: Heartbeat;
  keyRotation?: KeyRotation;
  /**
   * Optional proof that the libp2p key agrees: the peer key's signature over the UTF-8 bytes `sfr-peer-binding:<member lower-case>` (at most 512 bytes).
   */
  peerSignature?: Hex;
  extensions?: Extensions;
}

/**
 * A node capability. Open enum: a receiver maps a value it does not know to `other`.
 */
export type NodeCapability =
  'relay' | 'sync' | 'contagion' | 'pools' | 'attest' | 'http_api' | 'adapter' | 'archive' | 'other';

/**
 * Liveness data, sent with periodic re-announcements.
 */
export interface Heartbeat {
  /**
   * How long the node has been running.
   */
  uptimeMs: DurationMs;
  /**
   * The member's highest issued sequence number (lets peers notice a gap and sync).
   */
  headSeq: Count;
  /**
   * Connected peers (informative).
   */
  peers?: Count;
}

/**
 * Announces the member's next signing key: envelopes with `seq` ≥ `effectiveFromSeq` are signed by `newKey`.
 */
export interface KeyRotation {
  /**
   * The new signing address.
   */
  newKey: Address;
  /**
   * The first sequence number signed by the new key (greater than the announcement's own `seq`).
   */
  effectiveFromSeq: Count;
  /**
   * Proof of possession: the new key's EIP-191 signature over `sfr-key-rotation:<member>:<effectiveFromSeq>`, 65 bytes lower-case hex.
   */
  newKeySignature?: `0x${string}`;
}

/**
 * The kind of equivocation. Closed enum in v1.
 */
export type Offense = 'duplicate_seq' | 'conflicting_attestation';

/**
 * Proof that a member signed two conflicting messages, verifiable from the two envelopes alone: two envelopes of one issuer with the same `seq` and different content (`duplicate_seq`), or two attestations of one member for the same claim and round with different verdicts or amounts (`conflicting_attestation`).
 */
export interface EquivocationEvidence {
  offense: Offense;
  /**
   * The member that signed both (both envelopes' `issuer`).
   */
  offender: Address;
  /**
   * One signed envelope (the one with the smaller message id).
   */
  first: Envelope;
  /**
   * The conflicting signed envelope (the one with the larger message id).
   */
  second: Envelope;
  /**
   * When the reporter detected it (informative).
   */
  detectedAt?: UnixMs;
  extensions?: Extensions;
}

/**
 * The reference node's configuration file (JSON). Precedence: command-line flag > environment > this file > the defaults stated here. Secrets (keys, tokens, webhook secrets, RPC URLs with credentials) are never inline: the file names the files that hold them. Relative paths resolve against the config file's folder.
 */
export interface NodeConfig {
  /**
   * An optional schema URL for editors; ignored by the node.
   */
  $schema?: string;
  identity: IdentityConfig;
  /**
   * The folder holding the store and the libp2p key (created if missing).
   */
  dataDir: string;
  network: NetworkConfig;
  http?: HttpConfig;
  gossip?: GossipConfig;
  time?: TimeConfig;
  limits?: LimitsConfig;
  logging?: LoggingConfig;
  metrics?: MetricsConfig;
  liveness?: LivenessConfig;
  /**
   * RPC endpoints, one per chain, used by adapters and evidence checks (at most 32).
   *
   * @maxItems 32
   */
  chains?: ChainConfig[];
  /**
   * Protocol adapters to load (at most 16).
   *
   * @maxItems 16
   */
  adapters?: AdapterConfig[];
  exposure?: ExposureProfile;
  /**
   * Where to push alerts and events (at most 16).
   *
   * @maxItems 16
   */
  webhooks?: WebhookConfig[];
  /**
   * The pools this node takes part in (at most 16).
   *
   * @maxItems 16
   */
  pools?: PoolMembershipConfig[];
  policy?: PolicyConfig;
  extensions?: Extensions;
}

/**
 * Who the node signs as.
 */
export interface IdentityConfig {
  /**
   * Where the member key is (node.md#keys), in one of the forms `sfr keys` writes: a Web3 Secret Storage v3 keystore (scrypt; the default of `sfr keys new`), opened with the passphrase from `passwordFile`, the variable named by `passwordEnv`, or a prompt on the terminal; the plaintext form `{"kind": "sfr-member-key", "address", "privateKey"}`; or a remote signer reference `{"kind": "sfr-remote-signer", "url", "publicKey", "timeoutMs"?}` (a Web3Signer holds the key; node.md#remote-signer). The node refuses a keystore or plaintext key file readable by other users (mode must be 0600).
   */
  keyFile: string;
  /**
   * A file whose first line is the keystore passphrase; the node refuses it unless its mode is 0600. Not used for the other key forms.
   */
  passwordFile?: string;
  /**
   * The name of an environment variable holding the keystore passphrase, used when `passwordFile` is absent. Not an `SFR_` name (those name settings).
   */
  passwordEnv?: string;
  /**
   * The expected member address; the node refuses to start if the key does not match.
   */
  member?: Address;
  /**
   * The protocol the member operates.
   */
  protocol: ProtocolSlug;
  /**
   * The account that pays for this node's vault transactions (settlement.md#sending), a key file in the forms of `keyFile` (keystore, plaintext, remote signer), with its own `passwordFile` / `passwordEnv`. Default: the member key (an EOA member sends from its own key). A contract member (node.md#contract-members) sends only through it; without it the node sends nothing (`VAULT_NO_SENDER`). A sender that is not the member cannot make the calls only the member may make (`openClaim`, `withdraw`: `VAULT_SENDER_NOT_MEMBER`).
   */
  sender?: {
    /**
     * Where the sending key is, in one of the forms of `identity.keyFile`; mode 0600 as there.
     */
    keyFile: string;
    /**
     * A file whose first line is the sending keystore's passphrase (mode 0600).
     */
    passwordFile?: string;
    /**
     * The name of an environment variable holding the sending keystore's passphrase, used when `passwordFile` is absent. Not an `SFR_` name.
     */
    passwordEnv?: string;
  };
}

/**
 * libp2p transport settings.
 */
export interface NetworkConfig {
  /**
   * Multiaddrs to listen on (1 … 8), e.g. `/ip4/0.0.0.0/tcp/9001`; `tcp/0` picks a free port.
   *
   * @minItems 1
   * @maxItems 8
   */
  listen: Multiaddr[];
  /**
   * Multiaddrs to announce instead of the listen addresses (at most 8).
   *
   * @maxItems 8
   */
  announce?: Multiaddr[];
  /**
   * Peers to dial at start, with `/p2p/<peerId>` (at most 64).
   *
   * @maxItems 64
   */
  bootstrap?: Multiaddr[];
  /**
   * Explicit member peers: kept connected and treated as direct peers by gossipsub (at most 128).
   *
   * @maxItems 128
   */
  members?: MemberPeer[];
}

/**
 * A known member's node.
 */
export interface MemberPeer {
  /**
   * The member's address: the key that signs its envelopes, or, with `contract`, the address of the contract (a Safe or another ERC-1271 account) that accepts them.
   */
  member: Address;
  /**
   * The member node's peer id.
   */
  peerId?: PeerId;
  /**
   * Where to dial it (at most 8).
   *
   * @maxItems 8
   */
  addresses?: Multiaddr[];
  contract?: ContractMember;
}

/**
 * The member is a contract on an EVM chain (node.md#contract-members): its envelopes are valid when the contract's ERC-1271 `isValidSignature` accepts them, asked through this node's `chains[]` entry of `chain` (envelope.md#erc-1271-members). Without such an entry, or while the chain cannot answer, its envelopes are IGNOREd `ENVELOPE_ERC1271_UNVERIFIABLE`.
 */
export interface ContractMember {
  /**
   * The EVM chain the contract is deployed on, as a CAIP-2 `eip155` chain id.
   */
  chain: string;
}

/**
 * The local HTTP API.
 */
export interface HttpConfig {
  /**
   * Serve the HTTP API. Default `true`.
   */
  enabled?: boolean;
  /**
   * Interface to bind. Default `127.0.0.1` (loopback only). Mutating routes always require the bearer token (from `tokenFile`, or generated by the node in its data dir).
   */
  host?: string;
  /**
   * TCP port; `0` picks a free port. Default `7410`.
   */
  port?: number;
  /**
   * A file holding the bearer token callers must send (`Authorization: Bearer …`).
   */
  tokenFile?: string;
  /**
   * Require the bearer token on reads as well (every `/v1/…` GET, the event streams included), for an API reachable by others than the operator. `/health`, `/ready`, `/metrics` and `/openapi.json` stay open. Default `false` (api.md#access).
   */
  readAuth?: boolean;
  rateLimit?: HttpRateLimitConfig;
  streams?: HttpStreamsConfig;
  timeouts?: HttpTimeoutsConfig;
  /**
   * Open TCP connections the API accepts at once; further ones are closed at accept. Default 1 024 (api.md#limits).
   */
  maxConnections?: number;
}

/**
 * Request budgets (api.md#limits). Every rate-limited route has its own budget per client and window: a client is the bearer token when the request carries the node's token, else the client's IP address, so a flood from one address never spends the operator's authenticated budget. `/health`, `/ready` and `/metrics` are never rate-limited.
 */
export interface HttpRateLimitConfig {
  /**
   * The window the budgets count over. Default 60 000. In milliseconds.
   */
  windowMs?: number;
  /**
   * Requests per window, per route and client, for reads (GET). Default 600.
   */
  reads?: number;
  /**
   * Requests per window, per route and client, for mutations (POST). Default 600.
   */
  writes?: number;
}

/**
 * Server-sent event streams (`/v1/stream`, `/v1/notices`; api.md#limits).
 */
export interface HttpStreamsConfig {
  /**
   * Open streams without the bearer token, all clients together. Default 64.
   */
  max?: number;
  /**
   * Open streams one client may hold without the bearer token: an address, all of loopback being one and an IPv6 address counting by its /64 (api.md#limits). Default 8.
   */
  perClient?: number;
  /**
   * Open streams reserved for requests carrying the bearer token, apart from `max`. Default 16.
   */
  authenticated?: number;
  /**
   * A stream whose client has not taken what was written for this long is closed (the client can resume with `Last-Event-ID`). Default 30 000. In milliseconds.
   */
  stallMs?: number;
}

/**
 * Connection and request timeouts (api.md#limits).
 */
export interface HttpTimeoutsConfig {
  /**
   * Time to receive a request's headers. Default 10 000. In milliseconds.
   */
  headersMs?: number;
  /**
   * Time to receive a whole request, body included. Default 30 000. In milliseconds.
   */
  requestMs?: number;
  /**
   * A connection with no traffic either way for this long is closed (streams send a comment every 15 s). Default 60 000. In milliseconds.
   */
  idleMs?: number;
  /**
   * How long an idle keep-alive connection stays open after a response. Default 5 000. In milliseconds.
   */
  keepAliveMs?: number;
}

/**
 * gossipsub settings.
 */
export interface GossipConfig {
  /**
   * The largest message accepted or relayed, in bytes. Default 65 536 (p2p.md: the application maximum; the transport decodes up to 4× plus framing so that larger messages are refused with a penalty rather than dropped silently).
   */
  maxMessageBytes?: number;
  scoring?: GossipScoringConfig;
}

/**
 * Peer-scoring overrides. The defaults keep gossipsub's protection against many peers on one IP; set `ipColocationFactorWeight` to 0 or whitelist addresses only for members that share an IP (one NAT, one host in tests).
 */
export interface GossipScoringConfig {
  /**
   * Weight of the IP-colocation penalty (≤ 0). Default −53 (the node's production value, see reference-node scoring parameters); 0 disables the penalty.
   */
  ipColocationFactorWeight?: number;
  /**
   * Peers per IP tolerated before the penalty applies. Default 3.
   */
  ipColocationFactorThreshold?: number;
  /**
   * IPs or CIDR ranges exempt from the penalty, e.g. `127.0.0.0/8` (at most 64).
   *
   * @maxItems 64
   */
  ipColocationFactorWhitelist?: string[];
  /**
   * Score below which no gossip is sent to or accepted from a peer (< 0).
   */
  gossipThreshold?: number;
  /**
   * Score below which own messages are not published to a peer (≤ `gossipThreshold`).
   */
  publishThreshold?: number;
  /**
   * Score below which a peer is ignored entirely (≤ `publishThreshold`).
   */
  graylistThreshold?: number;
}

/**
 * Heartbeats this node signs and how it judges other members' (node.md#liveness).
 */
export interface LivenessConfig {
  /**
   * How often the node re-signs its NodeAnnouncement as a heartbeat, and the interval it expects of the others. 250 … 3 600 000; default 30 000.
   */
  heartbeatIntervalMs?: number;
  /**
   * Intervals without a heartbeat (plus half an interval of grace) after which a member is marked silent. 1 … 100; default 2, so a stopped node is reported within three intervals.
   */
  missedHeartbeats?: number;
  /**
   * Heartbeats (NodeAnnouncements without a key rotation) the store keeps per member, the newest by seq; older ones are pruned and remembered as pruned, so that sync does not fetch them again and a copy is refused (node.md#heartbeat-retention). 1 … 100 000; default 3.
   */
  keepHeartbeats?: number;
}

/**
 * The acceptance window for `issuedAt`.
 */
export interface TimeConfig {
  /**
   * How far in the future `issuedAt` may be. Default 10 000 (envelope.md#time).
   */
  skewMs?: DurationMs;
  /**
   * How old a message may be when first received by gossip (sync is exempt). Default 300 000 (five minutes, envelope.md#time); older messages arrive by catch-up sync.
   */
  maxAgeMs?: DurationMs;
}

/**
 * Resource bounds.
 */
export interface LimitsConfig {
  /**
   * Messages waiting for validation per topic before new ones are answered IGNORE GOSSIP_QUEUE_FULL (p2p.md#queues). Default 1 024.
   */
  queuePerTopic?: number;
  /**
   * Valid gossip messages of one issuer on one topic the node stores and relays at once: the size of the issuer's token bucket; beyond it, IGNORE GOSSIP_ISSUER_RATE_LIMITED (p2p.md#issuer-budgets). Default 100.
   */
  issuerBurst?: number;
  /**
   * Tokens refilled per second in each issuer's bucket per topic (p2p.md#issuer-budgets). Default 2.
   */
  issuerPerSecond?: number;
  /**
   * @deprecated
   * Deprecated, not applied: the range-response page is fixed at 256 messages (p2p.md#sync). The node warns when it is set; removed at the next breaking draft.
   */
  syncBatch?: number;
  /**
   * The largest HTTP request body. Default 65 536 (api.md).
   */
  httpBodyBytes?: number;
  /**
   * @deprecated
   * Deprecated, not applied: the seen cache is bounded by time (p2p.md §6, seen TTL). The node warns when it is set; removed at the next breaking draft.
   */
  seenCacheSize?: number;
}

/**
 * Structured (JSON) logs.
 */
export interface LoggingConfig {
  /**
   * The minimum level logged. Default `info`.
   */
  level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/**
 * Prometheus metrics endpoint.
 */
export interface MetricsConfig {
  /**
   * Serve `/metrics`. Default `false`.
   */
  enabled?: boolean;
  /**
   * Interface to bind. Default `127.0.0.1`.
   */
  host?: string;
  /**
   * TCP port. Default 9464.
   */
  port?: number;
}

/**
 * How to reach one chain. Exactly one of `rpcUrl` and `rpcUrlFile`.
 */
export interface ChainConfig {
  /**
   * The chain.
   */
  chain: ChainId;
  /**
   * The JSON-RPC URL, when it holds no credential (e.g. a local anvil).
   */
  rpcUrl?: string;
  /**
   * A file holding the JSON-RPC URL (for URLs that embed an API key).
   */
  rpcUrlFile?: string;
  /**
   * Blocks a log needs on top of it before it counts as evidence. Default 12.
   */
  confirmations?: number;
}

/**
 * One adapter.
 */
export interface AdapterConfig {
  /**
   * The adapter's npm package name, e.g. `@sfr/adapter-aave-v3`.
   */
  package: string;
  /**
   * The adapter's own configuration, validated by the adapter.
   */
  config?: {};
}

/**
 * What the protocol depends on; alerts about these are pushed to it. Adapters add to it.
 */
export interface ExposureProfile {
  /**
   * Assets held or accepted (at most 256).
   *
   * @maxItems 256
   */
  assets?: Asset[];
  /**
   * Oracle feeds read, as subjects of kind `oracle_feed` (at most 256).
   *
   * @maxItems 256
   */
  oracles?: Subject[];
  /**
   * Protocols integrated with (at most 256).
   *
   * @maxItems 256
   */
  protocols?: ProtocolSlug[];
  /**
   * Bridges relied on, as subjects of kind `bridge` (at most 64).
   *
   * @maxItems 64
   */
  bridges?: Subject[];
}

/**
 * A deliverable event. Closed enum.
 */
export type WebhookEvent =
  | 'alert'
  | 'alert_resolved'
  | 'recovery_event'
  | 'claim_filed'
  | 'claim_decided'
  | 'protective_action'
  | 'member_silent'
  | 'member_back'
  | 'event_retracted';

/**
 * A webhook: each delivery is a JSON POST signed with HMAC-SHA256 of the body under the secret, retried with backoff.
 */
export interface WebhookConfig {
  /**
   * Where to POST.
   */
  url: string;
  /**
   * A file holding the HMAC secret.
   */
  secretFile: string;
  /**
   * What to deliver (1 … 8).
   *
   * @minItems 1
   * @maxItems 8
   */
  events: WebhookEvent[];
  /**
   * Deliver only alerts and events at least this severe. Default `low`.
   */
  minSeverity?: Severity;
}

/**
 * A pool the node takes part in.
 */
export interface PoolMembershipConfig {
  /**
   * The pool.
   */
  poolId: PoolId;
  /**
   * A file holding the pool's current signed charter envelope, used until the charter arrives by gossip or sync.
   */
  charterFile?: string;
  vault?: PoolVaultConfig;
}

/**
 * Where the node starts following the pool's vault (settlement.md#following-the-vault).
 */
export interface PoolVaultConfig {
  /**
   * The settlement chain `fromBlock` is a block of; it needs a `chains[]` entry. Ignored while the pool's charter in force settles on another chain.
   */
  chain: ChainId;
  /**
   * The first block read when the node has no cursor for the pool's vault yet (typically the vault's deployment block); default 0. A node with a cursor resumes from it and never reads before it. At most the chain's head (`sfr config check`).
   */
  fromBlock: number;
}

/**
 * What the node does on its own.
 */
export interface PolicyConfig {
  autoAttest?: AutoAttestPolicy;
  /**
   * Members whose founding pool charter listing this node's member the node signs on its own (pools.md#founding), at most 64. Absent or empty: a founding text waits for the operator's signature (POST /v1/pools/:poolId/charter).
   *
   * @maxItems 64
   */
  coSignCharters?: Address[];
  /**
   * Co-sign on its own another member's notice-only amendment: the adopted charter with only that member's `leavingAt` set, at least the notice period after its `effectiveAt`, signed by that member (pools.md#giving-notice). Default `true`; `false` leaves every amendment to the operator (POST /v1/pools/:poolId/charter).
   */
  coSignNotices?: boolean;
  /**
   * Pre-authorized protective actions (at most 16).
   *
   * @maxItems 16
   */
  protectiveActions?: ProtectiveActionPolicy[];
}

/**
 * Automatic attestation of claims.
 */
export interface AutoAttestPolicy {
  /**
   * Attest automatically. Default `false` (every claim is queued for a vote through the HTTP API).
   */
  enabled?: boolean;
  /**
   * Approve automatically only up to this amount (unit-asset base units); larger claims are queued.
   */
  maxApproveAmount?: Uint256;
  /**
   * Reject automatically when cited evidence does not verify. Default `true`.
   */
  rejectOnEvidenceFailure?: boolean;
}

/**
 * An action fired on a corroborated alert that touches the exposure profile; the node reports each firing as a signed `RecoveryEvent`.
 */
export interface ProtectiveActionPolicy {
  /**
   * A name for logs and metrics.
   */
  name: Label;
  /**
   * Alert indicators that trigger it (1 … 11).
   *
   * @minItems 1
   * @maxItems 11
   */
  indicators: AlertIndicator[];
  /**
   * The minimum alert severity.
   */
  minSeverity: Severity;
  /**
   * The minimum combined confidence.
   */
  minConfidenceBps: Bps;
  /**
   * The minimum number of independent issuers.
   */
  minIssuers: number;
  /**
   * The command to run (argv, no shell), given the alert as JSON on stdin (1 … 32 items).
   *
   * @minItems 1
   * @maxItems 32
   */
  command: string[];
  /**
   * Kill the command after this long. Default 10 000.
   */
  timeoutMs?: DurationMs;
}

/**
 * HTTP API: `POST` body asking the node to sign and publish a `RecoveryEvent` as its member. The node assigns `seq`; `issuedAt` defaults to the node's clock.
 */
export interface SubmitRecoveryEventRequest {
  /**
   * The `RecoveryEvent` to publish.
   */
  payload: RecoveryEvent;
  /**
   * The envelope's `issuedAt`, signed as given; refused with its envelope time code when outside the window the node's peers relay on gossip (api.md rule 9).
   */
  issuedAt?: UnixMs;
  /**
   * A caller key: a repeated request with the same key returns the first result instead of publishing twice.
   */
  idempotencyKey?: Label;
}

/**
 * HTTP API: `POST` body asking the node to sign and publish a `ContagionAlert` as its member. The node assigns `seq`; `issuedAt` defaults to the node's clock.
 */
export interface SubmitAlertRequest {
  /**
   * The `ContagionAlert` to publish.
   */
  payload: ContagionAlert;
  /**
   * The envelope's `issuedAt`, signed as given; refused with its envelope time code when outside the window the node's peers relay on gossip (api.md rule 9).
   */
  issuedAt?: UnixMs;
  /**
   * A caller key: a repeated request with the same key returns the first result instead of publishing twice.
   */
  idempotencyKey?: Label;
}

/**
 * HTTP API: the answer to a successful submit: the signed envelope as published.
 */
export interface SubmitResponse {
  /**
   * The published message's id.
   */
  messageId: MessageId;
  /**
   * The sequence number the node assigned.
   */
  seq: Count;
  /**
   * The signed envelope.
   */
  envelope: Envelope;
}

/**
 * HTTP API: a page of accepted messages, oldest first. Pass `nextCursor` back as `?cursor=` for the next page; its absence means the end.
 */
export interface MessageListResponse {
  /**
   * The messages of this page (at most 1 000).
   *
   * @maxItems 1000
   */
  items: MessageListItem[];
  /**
   * An opaque cursor for the next page (base64url).
   */
  nextCursor?: string;
}

/**
 * One accepted message.
 */
export interface MessageListItem {
  /**
   * The message id.
   */
  messageId: MessageId;
  /**
   * When this node accepted it.
   */
  receivedAt: UnixMs;
  /**
   * The signed envelope.
   */
  envelope: Envelope;
}

/**
 * HTTP API: the node's status.
 */
export interface StatusResponse {
  /**
   * The node's peer id.
   */
  peerId: PeerId;
  /**
   * The member the node signs for.
   */
  member: Address;
  /**
   * The member's protocol.
   */
  protocol: ProtocolSlug;
  /**
   * Wire versions accepted.
   *
   * @minItems 1
   * @maxItems 8
   */
  specVersions: string[];
  /**
   * The node software's version.
   */
  version: string;
  /**
   * When the node started.
   */
  startedAt: UnixMs;
  /**
   * The highest `seq` the node has issued, or `null` before its first message.
   */
  headSeq: number | null;
  /**
   * Connection counts.
   */
  peers: {
    /**
     * Connected peers.
     */
    connected: Count;
    /**
     * Connected peers known to be members.
     */
    members: Count;
  };
  /**
   * Subscribed gossip topics (at most 64).
   *
   * @maxItems 64
   *
   * Items: A topic.
   */
  topics: {
    /**
     * The topic, e.g. `/sfr/1/recovery_events`.
     */
    topic: string;
    /**
     * Peers in this topic's mesh.
     */
    meshPeers: Count;
  }[];
  /**
   * Store figures.
   */
  store: {
    /**
     * Accepted messages stored.
     */
    messages: Count;
    /**
     * Bytes on disk, when known.
     */
    bytes?: Count;
  };
  /**
   * Pools followed (at most 16).
   *
   * @maxItems 16
   *
   * Items: A pool.
   */
  pools?: {
    /**
     * The pool.
     */
    poolId: PoolId;
    /**
     * The charter epoch in force.
     */
    epoch: Count;
    /**
     * Claims not yet decided.
     */
    openClaims: Count;
  }[];
}

/**
 * Overall health. Closed enum.
 */
export type HealthStatus = 'ok' | 'degraded' | 'down';

/**
 * HTTP API: liveness and readiness. HTTP status 200 when `status` is `ok` or `degraded`, 503 when `down`.
 */
export interface HealthResponse {
  status: HealthStatus;
  /**
   * Individual checks (at most 32).
   *
   * @maxItems 32
   */
  checks: HealthCheck[];
}
/**
 * One check.
 */
export interface HealthCheck {
  /**
   * What was checked, e.g. `store`, `gossip`, `chain:eip155:1`.
   */
  name: Label;
  /**
   * This check's result.
   */
  status: HealthStatus;
  /**
   * Why, when not `ok`.
   */
  detail?: ShortText;
}

/**
 * HTTP API: the node's peers.
 */
export interface PeerListResponse {
  /**
   * Peers (at most 1 000).
   *
   * @maxItems 1000
   */
  peers: PeerInfo[];
}
/**
 * A peer.
 */
export interface PeerInfo {
  /**
   * The peer id.
   */
  peerId: PeerId;
  /**
   * The member it announced, if any.
   */
  member?: Address;
  /**
   * The member's protocol, if announced.
   */
  protocol?: ProtocolSlug;
  /**
   * Known addresses (at most 16).
   *
   * @maxItems 16
   */
  addresses: Multiaddr[];
  /**
   * Whether a connection is open.
   */
  connected: boolean;
  /**
   * The gossipsub score (a float: a local measure, never on the wire).
   */
  score?: number;
  /**
   * Topics it subscribes to (at most 64).
   *
   * @maxItems 64
   */
  topics?: string[];
}

/**
 * `live`: a heartbeat arrived within the silence bound; `silent`: none for `missedHeartbeats` intervals and a half; `unknown`: no announcement of the member is held. Closed enum.
 */
export type LivenessStatus = 'live' | 'silent' | 'unknown';

/**
 * HTTP API: each member's liveness as this node tracks it (node.md#liveness).
 */
export interface MemberListResponse {
  /**
   * The heartbeat interval this node expects (its own `liveness.heartbeatIntervalMs`).
   */
  heartbeatIntervalMs?: DurationMs;
  /**
   * How many intervals without a heartbeat make a member silent here (`liveness.missedHeartbeats`).
   */
  missedHeartbeats?: number;
  /**
   * One entry per member of the network, this node's own member included (at most 1 000).
   *
   * @maxItems 1000
   */
  items: MemberLiveness[];
}
/**
 * A member and its liveness.
 */
export interface MemberLiveness {
  /**
   * The member's address.
   */
  member: Address;
  /**
   * The protocol of its last announcement, if any.
   */
  protocol?: ProtocolSlug;
  status: LivenessStatus;
  /**
   * Whether this is the answering node's own member.
   */
  self: boolean;
  /**
   * The peer id of its last announcement.
   */
  peerId?: PeerId;
  /**
   * When its last heartbeat counted: its receipt, or its `issuedAt` when it arrived more than the silence bound after it (fetched late by sync).
   */
  lastHeartbeatAt?: UnixMs;
  /**
   * Whole intervals elapsed since `lastHeartbeatAt` (0 while heartbeats arrive on time).
   */
  missedHeartbeats?: Count;
  /**
   * When this node marked it silent (status `silent` only).
   */
  silentSince?: UnixMs;
}

/**
 * HTTP API: `POST /v1/keys/rotate` body asking the node to rotate its member key (node.md#rotation). The new key never travels over HTTP: the body names a key file on the node's host, which the node opens with the same rules as `identity.keyFile` (node.md#keys).
 */
export interface RotateKeyRequest {
  /**
   * Absolute path, on the node's host, of the new key: a v3 keystore or the plaintext form `sfr keys new` writes (mode 0600). A remote signer reference is refused: a remote signer's key is rotated at the signer.
   */
  keyFile: string;
  /**
   * Absolute path, on the node's host, of a file (mode 0600) whose first line opens the new keystore. Default: the node's `identity.passwordFile` / `identity.passwordEnv`.
   */
  passwordFile?: string;
}

/**
 * HTTP API: an envelope a multisig member's node proposes and its owners co-sign (node.md#multisig-members): the answer to a submit on such a node (202), to `POST /v1/proposals/{id}/signatures`, and an item of `GET /v1/proposals`.
 */
export interface Proposal {
  /**
   * The envelope digest `d` (envelope.md#typed-data): what the contract is asked to accept; for a two-step proposal, `vault.digest` throughout (node.md#multisig-members rule 11).
   */
  id: Bytes32;
  /**
   * The chain of the multisig contract (the envelope's `issuer`), whose id the Safe message hash binds.
   */
  chain: ChainId;
  /**
   * What each owner signs now: the Safe's message hash of `d` (node.md#multisig-members step 1); in a two-step proposal's first step, `vault.safeMessageHash`.
   */
  safeMessageHash: Bytes32;
  /**
   * `pending` until the owners' signatures meet the threshold; then `published` (with `messageId`) or `refused` (with `code`: the node's own validation refused the assembled envelope); `expired` once `expiresAt` passed unpublished.
   */
  status: 'pending' | 'published' | 'refused' | 'expired';
  /**
   * The sequence number reserved for the envelope (reserved when the proposal is made, also for a two-step proposal).
   */
  seq: Count;
  /**
   * The envelope's `issuedAt`; a two-step proposal's envelope is issued again when its first step completes.
   */
  issuedAt: UnixMs;
  /**
   * `issuedAt + time.maxAgeMs`: after it, peers would no longer relay the envelope, so the proposal takes no signature.
   */
  expiresAt: UnixMs;
  /**
   * The contract's threshold, as last read from the chain.
   */
  threshold: number;
  /**
   * The owners' signatures of `safeMessageHash` so far (at most 256), in the order received; signatures of addresses no longer owners are dropped when the owners are read again. A two-step proposal moves its first step's into `vault.signatures`.
   *
   * @maxItems 256
   */
  signatures: OwnerSignature[];
  /**
   * The envelope without its signature (`sfr`, `type`, `issuer`, `seq`, `issuedAt`, `scope`?, `domain`?, `payload`), for the owners to read before they sign; in a two-step proposal's first step, without the `sfr.settlement` extension its payload will carry.
   */
  envelope: {};
  /**
   * A two-step proposal (node.md#multisig-members rule 11): the member's vault signature (settlement.md#counting-vault-signatures) that the envelope's payload carries in `sfr.settlement`, so it exists before the envelope digest. First step: the owners sign `vault.safeMessageHash` (`safeMessageHash` is the same); at the threshold the node assembles the Safe's signature of `vault.digest` into `vault.signature`, puts it in the payload, issues the envelope and `safeMessageHash` becomes the envelope's (second step).
   */
  vault?: {
    /**
     * What the vault signature is for: `settlement:<poolId>:<claimId>:<round>` or `charter:<poolId>:<epoch>:<charterHash>`. A node never proposes two digests for one key.
     */
    key: string;
    /**
     * The EIP-712 typed data whose digest is `digest` (`domain`, `types`, `primaryType`, `message`; integers as decimal strings), for the owners to read and recompute.
     */
    typedData: {};
    /**
     * The struct's EIP-712 digest under the vault's domain (settlement.md#typed-data).
     */
    digest: Bytes32;
    /**
     * The Safe's message hash of `digest`: what each owner signs in the first step.
     */
    safeMessageHash: Bytes32;
    /**
     * The owners' signatures of the first step, once it completed.
     *
     * @maxItems 256
     */
    signatures: OwnerSignature[];
    /**
     * The Safe's signature of `digest` (the first step's signatures assembled, node.md#multisig-members step 3), once the first step completed: the value of the payload's `sfr.settlement.signature`.
     */
    signature?: `0x${string}`;
  };
  /**
   * The published message's id (`published` only).
   */
  messageId?: MessageId;
  /**
   * Why the assembled envelope was refused (`refused` only).
   */
  code?: ReasonCode;
}

/**
 * One owner's signature of the Safe message hash.
 */
export interface OwnerSignature {
  /**
   * The owner it recovers to (EIP-55).
   */
  owner: Address;
  /**
   * The 65-byte signature `r ‖ s ‖ v` as the owner gave it (SignProposalRequest).
   */
  signature: `0x${string}`;
}

/**
 * HTTP API: `GET /v1/proposals`, the proposals a multisig member's node holds (node.md#multisig-members), oldest first.
 */
export interface ProposalListResponse {
  /**
   * Pending proposals, then those closed in the last `time.maxAgeMs` (at most 1 024).
   *
   * @maxItems 1024
   */
  proposals: Proposal[];
}

/**
 * HTTP API: `POST /v1/proposals/{id}/signatures` body, one owner's co-signature of a proposal (node.md#multisig-members). The owner signs the proposal's `safeMessageHash` where its key is (`sfr proposals sign`); the key never reaches the node.
 */
export interface SignProposalRequest {
  /**
   * 65 bytes `r ‖ s ‖ v` (`v` 27 or 28, low-s) over `safeMessageHash`, directly or in EIP-191 `personal_sign` form.
   */
  signature: `0x${string}`;
}

/**
 * HTTP API: `POST /v1/pools/{poolId}/deposits` and `POST /v1/pools/{poolId}/withdrawals` body, asking the node to move its member's escrow in the pool's vault through its sending account (settlement.md#escrow, settlement.md#sending). A deposit backs this pool only; a withdrawal passes the bank-run guard on-chain or is refused with its code.
 */
export interface EscrowRequest {
  /**
   * The amount in base units of the pool's asset, at least 1 (the CLI converts token units with the ERC-20's `decimals`): a decimal integer string below 2^256, no sign, no leading zeros.
   */
  amount: string;
  /**
   * A caller key: a repeated request with the same key and body answers with the first transaction instead of sending another, also after a restart (the sending account's journal keeps it); the same key with another body is refused 409 `API_IDEMPOTENCY_CONFLICT`.
   */
  idempotencyKey?: Label;
}

/**
 * HTTP API: the answer to `POST /v1/pools/{poolId}/deposits` and `POST /v1/pools/{poolId}/withdrawals`, once the vault transaction is mined (settlement.md#sending).
 */
export interface EscrowResponse {
  /**
   * The pool.
   */
  poolId: PoolId;
  /**
   * What was sent: `deposit(poolId, member, amount)` or `withdraw(poolId, amount)`.
   */
  action: 'deposit' | 'withdraw';
  /**
   * The member whose escrow moved: the node's member.
   */
  member: Address;
  /**
   * The amount in base units of the pool's asset.
   */
  amount: Uint256;
  asset?: EscrowAsset;
  /**
   * The settlement chain.
   */
  chain: ChainId;
  /**
   * The vault.
   */
  vault: Address;
  /**
   * The mined `deposit` or `withdraw` transaction.
   */
  transactionHash: Bytes32;
  /**
   * The block it was mined in.
   */
  blockNumber: Uint256;
  /**
   * A deposit: the ERC-20 `approve` the node sent first, when the vault's allowance was short.
   */
  approvalHash?: Bytes32;
}
/**
 * The pool's asset as its ERC-20 reports it; absent while the node has not read it.
 */
export interface EscrowAsset {
  /**
   * The token.
   */
  address: Address;
  /**
   * The token's `symbol()`.
   */
  symbol: string;
  /**
   * The token's `decimals()`.
   */
  decimals: number;
}

/**
 * HTTP API: `POST /v1/pools/{poolId}/claims/{claimId}/settle` body, asking the node to submit the claim's `settle` now, whatever its rank (settlement.md#settling-exactly-once rule 5). An empty object: the claim's decision fixes the settlement, and its transaction key `settle:<poolId>:<claimId>:<round>` makes every repeat answer the first settlement instead of sending another.
 */
export interface SettleRequest {}

/**
 * HTTP API: the answer to `POST /v1/pools/{poolId}/claims/{claimId}/settle` once the claim is settled on the vault, by this node's transaction or another's (settlement.md#settling-exactly-once). A refusal of the vault is a Problem with its `VAULT_*` code instead.
 */
export interface SettleResponse {
  /**
   * The pool.
   */
  poolId: PoolId;
  /**
   * The claim: the message id of its FundClaim.
   */
  claimId: MessageId;
  /**
   * The settlement chain.
   */
  chain: ChainId;
  /**
   * The vault.
   */
  vault: Address;
  /**
   * The pool's asset as its ERC-20 reports it; absent while the node has not read it.
   */
  asset?: EscrowAsset;
  /**
   * The decided amount the settlement pays, in base units of the pool's asset.
   */
  amount: Uint256;
  /**
   * The mined `settle` transaction; null when another node's settled the claim and this node's follower has not read it yet (its confirmations).
   */
  transactionHash: Bytes32 | null;
  /**
   * The block it was mined in; null with `transactionHash`.
   */
  blockNumber: Uint256 | null;
  /**
   * True when this node's transaction settled the claim; false when another node's did (nothing was sent).
   */
  byThisNode: boolean;
  /**
   * Base units the vault paid the claimant so far (the `PaidOut` logs read); null with `transactionHash`.
   */
  paid: Uint256 | null;
  /**
   * Base units the payout rate limit still holds back, paid by `release` in a later window (settlement.md#rate-limit); null with `transactionHash`.
   */
  remaining: Uint256 | null;
}

/**
 * HTTP API error body: RFC 9457 problem details (`application/problem+json`) with SFR's stable reason `code`, and for a validation failure where (`pointer`) and what was expected.
 */
export interface Problem {
  /**
   * A URI identifying the problem type: `https://sfr.dev/problems/<code>`.
   */
  type: string;
  /**
   * A short, human-readable summary of the problem type.
   */
  title: string;
  /**
   * The HTTP status code.
   */
  status: number;
  /**
   * An explanation of this occurrence (untrusted input is never echoed).
   */
  detail?: string;
  /**
   * A URI reference identifying this occurrence.
   */
  instance?: string;
  /**
   * The SFR reason code (e.g. `API_INVALID_BODY`, `SCHEMA_REQUIRED`).
   */
  code: ReasonCode;
  /**
   * RFC 6901 JSON pointer into the request body to the offending value.
   */
  pointer?: string;
  /**
   * The offending query or path parameter, for errors outside the body.
   */
  field?: string;
  /**
   * What was expected, briefly.
   */
  expected?: string;
  /**
   * All validation issues, when there are several (at most 100).
   *
   * @maxItems 100
   */
  issues?: ProblemIssue[];
}
/**
 * One validation issue.
 */
export interface ProblemIssue {
  /**
   * The issue's reason code.
   */
  code: ReasonCode;
  /**
   * JSON pointer to the value.
   */
  pointer: string;
  /**
   * A short message.
   */
  message: string;
  /**
   * What was expected.
   */
  expected?: string;
}

/**
 * The result of the conformance harness op `decide {charter, messages, now}` (pools.md#harness): everything the pool rules derive from the charter envelopes and the other pool messages at time `now`. Amounts are decimal strings in unit-asset base units; times unix milliseconds. Every array has a stated order, so two conforming implementations produce the same document.
 */
export interface PoolDecideResult {
  /**
   * The founded pool, or `null` when no founding text is adopted.
   */
  poolId: PoolId | null;
  /**
   * The adopted charters, ascending epoch (0 first).
   */
  epochs: DecidedEpoch[];
  /**
   * The admitted claims, in canonical filing order (ascending `(filedAt, claimId)`).
   */
  claims: DecidedClaim[];
  /**
   * One entry per (claim, round, offender) whose equivocation the rules found, ascending `claimId`, then lower-case `offender`.
   */
  equivocations: DecidedEquivocation[];
  /**
   * Every input message the pool rules did not take, once each, ascending `messageId` (null first), then `code`.
   */
  refused: DecidedRefusal[];
  ledger: DecidedLedger;
}

/**
 * One adopted charter.
 */
export interface DecidedEpoch {
  /**
   * Its epoch.
   */
  epoch: Count;
  /**
   * Its `effectiveAt`.
   */
  effectiveAt: UnixMs;
  /**
   * When its last needed signature was issued (the completion time of pools.md#charter-envelopes).
   */
  adoptedAt: UnixMs;
  /**
   * keccak256 of its canonical JSON: the identity of the text.
   */
  payloadHash: Bytes32;
}

/**
 * pools.md#lifecycle at `now`.
 */
export type DecidedClaimStatus = 'attesting' | 'approved' | 'rejected' | 'expired' | 'settled';

/**
 * One admitted claim at `now`.
 */
export interface DecidedClaim {
  /**
   * The FundClaim envelope's message id.
   */
  claimId: MessageId;
  /**
   * The claim envelope's `issuer`, as written there.
   */
  claimant: Address;
  /**
   * The claim's `incidentId`.
   */
  incidentId: Label;
  /**
   * The claim envelope's `issuedAt`.
   */
  filedAt: UnixMs;
  /**
   * The snapshot's epoch.
   */
  epoch: Count;
  /**
   * The claim's `requestedAmount`.
   */
  requestedAmount: Uint256;
  status: DecidedClaimStatus;
  /**
   * The round: always 0 in v1.0.
   */
  round: 0;
  /**
   * When the round closes (or closed), pools.md#timing; it depends on the held messages, not on `now`.
   */
  closesAt: UnixMs;
  /**
   * The standing outcome after the round's events (at the close when it has closed); `null` when none.
   */
  standing: 'approved' | 'rejected' | null;
  tally: DecidedTally;
  /**
   * `null` while the round is open (`now` < `closesAt`).
   */
  decision: DecidedOutcome | null;
  /**
   * The payout schedule of an approved claim with a non-zero amount or of a zero payout (pools.md#rate-limit); `null` otherwise, and when `maxAmount` is 0.
   */
  settlement: DecidedSettlement | null;
}

/**
 * The counted votes of the round (pools.md#tally): capped weights and distinct members.
 */
export interface DecidedTally {
  /**
   * Σ capped weight of the counted approvals.
   */
  approveWeight: Count;
  /**
   * Σ capped weight of the counted rejections.
   */
  rejectWeight: Count;
  /**
   * Σ capped weight of the counted abstentions.
   */
  abstainWeight: Count;
  /**
   * T: Σ capped weight of the eligible members.
   */
  totalWeight: Count;
  /**
   * Number of counted approvals.
   */
  approveCount: Count;
  /**
   * Number of counted rejections.
   */
  rejectCount: Count;
  /**
   * Number of counted abstentions.
   */
  abstainCount: Count;
  /**
   * Number of eligible members (claimant excluded).
   */
  eligibleCount: Count;
}

/**
 * The decision of a closed round (pools.md#payout). For `rejected` and `expired` every amount is "0", `haircutBps` 0, `boundBy` "none" and `contributions` empty.
 */
export interface DecidedOutcome {
  /**
   * The round's outcome.
   */
  outcome: 'approved' | 'rejected' | 'expired';
  /**
   * `closesAt`.
   */
  decidedAt: UnixMs;
  /**
   * min(lower weighted median of the counted approvals, requestedAmount).
   */
  acceptedLoss: Uint256;
  /**
   * After the deductible and the caps.
   */
  due: Uint256;
  /**
   * min(due, Σ remaining capital of the contributors).
   */
  approvedAmount: Uint256;
  /**
   * due − approvedAmount.
   */
  shortfall: Uint256;
  /**
   * floor(shortfall × 10 000 / due); 0 when due is 0.
   */
  haircutBps: Bps;
  /**
   * The cap that set `due` below `covered`: the first of perClaim, perMemberPerPeriod, perPeriod (in that order) strictly below the running minimum; `none` when no cap bound.
   */
  boundBy: 'none' | 'perClaim' | 'perMemberPerPeriod' | 'perPeriod';
  /**
   * Non-zero shares, ascending lower-case member address; addresses as the snapshot charter writes them; they sum to `approvedAmount`.
   */
  contributions: Contribution[];
  /**
   * The message ids of the counted attestations, ascending.
   */
  attestations: MessageId[];
}

/**
 * When the payout leaves the vault (pools.md#rate-limit).
 */
export interface DecidedSettlement {
  /**
   * When the first tranche is due (`decidedAt` for a zero payout).
   */
  firstAt: UnixMs;
  /**
   * When the last tranche is due.
   */
  lastAt: UnixMs;
  /**
   * Number of tranches (0 for a zero payout).
   */
  tranches: Count;
}

/**
 * An equivocation in a round and the pair reported for it (pools.md#equivocation).
 */
export interface DecidedEquivocation {
  /**
   * The signer, as its envelopes write it.
   */
  offender: Address;
  /**
   * The claim.
   */
  claimId: MessageId;
  /**
   * The round.
   */
  round: Count;
  /**
   * `duplicate_seq` when the pair shares (issuer, seq), else `conflicting_attestation`.
   */
  offense: 'duplicate_seq' | 'conflicting_attestation';
  /**
   * The lower message id of the reported pair.
   */
  first: MessageId;
  /**
   * The higher message id of the reported pair.
   */
  second: MessageId;
  /**
   * The later `issuedAt` of the pair: from then on the offender counts no more, if the round is open.
   */
  provableAt: UnixMs;
}

/**
 * A message the pool rules did not take, with the first rule it fails.
 */
export interface DecidedRefusal {
  /**
   * The message id, or `null` for an input that could not be decoded.
   */
  messageId: MessageId | null;
  /**
   * The rule's outcome.
   */
  outcome: 'ignore' | 'reject';
  /**
   * A POOL_* /CLAIM_* code, or the ENVELOPE_* /SCHEMA_* code of the envelope checks.
   */
  code: ReasonCode;
}

/**
 * The pool's money at `now` (pools.md#ledger).
 */
export interface DecidedLedger {
  /**
   * Σ `committed`.
   */
  capital: Uint256;
  /**
   * Σ `approvedAmount` of the approved decisions; equals Σ `contributed`.
   */
  paidOut: Uint256;
  /**
   * Σ `claimDeposit.value` of the rejected claims' snapshots.
   */
  forfeitedDeposits: Uint256;
  /**
   * Every member of an epoch in force by `now` (the founding charter's when none is), ascending lower-case address.
   */
  members: DecidedLedgerMember[];
}

/**
 * One member's money.
 */
export interface DecidedLedgerMember {
  /**
   * As written by the latest epoch in force by `now` that lists it.
   */
  member: Address;
  /**
   * Its unit-asset commitment in the charter in force at `now`; 0 when that charter does not list it.
   */
  committed: Uint256;
  /**
   * Σ of its contributions to approved payouts.
   */
  contributed: Uint256;
  /**
   * Σ `approvedAmount` of its approved claims.
   */
  received: Uint256;
  /**
   * max(committed − contributed, 0).
   */
  remaining: Uint256;
}

/**
 * A crisis replay (node.md#crisis-replays): a local network of SFR nodes and one anvil chain, the chain actions, time steps and messages of a crisis in order, and the outcome every node must reach. `sfr replay <file>` plays it and checks the outcome at every node. Contract names, node names and the pool are the scenario's own; addresses, keys, peer ids and times are made at each run.
 */
export interface Scenario {
  /**
   * This schema's `$id`, for editors.
   */
  $schema?: 'https://sfr.dev/schemas/v1/Scenario.schema.json';
  /**
   * The scenario's name (file name without `.json`).
   */
  name: Label;
  /**
   * What happens, in one line.
   */
  title: ShortText;
  /**
   * The crisis told for a person: what breaks, how it spreads, what the network does.
   */
  description?: string;
  /**
   * Test contracts deployed on the scenario's anvil chain, in order (1 … 32): the adapters' mocks that emit the real events.
   *
   * @minItems 1
   * @maxItems 32
   */
  contracts: ContractDeployment[];
  /**
   * The network: one node process per entry (2 … 5), each a member of every other.
   *
   * @minItems 2
   * @maxItems 5
   */
  nodes: ScenarioNode[];
  /**
   * The shared pool every node founds before the first step, when claims are filed.
   */
  pool?: ScenarioPool;
  /**
   * What happens, in order (1 … 64). Each step starts when the one before it is done.
   *
   * @minItems 1
   * @maxItems 64
   */
  steps: ScenarioStep[];
  /**
   * The outcome, checked at every node.
   */
  expect: ScenarioExpectation;
}

/**
 * A node's name in the scenario: lower-case letters, digits and `-`, 1 … 32 characters.
 */
export type NodeName = string;

/**
 * A deployed contract's name in the scenario. Anywhere in a node's adapter config, an action's arguments or a deployment's arguments, the string `$<name>` stands for its address.
 */
export type ContractName = string;

/**
 * One test contract to deploy.
 */
export interface ContractDeployment {
  /**
   * How steps and configs refer to it.
   */
  name: ContractName;
  /**
   * The Solidity file under `adapters/`, as `<adapter folder>/contracts/<File>.sol`.
   */
  source: string;
  /**
   * The contract in that file.
   */
  contract: string;
  /**
   * Constructor arguments.
   */
  args?: CallArguments;
}

/**
 * ABI arguments as JSON: integers as decimal strings (or safe integers), addresses as hex or `$<contract name>`, booleans, byte strings as hex, arrays for arrays and tuples (at most 32).
 *
 * @maxItems 32
 */
export type CallArguments = unknown[];

/**
 * A transaction to a deployed contract, sent from one of anvil's funded accounts and mined.
 */
export interface ContractCall {
  /**
   * The contract called.
   */
  contract: ContractName;
  /**
   * The function's signature, e.g. `updateAnswer(int256)`.
   */
  function: string;
  /**
   * The call's arguments.
   */
  args?: CallArguments;
}

/**
 * An adapter a node hosts. The replay adds `chainId`, `rpcUrl`, `confirmations` (1), `pollIntervalMs` (250) and `startBlock` (the first block after deployment) to its config.
 */
export interface HostedAdapter {
  /**
   * The adapter's package, e.g. `@sfr/adapter-aave-v3`.
   */
  package: string;
  /**
   * The adapter's own configuration without the chain fields above; `$<contract name>` strings become addresses.
   */
  config: {};
}

/**
 * A pre-authorized protective action (NodeConfig `policy.protectiveActions[]`) whose command is a transaction on the scenario's chain: the node runs it when a corroborated alert touching its exposure crosses the thresholds, and reports it as a signed RecoveryEvent citing the transaction's first log.
 */
export interface ProtectiveAction {
  /**
   * The action's name.
   */
  name: Label;
  /**
   * Alert indicators that trigger it (1 … 11).
   *
   * @minItems 1
   * @maxItems 11
   */
  indicators: AlertIndicator[];
  /**
   * The minimum alert severity.
   */
  minSeverity: Severity;
  /**
   * The minimum combined confidence.
   */
  minConfidenceBps: Bps;
  /**
   * The minimum number of independent issuers.
   */
  minIssuers: number;
  /**
   * What the action does, as a RecoveryEvent kind. Default `emergency_pause`.
   */
  kind?: 'emergency_pause' | 'market_frozen' | 'circuit_breaker_tripped';
  /**
   * The transaction the action sends.
   */
  call: ContractCall;
}

/**
 * One member's node: a `sfr node start` process with a fresh member key and data folder.
 */
export interface ScenarioNode {
  /**
   * How steps and expectations refer to it.
   */
  name: NodeName;
  /**
   * The member's protocol (`identity.protocol`).
   */
  protocol: ProtocolSlug;
  /**
   * Adapters the node hosts and publishes from (at most 4).
   *
   * @maxItems 4
   */
  adapters?: HostedAdapter[];
  /**
   * Adapters the node hosts only to re-derive other members' claim evidence (pools.md#re-derivation): they scan from a block the chain never reaches, so they publish nothing (at most 4).
   *
   * @maxItems 4
   */
  verifies?: HostedAdapter[];
  /**
   * What the protocol depends on, besides what its adapters report.
   */
  exposure?: ExposureProfile;
  /**
   * Pre-authorized protective actions (at most 4).
   *
   * @maxItems 4
   */
  protectiveActions?: ProtectiveAction[];
  /**
   * How the node attests claims (`policy.autoAttest`).
   */
  autoAttest?: AutoAttestPolicy;
}

/**
 * A node's place in the pool.
 */
export interface PoolMemberShare {
  /**
   * The member.
   */
  node: NodeName;
  /**
   * Its voting and contribution weight.
   */
  weight: number;
  /**
   * Capital it commits, in unit-asset base units.
   */
  commitment: Uint256;
}

/**
 * The pool's charter terms; the replay fills the rest (pool id from the scenario name, epoch 0, effective now, the unit asset as the one payout asset, no claim deposit, face-value valuation, a 1-day notice period, settlement chain the scenario's).
 */
export interface ScenarioPool {
  /**
   * The pool's name.
   */
  name: ShortText;
  /**
   * The pool's unit and payout asset.
   */
  unitAsset: Asset;
  /**
   * Members and their shares (2 … 5).
   *
   * @minItems 2
   * @maxItems 5
   */
  members: PoolMemberShare[];
  /**
   * Recovery event kinds a claim may be for.
   *
   * @minItems 1
   * @maxItems 16
   */
  coveredKinds: RecoveryEventKind[];
  /**
   * The deductible.
   */
  deductible?: Deductible;
  /**
   * Payout caps.
   */
  caps: PoolCaps;
  /**
   * The quorum.
   */
  quorum: Quorum;
  /**
   * The claim timetable.
   */
  windows: PoolWindows;
}

/**
 * One step: exactly one of `call`, `advanceTime`, `publish`, `claim`, `await`, `stopNode`, `startNode`.
 */
export interface ScenarioStep {
  /**
   * What the step is, printed as it runs.
   */
  note?: ShortText;
  /**
   * A transaction on the chain (the adapters watching the contract see its logs).
   */
  call?: ContractCall;
  advanceTime?: AdvanceTime;
  /**
   * A message a member submits through its node's API.
   */
  publish?: PublishStep;
  /**
   * A claim a member files with the pool.
   */
  claim?: ClaimStep;
  /**
   * Waits until every running node holds the messages described, before the next step.
   */
  await?: MessageExpectation;
  /**
   * Kills the node's process (SIGKILL).
   */
  stopNode?: NodeName;
  /**
   * Starts a stopped node again on its data folder.
   */
  startNode?: NodeName;
}
/**
 * Moves the chain's clock forward and mines a block (anvil `evm_increaseTime`); the nodes' clocks are real.
 */
export interface AdvanceTime {
  /**
   * Seconds to add.
   */
  seconds: number;
}

/**
 * A RecoveryEvent or ContagionAlert submitted over a node's HTTP API. The replay sets the payload's times: `occurredAt` and `detectedAt` (RecoveryEvent), `observedAt` (ContagionAlert) to now, and `expiresAt` to now + `ttlMs`.
 */
export interface PublishStep {
  /**
   * The submitting node.
   */
  node: NodeName;
  /**
   * The message type.
   */
  type: 'RecoveryEvent' | 'ContagionAlert';
  /**
   * The payload without the time fields the replay sets.
   */
  payload: {};
  /**
   * A ContagionAlert's lifetime. Default 6 hours.
   */
  ttlMs?: DurationMs;
}

/**
 * A FundClaim citing the claimant's own RecoveryEvent of `kind` (its id and its evidence): the replay waits until the claimant's node holds that event, then files the claim for `requestedAmount` of the unit asset.
 */
export interface ClaimStep {
  /**
   * The claimant.
   */
  node: NodeName;
  /**
   * The claim's incident id; expectations refer to the claim by it.
   */
  incidentId: Label;
  /**
   * The kind of the claimant's event cited, and the claim's `coveredKind`.
   */
  kind: RecoveryEventKind;
  /**
   * Requested, in unit-asset base units (also the declared loss).
   */
  requestedAmount: Uint256;
}

/**
 * Messages of one type from one node, matched by kind (RecoveryEvent) or indicator (ContagionAlert).
 */
export interface MessageMatch {
  /**
   * The message type.
   */
  type: 'RecoveryEvent' | 'ContagionAlert';
  /**
   * The issuing node.
   */
  issuer: NodeName;
  /**
   * A RecoveryEvent's kind.
   */
  kind?: RecoveryEventKind;
  /**
   * A ContagionAlert's indicator.
   */
  indicator?: AlertIndicator;
  /**
   * How many. Default 1.
   */
  count?: number;
}

/**
 * What every running node must hold before the next step: messages, and decisions on claims (so that a later claim is decided after an earlier one, against the ledger it left).
 */
export interface MessageExpectation {
  /**
   * The messages (1 … 64).
   *
   * @minItems 1
   * @maxItems 64
   */
  messages?: MessageMatch[];
  /**
   * Claims (by `incidentId`) decided at every running node (1 … 16).
   *
   * @minItems 1
   * @maxItems 16
   */
  decided?: Label[];
}

/**
 * Notices one node pushed to its protocol (webhook and `/v1/notices`), matched by event and the alert's indicator, the event's kind or the action's name.
 */
export interface NoticeMatch {
  /**
   * The node that pushed them.
   */
  node: NodeName;
  /**
   * The notice's event.
   */
  event:
    | 'alert'
    | 'alert_resolved'
    | 'recovery_event'
    | 'protective_action'
    | 'member_silent'
    | 'member_back'
    | 'event_retracted';
  /**
   * An alert notice's indicator.
   */
  indicator?: AlertIndicator;
  /**
   * A recovery_event notice's event kind.
   */
  kind?: RecoveryEventKind;
  /**
   * A protective_action notice's action name; it must have been reported (a RecoveryEvent published).
   */
  action?: Label;
  /**
   * How many, at least. Default 1.
   */
  count?: number;
}

/**
 * The decision on one claim, identical at every node.
 */
export interface ScenarioClaimOutcome {
  /**
   * The claim (its `incidentId` in a claim step).
   */
  incidentId: Label;
  /**
   * The decision's outcome.
   */
  outcome: 'approved' | 'rejected';
  /**
   * The approved amount, unit-asset base units.
   */
  approvedAmount: Uint256;
  /**
   * Each member's contribution by node name (members that pay nothing may be left out).
   */
  contributions?: {
    [k: string]: Uint256;
  };
}

/**
 * The outcome. Every RecoveryEvent and ContagionAlert at every node is one of `messages` (no more, no fewer); notices are per node (they follow each node's exposure); every claim is decided the same at every node.
 */
export interface ScenarioExpectation {
  /**
   * Every RecoveryEvent and ContagionAlert the network holds at the end (1 … 64 entries).
   *
   * @minItems 1
   * @maxItems 64
   */
  messages: MessageMatch[];
  /**
   * Notices pushed (at most 64).
   *
   * @maxItems 64
   */
  notices?: NoticeMatch[];
  /**
   * Claim decisions (at most 16).
   *
   * @maxItems 16
   */
  claims?: ScenarioClaimOutcome[];
}

/** Each schema kind `validate` knows, mapped to the type of a valid document of that kind. */
export interface SchemaTypeMap {
  Envelope: Envelope;
  RecoveryEvent: RecoveryEvent;
  Retraction: Retraction;
  ContagionAlert: ContagionAlert;
  PoolCharter: PoolCharter;
  FundClaim: FundClaim;
  ClaimAttestation: ClaimAttestation;
  ClaimDecision: ClaimDecision;
  NodeAnnouncement: NodeAnnouncement;
  EquivocationEvidence: EquivocationEvidence;
  NodeConfig: NodeConfig;
  SubmitRecoveryEventRequest: SubmitRecoveryEventRequest;
  SubmitAlertRequest: SubmitAlertRequest;
  SubmitResponse: SubmitResponse;
  MessageListResponse: MessageListResponse;
  StatusResponse: StatusResponse;
  HealthResponse: HealthResponse;
  PeerListResponse: PeerListResponse;
  MemberListResponse: MemberListResponse;
  RotateKeyRequest: RotateKeyRequest;
  Proposal: Proposal;
  ProposalListResponse: ProposalListResponse;
  SignProposalRequest: SignProposalRequest;
  EscrowRequest: EscrowRequest;
  EscrowResponse: EscrowResponse;
  SettleRequest: SettleRequest;
  SettleResponse: SettleResponse;
  Problem: Problem;
  PoolDecideResult: PoolDecideResult;
  Scenario: Scenario;
}

/** A payload: the document an envelope of one of the `PayloadType`s carries. */
export type Payload = RecoveryEvent | ContagionAlert | PoolCharter | FundClaim | ClaimAttestation | ClaimDecision | NodeAnnouncement | EquivocationEvidence;

/** The payload types that have a schema (`PayloadType` values). */
export type PayloadKind = 'RecoveryEvent' | 'ContagionAlert' | 'PoolCharter' | 'FundClaim' | 'ClaimAttestation' | 'ClaimDecision' | 'NodeAnnouncement' | 'EquivocationEvidence';

/** An envelope whose `type` is `T` and whose payload is therefore a `T`. */
export type EnvelopeOf<T extends PayloadKind> = Omit<Envelope, 'type' | 'payload'> & {
  type: T;
  payload: SchemaTypeMap[T];
};
