/**
 * What the attacks of `npm run attacks` share: victim networks of real `sfr node start` processes on
 * loopback (reference-node/test/e2e/processNetwork.ts), the victim process's own figures read from
 * /proc, raw HTTP requests an attacker makes (its own connections and source address), and the
 * crash check every attack ends with.
 */
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import {
  api,
  createProcNetwork,
  type ProcNetwork,
  type ProcNode,
} from '../../reference-node/test/e2e/processNetwork.js';
import { TIMEOUTS, waitFor } from '../testTimeouts.js';

/** One attack: what it measured (JSON), the issue's before figures among them. */
export type Figures = Record<string, unknown>;

export interface AttackOptions {
  /** Scales the attack's observation windows (e.g. 0.25 while developing); 1 measures as specified. */
  readonly scale: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * `n` node processes on loopback, started one at a time, each seeing a peer and answering `/health` 200
 * (with no peer the gossip check is degraded and `/health` is 503, which would hide what an attack does).
 * `configure` adds to or replaces parts of each node's config, as createProcNetwork's does.
 */
/** Every victim network started and not yet stopped, for the runner to stop on SIGINT. */
export const running = new Set<ProcNetwork>();

export async function startVictims(
  n: number,
  opts: Parameters<typeof createProcNetwork>[1] = {},
): Promise<ProcNetwork> {
  const created = await createProcNetwork(n, opts);
  const net: ProcNetwork = {
    ...created,
    async stop() {
      running.delete(net);
      await created.stop();
    },
  };
  running.add(net);
  try {
    for (let i = 0; i < n; i++) await net.start(i);
    if (n > 1)
      await waitFor(
        async () => {
          const r = await Promise.all(net.nodes.map((node) => probe(`${node.apiUrl}/health`)));
          return r.every((x) => x.status === 200);
        },
        TIMEOUTS.event,
        '/health 200 at every node',
        250,
      );
    return net;
  } catch (e) {
    await net.stop();
    throw e;
  }
}

/** The victim's process figures from /proc: resident memory now and at its peak (MB), open fds. */
export function procStats(node: ProcNode): { rssMb: number; hwmMb: number; fds: number } | undefined {
  const pid = node.proc?.pid;
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return {
      rssMb: Math.round(kb('VmRSS') / 102.4) / 10,
      hwmMb: Math.round(kb('VmHWM') / 102.4) / 10,
      fds: readdirSync(`/proc/${pid}/fd`).length,
    };
  } catch {
    return undefined;
  }
}

/**
 * Whether the node process is still running. The attacks report, they do not judge, except this: a
 * node that exited is reported as a crash with its exit code and last log lines.
 */
export function crashCheck(node: ProcNode): Figures {
  const proc = node.proc;
  if (proc !== undefined && proc.exitCode === null && proc.signalCode === null) return { crashed: false };
  return {
    crashed: true,
    exitCode: proc?.exitCode ?? null,
    signal: proc?.signalCode ?? null,
    lastLogs: node.logs.slice(-5),
  };
}

export interface Reply {
  /** HTTP status; 0 when no answer came (`error` says why). */
  readonly status: number;
  /** The problem code of an error answer (`code` in its JSON body), if any. */
  readonly code?: string;
  readonly error?: string;
  readonly ms: number;
}

/**
 * One request on a connection of its own (or `agent`'s), from `localAddress` when given (all of
 * 127.0.0.0/8 is this host: a local process can pick any source address in it).
 */
export function probe(
  url: string,
  opts: {
    readonly method?: string;
    readonly headers?: Record<string, string>;
    readonly body?: string;
    readonly localAddress?: string;
    readonly agent?: http.Agent;
    readonly timeoutMs?: number;
  } = {},
): Promise<Reply> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const done = (r: Omit<Reply, 'ms'>): void => resolve({ ...r, ms: Date.now() - t0 });
    const req = http.request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: {
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...opts.headers,
        },
        agent: opts.agent ?? false,
        ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress }),
        timeout: opts.timeoutMs ?? 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => done({ status: res.statusCode ?? 0, error: e.message }));
        res.on('end', () => {
          let code: string | undefined;
          try {
            code = (JSON.parse(Buffer.concat(chunks).toString()) as { code?: string }).code;
          } catch {
            // not JSON
          }
          done({ status: res.statusCode ?? 0, ...(code === undefined ? {} : { code }) });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => done({ status: 0, error: e.code ?? e.message }));
    req.end(opts.body);
  });
}

/** Counts of `replies` by status (and problem code when there is one), e.g. {"200": 3, "429 API_RATE_LIMITED": 2}. */
export function tally(replies: readonly Reply[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replies) {
    const key =
      r.status === 0 ? `error ${r.error}` : r.code === undefined ? `${r.status}` : `${r.status} ${r.code}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** The bearer-token header of `node`'s operator. */
export function tokenOf(node: ProcNode): Record<string, string> {
  return { authorization: `Bearer ${node.token}` };
}

/** How many messages of `issuer` `node` holds (its list route, paged). */
export async function storedOf(node: ProcNode, issuer: string): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  for (;;) {
    const q = `/v1/messages?issuer=${issuer}&limit=1000${cursor === undefined ? '' : `&cursor=${cursor}`}`;
    const r = await api(node, 'GET', q);
    if (r.status !== 200) throw new Error(`list at node ${node.index}: ${r.status}`);
    n += (r.json.items as unknown[]).length;
    cursor = r.json.nextCursor as string | undefined;
    if (cursor === undefined || (r.json.items as unknown[]).length === 0) return n;
  }
}
