/**
 * The gossip router seen by the rest of the node. Everything gossipsub-specific lives behind this
 * interface (implementation: `gossipsubRouter.ts`), so another router can be swapped in.
 */
import type { MessageId } from '@sfr/schemas';

/** The three verdicts of gossipsub v1.1 validation (spec/v1/p2p.md#validation). */
export type GossipVerdict = 'accept' | 'ignore' | 'reject';

/** A message received from the network and held by the router until it is given a verdict. */
export interface InboundGossipMessage {
  /** Topic string as received. */
  readonly topic: string;
  /** The wire bytes (the envelope's canonical JSON). */
  readonly data: Uint8Array;
  /**
   * Router message id: `0x` + keccak256(data), lower-case, computed by this node from `data` (never taken
   * from a peer); equals the SFR message id of valid data, and the pipeline uses it as such.
   */
  readonly msgId: MessageId;
  /** Peer id (string) the message arrived from. */
  readonly from: string;
}

export interface GossipRouter {
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  getTopics(): string[];
  /** Publishes locally originated bytes; resolves to the number of peers it was sent to. */
  publish(topic: string, data: Uint8Array): Promise<{ readonly recipients: number }>;
  /** Registers THE handler of inbound messages; each must later get exactly one `reportVerdict`. */
  onMessage(handler: (message: InboundGossipMessage) => void): void;
  /**
   * Tells the router whether to relay (accept), drop (ignore) or drop and penalise (reject); `code` is
   * the refusal's reason code (IGNOREs beyond a peer's budget are penalised: p2p.md#conduct).
   */
  reportVerdict(msgId: string, from: string, verdict: GossipVerdict, code?: string): void;
  /** Current peer score of a peer (0 for an unknown peer), counting every penalty given so far. */
  getScore(peerId: string): number;
  /**
   * Registers a listener called after a peer is penalised (a REJECT verdict, a conduct penalty), so the
   * graylist can judge it at once rather than at the next heartbeat (p2p.md#graylisting). Returns the
   * unregistering function.
   */
  onPenalised(listener: (peerId: string) => void): () => void;
  /** Peers subscribed to a topic. */
  getSubscribers(topic: string): string[];
  /** Peers in our mesh for a topic. */
  getMeshPeers(topic: string): string[];
}
