// generated — do not edit. Sources: schemas/v1/Envelope.schema.json ($defs/PayloadType, allOf) and
// spec/v1/p2p.md §4 (Topics); regenerate with `npm run -w @sfr/schemas generate`
// (schemas/scripts/generate-message-types.ts).

/** Every type an envelope may carry (Envelope.schema.json `$defs/PayloadType`), in schema order. */
export const MESSAGE_TYPES = [
  'RecoveryEvent',
  'ContagionAlert',
  'PoolCharter',
  'FundClaim',
  'ClaimAttestation',
  'ClaimDecision',
  'NodeAnnouncement',
  'EquivocationEvidence',
] as const;

/** A type an envelope may carry. Key per-type code by it (`Record<MessageType, …>`) so a new type fails compilation. */
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** The types that MUST carry `scope` (and only these may carry `scope` or `domain`): the pool messages. */
export const POOL_SCOPED_TYPES = [
  'PoolCharter',
  'FundClaim',
  'ClaimAttestation',
  'ClaimDecision',
] as const;

export type PoolScopedType = (typeof POOL_SCOPED_TYPES)[number];

/** The fixed (not per-pool) topic names of p2p.md §4, in table order: `/sfr/<major>/<name>`. */
export const FIXED_TOPIC_NAMES = [
  'contagion_alerts',
  'recovery_events',
  'evidence',
  'announcements',
] as const;

export type FixedTopicName = (typeof FIXED_TOPIC_NAMES)[number];

/** The topic each type travels on (p2p.md §4); `pool` is `/sfr/<major>/pool/<poolId>` of its `scope.poolId`. */
export const TOPIC_OF_TYPE = {
  RecoveryEvent: 'recovery_events',
  ContagionAlert: 'contagion_alerts',
  PoolCharter: 'pool',
  FundClaim: 'pool',
  ClaimAttestation: 'pool',
  ClaimDecision: 'pool',
  NodeAnnouncement: 'announcements',
  EquivocationEvidence: 'evidence',
} as const satisfies Record<MessageType, FixedTopicName | 'pool'>;
