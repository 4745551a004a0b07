/**
 * Multi-PROCESS test networks: each node is a real `sfr node start --config <file>` process
 * (reference-node/dist/cli/main.js), by default on 127.0.0.1, with its own key file, peer key, store and
 * HTTP API. `placement` puts nodes elsewhere, e.g. each in its own network namespace
 * (reference-node/test/netns).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { deriveTestKey, type MemberKey, saveMemberKey } from '../../src/envelope/index.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/**
 * [test] Ports the nodes listen on come from below Linux's ephemeral range (32768-60999): a port the
 * kernel handed out (port 0) is free only until the next outgoing connection of any process on the
 * machine takes it as its local port, which on a busy shared host happened in 2 of 4 runs between
 * choosing the port and the node binding it (CONFIG_ADDRESS_IN_USE).
 *
 * A port is checked free here and bound later by a child process, and a node killed on purpose leaves
 * its ports unbound until its restart, so a port is handed out to one process on the machine at a time:
 * it is claimed first by a file in `PORT_CLAIMS` made with O_EXCL and naming this process, then checked
 * free. Another process never takes a port claimed by a live process, whatever vitest run, worker or
 * script it belongs to; a dead holder's claim is taken over. Worker slices (`VITEST_POOL_ID`) alone
 * were per vitest run: every run's first worker, and every script run outside vitest, drew from the
 * same 1 500 ports, so the lead's kill:200 run (restarting its victim on its ports) and a file run
 * under the e2e lock drew from one slice at once. The slices stay, so that workers seldom meet on a claim.
 * A port is not handed out again while its holder lives (a killed node restarts on its ports; another
 * network of the same process must not take them meanwhile); the network's stop, or the process's
 * exit, gives its claims back.
 */
const PORTS = { from: 20_000, count: 12_000, slices: 8 } as const;
export const PORT_CLAIMS = path.join(os.tmpdir(), 'sfr-test-ports');
const handedOut = new Set<number>();
let releaseOnExit = false;

function workerSlice(): { readonly from: number; readonly count: number } {
  const pool = Number(process.env.VITEST_POOL_ID ?? '1');
  const index = (Number.isInteger(pool) && pool >= 1 ? pool - 1 : 0) % PORTS.slices;
  const count = PORTS.count / PORTS.slices;
  return { from: PORTS.from + index * count, count };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims `port` for this process machine-wide; false when a live process (this one included) holds it. */
async function claimPort(port: number): Promise<boolean> {
  const file = path.join(PORT_CLAIMS, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    // An empty claim is one being written: held.
    const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(holder) || holder <= 0 || holder === process.pid || alive(holder)) return false;
    await unlink(file).catch(() => undefined);
  }
  return false;
}

/** Gives back this process's claims on `ports` (all it holds when omitted). */
function releasePorts(ports: Iterable<number> = [...handedOut]): void {
  for (const port of ports) {
    if (!handedOut.delete(port)) continue;
    const file = path.join(PORT_CLAIMS, String(port));
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch {
      // already gone
    }
  }
}

export async function freePort(): Promise<number> {
  const slice = workerSlice();
  await mkdir(PORT_CLAIMS, { recursive: true });
  if (!releaseOnExit) {
    releaseOnExit = true;
    process.once('exit', () => releasePorts());
  }
  for (;;) {
    const port = slice.from + Math.floor(Math.random() * slice.count);
    if (handedOut.has(port) || !(await claimPort(port))) continue;
    handedOut.add(port);
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
    releasePorts([port]);
  }
}

export interface ProcNode {
  readonly index: number;
  /** The address it listens on (p2p, HTTP API, metrics). */
  readonly host: string;
  readonly p2pPort: number;
  readonly dir: string;
  readonly configFile: string;
  readonly key: MemberKey;
  readonly peerId: string;
  readonly multiaddr: string;
  readonly apiUrl: string;
  readonly metricsUrl: string;
  readonly token: string;
  /** Command prefix its process runs under (e.g. `ip netns exec NS`); empty for none. */
  readonly exec: readonly string[];
  proc: ChildProcess | undefined;
  readonly logs: string[];
}

