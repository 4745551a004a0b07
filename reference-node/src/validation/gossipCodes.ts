/**
 * GOSSIP_* reason codes (network-level verdicts of the SFR node). The registry file
 * `schemas/v1/registry/reason-codes/GOSSIP.json` is the normative list; a test checks both agree.
 */
export const GOSSIP_CODES = {
  GOSSIP_UNKNOWN_TOPIC: 'reject',
  GOSSIP_UNSUPPORTED_TOPIC_VERSION: 'ignore',
  GOSSIP_WRONG_TOPIC: 'reject',
  GOSSIP_NOT_MEMBER: 'reject',
  GOSSIP_ANNOUNCEMENT_MEMBER_MISMATCH: 'reject',
  GOSSIP_RECOVERY_NOT_OWN_PROTOCOL: 'ignore',
  GOSSIP_SLOT_IN_FLIGHT: 'ignore',
  GOSSIP_QUEUE_FULL: 'ignore',
  GOSSIP_QUEUE_STALE: 'ignore',
  GOSSIP_STORE_UNAVAILABLE: 'ignore',
  GOSSIP_INTERNAL_ERROR: 'ignore',
  GOSSIP_NODE_STOPPING: 'ignore',
  // Peer management and caller errors of the node (publish, start-up).
  GOSSIP_GRAYLISTED: 'error',
  GOSSIP_NOT_STARTED: 'error',
  GOSSIP_PEER_KEY_INSECURE: 'error',
  GOSSIP_PEER_KEY_INVALID: 'error',
  GOSSIP_BAD_MULTIADDR: 'error',
  GOSSIP_PUBLISH_REFUSED: 'error',
  GOSSIP_OWN_HEAD_BEHIND: 'error',
} as const satisfies Record<string, 'reject' | 'ignore' | 'error'>;

export type GossipCode = keyof typeof GOSSIP_CODES;
