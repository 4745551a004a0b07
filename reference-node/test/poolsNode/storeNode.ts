/**
 * The part of a node a pool service uses (`PoolServiceNode`) over a real store, for unit tests of the
 * service: what is appended to the store reaches `onAccepted` as on a node, and publishing signs with
 * one EOA member's key (through `signer`, so sequence numbers stay that member's) and appends.
 * `storeNodes()` gives a test its temporary stores and the pool services started on them, and takes
 * them down after each test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { Hex, MemberKey } from '../../src/envelope/index.js';
import {
  type CreatePoolServiceParameters,
  createPoolService,
  type PoolService,
  type PoolServiceNode,
} from '../../src/poolsNode/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { POOL_ID, PoolSigner, type Signed } from '../pools/fixtures.js';

const utf8 = new TextEncoder();

export function nodeOf(
  store: Store,
  key: MemberKey,
  now: () => number,
  signer: PoolSigner = new PoolSigner(),
  pipeline?: PoolServiceNode['pipeline'],
): PoolServiceNode {
  return {
    ...(pipeline === undefined ? {} : { pipeline }),
    member: key.address,
    store,
    joinPool() {},
    onAccepted: (listener) =>
      store.onAppend((m) => listener({ id: m.id, envelope: m.envelope, source: m.source ?? 'local' })),
    judgeOwnProtocol: () => 'unknown',
    async publish(type, payload, options = {}) {
      const s = await signer.sign(key, type, payload, now(), options.scope?.epoch ?? 0, {
        poolId: (options.scope?.poolId ?? POOL_ID) as Hex,
        domain: (options.domain ?? null) as { chainId: number; verifyingContract: Hex } | null,
      });
      const r = await store.append({
        wire: utf8.encode(s.wire),
        envelope: s.envelope,
        via: 'local',
        source: 'local',
      });
      if (r.status !== 'appended') throw new Error(`own ${type} not stored: ${r.status}`);
      return { messageId: s.id, envelope: s.envelope };
    },
  };
}

/** A pool service's parameters but its node, and the node's: the member's key, its signer and pipeline. */
export type StoreServiceParameters = Omit<CreatePoolServiceParameters, 'node'> & {
  key: MemberKey;
  signer?: PoolSigner;
  pipeline?: PoolServiceNode['pipeline'];
};

export interface StoreNodes {
  /** A new store (no fsync) in a new temporary directory named from `prefix`. */
  store(prefix: string): Promise<Store>;
  /**
   * A pool service on `store` as member `key` (its node from `nodeOf`, dated by `now`, else `Date.now`),
   * started.
   */
  service(store: Store, parameters: StoreServiceParameters): Promise<PoolService>;
  /** Appends a signed envelope to `store` as received (`via`, default gossip); throws unless appended. */
  append(store: Store, signed: Signed, via?: 'gossip' | 'sync'): Promise<void>;
}

/**
 * Registers an `afterEach` that stops every service, closes every store and removes every directory
 * made through the returned functions during the test (a service stopped by the test is stopped again:
 * `stop` is idempotent). Call it once at the top of a test file.
 */
export function storeNodes(): StoreNodes {
  const dirs: string[] = [];
  const services: PoolService[] = [];
  const stores: Store[] = [];
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop();
    for (const s of stores.splice(0)) await s.close();
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return {
    async store(prefix) {
      const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
      dirs.push(dir);
      const store = await openStore(dir, { sync: false });
      stores.push(store);
      return store;
    },
    async service(store, { key, signer, pipeline, ...parameters }) {
      const service = createPoolService({
        ...parameters,
        node: nodeOf(store, key, parameters.now ?? Date.now, signer, pipeline),
      });
      services.push(service);
      await service.start();
      return service;
    },
    async append(store, signed, via = 'gossip') {
      const r = await store.append({ wire: utf8.encode(signed.wire), envelope: signed.envelope, via });
      if (r.status !== 'appended')
        throw new Error(`${signed.envelope.type} ${signed.id} not stored: ${r.status}`);
    },
  };
}
