/**
 * New peer ids cost nothing (issue 13 finding 8): a victim with IP-colocation scoring on, as in
 * production, denies the address from which `ADDRESS_DENY_PEERS` peers were denied, so a sybil's next
 * fresh peer id there is refused at connect before it can send anything (spec/v1/p2p.md#address-denial).
 * Everything here is on 127.0.0.1, so the address denied is loopback's. Without the address rule the
 * sixth attacker connects and stays connected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { ADDRESS_DENY_PEERS } from '../../src/network/gossip/scoringParams.js';
import { stringifyTopic } from '../../src/network/topics.js';
import type { SfrNode } from '../../src/node/index.js';
import { startNetwork, type TestNetwork, waitFor } from '../node/fixtures.js';
import { type Attacker, connectAttacker, outsiderAlerts, startAttacker } from './attacker.js';

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });

/** One RPC of 4 alerts signed by a non-member: REJECT GOSSIP_NOT_MEMBER each, a denial at once. */
async function invalidBatch(seed: string): Promise<{ topic: string; data: Uint8Array }[]> {
  const sign = outsiderAlerts(seed);
  const now = Date.now();
  const batch: { topic: string; data: Uint8Array }[] = [];
  for (let seq = 0; seq < 4; seq++) batch.push({ topic: ALERTS, data: await sign(seq, now) });
  return batch;
}

function sendRpc(a: Attacker, to: SfrNode, messages: { topic: string; data: Uint8Array }[]): boolean {
  const pubsub = a.libp2p.services.pubsub as unknown as {
    sendRpc(id: string, rpc: { subscriptions: []; messages: typeof messages }): boolean;
  };
  return pubsub.sendRpc(to.libp2p.peerId.toString(), { subscriptions: [], messages });
}

describe('address denial', () => {
  let net: TestNetwork;
  const attackers: Attacker[] = [];

  beforeAll(async () => {
    // The victim keeps the production gossip settings (P6 on); its periodic graylist pass is far away,
    // so every denial comes from judging a peer when it is penalised.
    net = await startNetwork({ n: 1, overrides: () => ({ gossip: {}, graylist: { intervalMs: 600_000 } }) });
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await Promise.allSettled(attackers.map((a) => a.libp2p.stop()));
    await net?.stop();
  });

  it(`denies the address after ${ADDRESS_DENY_PEERS} peers denied there: a fresh peer id is refused at connect`, async () => {
    const victim = net.nodes[0]!;
    for (let k = 0; k < ADDRESS_DENY_PEERS; k++) {
      // Messages of its own: copies of ones the victim already refused are dropped as seen, unscored.
      const batch = await invalidBatch(`sfr-e1-address-outsider-${k}`);
      const a = await startAttacker();
      attackers.push(a);
      await connectAttacker(a, victim, `attacker ${k}`);
      // Not yet denied: the address is still open to a new id.
      expect(victim.denylist.isAddressDenied('127.0.0.1')).toBe(false);
      expect(sendRpc(a, victim, batch)).toBe(true);
      const id = a.libp2p.peerId.toString();
      await waitFor(() => victim.denylist.isDenied(id), TIMEOUTS.event, `attacker ${k} denied`);
    }

    // A sixth peer id from the same address: the victim refuses it once the handshake names it.
    const fresh = await startAttacker();
    attackers.push(fresh);
    // libp2p also refuses a host's 6th TCP connection within a second (its inbound rate limit, before any
    // handshake: `connect ECONNRESET`); the dial is tried again until it gets past that to the gater.
    const until = Date.now() + TIMEOUTS.event;
    for (;;) {
      const error = await fresh.libp2p
        .dial(victim.libp2p.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(TIMEOUTS.event) })
        .then(
          () => undefined,
          (e: unknown) => String(e),
        );
      if (error === undefined || !error.includes('connect ECONNRESET') || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await waitFor(
      () =>
        fresh.libp2p.getConnections(victim.libp2p.peerId).length === 0 &&
        victim.libp2p.getConnections(fresh.libp2p.peerId).length === 0,
      TIMEOUTS.event,
      'fresh peer id at the denied address refused',
    );
    expect(victim.denylist.isAddressDenied('127.0.0.1')).toBe(true);
    expect(victim.denylist.isDenied(fresh.libp2p.peerId.toString())).toBe(false);
    const entry = victim.denylist.addressEntries().find((e) => e.address === '127.0.0.1');
    console.log(
      `[address] 127.0.0.1 denied after ${ADDRESS_DENY_PEERS} peers, for ${Math.round(((entry?.until ?? 0) - Date.now()) / 1000)} s more; a fresh id refused at connect`,
    );
  });
});
