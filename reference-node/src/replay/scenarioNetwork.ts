/**
 * The network of a crisis replay: one `sfr node start` process per scenario node on loopback TCP,
 * each with a fresh member key, peer key and data folder under `dataDir/<name>`, every other node
 * its member and direct gossip peer. Each node's accepted-message stream (`/v1/stream`) and notice
 * stream (`/v1/notices`) are followed from the start, so what every node holds and pushed is known.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { MessageId, Scenario, ScenarioNode } from '@sfr/schemas/types';
import { generateMemberKey, saveMemberKey } from '../envelope/keys.js';
import { loadOrCreatePeerKey } from '../node/peerKey.js';
import { ReplayError } from './replayError.js';
import type { ScenarioChain } from './scenarioChain.js';
import { functionOf } from './scenarioChain.js';

/** The package root (two levels above both src/replay and dist/replay). */
const PKG = fileURLToPath(new URL('../../', import.meta.url));
/** The built CLI the node processes run, and the protective-action command. */
export const SFR_MAIN = path.join(PKG, 'dist/cli/main.js');
const PROTECTIVE_CALL = path.join(PKG, 'dist/replay/protectiveCall.js');
/** [sfr] A verify-only adapter scans from here: a block a replay's chain never reaches. */
const NEVER_BLOCK = Number.MAX_SAFE_INTEGER;

/** One accepted message as `/v1/stream` sends it. */
export interface StreamItem {
  readonly messageId: MessageId;
  readonly receivedAt: number;
  readonly envelope: {
    readonly type: string;
    readonly issuer: string;
    readonly seq: number;
    readonly payload: Record<string, unknown>;
  };
}

/** One notice as `/v1/notices` sends it. */
export interface NoticeItem {
  readonly event: string;
  readonly body: Record<string, unknown>;
}

export interface ReplayNode {
  readonly name: string;
  readonly spec: ScenarioNode;
  readonly member: string;
  readonly peerId: string;
  readonly dir: string;
  readonly port: number;
  /** Set while the process runs. */
  apiUrl: string;
  token: string;
  child: ChildProcess | undefined;
  /** Messages the node accepted (by id), across restarts. */
  readonly held: Map<string, StreamItem>;
  /** Notices it pushed, across restarts. */
  readonly notices: NoticeItem[];
}

export interface ScenarioNetwork {
  readonly nodes: readonly ReplayNode[];
  byName(name: string): ReplayNode;
  /** Member address (lower case) → node name. */
  nameOf(member: string): string;
  start(node: ReplayNode): Promise<void>;
  /** SIGKILL, as a crash. */
  kill(node: ReplayNode): Promise<void>;
  /** Called whenever a node accepts a message or pushes a notice. */
  onChange(listener: (node: ReplayNode, what: StreamItem | NoticeItem) => void): void;
  stop(): Promise<void>;
}

