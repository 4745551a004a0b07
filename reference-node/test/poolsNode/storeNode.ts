/**
 * The part of a node a pool service uses (`PoolServiceNode`) over a real store, for unit tests of the
 * service: what is appended to the store reaches `onAccepted` as on a node, and publishing signs with
 * one EOA member's key (through `signer`, so sequence numbers stay that member's) and appends.
 */
import type { Hex, MemberKey } from '../../src/envelope/index.js';
import type { PoolServiceNode } from '../../src/poolsNode/index.js';
import type { Store } from '../../src/store/index.js';
import { POOL_ID, PoolSigner } from '../pools/fixtures.js';

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
