/**
 * One sybil peer, a process of its own (run with `node --import tsx sybil.ts '<json>'`, inside its host's
 * namespace). It joins the alerts topic of the honest nodes it is given, and on `go` (a line on stdin)
 * floods them, every 10 ms: `invalidPerTick` alerts validly signed by a NON-member (REJECT
 * GOSSIP_NOT_MEMBER), `replayPerTick` replays of honest alerts it has seen (valid, duplicates), and
 * `spamPerTick` valid alerts signed with its own compromised member key (`spamMemberSeed`, its own seq
 * range), beyond that issuer's budget. Everything is signed before `ready`: signing is not what the
 * attack is measured by. Each tick's batch goes to every connected honest node as ONE gossipsub RPC,
 * written straight to the peer's stream: an attacker keeps no seen cache (through `publish`, gossipsub
 * drops every duplicate, so the invalid alerts and replays went out once and then never), and one
 * frame per peer per tick keeps the sybil's own CPU from setting the flood's pace (15 sybils share
 * the machine's cores with the nodes they attack).
 *
 * It prints one JSON line per event: `ready` {peers, peerId, dialFailures (by reason)}, `flooding` {t0, peers}, `firstSent` {ms} (the
 * first batch that reached at least one honest node), `cut` {peer, ms, sent} (an honest node closed
 * the connection, ms after t0, with how many messages it had been sent until then), `allCut` {ms,
 * stillConnected, counts, loopDelayMs (its event loop's delay while flooding: p50, p99, max), firstWrittenMs (by
 * honest peer: when its first batch's bytes left this process, ms after t0)}, and `done` with its counts. `sent` counts (message, honest peer) deliveries
 * handed to the transport, not publish calls.
 */
// The built node (dist), so that tsx only transpiles this file: a sybil starts in about a second.
import '../../dist/polyfill.js';
import { Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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
  /** Seed of the member key it holds (deriveTestKey), for valid spam; each sybil its own. */
  readonly spamMemberSeed?: string;
}