export interface StartNetworkOptions {
  readonly dataDir: string;
  readonly chain: ScenarioChain;
  readonly poolId?: string;
  /** How long a node may take to print "node ready". */
  readonly readyTimeoutMs: number;
  /** `liveness.heartbeatIntervalMs` of every node (default the node's). */
  readonly heartbeatIntervalMs?: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function startScenarioNetwork(
  scenario: Scenario,
  options: StartNetworkOptions,
): Promise<ScenarioNetwork> {
  const { chain } = options;
  await rm(options.dataDir, { recursive: true, force: true });
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const nodes: ReplayNode[] = [];
  for (const spec of scenario.nodes) {
    const dir = path.join(options.dataDir, spec.name);
    await mkdir(path.join(dir, 'data'), { recursive: true, mode: 0o700 });
    const key = generateMemberKey();
    await saveMemberKey(path.join(dir, 'member.key.json'), key);
    const peerKey = await loadOrCreatePeerKey(path.join(dir, 'data'));
    nodes.push({
      name: spec.name,
      spec,
      member: key.address,
      peerId: peerIdFromPrivateKey(peerKey).toString(),
      dir,
      port: await freePort(),
      apiUrl: '',
      token: '',
      child: undefined,
      held: new Map(),
      notices: [],
    });
  }
  const shared = {
    chainId: chain.anvil.chainId,
    rpcUrl: chain.rpcUrl,
    confirmations: 1,
    pollIntervalMs: 250,
  };
  for (const n of nodes) {
    const s = n.spec;
    const adapters = [
      ...(s.adapters ?? []).map((a) => ({
        package: a.package,
        config: { ...chain.resolve(a.config), ...shared, startBlock: chain.startBlock },
      })),
      ...(s.verifies ?? []).map((a) => ({
        package: a.package,
        config: { ...chain.resolve(a.config), ...shared, startBlock: NEVER_BLOCK },
      })),
    ];
    const protectiveActions = (s.protectiveActions ?? []).map((a) => {
      functionOf(a.call.function); // a bad signature fails here, before any node starts
      return {
        name: a.name,
        indicators: a.indicators,
        minSeverity: a.minSeverity,
        minConfidenceBps: a.minConfidenceBps,
        minIssuers: a.minIssuers,
        command: [
          process.execPath,
          PROTECTIVE_CALL,
          chain.rpcUrl,
          chain.resolve(`$${a.call.contract}`),
          a.call.function,
          JSON.stringify(chain.resolve(a.call.args ?? [])),
          a.kind ?? 'emergency_pause',
        ],
        // The transaction is mined at once on anvil; the bound covers a busy machine.
        timeoutMs: 60_000,
      };
    });
    const config = {
      identity: { keyFile: 'member.key.json', member: n.member, protocol: s.protocol },
      dataDir: 'data',
      network: {
        listen: [`/ip4/127.0.0.1/tcp/${n.port}`],
        members: nodes
          .filter((o) => o !== n)
          .map((o) => ({ member: o.member, peerId: o.peerId, addresses: [`/ip4/127.0.0.1/tcp/${o.port}`] })),
      },
      http: { host: '127.0.0.1', port: 0 },
      // All nodes share 127.0.0.1: switch off gossipsub's IP-colocation penalty (TOOLCHAIN.md).
      gossip: { scoring: { ipColocationFactorWeight: 0 } },
      logging: { level: 'info' },
      ...(options.heartbeatIntervalMs === undefined
        ? {}
        : { liveness: { heartbeatIntervalMs: options.heartbeatIntervalMs } }),
      chains: [{ chain: `eip155:${chain.anvil.chainId}`, rpcUrl: chain.rpcUrl, confirmations: 1 }],
      ...(adapters.length > 0 ? { adapters } : {}),
      ...(s.exposure === undefined ? {} : { exposure: s.exposure }),
      ...(options.poolId === undefined ? {} : { pools: [{ poolId: options.poolId }] }),
      policy: {
        ...(s.autoAttest === undefined ? {} : { autoAttest: s.autoAttest }),
        ...(protectiveActions.length > 0 ? { protectiveActions } : {}),
      },
    };
    await writeFile(path.join(n.dir, 'node.json'), `${JSON.stringify(config, null, 2)}\n`);
  }

  const listeners: Array<(node: ReplayNode, what: StreamItem | NoticeItem) => void> = [];
  const emit = (node: ReplayNode, what: StreamItem | NoticeItem) => {
    for (const l of listeners) l(node, what);
  };
  const watchers = new Map<ReplayNode, AbortController>();
  const byMember = new Map(nodes.map((n) => [n.member.toLowerCase(), n.name]));

  async function start(n: ReplayNode): Promise<void> {
    const child = spawn(
      process.execPath,
      [SFR_MAIN, 'node', 'start', '--config', path.join(n.dir, 'node.json'), '--stop-on-stdin-close'],
      {
        cwd: n.dir,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production' },
      },
    );
    n.child = child;
    const log = createWriteStream(path.join(n.dir, 'node.log'), { flags: 'a' });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    let errText = '';
    child.stderr!.on('data', (d: Buffer) => {
      errText = (errText + d.toString()).slice(-2000);
    });
    const ready = await new Promise<{ apiUrl: string; tokenFile: string }>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(
        () =>
          reject(
            new ReplayError('REPLAY_STEP_FAILED', `node ${n.name} not ready in ${options.readyTimeoutMs} ms`),
          ),
        options.readyTimeoutMs,
      );
      const onData = (d: Buffer) => {
        buf += d.toString();
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          let entry: { msg?: string; apiUrl?: string; tokenFile?: string };
          try {
            entry = JSON.parse(line) as typeof entry;
          } catch {
            continue;
          }
          if (entry.msg === 'node ready' && entry.apiUrl !== undefined && entry.tokenFile !== undefined) {
            clearTimeout(timer);
            child.stdout!.off('data', onData);
            resolve({ apiUrl: entry.apiUrl, tokenFile: entry.tokenFile });
          }
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new ReplayError('REPLAY_STEP_FAILED', `node ${n.name} exited with ${code}: ${errText.trim()}`),
        );
      });
    });
    n.apiUrl = ready.apiUrl;
    n.token = (await readFile(ready.tokenFile, 'utf8')).trim();
    const watcher = new AbortController();
    watchers.get(n)?.abort();
    watchers.set(n, watcher);
    follow(`${n.apiUrl}/v1/stream`, watcher.signal, (_event, data) => {
      const item = JSON.parse(data) as StreamItem;
      if (n.held.has(item.messageId)) return;
      n.held.set(item.messageId, item);
      emit(n, item);
    });
    follow(`${n.apiUrl}/v1/notices`, watcher.signal, (event, data) => {
      if (event === 'reset') return;
      const notice = { event, body: JSON.parse(data) as Record<string, unknown> };
      n.notices.push(notice);
      emit(n, notice);
    });
  }

  async function kill(n: ReplayNode): Promise<void> {
    watchers.get(n)?.abort();
    const child = n.child;
    n.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
  }

  const network: ScenarioNetwork = {
    nodes,
    byName: (name) => nodes.find((n) => n.name === name)!,
    nameOf: (member) => byMember.get(member.toLowerCase()) ?? member,
    start,
    kill,
    onChange: (l) => void listeners.push(l),
    async stop() {
      for (const w of watchers.values()) w.abort();
      // A Ctrl-C at a terminal signals the nodes too: one already gone sends no more `exit`.
      const running = nodes.filter(
        (n) => n.child !== undefined && n.child.exitCode === null && n.child.signalCode === null,
      );
      const exits = running.map((n) => new Promise<void>((r) => n.child!.once('exit', () => r())));
      for (const n of running) n.child!.kill('SIGTERM');
      // [sfr] a node drains in well under 10 s; after that it is killed.
      const killer = setTimeout(() => {
        for (const n of running) if (n.child?.exitCode === null) n.child.kill('SIGKILL');
      }, 10_000);
      await Promise.all(exits);
      clearTimeout(killer);
    },
  };
  return network;
}

/**
 * Follows a server-sent event stream until `signal` aborts; reconnects (with `Last-Event-ID`) when
 * the connection drops while the node runs.
 */
function follow(url: string, signal: AbortSignal, onEvent: (event: string, data: string) => void): void {
  void (async () => {
    let lastId: string | undefined;
    while (!signal.aborted) {
      try {
        const res = await fetch(url, {
          signal,
          headers: lastId === undefined ? {} : { 'last-event-id': lastId },
        });
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
              else if (line.startsWith('id: ')) lastId = line.slice(4);
            }
            if (data.length > 0) onEvent(event, data.join('\n'));
          }
        }
      } catch {
        // dropped or aborted: retried below unless aborted
      }
      if (signal.aborted) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
}
