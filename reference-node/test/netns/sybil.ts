/**
 * One sybil peer, a process of its own (run with `node --import tsx sybil.ts '<json>'`, inside its host's
 * namespace). It joins the alerts topic of the honest nodes it is given, and on `go` (a line on stdin)
 * floods them, every 10 ms: `invalidPerTick` alerts validly signed by a NON-member (REJECT
 * GOSSIP_NOT_MEMBER), `replayPerTick` replays of honest alerts it has seen (valid, duplicates), and, when
 * it holds a member key (`spamMemberSeed`, a compromised member), `spamPerTick` fresh valid alerts.
 *
 * It prints one JSON line per event: `ready`, `connected` {peers}, `flooding` {t0}, `cut` {peer, ms}
 * (an honest node closed the connection, ms after t0), `allCut` {ms}, and `done` with its counts.
 */
// The built node (dist), so that tsx only transpiles this file: a sybil starts in about a second.
import '../../dist/polyfill.js';
import { createInterface } from 'node:readline';
import { multiaddr } from '@multiformats/multiaddr';
import {
  createMemorySigningJournal,
  deriveTestKey,
  signEnvelope,
  type UnsignedEnvelope,
} from '../../dist/envelope/index.js';
import { createLibp2pNode } from '../../dist/network/createLibp2pNode.js';
import { PeerDenylist } from '../../dist/network/denylist.js';
import { createGossipsubRouter } from '../../dist/network/gossip/gossipsubRouter.js';
import { fixedTopicStrings, stringifyTopic } from '../../dist/network/topics.js';

export interface SybilOptions {
  readonly index: number;
  /** Honest nodes' dialable multiaddrs (with /p2p/). */
  readonly targets: readonly string[];
  readonly invalidPerTick: number;
  readonly replayPerTick: number;
  readonly spamPerTick: number;
  /** Seed of a member key it holds (deriveTestKey), for valid spam. */
  readonly spamMemberSeed?: string;
}

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
/** The flood's cadence: one batch per 10 ms tick. */
const TICK_MS = 10;

/** A valid alert payload (as test/node/fixtures.ts's alertPayload, which loads the node's sources). */
function alertPayload(now: number, n: number): Record<string, unknown> {
  return {
    subject: {
      kind: 'asset',
      chain: 'eip155:1',
      address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
      name: 'USDC',
    },
    indicator: 'depeg',
    severity: 'high',
    confidence: 8000 + (n % 2000),
    observedAt: now - 1000,
    expiresAt: now + 3_600_000,
    recommendedActions: [{ action: 'monitor' }],
  };
}

function say(event: string, data: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as SybilOptions;
  const node = await createLibp2pNode({
    listen: [],
    denylist: new PeerDenylist(),
    // An attacker relays anything: no validation of its own.
    gossip: { topics: fixedTopicStrings(), asyncValidation: false, score: { ipColocationWeight: 0 } },
  });
  await node.start();
  const router = createGossipsubRouter(node.services.pubsub);
  router.subscribe(ALERTS);
  const seen: Uint8Array[] = [];
  router.onMessage((m) => {
    if (seen.length < 256) seen.push(m.data);
  });
  const targets = opts.targets.map((t) => multiaddr(t));
  const targetIds = new Set(opts.targets.map((t) => t.slice(t.lastIndexOf('/p2p/') + 5)));
  const connectedTargets = (): string[] =>
    node.getConnections().flatMap((c) => {
      const id = c.remotePeer.toString();
      return targetIds.has(id) ? [id] : [];
    });
  await Promise.allSettled(targets.map((t) => node.dial(t)));
  say('ready', { peers: connectedTargets().length });

  // Pre-signed outsider alerts: signing is not what the attack is measured by.
  const outsider = deriveTestKey(`sfr-netns-sybil-outsider-${opts.index}`);
  const journal = createMemorySigningJournal();
  const sign = async (key: typeof outsider, seq: number): Promise<Uint8Array> => {
    const now = Date.now();
    const unsigned: UnsignedEnvelope = {
      sfr: '1.0',
      type: 'ContagionAlert',
      issuer: key.address,
      seq,
      issuedAt: now,
      payload: alertPayload(now, seq) as UnsignedEnvelope['payload'],
    };
    return (await signEnvelope({ privateKey: key.privateKey, unsigned, guard: journal })).wire;
  };
  const invalid: Uint8Array[] = [];
  for (let s = 0; s < 200; s++) invalid.push(await sign(outsider, s));
  const member = opts.spamMemberSeed === undefined ? undefined : deriveTestKey(opts.spamMemberSeed);

  const lines = createInterface({ input: process.stdin });
  let stop = false;
  const counts = { invalid: 0, replay: 0, spam: 0 };
  let floodT0 = 0;
  const cut = new Map<string, number>();
  node.addEventListener('connection:close', (e) => {
    const id = e.detail.remotePeer.toString();
    if (floodT0 === 0 || !targetIds.has(id) || cut.has(id) || connectedTargets().includes(id)) return;
    cut.set(id, Date.now() - floodT0);
    say('cut', { peer: id, ms: Date.now() - floodT0 });
  });
  let spamSeq = 0;
  const flood = async (): Promise<void> => {
    floodT0 = Date.now();
    say('flooding', { t0: floodT0, peers: connectedTargets().length });
    let i = 0;
    while (!stop && connectedTargets().length > 0) {
      const batch: Uint8Array[] = [];
      for (let k = 0; k < opts.invalidPerTick; k++) batch.push(invalid[i++ % invalid.length]!);
      counts.invalid += opts.invalidPerTick;
      for (let k = 0; k < opts.replayPerTick && seen.length > 0; k++) {
        batch.push(seen[(i + k) % seen.length]!);
        counts.replay++;
      }
      if (member !== undefined)
        for (let k = 0; k < opts.spamPerTick; k++) {
          batch.push(await sign(member, spamSeq++));
          counts.spam++;
        }
      await Promise.allSettled(batch.map((w) => router.publish(ALERTS, w)));
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    const still = connectedTargets();
    say('allCut', { ms: Date.now() - floodT0, stillConnected: still.length, ...counts });
  };
  let flooding: Promise<void> | undefined;
  for await (const line of lines) {
    if (line === 'go' && flooding === undefined) flooding = flood();
    if (line === 'stop') break;
  }
  stop = true;
  await flooding;
  say('done', { ...counts, cut: cut.size });
  await node.stop();
  process.exit(0);
}

main().catch((err: unknown) => {
  say('error', { message: String((err as Error)?.stack ?? err) });
  process.exit(1);
});
