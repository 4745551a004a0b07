/**
 * pools.md#giving-notice on the pure side: the notice-only amendment a member gives, how another
 * member's node recognises one field by field (and refuses POOL_NOTICE_CHANGES_MORE,
 * POOL_NOTICE_TOO_SHORT, POOL_NOTICE_NOT_ISSUER), which text it co-signs and until when, and that
 * the co-signed notice is adopted by the pool rules with the member's leavingAt.
 */
import type { PoolCharter } from '@sfr/schemas/types';
import { describe, expect, it } from 'vitest';
import { createPoolState, type PoolView, viewPool } from '../../src/pools/index.js';
import {
  buildNotice,
  noticesOf,
  noticeToCoSign,
  noticeToGiveAgain,
  readNotice,
} from '../../src/poolsNode/giveNotice.js';
import { charterPayload, HOUR, members, PoolSigner, type Signed, T0, wires } from '../pools/fixtures.js';

const ms = members([
  { weight: 10, commit: 1000n },
  { weight: 10, commit: 1000n },
  { weight: 10, commit: 1000n },
]);
const [a, b, c] = ms.map((m) => m.key.address.toLowerCase()) as [string, string, string];
const text = charterPayload(ms, { effectiveAt: T0 - 2 * HOUR });
const VOTING = 24 * HOUR;
const NOTICE = 7 * 24 * HOUR;

async function founded(): Promise<{ s: PoolSigner; signed: Signed[]; view: PoolView }> {
  const s = new PoolSigner();
  const signed: Signed[] = [];
  for (const [i, m] of ms.entries()) signed.push(await s.sign(m.key, 'PoolCharter', text, T0 - HOUR + i, 0));
  return { s, signed, view: viewPool(createPoolState(wires(signed)), T0) };
}

const messagesOf = (signed: Signed[]) => viewPool(createPoolState(wires(signed)), T0);
const held = (signed: Signed[]) => signed.map((x) => ({ envelope: x.envelope, messageId: x.id }));

