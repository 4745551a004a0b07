/**
 * The part of the dashboard each message type changes, served to the page as `messageParts.js`
 * (compiled from here, like the contagion modules). Keyed by the generated `MessageType`, so a new
 * type in the schemas fails compilation here until the page is told what it changes. The import is
 * type-only: the compiled module has no imports, as a browser module served alone must.
 */
import type { MessageType } from '@sfr/schemas';

/** A panel of the page that re-renders when a message of that type arrives. */
export type DashboardPart = 'alerts' | 'events' | 'members' | 'pools';

export const DASHBOARD_PART_OF_TYPE = {
  RecoveryEvent: 'events',
  ContagionAlert: 'alerts',
  PoolCharter: 'pools',
  FundClaim: 'pools',
  ClaimAttestation: 'pools',
  ClaimDecision: 'pools',
  NodeAnnouncement: 'members',
  // Pool equivocations are shown with the pool (the pool view lists them).
  EquivocationEvidence: 'pools',
} as const satisfies Record<MessageType, DashboardPart>;
