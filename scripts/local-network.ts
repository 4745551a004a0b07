// `npm start`: a local SFR network of 5 node PROCESSES on loopback TCP, each started with the real
// command (`sfr node start --config …`), with fresh member keys, peer keys and configs in a data
// folder. It publishes signed recovery events and contagion alerts through the nodes' HTTP APIs
// and prints, live, what every node received (each node's /v1/stream). Then an on-chain incident:
// an anvil chain (npm's anvil) holds Aave v3, Compound v3 and Chainlink mocks; n1 hosts the Aave v3
// adapter, n2 the Compound v3 adapter, n5 the Chainlink adapter; a scripted incident (an oracle
// crash, a reserve freeze, a market pause, bad debt on both) makes them publish recovery events and
// an alert, which appear at every node. Ctrl-C stops everything (anvil included).
//
// Usage: tsx scripts/local-network.ts [--nodes N] [--data DIR] [--once] [--timeout-ms MS] [--transpile]
//   --transpile  run the nodes from a transpiled copy of the sources even when dist is up to date
//   --once   publish, run the incident, wait until every node has every message (and the incident's
//            events are exactly the expected ones), print the summary, stop, exit 0 (all delivered)
//            or 1 (not within --timeout-ms). Used by the test suite.
// Nodes run the built `reference-node/dist` when it is up to date with its sources, else a
// transpile-only copy of the sources (scripts/incident/nodeEntry.ts): both start in about a second.
import '../reference-node/src/polyfill.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { generateMemberKey, saveMemberKey } from '../reference-node/src/envelope/index.js';
import { loadOrCreatePeerKey } from '../reference-node/src/node/peerKey.js';
import { type HostedAdapter, type IncidentChain, startIncidentChain } from './incident/chain.js';
import { nodeEntry } from './incident/nodeEntry.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const EXAMPLES = path.join(ROOT, 'schemas/v1/examples');
/** Protocols the demo members run (ProtocolSlug values of the adapters in this repo). */
const PROTOCOLS = [
  'aave-v3',
  'compound-v3',
  'gmx-v2',
  'liquity-v2',
  'chainlink',
  'pausable',
  'maker',
  'morpho',
];
/** How long a node may take from spawn to "node ready" (tsx compiles on first start). */
const READY_TIMEOUT_MS = 90_000;
/** Grace period for nodes to stop on SIGTERM before they are SIGKILLed. */
const STOP_GRACE_MS = 10_000;

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5' },
    data: { type: 'string', default: path.join(ROOT, '.sfr-data/local-network') },
    once: { type: 'boolean', default: false },
    transpile: { type: 'boolean', default: false },
    'timeout-ms': { type: 'string', default: '60000' },
  },
});
const N = Number(args.nodes);
if (!Number.isInteger(N) || N < 2 || N > PROTOCOLS.length) {
  process.stderr.write(`--nodes must be 2 … ${PROTOCOLS.length}\n`);
  process.exit(2);
}
const DATA = path.resolve(args.data);
const t0 = Date.now();
const stamp = () => `+${((Date.now() - t0) / 1000).toFixed(2).padStart(6)}s`;
const color = process.stdout.isTTY
  ? (c: number, s: string) => `\x1b[${c}m${s}\x1b[0m`
  : (_c: number, s: string) => s;
const say = (s: string) => process.stdout.write(`${color(90, stamp())} ${s}\n`);

interface NodeSetup {
  name: string;
  dir: string;
  member: string;
  protocol: string;
  peerId: string;
  port: number;
  config: string;
}
interface RunningNode extends NodeSetup {
  child: ChildProcess;
  apiUrl: string;
  token: string;
  exited: Promise<number | null>;
}

let NODE_ENTRY: string[] = [];

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

/** Fresh keys and configs: every node knows every other member and dials it directly. */
async function prepare(adapters: ReadonlyMap<string, HostedAdapter>): Promise<NodeSetup[]> {
  await rm(DATA, { recursive: true, force: true });
  await mkdir(DATA, { recursive: true, mode: 0o700 });
  const nodes: NodeSetup[] = [];
  for (let i = 0; i < N; i++) {
    const name = `n${i + 1}`;
    const dir = path.join(DATA, name);
    await mkdir(path.join(dir, 'data'), { recursive: true, mode: 0o700 });
    const key = generateMemberKey();
    await saveMemberKey(path.join(dir, 'member.key.json'), key);
    const peerKey = await loadOrCreatePeerKey(path.join(dir, 'data'));
    nodes.push({
      name,
      dir,
      member: key.address,
      protocol: PROTOCOLS[i]!,
      peerId: peerIdFromPrivateKey(peerKey).toString(),
      port: await freePort(),
      config: path.join(dir, 'node.json'),
    });
  }
  for (const n of nodes) {
    const config = {
      identity: { keyFile: 'member.key.json', member: n.member, protocol: n.protocol },
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
      ...(adapters.has(n.protocol) ? { adapters: [adapters.get(n.protocol)!] } : {}),
    };
    await writeFile(n.config, `${JSON.stringify(config, null, 2)}\n`);
  }
  return nodes;
}

