/**
 * Every document kind `validate` knows: one per `schemas/v1/<Kind>.schema.json` (common.schema.json only
 * holds shared definitions). The type generator reads this list to build `SchemaTypeMap`; a test checks
 * that it matches the files on disk.
 */
export const schemaKinds = [
  'Envelope',
  'RecoveryEvent',
  'Retraction',
  'ContagionAlert',
  'PoolCharter',
  'FundClaim',
  'ClaimAttestation',
  'ClaimDecision',
  'NodeAnnouncement',
  'EquivocationEvidence',
  'NodeConfig',
  'SubmitRecoveryEventRequest',
  'SubmitAlertRequest',
  'SubmitResponse',
  'MessageListResponse',
  'StatusResponse',
  'HealthResponse',
  'PeerListResponse',
  'MemberListResponse',
  'RotateKeyRequest',
  'Proposal',
  'ProposalListResponse',
  'SignProposalRequest',
  'EscrowRequest',
  'EscrowResponse',
  'SettleRequest',
  'SettleResponse',
  'Problem',
  'PoolDecideResult',
  'Scenario',
] as const;

export type SchemaKind = (typeof schemaKinds)[number];

/** The `$id` of a kind's schema. */
export function schemaIdOf(kind: string): string {
  return `https://sfr.dev/schemas/v1/${kind}.schema.json`;
}

/** The `$id` of the common definitions. */
export const commonSchemaId = 'https://sfr.dev/schemas/v1/common.schema.json';
