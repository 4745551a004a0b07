/**
 * The attacker of the network tests: a libp2p node running the SFR gossipsub router without validation,
 * so it sends whatever it is given and relays anything (judging is the victim's job, p2p.md#validation),
 * and the step that connects it to an in-process victim. Used by flood, issuerBudget.e2e, equivocation
 * and invalid (in-process victims) and e2e/network.e2e (a process victim: it dials and waits on its own),
 * and the signer of the invalid alerts most of them send.
 */
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { createMemorySigningJournal, type MemberKey } from '../../src/envelope/index.js';
import { createLibp2pNode, type SfrLibp2p } from '../../src/network/createLibp2pNode.js';
import { PeerDenylist } from '../../src/network/denylist.js';
import type { GossipRouter } from '../../src/network/gossip/gossipRouter.js';
import { createGossipsubRouter } from '../../src/network/gossip/gossipsubRouter.js';
import { fixedTopicStrings, stringifyTopic } from '../../src/network/topics.js';
import type { SfrNode } from '../../src/node/index.js';
import { signedAlert, testKeys } from '../node/fixtures.js';

export interface Attacker {
  readonly libp2p: SfrLibp2p;
  readonly router: GossipRouter;
  /** The topics its router subscribed to at start. */
  readonly topics: readonly string[];
}

export interface AttackerOptions {
  /** The topics to subscribe to; the alerts topic alone unless given. */
  readonly topics?: readonly string[];
  /**
   * How long its gossip seen-cache holds an id; the router's default unless given. A short one lets it
   * publish again a message it has already received (a replay).
   */
  readonly seenTtlMs?: number;
}

/** A started attacker subscribed to its topics (it still has to dial its victim: connectAttacker). */
export async function startAttacker(opts: AttackerOptions = {}): Promise<Attacker> {
  const libp2p = await createLibp2pNode({
    denylist: new PeerDenylist(),
    gossip: {
      topics: fixedTopicStrings(),
      asyncValidation: false,
      ...(opts.seenTtlMs === undefined ? {} : { seenTtlMs: opts.seenTtlMs }),
      score: { ipColocationWeight: 0 },
    },
  });
  await libp2p.start();
  const router = createGossipsubRouter(libp2p.services.pubsub);
  const topics = opts.topics ?? [stringifyTopic({ kind: 'contagion_alerts' })];
  for (const topic of topics) router.subscribe(topic);
  return { libp2p, router, topics };
}

/**
 * Dials the victim and waits until each side knows the other subscribes to every one of the attacker's
 * topics: from then on the attacker's publications go to the victim, and the victim scores them.
 */
export async function connectAttacker(
  attacker: Attacker,
  victim: SfrNode,
  label = 'attacker',
): Promise<void> {
  await attacker.libp2p.dial(victim.libp2p.getMultiaddrs()[0]!);
  const attackerId = attacker.libp2p.peerId.toString();
  const victimId = victim.libp2p.peerId.toString();
  await waitFor(
    () =>
      attacker.topics.every(
        (t) =>
          victim.router.getSubscribers(t).includes(attackerId) &&
          attacker.router.getSubscribers(t).includes(victimId),
      ),
    TIMEOUTS.event,
    `${label} and victim subscribed to each other`,
  );
}

/**
 * A signer of valid alerts by `key` (a member's, for a flood of valid messages, or no member's), each at
 * the seq it is given and issued at `now` or when signed.
 */
export function alertSigner(key: MemberKey): (seq: number, now?: number) => Promise<Uint8Array> {
  const journal = createMemorySigningJournal();
  return async (seq, now = Date.now()) => (await signedAlert(key, seq, now, journal)).wire;
}

/**
 * A signer of alerts by a key of no member, each valid but for that (REJECT GOSSIP_NOT_MEMBER, cheap to
 * detect), issued at `now` or when signed.
 */
export function outsiderAlerts(seed: string): (seq: number, now?: number) => Promise<Uint8Array> {
  return alertSigner(testKeys(1, seed)[0]!);
}
