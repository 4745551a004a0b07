/**
 * The link proxy's semantics on loopback, without namespaces: hosts are 127.0.x.j addresses (all of
 * 127/8 is local on Linux). Each link's delay applies both ways, a partition resets open links and
 * refuses new ones until healed, the stats are the proxy processes' sums, and each source host's links
 * are carried by a process of their own, not by the harness's event loop.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import type { HostNetwork } from './hostNetwork.js';
import { createLinkProxy, type LinkProxy } from './linkProxy.js';

const DELAY_MS = 60;
const HOSTS = 3;

function loopbackHosts(): HostNetwork {
  const hosts = Array.from({ length: HOSTS }, (_, index) => ({
    index,
    ns: `none${index}`,
    addr: `127.0.1.${index + 1}`,
    publicAddr: `127.0.2.${index + 1}`,
    sourceAddr: `127.0.3.${index + 1}`,
    exec: [],
  }));
  return {
    subnet: '127.0.0.0/16',
    bridge: 'none',
    hosts,
    hostOf(address) {
      const m = /^(?:::ffff:)?127\.0\.1\.(\d+)$/.exec(address);
      const j = m === null ? 0 : Number(m[1]);
      return j >= 1 && j <= HOSTS ? j - 1 : undefined;
    },
    destroy() {},
  };
}

/** Connects from host `src` to host `dst`'s public address; resolves once connected. */
function dial(net: HostNetwork, src: number, dst: number, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host: net.hosts[dst]!.publicAddr, port, localAddress: net.hosts[src]!.addr });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends one line and times its echo. */
function roundTrip(s: Socket, line: string): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (b: Buffer): void => {
      got += b.toString();
      if (got.includes('\n')) {
        s.off('data', onData);
        resolve(Date.now() - t0);
      }
    };
    s.on('data', onData);
    s.once('error', reject);
    s.write(`${line}\n`);
  });
}

describe('link proxy (processes by source host)', () => {
  const net = loopbackHosts();
  let proxy: LinkProxy;
  let echo: Server;
  let port: number;
  /** The remote addresses the echo server saw, in order. */
  const seen: string[] = [];

  beforeAll(async () => {
    echo = createServer((s) => {
      seen.push(s.remoteAddress ?? '');
      s.on('error', () => {});
      s.pipe(s);
    });
    // A free port at the host's address; the proxy listens on the same port at its public address.
    await new Promise<void>((r) => echo.listen(0, net.hosts[1]!.addr, () => r()));
    port = (echo.address() as { port: number }).port;
    // Host 2's links in a process of their own: the counters are the two processes' sums.
    proxy = createLinkProxy(net, {
      latencyMs: () => DELAY_MS,
      seed: 13,
      processes: 2,
      processOf: (host) => (host === 2 ? 1 : 0),
    });
    await proxy.expose(1, port);
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await proxy?.close();
    await new Promise<void>((r) => (echo === undefined ? r() : echo.close(() => r())));
  });

  it('delays both directions, shows the source alias, and counts in the proxy processes', async () => {
    const s = await dial(net, 0, 1, port);
    const rtt = await roundTrip(s, 'ping');
    expect(rtt).toBeGreaterThanOrEqual(2 * DELAY_MS);
    expect(seen.at(-1)).toMatch(/127\.0\.3\.1$/);
    const stats = await proxy.readStats();
    expect(stats.connections).toBe(1);
    expect(stats.bytes).toBe(10);
    expect(stats.chunks).toBe(2);
    s.destroy();
  });

  it('a partition resets open links and refuses new ones; healing lets them through again', async () => {
    const s = await dial(net, 2, 1, port);
    await roundTrip(s, 'before');
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    s.on('error', () => {});
    await proxy.partition([[1], [0, 2]]);
    await closed;
    await expect(dial(net, 0, 1, port).then((x) => roundTrip(x, 'across'))).rejects.toThrow();
    await proxy.partition(undefined);
    const again = await dial(net, 0, 1, port);
    expect(await roundTrip(again, 'healed')).toBeGreaterThanOrEqual(2 * DELAY_MS);
    again.destroy();
    const stats = await proxy.readStats();
    expect(stats.reset).toBe(1);
    expect(stats.refused).toBe(1);
    expect(stats.connections).toBe(3);
  });

  it('close resets the links still open and returns (runs last)', async () => {
    const s = await dial(net, 0, 1, port);
    await roundTrip(s, 'open');
    s.on('error', () => {});
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    await proxy.close();
    await closed;
  });
});