function start(n: NodeSetup): Promise<RunningNode> {
  const child = spawn(
    process.execPath,
    [...NODE_ENTRY, 'node', 'start', '--config', n.config, '--stop-on-stdin-close'],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production' },
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let buf = '';
  let errText = '';
  // Each node's JSON log is kept in its folder (node.log) for a closer look.
  const logFile = createWriteStream(path.join(n.dir, 'node.log'), { flags: 'a' });
  child.stdout!.pipe(logFile);
  child.stderr!.pipe(logFile);
  child.stderr!.on('data', (d: Buffer) => {
    errText = (errText + d.toString()).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${n.name}: not ready in ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
        let entry: { msg?: string; level?: string; apiUrl?: string; tokenFile?: string; peer?: string };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          continue;
        }
        if (entry.msg === 'node ready' && entry.apiUrl && entry.tokenFile) {
          clearTimeout(timer);
          const tokenFile = entry.tokenFile;
          const apiUrl = entry.apiUrl;
          readFile(tokenFile, 'utf8').then(
            (t) => resolve({ ...n, child, apiUrl, token: t.trim(), exited }),
            reject,
          );
        } else if (entry.level === 'warn' || entry.level === 'error') {
          say(
            `${color(33, n.name)} ${entry.level}: ${entry.msg ?? ''}${entry.peer ? ` (peer ${entry.peer.slice(-6)})` : ''}`,
          );
        }
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${n.name} exited with ${code}: ${errText.trim()}`));
    });
  });
}

function example(kind: string, name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(EXAMPLES, kind, 'valid', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

interface Item {
  messageId: string;
  receivedAt: number;
  envelope: { type: string; issuer: string; seq: number; payload: Record<string, unknown> };
}

function describe(item: Item, byMember: Map<string, string>): string {
  const p = item.envelope.payload;
  const from = byMember.get(item.envelope.issuer.toLowerCase()) ?? item.envelope.issuer.slice(0, 10);
  const what =
    item.envelope.type === 'RecoveryEvent'
      ? `${String(p['protocol'])} ${String(p['kind'])} (${String(p['severity'])})`
      : item.envelope.type === 'ContagionAlert'
        ? `${String(p['indicator'])} on ${String((p['subject'] as { kind?: string; name?: string } | undefined)?.name ?? (p['subject'] as { kind?: string })?.kind)} (${String(p['severity'])}, confidence ${Number(p['confidence']) / 100}%)`
        : item.envelope.type;
  return `${item.envelope.type.padEnd(14)} ${what}  ${color(90, `from ${from} #${item.envelope.seq} ${item.messageId.slice(0, 10)}…`)}`;
}

/** Follows one node's /v1/stream and reports each message it accepted. */
function watch(n: RunningNode, onItem: (n: RunningNode, item: Item) => void, signal: AbortSignal): void {
  void (async () => {
    for (let attempt = 0; attempt < 5 && !signal.aborted; attempt++) {
      try {
        const res = await fetch(`${n.apiUrl}/v1/stream`, { signal });
        const reader = res.body!.getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += new TextDecoder().decode(value);
          let end = buf.indexOf('\n\n');
          while (end >= 0) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            end = buf.indexOf('\n\n');
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (data !== undefined) onItem(n, JSON.parse(data.slice(6)) as Item);
          }
        }
      } catch {
        if (signal.aborted) return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
}

async function publish(n: RunningNode, route: '/v1/events' | '/v1/alerts', payload: Record<string, unknown>) {
  const res = await fetch(`${n.apiUrl}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${n.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ payload }),
  });
  const body = (await res.json()) as { messageId?: string; code?: string; detail?: string };
  if (res.status !== 201)
    throw new Error(`${n.name} ${route}: ${res.status} ${body.code ?? ''} ${body.detail ?? ''}`);
  return body.messageId!;
}

let byMember = new Map<string, string>();

