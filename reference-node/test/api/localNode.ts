import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ApiNode } from '../../src/api/index.js';
import { deriveTestKey, signEnvelope } from '../../src/envelope/index.js';
import { openStore, type Store } from '../../src/store/index.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../../schemas/v1/examples');

/** A valid example document from @sfr/schemas (schemas/v1/examples/<Kind>/valid/<name>.json). */
export function example(kind: string, name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(EXAMPLES, kind, 'valid', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

export const MEMBER = deriveTestKey('api-test-member');
export const TOKEN = 'test-token-0123456789abcdef';

/**
 * A node without the network: `publish` signs with the member key (the store is the
 * persist-then-sign journal) and appends to the real store, which is everything the API relies
 * on; gossip is E1's part and is exercised by the multi-process tests.
 */
export async function createLocalNode(): Promise<{
  node: ApiNode;
  store: Store;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sfr-api-'));
  const store = await openStore(path.join(dir, 'store'));
  const node: ApiNode = {
    store,
    async publish(type, payload, options) {
      const seq = await store.reserveSeq(MEMBER.address);
      const signed = await signEnvelope({
        privateKey: MEMBER.privateKey,
        unsigned: {
          sfr: '1.0',
          type,
          issuer: MEMBER.address,
          seq,
          issuedAt: options.issuedAt ?? Date.now(),
          payload: payload as never,
        },
        guard: store,
      });
      const r = await store.append({ wire: signed.wire, id: signed.messageId, source: 'local' });
      if (r.status !== 'appended')
        throw Object.assign(new Error(`store refused: ${r.status}`), { code: 'STORE_UNHEALTHY' });
      return { messageId: signed.messageId, seq, envelope: signed.envelope };
    },
    status: () => ({
      peerId: '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA',
      member: MEMBER.address,
      protocol: 'aave-v3',
      specVersions: ['1.0'],
      version: '0.1.0',
      startedAt: 1_767_225_600_000,
      headSeq: store.headSeq(MEMBER.address) ?? null,
      peers: { connected: 0, members: 1 },
      topics: [{ topic: '/sfr/1/recovery_events', meshPeers: 0 }],
    }),
    peers: () => [],
  };
  return {
    node,
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
