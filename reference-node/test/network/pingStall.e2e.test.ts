/**
 * A busy peer is not a dead one (createLibp2pNode's CONNECTION_PING_TIMEOUT_MS): two real libp2p
 * nodes over TCP, joined by a relay that holds every byte for 11 s, as a process starved of CPU holds
 * its answers. libp2p's own adaptive ping timeout (5 s at least) aborted such a connection; SFR's keeps it.
 * An e2e file: the stall is real time.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import {
  CONNECTION_PING_TIMEOUT_MS,
  createLibp2pNode,
  type SfrLibp2p,
} from '../../src/network/createLibp2pNode.js';
import { PeerDenylist } from '../../src/network/denylist.js';
import { fixedTopicStrings } from '../../src/network/topics.js';

/**
 * The monitor pings every PING_INTERVAL_MS; the relay stalls from STALL_FROM_MS to STALL_UNTIL_MS after a
 * ping was answered, so the next ping waits about 8 s for its answer (libp2p's least timeout is 5 s) and
 * is the only one waiting (libp2p's ping allows one outbound stream per connection).
 */
const PING_INTERVAL_MS = 10_000;
const STALL_FROM_MS = 7_000;
const STALL_UNTIL_MS = 18_000;

/** A TCP relay to `port` that forwards, or, while stalled, holds what it reads and sends it on resume. */
function stallingRelay(port: number): { server: Server; stall(on: boolean): void } {
  let stalled = false;
  const pipes: { flush(): void }[] = [];
  const pipe = (from: Socket, to: Socket): void => {
    const held: Buffer[] = [];
    from.on('data', (chunk: Buffer) => {
      if (stalled) held.push(chunk);
      else to.write(chunk);
    });
    from.on('close', () => to.destroy());
    from.on('error', () => {});
    pipes.push({
      flush: () => {
        for (const c of held.splice(0)) to.write(c);
      },
    });
  };
  const server = createServer((inbound) => {
    const outbound = tcpConnect({ host: '127.0.0.1', port });
    pipe(inbound, outbound);
    pipe(outbound, inbound);
  });
  return {
    server,
    stall(on) {
      stalled = on;
      if (!on) for (const p of pipes) p.flush();
    },
  };
}

const node = () =>
  createLibp2pNode({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    denylist: new PeerDenylist(),
    gossip: { topics: fixedTopicStrings(), score: { ipColocationWeight: 0 } },
    pingIntervalMs: PING_INTERVAL_MS,
  });

let a: SfrLibp2p;
let b: SfrLibp2p;
let relay: ReturnType<typeof stallingRelay>;

beforeAll(async () => {
  a = await node();
  b = await node();
  await a.start();
  await b.start();
  const bPort = /\/tcp\/(\d+)/.exec(b.getMultiaddrs()[0]!.toString())![1]!;
  relay = stallingRelay(Number(bPort));
  await new Promise<void>((r) => relay.server.listen(0, '127.0.0.1', () => r()));
}, TIMEOUTS.hook);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  relay?.server.close();
}, TIMEOUTS.hook);

describe('connection monitor', () => {
  it('keeps a connection whose peer answers a ping 8 s late', async () => {
    expect(STALL_UNTIL_MS - PING_INTERVAL_MS).toBeLessThan(CONNECTION_PING_TIMEOUT_MS);
    const port = (relay.server.address() as { port: number }).port;
    const conn = await a.dial(multiaddr(`/ip4/127.0.0.1/tcp/${port}/p2p/${b.peerId.toString()}`));
    const closed: string[] = [];
    a.addEventListener('connection:close', (e) => closed.push(e.detail.id));
    // A first ping answered: the next one is due PING_INTERVAL_MS later.
    await waitFor(() => conn.rtt !== undefined, TIMEOUTS.event, 'a first ping answered', 20);
    const answered = Date.now();
    const until = (ms: number) => new Promise((r) => setTimeout(r, answered + ms - Date.now()));
    await until(STALL_FROM_MS);
    relay.stall(true);
    await until(STALL_UNTIL_MS);
    relay.stall(false);
    // The ping sent during the stall is answered now; one more, once that one's stream is closed (one
    // outbound ping stream per connection), proves the connection works.
    await waitFor(
      async () => {
        try {
          await a.services.ping.ping(b.peerId, { signal: AbortSignal.timeout(TIMEOUTS.event) });
          return true;
        } catch (err) {
          if ((err as Error).name === 'TooManyOutboundProtocolStreamsError') return false;
          throw err;
        }
      },
      TIMEOUTS.event,
      'a ping of our own answered',
    );
    expect(closed).toEqual([]);
    expect(conn.status).toBe('open');
    expect(a.getConnections(b.peerId).map((c) => c.id)).toEqual([conn.id]);
  });
});
