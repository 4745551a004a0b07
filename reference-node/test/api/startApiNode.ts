import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ApiNode, apiNodeOf } from '../../src/api/index.js';
import { deriveTestKey } from '../../src/envelope/index.js';
import { createNode, type SfrNode } from '../../src/node/index.js';
import type { Store } from '../../src/store/index.js';

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
 * The real node the API serves in production: `createNode` with its LevelDB store, libp2p on
 * loopback and the validation pipeline, started, wrapped by the same `apiNodeOf` as `sfr node start`.
 * It has no peers, so what it publishes is signed, validated and stored, and gossip reaches nobody.
 */
export async function startApiNode(): Promise<{
  sfr: SfrNode;
  node: ApiNode;
  store: Store;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sfr-api-'));
  const sfr = await createNode({
    dataDir: dir,
    memberKey: MEMBER.privateKey,
    members: [],
    listen: ['/ip4/127.0.0.1/tcp/0'],
  });
  await sfr.start();
  return {
    sfr,
    node: apiNodeOf(sfr, { protocol: 'aave-v3', version: '0.1.0' }),
    store: sfr.store,
    cleanup: async () => {
      await sfr.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