const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
/** The flood's cadence: one batch per 10 ms tick. */
const TICK_MS = 10;
/** A socket write this large after `go` carries a flood batch (4 + 4 + 1 alerts of ~0.7 KB; see watchFirstWrites). */
const FLOOD_WRITE_BYTES = 4096;
/** Distinct invalid and spam alerts signed up front, each sent again and again. */
const PRESIGNED = 256;
/** Honest nodes dialled at once by one sybil, and attempts per node before it counts as refused. */
const DIAL_CONCURRENCY = 4;
const DIAL_ATTEMPTS = 3;

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
  /** The router's own RPC writer (gossipsub 17.x `sendRpc`): false when the peer has no open stream. */
  const pubsub = node.services.pubsub as unknown as {
    sendRpc(id: string, rpc: { subscriptions: []; messages: { topic: string; data: Uint8Array }[] }): boolean;
  };
  const router = createGossipsubRouter(node.services.pubsub);
  router.subscribe(ALERTS);
  const seen: Uint8Array[] = [];
  router.onMessage((m) => {
    if (seen.length < 256) seen.push(m.data);
  });
  const targets = opts.targets.map((t) => multiaddr(t));
  const targetIds = new Set(opts.targets.map((t) => t.slice(t.lastIndexOf('/p2p/') + 5)));
  const connectedTargets = (): string[] => [
    ...new Set(
      node.getConnections().flatMap((c) => {
        const id = c.remotePeer.toString();
        return targetIds.has(id) && c.status === 'open' ? [id] : [];
      }),
    ),
  ];

  const journal = createMemorySigningJournal();
  const sign = async (key: ReturnType<typeof deriveTestKey>, seq: number): Promise<Uint8Array> => {
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
  const outsider = deriveTestKey(`sfr-netns-sybil-outsider-${opts.index}`);
  const invalid: Uint8Array[] = [];
  for (let s = 0; s < PRESIGNED; s++) invalid.push(await sign(outsider, s));
  const spam: Uint8Array[] = [];
  if (opts.spamMemberSeed !== undefined && opts.spamPerTick > 0) {
    const member = deriveTestKey(opts.spamMemberSeed);
    for (let s = 0; s < PRESIGNED; s++) spam.push(await sign(member, s));
  }
  // Every honest node, DIAL_CONCURRENCY at a time, each up to DIAL_ATTEMPTS times: 15 sybils dialling 30
  // nodes at once (450 handshakes on 2 busy cores) met libp2p's 10 s dial timeout and the honest nodes'
  // bound of 10 pending inbound connections, and one sybil of the 45-peer run reached no node at all.
  // What still fails is reported by reason (`dialFailures`): the honest side refused it at connect.
  const dialFailures: Record<string, number> = {};
  const queue = [...targets];
  await Promise.all(
    Array.from({ length: DIAL_CONCURRENCY }, async () => {
      for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
        for (let attempt = 1; ; attempt++) {
          try {
            await node.dial(t);
            break;
          } catch (err) {
            if (attempt < DIAL_ATTEMPTS) {
              await new Promise((r) => setTimeout(r, 500 + Math.floor(Math.random() * 1_000)));
              continue;
            }
            const e = err as Error;
            const reason = `${e.name}: ${String(e.message).slice(0, 80)}`;
            dialFailures[reason] = (dialFailures[reason] ?? 0) + 1;
            break;
          }
        }
      }
    }),
  );
  say('ready', { peers: connectedTargets().length, peerId: node.peerId.toString(), dialFailures });

  const lines = createInterface({ input: process.stdin });
  let stop = false;
  const counts = { invalid: 0, replay: 0, spam: 0 };
  let sentTotal = 0;
  let floodT0 = 0;
  let firstSentAt = 0;
  let firstSaid = false;
  // How late its own event loop ran while it flooded: a starved sybil's batches leave late (the 45-peer
  // run has 15 of them beside 30 nodes on 2 cores), which its cutMs counts against the nodes.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const cut = new Map<string, number>();
  node.addEventListener('connection:close', (e) => {
    const id = e.detail.remotePeer.toString();
    if (floodT0 === 0 || !targetIds.has(id) || cut.has(id) || connectedTargets().includes(id)) return;
    cut.set(id, Date.now() - floodT0);
    say('cut', { peer: id, ms: Date.now() - floodT0, sent: sentTotal });
  });
  /**
   * When each honest connection's first flood bytes left this process (its TCP socket's first write of
   * at least FLOOD_WRITE_BYTES after `go`, ms after t0), by peer id. A batch handed to `sendRpc` is
   * written when the sybil's event loop gets to that stream: at load 36 its loop ran 0.2-0.6 s late
   * (p50), so the last peers of a batch got its bytes seconds after the first. Gossipsub's own control
   * frames and single relayed alerts are smaller than a batch.
   */
  const firstWritten = new Map<string, number>();
  const watchFirstWrites = (t0: number): void => {
    const peerOf = new Map<string, string>();
    for (const c of node.getConnections()) {
      const parts = c.remoteAddr.getComponents();
      const host = parts.find((p) => p.name === 'ip4')?.value;
      const port = parts.find((p) => p.name === 'tcp')?.value;
      peerOf.set(`${host}:${port}`, c.remotePeer.toString());
    }
    const write = Socket.prototype.write;
    Socket.prototype.write = function (this: Socket, ...args: unknown[]) {
      const data = args[0] as { byteLength?: number } | undefined;
      if ((data?.byteLength ?? 0) >= FLOOD_WRITE_BYTES) {
        const peer = peerOf.get(`${this.remoteAddress}:${this.remotePort}`);
        if (peer !== undefined && !firstWritten.has(peer)) firstWritten.set(peer, Date.now() - t0);
      }
      return (write as (...a: unknown[]) => boolean).apply(this, args);
    } as typeof Socket.prototype.write;
  };
  const flood = async (): Promise<void> => {
    floodT0 = Date.now();
    loopDelay.enable();
    watchFirstWrites(floodT0);
    say('flooding', { t0: floodT0, peers: connectedTargets().length });
    let i = 0;
    let s = 0;
    for (;;) {
      const peers = connectedTargets();
      if (stop || peers.length === 0) break;
      const batch: { kind: keyof typeof counts; data: Uint8Array }[] = [];
      for (let k = 0; k < opts.invalidPerTick; k++)
        batch.push({ kind: 'invalid', data: invalid[i++ % invalid.length]! });
      for (let k = 0; k < opts.replayPerTick && seen.length > 0; k++)
        batch.push({ kind: 'replay', data: seen[(i + k) % seen.length]! });
      for (let k = 0; k < opts.spamPerTick && spam.length > 0; k++)
        batch.push({ kind: 'spam', data: spam[s++ % spam.length]! });
      const messages = batch.map((b) => ({ topic: ALERTS, data: b.data }));
      let reached = 0;
      // A fresh RPC per peer: gossipsub piggybacks that peer's pending control messages on it. The first
      // batch's time is taken at its first peer: a starved sybil took up to 200 ms over the 30 sends,
      // and nodes denied it before the loop ended.
      for (const id of peers)
        if (pubsub.sendRpc(id, { subscriptions: [], messages })) {
          if (firstSentAt === 0) firstSentAt = Date.now();
          reached++;
        }
      for (const b of batch) counts[b.kind] += reached;
      sentTotal += reached * batch.length;
      if (firstSentAt !== 0 && !firstSaid) {
        firstSaid = true;
        say('firstSent', { ms: firstSentAt - floodT0 });
      }
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    const still = connectedTargets();
    loopDelay.disable();
    say('allCut', {
      firstWrittenMs: Object.fromEntries(firstWritten),
      ms: Date.now() - floodT0,
      stillConnected: still.length,
      ...counts,
      loopDelayMs: {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
      },
    });
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
