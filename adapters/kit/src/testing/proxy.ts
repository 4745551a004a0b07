import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RpcProxy {
  url: string;
  /** requests received / answered with a failure */
  readonly stats: { requests: number; failures: number; rangeErrors: number };
  /** fail the next n requests with HTTP 503, then forward again */
  failNext(n: number): void;
  /** answer eth_getLogs wider than `blocks` with JSON-RPC error -32005, as hosted providers do; undefined lifts it */
  limitLogRange(blocks: number | undefined): void;
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
  const stats = { requests: 0, failures: 0, rangeErrors: 0 };
  let maxLogRange: number | undefined;
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
      if (maxLogRange !== undefined) {
        const tooWide = rejectWideLogRange(body, maxLogRange);
        if (tooWide !== undefined) {
          stats.rangeErrors++;
          res.writeHead(200, { 'content-type': 'application/json' }).end(tooWide);
          return;
        }
      }
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
    limitLogRange(blocks) {
      maxLogRange = blocks;
    },
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

/** The JSON-RPC error body for an eth_getLogs request wider than `max` blocks, else undefined. */
function rejectWideLogRange(body: Buffer, max: number): string | undefined {
  try {
    const request = JSON.parse(body.toString()) as {
      id?: unknown;
      method?: string;
      params?: [Record<string, string>];
    };
    if (request.method !== 'eth_getLogs') return undefined;
    const filter = request.params?.[0];
    if (filter?.['fromBlock'] === undefined || filter['toBlock'] === undefined) return undefined;
    const width = Number(BigInt(filter['toBlock']) - BigInt(filter['fromBlock'])) + 1;
    if (width <= max) return undefined;
    return JSON.stringify({
      jsonrpc: '2.0',
      id: request.id,
      error: { code: -32005, message: `query exceeds max block range ${max}` },
    });
  } catch {
    return undefined;
  }
}
