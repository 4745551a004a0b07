/**
 * pools.md#founding rule 3 on the node side: a node derives a pool from every message of it that its
 * store holds, whoever signed it. The store holds only what envelope.md#verification accepted, rule 24
 * included (a contract member's signature asked of its contract through ERC-1271), so the pool service
 * does not check a stored signature again: it did, without the contract, and dropped every message of
 * a contract (Safe) member from the pool it rebuilt from the store. Then a pool founded first by a Safe
 * was never adopted at an EOA node that signed it afterwards (it took part in the pool on the Safe's
 * text and rebuilt it without that text), and every node restarted lost the Safe's messages.
 */
import type { PoolCharter } from '@sfr/schemas/types';
import { getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { type Envelope, type Hex, sealEnvelope } from '../../src/envelope/index.js';
import type { PoolService } from '../../src/poolsNode/index.js';
import type { Store } from '../../src/store/index.js';
import { charterPayload, members, POOL_ID, T0, VAULT } from '../pools/fixtures.js';
import { storeNodes } from './storeNode.js';

/** A contract member: its envelope signature is a blob only its contract can judge (ERC-1271). */
const SAFE = getAddress(`0x${'5afe'.repeat(10)}`);
const eoa = members([{ weight: 10, commit: 1000n }])[0]!;
const text: PoolCharter = (() => {
  const c = charterPayload(
    members([
      { weight: 10, commit: 1000n },
      { weight: 10, commit: 1000n },
    ]),
    {
      quorum: { weightBps: 5000, minMembers: 1 },
    },
  );
  return { ...c, members: [c.members[0]!, { ...c.members[1]!, member: SAFE }] };
})();

/** The Safe's signed copy of `text` as its node publishes it (its owners' blob, and its terms signature). */
function safeCharter(issuedAt: number): { wire: Uint8Array; envelope: Envelope; id: Hex } {
  const blob = `0x${'ab'.repeat(130)}` as Hex; // two owners' 65-byte signatures: not one ECDSA signature
  const sealed = sealEnvelope(
    {
      sfr: '1.0',
      type: 'PoolCharter',
      issuer: SAFE,
      seq: 1,
      issuedAt,
      scope: { poolId: POOL_ID, epoch: 0 },
      domain: { chainId: 8453, verifyingContract: VAULT as Hex },
      payload: JSON.parse(JSON.stringify({ ...text, extensions: { 'sfr.settlement': { signature: blob } } })),
    },
    blob,
  );
  return { wire: sealed.wire, envelope: sealed.envelope, id: sealed.messageId };
}

const nodes = storeNodes();

/** A pool service started on `store` (its configuration names no pool). */
function serviceOn(store: Store, t: { now: number }): Promise<PoolService> {
  return nodes.service(store, { key: eoa.key, pools: [], now: () => t.now, tickMs: 60_000 });
}

async function started(t: { now: number }) {
  const store = await nodes.store('sfr-stored-pool-');
  return { store, service: await serviceOn(store, t) };
}

describe('a pool derived from the store holds a contract member’s messages (pools.md#founding rule 3)', () => {
  it('founded first by a Safe, then signed by this EOA node, it is adopted here with both signatures', async () => {
    const t = { now: T0 - 60_000 };
    const { store, service } = await started(t);
    // The Safe's text arrives (by catch-up: this node is not on the pool's topic yet) and names this member.
    const safe = safeCharter(t.now);
    expect((await store.append({ wire: safe.wire, envelope: safe.envelope, via: 'sync' })).status).toBe(
      'appended',
    );
    await service.idle();
    expect(service.poolIds()).toEqual([POOL_ID]);
    expect(service.founding(POOL_ID)[0]!.members).toEqual([
      { member: SAFE.toLowerCase(), messageId: safe.id },
      { member: eoa.key.address.toLowerCase(), messageId: null },
    ]);
    // The operator signs the same text afterwards.
    t.now += 1000;
    const mine = await service.signCharter(text);
    await service.idle();
    const view = service.view(POOL_ID);
    expect(view.refused).toEqual([]);
    expect(view.charters).toHaveLength(1);
    expect(view.charters[0]!.ids).toEqual([safe.id, mine.messageId].sort());
    expect(service.founding(POOL_ID)[0]!.complete).toBe(true);
  });

  it('a restarted node rebuilds the pool with the Safe’s signature', async () => {
    const t = { now: T0 - 60_000 };
    const { store, service } = await started(t);
    const safe = safeCharter(t.now);
    await store.append({ wire: safe.wire, envelope: safe.envelope, via: 'gossip' });
    await service.idle();
    t.now += 1000;
    await service.signCharter(text);
    await service.idle();
    expect(service.view(POOL_ID).charters).toHaveLength(1);
    await service.stop();
    const again = await serviceOn(store, t);
    expect(again.poolIds()).toEqual([POOL_ID]);
    expect(again.view(POOL_ID).charters.map((c) => c.ids.length)).toEqual([2]);
  });
});