describe('giving notice (pools.md#giving-notice)', () => {
  it('builds the last adopted text with epoch + 1 and only this member’s leavingAt, the earliest allowed by default', async () => {
    const { view } = await founded();
    const notice = buildNotice(view, a, T0);
    const prev = view.charters[0]!;
    expect(notice).toEqual({
      ...text,
      epoch: 1,
      previousCharter: prev.ids[0],
      effectiveAt: T0 + VOTING,
      members: text.members.map((m) =>
        m.member.toLowerCase() === a ? { ...m, leavingAt: T0 + VOTING + NOTICE } : m,
      ),
    });
    expect(readNotice(prev, notice)).toEqual({ ok: true, member: a, leavingAt: T0 + VOTING + NOTICE });
    // a later leavingAt is a notice too
    expect(buildNotice(view, a, T0, T0 + 30 * 24 * HOUR).members[0]!.leavingAt).toBe(T0 + 30 * 24 * HOUR);
  });

  it('refuses, signing nothing, a leavingAt before the notice ends (naming the field) and a non-member', async () => {
    const { view } = await founded();
    expect(() => buildNotice(view, a, T0, T0 + VOTING + NOTICE - 1)).toThrowError(
      expect.objectContaining({
        code: 'POOL_NOTICE_TOO_SHORT',
        details: {
          field: 'leavingAt',
          expected: expect.stringContaining(`unix ms ≥ ${T0 + VOTING + NOTICE} (`),
        },
      }),
    );
    expect(() => buildNotice(view, `0x${'ab'.repeat(20)}`, T0)).toThrowError(
      expect.objectContaining({ code: 'POOL_SIGNER_NOT_MEMBER' }),
    );
    expect(() => buildNotice(viewPool(createPoolState([]), T0), a, T0)).toThrowError(
      expect.objectContaining({ code: 'POOL_NOT_FOUNDED' }),
    );
  });

  it('recognises a notice field by field: anything else changed is POOL_NOTICE_CHANGES_MORE, a short one POOL_NOTICE_TOO_SHORT', async () => {
    const { view } = await founded();
    const prev = view.charters[0]!;
    const notice = buildNotice(view, a, T0);
    /** The notice with `f` applied to a copy (`f` edits it in place, or returns another text). */
    const changed = (f: (t: PoolCharter) => PoolCharter | undefined) => {
      const t = structuredClone(notice);
      return readNotice(prev, f(t) ?? t);
    };
    const more = { ok: false, code: 'POOL_NOTICE_CHANGES_MORE' };
    // another field of the text
    expect(changed((t) => ({ ...t, quorum: { ...t.quorum, weightBps: 6000 } }))).toEqual(more);
    expect(changed((t) => ({ ...t, name: 'renamed' }))).toEqual(more);
    // another field of the leaving member's entry, or of another member's
    expect(
      changed((t) => {
        t.members[0]!.weight = 11;
        return undefined;
      }),
    ).toEqual(more);
    expect(
      changed((t) => {
        t.members[1]!.weight = 11;
        return undefined;
      }),
    ).toEqual(more);
    // two members' leavingAt, or none
    expect(
      changed((t) => {
        t.members[1]!.leavingAt = T0 + VOTING + NOTICE;
        return undefined;
      }),
    ).toEqual(more);
    expect(
      changed((t) => {
        delete t.members[0]!.leavingAt;
        return undefined;
      }),
    ).toEqual(more);
    // a member added, or dropped
    expect(changed((t) => ({ ...t, members: t.members.slice(1) }))).toEqual(more);
    // not the next epoch
    expect(changed((t) => ({ ...t, epoch: 2 }))).toEqual(more);
    // shorter than the notice period of the last epoch
    expect(
      changed((t) => {
        t.members[0]!.leavingAt = t.effectiveAt + NOTICE - 1;
        return undefined;
      }),
    ).toEqual({
      ok: false,
      code: 'POOL_NOTICE_TOO_SHORT',
    });
  });

  it("co-signs a member's own notice until its effectiveAt, once per epoch; the co-signed notice is adopted", async () => {
    const { s, signed, view } = await founded();
    const notice = buildNotice(view, a, T0);
    const own = await s.sign(ms[0]!.key, 'PoolCharter', notice, T0, 1);
    const all = [...signed, own];
    const v1 = messagesOf(all);
    const notices = noticesOf(held(all), v1);
    expect(notices).toMatchObject([
      { epoch: 1, member: a, leavingAt: T0 + VOTING + NOTICE, signers: [a], adopted: false, refused: null },
    ]);
    expect(noticeToCoSign(notices, v1, b, T0 + 1)?.payloadHash).toBe(notices[0]!.payloadHash);
    expect(noticeToCoSign(notices, v1, a, T0 + 1)).toBeNull(); // signed it already
    expect(noticeToCoSign(notices, v1, b, T0 + VOTING)).toBeNull(); // too late: it would be retroactive
    const cosigned = await s.sign(ms[1]!.key, 'PoolCharter', notice, T0 + 1, 1);
    const after = [...all, cosigned];
    const v2 = messagesOf(after);
    expect(v2.charters).toHaveLength(2);
    expect(v2.charters[1]!.charter.members[0]!.leavingAt).toBe(T0 + VOTING + NOTICE);
    expect(noticesOf(held(after), v2)).toMatchObject([
      { epoch: 1, member: a, signers: [a, b], adopted: true },
    ]);
    expect(noticeToCoSign(noticesOf(held(after), v2), v2, c, T0 + 2)).toBeNull(); // nothing pending
  });

  it('does not co-sign a notice for someone else than its signer (POOL_NOTICE_NOT_ISSUER) nor an amendment that changes more (POOL_NOTICE_CHANGES_MORE)', async () => {
    const { s, signed, view } = await founded();
    const forB = buildNotice(view, b, T0);
    const byA = await s.sign(ms[0]!.key, 'PoolCharter', forB, T0, 1);
    const v = messagesOf([...signed, byA]);
    const notices = noticesOf(held([...signed, byA]), v);
    expect(notices).toMatchObject([{ member: b, signers: [a], refused: 'POOL_NOTICE_NOT_ISSUER' }]);
    expect(noticeToCoSign(notices, v, c, T0 + 1)).toBeNull();
    const weightier = { ...buildNotice(view, a, T0), maxMemberWeightBps: 5000 };
    const other = await s.sign(ms[0]!.key, 'PoolCharter', weightier, T0 + 2, 1);
    const w = messagesOf([...signed, other]);
    const n2 = noticesOf(held([...signed, other]), w);
    expect(n2).toMatchObject([{ member: null, refused: 'POOL_NOTICE_CHANGES_MORE' }]);
    expect(noticeToCoSign(n2, w, c, T0 + 3)).toBeNull();
  });

  it('two members giving notice at once: the one superseded is given again under the adopted one, and both leave', async () => {
    const { s, signed, view } = await founded();
    // a and b give notice at the same time: two texts of epoch 1; c co-signs the earliest, a's.
    const byA = await s.sign(ms[0]!.key, 'PoolCharter', buildNotice(view, a, T0), T0, 1);
    const noticeB = buildNotice(view, b, T0, T0 + 30 * 24 * HOUR);
    const byB = await s.sign(ms[1]!.key, 'PoolCharter', noticeB, T0 + 1, 1);
    const both = [...signed, byA, byB];
    const v0 = messagesOf(both);
    expect(noticeToCoSign(noticesOf(held(both), v0), v0, c, T0 + 2)?.member).toBe(a);
    // nothing to give again while neither is adopted
    expect(noticeToGiveAgain(held(both), v0, b, T0 + 2)).toBeNull();
    const byC = await s.sign(ms[2]!.key, 'PoolCharter', buildNotice(view, a, T0), T0 + 2, 1);
    const adoptedA = [...both, byC];
    const v1 = messagesOf(adoptedA);
    expect(v1.charters).toHaveLength(2);
    expect(v1.refused).toContainEqual(
      expect.objectContaining({ messageId: byB.id, code: 'POOL_AMENDMENT_SUPERSEDED' }),
    );
    // b's node gives b's notice again under epoch 1, keeping the leavingAt b asked for; a and c give nothing.
    const t = T0 + 3;
    const again = noticeToGiveAgain(held(adoptedA), v1, b, t)!;
    expect(again).toEqual(buildNotice(v1, b, t, T0 + 30 * 24 * HOUR));
    expect(again.epoch).toBe(2);
    expect(again.previousCharter).toBe(v1.charters[1]!.ids[0]);
    expect(noticeToGiveAgain(held(adoptedA), v1, a, t)).toBeNull(); // its notice is in force
    expect(noticeToGiveAgain(held(adoptedA), v1, c, t)).toBeNull(); // gave none
    // A leavingAt the notice period no longer allows becomes the earliest allowed now.
    const late = T0 + 25 * 24 * HOUR;
    expect(noticeToGiveAgain(held(adoptedA), v1, b, late)!.members[1]!.leavingAt).toBe(
      late + VOTING + NOTICE,
    );
    // Given again (once per epoch), the others co-sign it by step 5, and both notices are adopted.
    const byB2 = await s.sign(ms[1]!.key, 'PoolCharter', again, t, 2);
    const given = [...adoptedA, byB2];
    const v2 = messagesOf(given);
    expect(noticeToGiveAgain(held(given), v2, b, t + 1)).toBeNull();
    const n2 = noticesOf(held(given), v2).filter((n) => n.epoch === 2);
    expect(n2).toMatchObject([{ member: b, signers: [b], refused: null, adopted: false }]);
    expect(noticeToCoSign(n2, v2, a, t + 1)?.payloadHash).toBe(n2[0]!.payloadHash);
    const byA2 = await s.sign(ms[0]!.key, 'PoolCharter', again, t + 1, 2);
    const v3 = messagesOf([...given, byA2]);
    expect(v3.charters).toHaveLength(3);
    expect(v3.charters[2]!.charter.members.map((m) => m.leavingAt)).toEqual([
      T0 + VOTING + NOTICE,
      T0 + 30 * 24 * HOUR,
      undefined,
    ]);
    expect(noticeToGiveAgain(held([...given, byA2]), v3, b, t + 2)).toBeNull();
  });
});