export interface ProcNetwork {
  readonly root: string;
  readonly nodes: ProcNode[];
  start(i: number): Promise<void>;
  /** SIGKILL (no cleanup) or SIGTERM (clean stop); resolves when the process exited. */
  kill(i: number, signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  stop(): Promise<void>;
}

export async function createProcNetwork(
  n: number,
  opts: {
    /** Members without a node here: an address, or an entry such as a contract member `{member, contract}`. */
    readonly extraMembers?: (
      | string
      | { readonly member: string; readonly contract?: { readonly chain: string } }
    )[];
    /** The nodes' `chains[]` (contract members are checked through them; vaults are followed on them). */
    readonly chains?: { readonly chain: string; readonly rpcUrl: string; readonly confirmations?: number }[];
    /** Envelope time window of every node (config `time`). */
    readonly time?: { readonly skewMs: number; readonly maxAgeMs: number };
    /**
     * Adds to each node's config (written before any node starts), e.g. `liveness` or `webhooks`;
     * `nodes` are all of the network's (their members, addresses), e.g. for a policy naming another member.
     */
    readonly configure?: (node: ProcNode, nodes: readonly ProcNode[]) => Record<string, unknown>;
    /**
     * Where node `i` runs: the address it listens on, the address peers dial (its announced address, when
     * a proxy stands in front of it) and a command prefix (e.g. `ip netns exec NS`). Default: 127.0.0.1.
     */
    readonly placement?: (i: number) => {
      readonly host: string;
      readonly announceHost?: string;
      readonly exec?: readonly string[];
    };
    /**
     * How many peers each node bootstraps to: node i to the `bootstrapPeers` nodes before it in ring
     * order (i − 1, i − 2, … mod n). Default: every other node. A large network bounds it, as production
     * does (a node knows a few bootstrap peers, gossipsub keeps D ≈ 6 in its mesh): with every node
     * dialling every other through one link proxy, 30 nodes on 2 cores did not finish starting.
     */
    readonly bootstrapPeers?: number;
  } = {},
): Promise<ProcNetwork> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'sfr-e1-e2e-'));
  const nodes: ProcNode[] = [];
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, `node${i}`);
    await mkdir(path.join(dir, 'data'), { recursive: true, mode: 0o700 });
    const key = deriveTestKey(`sfr-e1-e2e-member-${i}`);
    await saveMemberKey(path.join(dir, 'member.key'), key);
    const peerKey = await generateKeyPair('Ed25519');
    await writeFile(path.join(dir, 'data', 'peer.key'), privateKeyToProtobuf(peerKey), { mode: 0o600 });
    const peerId = peerIdFromPrivateKey(peerKey).toString();
    const [p2p, http, metrics] = [await freePort(), await freePort(), await freePort()];
    ports.push(p2p, http, metrics);
    const place = opts.placement?.(i) ?? { host: '127.0.0.1' };
    const host = place.host;
    const token = `e2e-token-${i}-${'x'.repeat(24)}`;
    await writeFile(path.join(dir, 'http.token'), `${token}\n`, { mode: 0o600 });
    nodes.push({
      index: i,
      host,
      p2pPort: p2p,
      dir,
      configFile: path.join(dir, 'config.json'),
      key,
      peerId,
      multiaddr: `/ip4/${place.announceHost ?? host}/tcp/${p2p}/p2p/${peerId}`,
      apiUrl: `http://${host}:${http}`,
      metricsUrl: `http://${host}:${metrics}/metrics`,
      token,
      exec: place.exec ?? [],
      proc: undefined,
      logs: [],
    });
  }
  for (const node of nodes) {
    const config = {
      identity: { keyFile: 'member.key', protocol: `e2e-member-${node.index}` },
      dataDir: 'data',
      network: {
        listen: [`/ip4/${node.host}/tcp/${node.p2pPort}`],
        ...(node.multiaddr.startsWith(`/ip4/${node.host}/`)
          ? {}
          : { announce: [node.multiaddr.replace(/\/p2p\/.*$/, '')] }),
        // Each node bootstraps to the nodes before it (every other by default): the redial loop keeps
        // the mesh whole after restarts and partitions.
        bootstrap: Array.from(
          { length: Math.min(opts.bootstrapPeers ?? n - 1, n - 1) },
          (_, k) => nodes[(node.index - 1 - k + n) % n]!.multiaddr,
        ),
        members: [
          ...nodes.map((o) => ({ member: o.key.address })),
          ...(opts.extraMembers ?? []).map((m) => (typeof m === 'string' ? { member: m } : m)),
        ],
      },
      http: { host: node.host, port: Number(new URL(node.apiUrl).port), tokenFile: 'http.token' },
      metrics: { enabled: true, host: node.host, port: Number(new URL(node.metricsUrl).port) },
      // The spec's 64 KiB (p2p.md §6), stated because the config schema's default is 1 MiB.
      gossip: { maxMessageBytes: 65_536, scoring: { ipColocationFactorWeight: 0 } },
      ...(opts.time === undefined ? {} : { time: opts.time }),
      ...(opts.chains === undefined ? {} : { chains: opts.chains }),
      logging: { level: 'info' },
      ...(opts.configure?.(node, nodes) ?? {}),
    };
    await writeFile(node.configFile, JSON.stringify(config, null, 2));
  }

  async function start(i: number): Promise<void> {
    const node = nodes[i]!;
    const [cmd, ...args] = [
      ...node.exec,
      process.execPath,
      CLI,
      'node',
      'start',
      '--config',
      node.configFile,
    ];
    // The node reads SFR_* variables as settings and refuses unknown ones: the test timeout scale is not one.
    const { SFR_TEST_TIMEOUT_SCALE: _scale, ...env } = process.env;
    const proc = spawn(cmd!, args, {
      cwd: node.dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    node.proc = proc;
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`node ${i} not ready in ${TIMEOUTS.start} ms: ${node.logs.slice(-5).join('\n')}`)),
        TIMEOUTS.start,
      );
      const onLine = (line: string): void => {
        if (node.logs.length > 2000) node.logs.shift();
        node.logs.push(line);
        if (line.includes('"msg":"node ready"')) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          onLine(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
          nl = buffer.indexOf('\n');
        }
      });
      proc.stderr!.on('data', (chunk: Buffer) => node.logs.push(`stderr: ${chunk.toString()}`));
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`node ${i} exited with ${code} before ready: ${node.logs.slice(-5).join('\n')}`));
      });
    });
  }

  async function kill(i: number, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const proc = nodes[i]!.proc;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    nodes[i]!.proc = undefined;
  }

  return {
    root,
    nodes,
    start,
    kill,
    async stop() {
      await Promise.allSettled(nodes.map((_, i) => kill(i, 'SIGTERM')));
      releasePorts(ports);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Tests read JSON bodies of many shapes from the API. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Json = any;

/**
 * One API request as a test client. A GET that meets a connection reset is sent once more: the
 * client reuses keep-alive connections, and one the node is closing as idle (`http.timeouts.keepAliveMs`)
 * while the request leaves is reset (the keep-alive race every HTTP/1.1 client has; on a loaded machine
 * the client's own idle timer runs late). kill:200's settlement half failed once this way, polling a
 * claim at a victim 8 s after its restart (`fetch failed`, `read ECONNRESET`). A write is never sent twice.
 */
export async function api(
  node: ProcNode,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  try {
    return await request(node, method, url, body);
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    if (method !== 'GET' || (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')) throw e;
    return await request(node, method, url, body);
  }
}

async function request(
  node: ProcNode,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${node.apiUrl}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${node.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(TIMEOUTS.event),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/**
 * Waits until every node has a mesh peer on `topic` (its `/v1/status` topics[].meshPeers): messages
 * published before that reach peers only by sync, much later.
 */
export async function waitForTopicMesh(net: ProcNetwork, topic: string, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      for (const n of net.nodes) {
        const s = (await api(n, 'GET', '/v1/status')).json as Json;
        const t = (s.topics as { topic: string; meshPeers: number }[] | undefined)?.find(
          (x) => x.topic === topic,
        );
        if (t === undefined || t.meshPeers === 0) return false;
      }
      return true;
    },
    timeoutMs,
    `the ${topic} mesh at every node`,
    250,
  );
}

/** Value of one Prometheus counter sample (0 when absent). */
export async function metricValue(
  node: ProcNode,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const text = await (await fetch(node.metricsUrl, { signal: AbortSignal.timeout(TIMEOUTS.event) })).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      total += Number(line.split(' ').pop());
  }
  return total;
}
