import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RpcProxy {
  url: string;
  /** requests received / answered with a failure */
  readonly stats: { requests: number; failures: number };
  /** fail the next n requests with HTTP 503, then forward again */
  failNext(n: number): void;
  /** fail every request until `up()` */
  down(): void;
  up(): void;
  stop(): Promise<void>;
}

/** A loopback HTTP proxy in front of an RPC that can be told to fail, for retry tests. */
export async function startRpcProxy(target: string): Promise<RpcProxy> {
  const targetUrl = new URL(target);
  let failBudget = 0;
  let isDown = false;
  const stats = { requests: 0, failures: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    stats.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (isDown || failBudget > 0) {
        if (failBudget > 0) failBudget--;
        stats.failures++;
        res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
        return;
      }
      const body = Buffer.concat(chunks);
      const upstream = httpRequest(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          path: targetUrl.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, { 'content-type': 'application/json' });
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    failNext(n) {
      failBudget = n;
    },
    down() {
      isDown = true;
    },
    up() {
      isDown = false;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