async function main(): Promise<number> {
  let chain: IncidentChain | undefined;
  const running: RunningNode[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      say('stopping all nodes …');
      for (const n of running) n.child.kill('SIGTERM');
      const killer = setTimeout(() => {
        for (const n of running) if (n.child.exitCode === null) n.child.kill('SIGKILL');
      }, STOP_GRACE_MS);
      const codes = await Promise.all(running.map((n) => n.exited));
      clearTimeout(killer);
      await chain?.stop(); // after the nodes: their adapters read it until they stop
      say(`stopped (${running.map((n, i) => `${n.name}: exit ${codes[i]}`).join(', ')})`);
    })();
    return stopping;
  };
  process.on('SIGINT', () => void stopAll().then(() => process.exit(0)));
  process.on('SIGTERM', () => void stopAll().then(() => process.exit(0)));

  try {
    say('starting an anvil chain and deploying the Aave v3, Compound v3 and Chainlink mocks …');
    chain = await startIncidentChain();
    say(`chain ${color(35, 'eip155:31337')} at ${chain.anvil.rpcUrl}`);
    const entry = await nodeEntry({ transpile: args.transpile });
    NODE_ENTRY = entry.args;
    say(`preparing ${N} nodes in ${path.relative(process.cwd(), DATA) || DATA} (${entry.how})`);
    const setups = await prepare(chain.adapters);
    byMember = new Map(setups.map((s) => [s.member.toLowerCase(), s.name]));
    const started = await Promise.allSettled(setups.map(start));
    for (const s of started) if (s.status === 'fulfilled') running.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    for (const n of running) {
      const hosted = chain.adapters.has(n.protocol)
        ? `  hosts ${chain.adapters.get(n.protocol)!.package}`
        : '';
      say(
        `${color(36, n.name)} ${n.protocol.padEnd(12)} member ${n.member}  peer …${n.peerId.slice(-8)}  api ${n.apiUrl}${hosted}`,
      );
    }

    const seen = new Map<string, Set<string>>(); // messageId → node names
    const items = new Map<string, Item>(); // messageId → the message
    const published = new Map<string, number>(); // messageId → publish time
    const watcher = new AbortController();
    let notify: () => void = () => undefined;
    const onItem = (n: RunningNode, item: Item) => {
      const set = seen.get(item.messageId) ?? new Set<string>();
      seen.set(item.messageId, set);
      if (set.has(n.name)) return;
      set.add(n.name);
      items.set(item.messageId, item);
      const at = published.get(item.messageId);
      const latency = at === undefined ? '' : color(90, ` ${Math.max(0, item.receivedAt - at)} ms`);
      say(`${color(36, n.name)} ← ${describe(item, byMember)}${latency}`);
      notify();
    };
    for (const n of running) watch(n, onItem, watcher.signal);

    // Wait until every node is connected to every other. Every member is configured as a gossipsub
    // direct peer (which always receives everything and is never in a mesh), so there is no mesh to wait for.
    const meshDeadline = Date.now() + 20_000;
    let lacking: string[] = [];
    while (Date.now() < meshDeadline) {
      const statuses = await Promise.all(
        running.map(
          async (n) =>
            (await (await fetch(`${n.apiUrl}/v1/status`)).json()) as {
              peers: { connected: number };
            },
        ),
      );
      lacking = statuses.flatMap((s, i) => [
        ...(s.peers.connected >= N - 1 ? [] : [`${running[i]!.name}: ${s.peers.connected} peers`]),
      ]);
      if (lacking.length === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    say(
      lacking.length === 0
        ? `network up: every node connected to the ${N - 1} others (all members are direct gossip peers); publishing …`
        : `network partly up after 20 s (${lacking.slice(0, 4).join(', ')}${lacking.length > 4 ? ', …' : ''}); publishing anyway (sync catches up) …`,
    );

    const now = Date.now();
    const plan: Array<[RunningNode, '/v1/events' | '/v1/alerts', Record<string, unknown>]> = [
      [
        running[0]!,
        '/v1/events',
        {
          ...example('RecoveryEvent', 'aave-v3-reserve-paused'),
          occurredAt: now - 60_000,
          detectedAt: now - 30_000,
        },
      ],
      [
        running[1 % N]!,
        '/v1/events',
        {
          ...example('RecoveryEvent', 'compound-v3-pause-action'),
          occurredAt: now - 50_000,
          detectedAt: now - 20_000,
        },
      ],
      [
        running[2 % N]!,
        '/v1/alerts',
        { ...example('ContagionAlert', 'usdc-depeg'), observedAt: now - 10_000, expiresAt: now + 3_600_000 },
      ],
      [
        running[4 % N]!,
        '/v1/alerts',
        {
          ...example('ContagionAlert', 'chainlink-eth-usd-stale-arbitrum'),
          observedAt: now - 5_000,
          expiresAt: now + 3_600_000,
        },
      ],
    ];
    for (const [n, route, payload] of plan) {
      const id = await publish(n, route, payload);
      published.set(id, Date.now());
      say(
        `${color(32, n.name)} → published ${route === '/v1/events' ? 'RecoveryEvent' : 'ContagionAlert'} ${id.slice(0, 10)}…`,
      );
    }

    // The incident: each step's transaction, then the outputs its hosting node's adapter must publish.
    const steps = chain.steps(running.map((n) => n.protocol));
    const expected = new Map<string, string[]>(); // hosting node's member → expected kinds/indicators
    say(`${color(35, 'incident')} ${steps.length} on-chain steps …`);
    for (const step of steps) {
      const host = running.find((n) => n.protocol === step.protocol)!;
      const tx = await step.run();
      const list = expected.get(host.member.toLowerCase()) ?? [];
      list.push(...step.expect);
      expected.set(host.member.toLowerCase(), list);
      say(
        `${color(35, 'chain')}    ⛓ ${step.what}  ${color(90, `tx ${tx.slice(0, 10)}… (${host.name} watches)`)}`,
      );
    }
    const label = (item: Item) =>
      String(
        item.envelope.type === 'ContagionAlert'
          ? item.envelope.payload['indicator']
          : item.envelope.payload['kind'],
      );
    /**
     * Messages the nodes' adapters published: recovery events and alerts not posted over HTTP. The
     * nodes' own NodeAnnouncements (at start and each heartbeat, node.md#liveness) are not the incident.
     */
    const INCIDENT_TYPES = new Set(['RecoveryEvent', 'ContagionAlert']);
    const incidentIds = () =>
      [...items.keys()].filter(
        (id) => !published.has(id) && INCIDENT_TYPES.has(items.get(id)!.envelope.type),
      );
    const incidentMatches = () => {
      for (const [member, kinds] of expected) {
        const got = incidentIds()
          .map((id) => items.get(id)!)
          .filter((i) => i.envelope.issuer.toLowerCase() === member)
          .map(label)
          .sort();
        if (JSON.stringify(got) !== JSON.stringify([...kinds].sort())) return false;
      }
      return incidentIds().every((id) => expected.has(items.get(id)!.envelope.issuer.toLowerCase()));
    };
    const everywhere = () =>
      [...published.keys(), ...incidentIds()].every((id) => (seen.get(id)?.size ?? 0) === N) &&
      incidentMatches();
    const deadline = Date.now() + Number(args['timeout-ms']);
    while (!everywhere() && Date.now() < deadline) {
      await new Promise<void>((r) => {
        notify = r;
        setTimeout(r, 250);
      });
    }
    const ok = everywhere();
    process.stdout.write(`\n${'message'.padEnd(14)} ${running.map((n) => n.name.padEnd(4)).join(' ')}\n`);
    for (const id of [...published.keys(), ...incidentIds()]) {
      process.stdout.write(
        `${id.slice(0, 12)}…  ${running.map((n) => (seen.get(id)?.has(n.name) ? color(32, '✓   ') : color(31, '✗   '))).join(' ')}\n`,
      );
    }
    process.stdout.write(
      ok
        ? `\nall ${published.size} messages reached all ${N} nodes.\nincident: all ${incidentIds().length} recovery events and alerts the adapters published from the chain reached all ${N} nodes.\n`
        : `\nNOT all messages reached all nodes (or the incident's events were not the expected ones) within ${args['timeout-ms']} ms.\n`,
    );
    if (args.once) {
      watcher.abort();
      await stopAll();
      process.stdout.write(
        `SUMMARY ${JSON.stringify({ nodes: N, published: published.size, incident: incidentIds().length, expected: [...expected.values()].flat().length, delivered: ok })}\n`,
      );
      return ok ? 0 : 1;
    }
    process.stdout.write(
      '\nthe network keeps running; publish more with the APIs above (tokens in each node folder). Ctrl-C stops it.\n\n',
    );
    await new Promise(() => undefined);
    return 0;
  } catch (error) {
    process.stderr.write(`local network failed: ${(error as Error).message}\n`);
    await stopAll();
    return 1;
  }
}

process.exitCode = await main();
