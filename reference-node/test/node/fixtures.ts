/**
 * Shared test fixtures for the network/validation/sync/node/e2e suites: fixed member keys, valid
 * payloads, in-process networks of real nodes on loopback TCP, and bounded waiting.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import {
  type Address,
  createMemorySigningJournal,
  deriveTestKey,
  type MemberKey,
  type SignEnvelopeReturnType,
  type SigningJournal,
  signEnvelope,
  type UnsignedEnvelope,
} from '../../src/envelope/index.js';
import { type CreateNodeParameters, createNode, type SfrNode } from '../../src/node/index.js';

export function testKeys(n: number, prefix = 'sfr-e1-member'): MemberKey[] {
  return Array.from({ length: n }, (_, i) => deriveTestKey(`${prefix}-${i}`));
}

/**
 * `key`'s ContagionAlert at `seq`, issued `now`, signed (`guard`: the journal that refuses a seq signed
 * twice; a fresh one by default).
 */
export function signedAlert(
  key: MemberKey,
  seq: number,
  now: number,
  guard: SigningJournal = createMemorySigningJournal(),
): Promise<SignEnvelopeReturnType> {
  const unsigned: UnsignedEnvelope = {
    sfr: '1.0',
    type: 'ContagionAlert',
    issuer: key.address,
    seq,
    issuedAt: now,
    payload: alertPayload(now, seq) as UnsignedEnvelope['payload'],
  };
  return signEnvelope({ privateKey: key.privateKey, unsigned, guard });
}

/** A ContagionAlert payload that passes the v1 schema. */
export function alertPayload(now: number, n = 0): Record<string, unknown> {
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

export { waitFor } from '../../../scripts/testTimeouts.js';

export interface TestNetwork {
  readonly nodes: SfrNode[];
  readonly keys: MemberKey[];
  readonly dirs: string[];
  stop(): Promise<void>;
}

export interface StartNetworkOptions {
  readonly n: number;
  /** Extra members (addresses) beyond the nodes' own keys. */
  readonly extraMembers?: readonly Address[];
  /** How many earlier nodes each node bootstraps to (default 3). */
  readonly degree?: number;
  readonly overrides?: (i: number) => Partial<CreateNodeParameters>;
}

/** Starts `n` real nodes in this process on 127.0.0.1, each bootstrapping to up to `degree` earlier ones. */
export async function startNetwork(opts: StartNetworkOptions): Promise<TestNetwork> {
  const keys = testKeys(opts.n);
  const members = [...keys.map((k) => k.address), ...(opts.extraMembers ?? [])];
  const nodes: SfrNode[] = [];
  const dirs: string[] = [];
  const degree = opts.degree ?? 3;
  try {
    for (let i = 0; i < opts.n; i++) {
      const dir = await mkdtemp(path.join(os.tmpdir(), `sfr-e1-node${i}-`));
      dirs.push(dir);
      const bootstrap: string[] = [];
      for (let j = Math.max(0, i - degree); j < i; j++) {
        const addr = nodes[j]?.multiaddrs()[0];
        if (addr !== undefined) bootstrap.push(addr);
      }
      const node = await createNode({
        dataDir: dir,
        memberKey: keys[i]!.privateKey,
        members,
        bootstrap,
        gossip: { score: { ipColocationWeight: 0 } },
        sync: { intervalMs: 0, connectDelayMs: 200 },
        redialIntervalMs: 1000,
        ...(opts.overrides?.(i) ?? {}),
      });
      await node.start();
      nodes.push(node);
    }
  } catch (err) {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await Promise.allSettled(dirs.map((d) => rm(d, { recursive: true, force: true })));
    throw err;
  }
  return {
    nodes,
    keys,
    dirs,
    async stop() {
      await Promise.allSettled(nodes.map((n) => n.stop()));
      await Promise.allSettled(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/** Waits until every node has at least one mesh peer on `topic` (gossipsub grafts on heartbeats). */
export async function waitForMesh(
  nodes: readonly SfrNode[],
  topic: string,
  timeoutMs: number = TIMEOUTS.mesh,
): Promise<void> {
  await waitFor(
    () => nodes.every((n) => n.router.getMeshPeers(topic).length > 0),
    timeoutMs,
    `mesh on ${topic}`,
  );
}

/**
 * Resolves once every node has run `count` gossipsub heartbeats from now. Each heartbeat shifts the
 * message cache one window, so `MCACHE_GOSSIP` of them after a node last stored a message, the node
 * no longer advertises it in IHAVE gossip: a peer that missed it can then get it only by sync.
 */
export async function waitForHeartbeats(
  nodes: readonly SfrNode[],
  count: number,
  timeoutMs: number = TIMEOUTS.event,
): Promise<void> {
  const beats = nodes.map(() => 0);
  const listeners = nodes.map((n, k) => {
    const listener = (): void => {
      beats[k]!++;
    };
    n.libp2p.services.pubsub.addEventListener('gossipsub:heartbeat', listener);
    return listener;
  });
  try {
    await waitFor(
      () => beats.every((b) => b >= count),
      timeoutMs,
      `${count} gossipsub heartbeats at every node`,
    );
  } finally {
    for (const [k, n] of nodes.entries()) {
      n.libp2p.services.pubsub.removeEventListener('gossipsub:heartbeat', listeners[k]!);
    }
  }
}
