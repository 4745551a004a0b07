/**
 * pools.md#giving-notice step 7 on the pool service: two members give notice at the same time; the
 * other member co-signs the earlier one, which is adopted, and the other notice is superseded. The
 * superseded member's node gives its notice again under the adopted epoch on its own, with the
 * `leavingAt` it asked for, so both members leave without their operators asking twice (before, the
 * second had to run `sfr pool leave` again).
 */
import type { PoolCharter, SubmitResponse } from '@sfr/schemas/types';
import { expect, it } from 'vitest';
import { leaveReportOf } from '../../src/cli/poolLeave.js';
import type { PoolJson } from '../../src/cli/poolLedger.js';
import type { Envelope } from '../../src/envelope/index.js';
import { buildNotice } from '../../src/poolsNode/giveNotice.js';
import type { Store } from '../../src/store/index.js';
import { charterPayload, HOUR, members, POOL_ID, PoolSigner, T0 } from '../pools/fixtures.js';
import { storeNodes } from './storeNode.js';

const ms = members([
  { weight: 10, commit: 1000n },
  { weight: 10, commit: 1000n },
  { weight: 10, commit: 1000n },
]);
const [a, b] = ms.map((m) => m.key.address.toLowerCase()) as [string, string, string];
const text = charterPayload(ms, { effectiveAt: T0 - 2 * HOUR });
const VOTING = 24 * HOUR;
const NOTICE = 7 * 24 * HOUR;
const nodes = storeNodes();

it("two members give notice at once: b's node gives its superseded notice again under a's, and both are adopted", async () => {
  const store = await nodes.store('sfr-notices-');
  const s = new PoolSigner();
  const t = { now: T0 - HOUR };
  for (const [i, m] of ms.entries())
    await nodes.append(store, await s.sign(m.key, 'PoolCharter', text, t.now + i, 0));
  // This node runs as member b; its configuration names the pool.
  const asB = { key: ms[1]!.key, signer: s, pools: [{ poolId: POOL_ID }], now: () => t.now, tickMs: 60_000 };
  let service = await nodes.service(store, asB);
  const founded = service.view(POOL_ID);
  expect(founded.charters).toHaveLength(1);

  // a's node gives a's notice and, a millisecond later, b's operator runs `sfr pool leave`; a's reaches
  // b's node only after b signed its own (so b's node does not co-sign a's: one signature per epoch).
  const noticeA = buildNotice(founded, a, T0);
  const byA = await s.sign(ms[0]!.key, 'PoolCharter', noticeA, T0, 1);
  t.now = T0 + 1;
  const leavingAt = T0 + 30 * 24 * HOUR;
  const mine = await service.giveNotice(POOL_ID, leavingAt);
  await nodes.append(store, byA);
  await service.idle();
  // c co-signs the earliest, a's: epoch 1 is a's notice, b's is superseded.
  t.now = T0 + 2;
  await nodes.append(store, await s.sign(ms[2]!.key, 'PoolCharter', noticeA, T0 + 2, 1));
  await service.idle();
  const v1 = service.view(POOL_ID);
  expect(v1.charters.map((c) => c.charter.members.map((m) => m.leavingAt))).toEqual([
    [undefined, undefined, undefined],
    [T0 + VOTING + NOTICE, undefined, undefined],
  ]);
  expect(v1.refused).toContainEqual(
    expect.objectContaining({ messageId: mine.messageId, code: 'POOL_AMENDMENT_SUPERSEDED' }),
  );

  // b's node gave it again, once, under epoch 1: the same leavingAt, a's kept.
  const again = await ownCharters(store, b, 2);
  expect(again).toHaveLength(1);
  const payload = again[0]!.payload as unknown as PoolCharter;
  expect(payload).toEqual(buildNotice(v1, b, T0 + 2, leavingAt));
  expect(service.poolJson(POOL_ID)['notices']).toContainEqual(
    expect.objectContaining({ epoch: 2, member: b, leavingAt, signers: [b], adopted: false, refused: null }),
  );

  // a and c co-sign it as any notice (step 5): both members now leave.
  t.now = T0 + 3;
  await nodes.append(store, await s.sign(ms[0]!.key, 'PoolCharter', payload, T0 + 3, 2));
  await service.idle();
  const v2 = service.view(POOL_ID);
  expect(v2.charters.map((c) => c.charter.members.map((m) => m.leavingAt))[2]).toEqual([
    T0 + VOTING + NOTICE,
    leavingAt,
    undefined,
  ]);
  expect(await ownCharters(store, b, 3)).toEqual([]); // nothing more given
  // `sfr pool leave` follows b's notice to the epoch it is adopted in.
  const sent = {
    messageId: mine.messageId,
    seq: mine.envelope.seq,
    envelope: mine.envelope,
  } as unknown as SubmitResponse;
  expect(leaveReportOf(POOL_ID, sent, service.poolJson(POOL_ID) as PoolJson)).toMatchObject({
    member: b,
    messageId: mine.messageId,
    epoch: 2,
    leavingAt,
    coSigners: [a],
    adopted: true,
  });
  // Restarted, the node gives nothing again either.
  await service.stop();
  service = await nodes.service(store, asB);
  await service.idle();
  expect((await ownCharters(store, b, 2)).length + (await ownCharters(store, b, 3)).length).toBe(1);
});

/** The PoolCharter envelopes `issuer` signed of `epoch`, from the store. */
async function ownCharters(s: Store, issuer: string, epoch: number): Promise<Envelope[]> {
  const r = await s.queryMessages({ type: 'PoolCharter', issuer, limit: 100 });
  if (!r.ok) throw new Error(r.detail);
  return r.messages
    .map((m) => JSON.parse(new TextDecoder().decode(m.wire)) as Envelope)
    .filter((e) => (e.payload as { epoch?: number }).epoch === epoch);
}
