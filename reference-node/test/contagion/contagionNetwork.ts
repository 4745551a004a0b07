/**
 * A network of real `sfr node start` processes on 127.0.0.1 for the contagion tests: like
 * test/e2e/processNetwork.ts, but each node's config can add `exposure`, `webhooks` and `policy`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { deriveTestKey, type MemberKey, saveMemberKey } from '../../src/envelope/index.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface CNode {
  readonly index: number;
  readonly dir: string;
  readonly key: MemberKey;
  readonly apiUrl: string;
  readonly token: string;
  proc: ChildProcess | undefined;
  readonly logs: string[];
}

export interface CNetwork {
  readonly root: string;
  readonly nodes: CNode[];
  stop(): Promise<void>;
}

/** `extra(i, dir)` returns config fields merged into node i's config (files it names live in `dir`). */
export async function startContagionNetwork(
  n: number,
  extra: (i: number, dir: string) => Promise<Record<string, unknown>>,
): Promise<CNetwork> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'sfr-contagion-e2e-'));
  const nodes: CNode[] = [];
  const addrs: string[] = [];
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, `node${i}`);
    await mkdir(path.join(dir, 'data'), { recursive: true, mode: 0o700 });
    const key = deriveTestKey(`sfr-contagion-e2e-${i}`);
    await saveMemberKey(path.join(dir, 'member.key'), key);
    const peerKey = await generateKeyPair('Ed25519');
    await writeFile(path.join(dir, 'data', 'peer.key'), privateKeyToProtobuf(peerKey), { mode: 0o600 });
    const [p2p, http] = [await freePort(), await freePort()];
    addrs.push(`/ip4/127.0.0.1/tcp/${p2p}/p2p/${peerIdFromPrivateKey(peerKey).toString()}`);
    const token = `contagion-token-${i}-${'x'.repeat(24)}`;
    await writeFile(path.join(dir, 'http.token'), `${token}\n`, { mode: 0o600 });
    nodes.push({ index: i, dir, key, apiUrl: `http://127.0.0.1:${http}`, token, proc: undefined, logs: [] });
  }
  for (const node of nodes) {
    const config = {
      identity: { keyFile: 'member.key', protocol: `proto-${node.index}` },
      dataDir: 'data',
      network: {
        listen: [addrs[node.index]!.replace(/\/p2p\/.*$/, '')],
        bootstrap: addrs.filter((_, j) => j !== node.index),
        members: nodes.map((o) => ({ member: o.key.address })),
      },
      http: { host: '127.0.0.1', port: Number(new URL(node.apiUrl).port), tokenFile: 'http.token' },
      gossip: { scoring: { ipColocationFactorWeight: 0 } },
      logging: { level: 'info' },
      ...(await extra(node.index, node.dir)),
    };
    await writeFile(path.join(node.dir, 'config.json'), JSON.stringify(config, null, 2));
  }
  const net: CNetwork = {
    root,
    nodes,
    async stop() {
      await Promise.allSettled(nodes.map((nd) => kill(nd)));
      await rm(root, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(nodes.map((nd) => start(nd)));
  } catch (e) {
    await net.stop();
    throw e;
  }
  return net;
}

function start(node: CNode): Promise<void> {
  const proc = spawn(
    process.execPath,
    [CLI, 'node', 'start', '--config', path.join(node.dir, 'config.json')],
    {
      cwd: node.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  node.proc = proc;
  let buffer = '';
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`node ${node.index} not ready in 60 s: ${node.logs.slice(-5).join('\n')}`)),
      60_000,
    );
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (node.logs.length > 2000) node.logs.shift();
        node.logs.push(line);
        if (line.includes('"msg":"node ready"')) {
          clearTimeout(timer);
          resolve();
        }
        nl = buffer.indexOf('\n');
      }
    });
    proc.stderr!.on('data', (chunk: Buffer) => node.logs.push(`stderr: ${chunk.toString()}`));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${node.index} exited with ${code}: ${node.logs.slice(-5).join('\n')}`));
    });
  });
}

async function kill(node: CNode): Promise<void> {
  const proc = node.proc;
  if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  node.proc = undefined;
}

/** Tests read JSON bodies of many shapes from the API. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Json = any;

export async function callApi(
  node: CNode,
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

export { waitFor } from '../../../scripts/testTimeouts.js';
