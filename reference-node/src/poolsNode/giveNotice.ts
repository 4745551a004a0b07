/**
 * Giving notice (pools.md#giving-notice): a member leaves a pool by a notice-only amendment, the
 * adopted text of the last epoch with only its own `leavingAt` set, which the other members' nodes
 * co-sign on their own (`policy.coSignNotices`, on unless set false) because it changes nothing but a
 * right the charter already grants. The pool service calls these pure functions: `buildNotice` for
 * `POST /v1/pools/{poolId}/notice`, `noticesOf` for the pool view, `noticeToCoSign` and
 * `noticeToGiveAgain` (a notice superseded by another member's, given at the same time) from its tick.
 */
import type { PoolCharter } from '@sfr/schemas/types';
import { canonicalize, type Hex } from '../envelope/index.js';
import { addrKey } from '../pools/amounts.js';
import { charterText, charterTextHash } from '../pools/charterText.js';
import type { AdoptedCharter, PoolMessage, PoolView } from '../pools/types.js';
import { textsOf } from './foundingOf.js';
import { PoolServiceError } from './poolServiceError.js';

/** Why a node does not co-sign an amendment of the next epoch on its own (pools.md#giving-notice). */
export type NoticeRefusal = 'POOL_NOTICE_CHANGES_MORE' | 'POOL_NOTICE_TOO_SHORT' | 'POOL_NOTICE_NOT_ISSUER';

/** The vault keeps a `leavingAt` in 48 bits (SfrVault `VAULT_CHARTER_INVALID(7)`): a later one could never register. */
export const MAX_LEAVING_AT = 2 ** 48 - 1;

/** One amendment text of the epoch after the last adopted one, read as a notice (the pool view's `notices`). */
export type NoticeText = {
  epoch: number;
  payloadHash: Hex;
  charter: PoolCharter;
  /** The member whose `leavingAt` it sets, or null when it is no notice-only amendment. */
  member: string | null;
  leavingAt: number | null;
  effectiveAt: number;
  /** Members of the last epoch who signed it, in the order their signatures were issued. */
  signers: string[];
  adopted: boolean;
  /** Why this node does not co-sign it on its own; null when it is a notice it may co-sign. */
  refused: NoticeRefusal | null;
};

/** `leavingAt` of a member entry removed: what must be equal between the two epochs. */
const withoutLeaving = (m: PoolCharter['members'][number]): string => {
  const { leavingAt: _l, ...rest } = m;
  return canonicalize(rest);
};

/**
 * Reads `text` (of epoch e + 1) as a notice against `prev`, the adopted text of epoch e
 * (pools.md#giving-notice steps 1–3): the member whose `leavingAt` it sets, or the refusal.
 */
export function readNotice(
  prev: AdoptedCharter,
  text: PoolCharter,
): { ok: true; member: string; leavingAt: number } | { ok: false; code: NoticeRefusal } {
  const changesMore = { ok: false, code: 'POOL_NOTICE_CHANGES_MORE' } as const;
  const next = charterText(text);
  const before = prev.charter.members;
  if (next.epoch !== prev.epoch + 1 || next.members.length !== before.length) return changesMore;
  // 1. exactly one member entry differs, and only in a `leavingAt` it sets
  let leaver: PoolCharter['members'][number] | null = null;
  for (const [i, m] of next.members.entries()) {
    const old = before[i]!;
    if (addrKey(m.member) !== addrKey(old.member) || withoutLeaving(m) !== withoutLeaving(old))
      return changesMore;
    if (m.leavingAt === old.leavingAt) continue;
    if (leaver !== null || m.leavingAt === undefined) return changesMore;
    leaver = m;
  }
  if (leaver === null || leaver.leavingAt === undefined) return changesMore;
  // 2. every other field is the previous text's, but the epoch, previousCharter and effectiveAt
  const expected: PoolCharter = {
    ...charterText(prev.charter),
    epoch: next.epoch,
    effectiveAt: next.effectiveAt,
    members: next.members,
    ...(next.previousCharter === undefined ? {} : { previousCharter: next.previousCharter }),
  };
  if (charterTextHash(expected) !== charterTextHash(next)) return changesMore;
  // 3. the notice period of epoch e (pools.md#leaving)
  if (leaver.leavingAt < next.effectiveAt + prev.charter.noticePeriodMs)
    return { ok: false, code: 'POOL_NOTICE_TOO_SHORT' };
  return { ok: true, member: addrKey(leaver.member), leavingAt: leaver.leavingAt };
}

/**
 * The notice-only amendment `me` gives at `now` (pools.md#giving-notice): the last adopted text with
 * epoch + 1, `previousCharter` its first envelope, `effectiveAt` = now + its `windows.votingMs` (the
 * time the charter gives members to answer), and `me`'s `leavingAt` = `leavingAt`, default the
 * earliest the notice period allows. Throws `POOL_NOT_FOUNDED`, `POOL_SIGNER_NOT_MEMBER` or
 * `POOL_NOTICE_TOO_SHORT` (with the field and what it expected), signing nothing.
 */
export function buildNotice(view: PoolView, me: string, now: number, leavingAt?: number): PoolCharter {
  const prev = view.charters[view.charters.length - 1];
  if (prev === undefined)
    throw new PoolServiceError('POOL_NOT_FOUNDED', 'this pool has no adopted charter to give notice under', {
      section: 'pools.md#giving-notice',
    });
  const text = charterText(prev.charter);
  if (!text.members.some((m) => addrKey(m.member) === addrKey(me)))
    throw new PoolServiceError(
      'POOL_SIGNER_NOT_MEMBER',
      `this node's member ${me} is not a member of epoch ${prev.epoch}`,
      { details: { member: me }, section: 'pools.md#giving-notice' },
    );
  const effectiveAt = now + text.windows.votingMs;
  const earliest = effectiveAt + text.noticePeriodMs;
  const at = leavingAt ?? earliest;
  if (at < earliest || at > MAX_LEAVING_AT)
    throw new PoolServiceError(
      'POOL_NOTICE_TOO_SHORT',
      at < earliest
        ? `leavingAt ${new Date(at).toISOString()} is before the end of the notice period`
        : `leavingAt ${at} is beyond what the vault can hold`,
      {
        details: {
          field: 'leavingAt',
          expected: `unix ms ≥ ${earliest} (${new Date(earliest).toISOString()}: now + votingMs ${text.windows.votingMs} + noticePeriodMs ${text.noticePeriodMs}) and < 2^48`,
        },
        section: 'pools.md#giving-notice',
      },
    );
  const { previousCharter: _p, ...rest } = text;
  return {
    ...rest,
    epoch: prev.epoch + 1,
    previousCharter: prev.ids[0]!,
    effectiveAt,
    members: text.members.map((m) => (addrKey(m.member) === addrKey(me) ? { ...m, leavingAt: at } : m)),
  };
}

/**
 * Every amendment text of `view`'s next epoch held in `messages`, and every adopted epoch ≥ 1 that is
 * a notice, read as notices against the epoch before (pools.md#giving-notice), oldest first.
 */
export function noticesOf(messages: Iterable<PoolMessage>, view: PoolView): NoticeText[] {
  if (view.poolId === null || view.charters.length === 0) return [];
  const all = [...messages].filter((m) => m.envelope.type === 'PoolCharter');
  const out: NoticeText[] = [];
  const last = view.charters.length - 1;
  for (let e = 1; e <= last + 1; e++) {
    const prev = view.charters[e - 1]!;
    const members = new Set(prev.charter.members.map((m) => addrKey(m.member)));
    for (const t of textsOf(all, view.poolId, e)) {
      const adopted = view.charters[e]?.payloadHash === t.payloadHash;
      if (e <= last && !adopted) continue; // a superseded text of a past epoch: not shown
      const read = readNotice(prev, t.charter);
      if (e <= last && !read.ok) continue; // an adopted ordinary amendment
      const signers = t.signed.map((m) => addrKey(m.envelope.issuer)).filter((s) => members.has(s));
      out.push({
        epoch: e,
        payloadHash: t.payloadHash,
        charter: t.charter,
        member: read.ok ? read.member : null,
        leavingAt: read.ok ? read.leavingAt : null,
        effectiveAt: t.charter.effectiveAt,
        signers,
        adopted,
        // 4. only the leaving member's own notice
        refused: !read.ok ? read.code : signers.includes(read.member) ? null : 'POOL_NOTICE_NOT_ISSUER',
      });
    }
  }
  return out;
}

/**
 * The notice `me` co-signs on its own now (pools.md#giving-notice step 5), or null: the earliest text
 * of the next epoch that is a notice its leaving member signed, while `now` < its `effectiveAt` (a
 * signature after it could not count: POOL_AMENDMENT_RETROACTIVE), when `me` is a member of the last
 * epoch and has signed no text of the next epoch (one signature per epoch, as for founding).
 */
export function noticeToCoSign(
  notices: readonly NoticeText[],
  view: PoolView,
  me: string,
  now: number,
): NoticeText | null {
  const last = view.charters[view.charters.length - 1];
  if (last === undefined || !last.charter.members.some((m) => addrKey(m.member) === addrKey(me))) return null;
  const next = notices.filter((n) => n.epoch === last.epoch + 1);
  if (next.some((n) => n.signers.includes(addrKey(me)))) return null;
  return next.find((n) => n.refused === null && now < n.effectiveAt) ?? null;
}

/**
 * The notice `me` gives again on its own now (pools.md#giving-notice step 7), or null: when a notice
 * `me` signed for itself was superseded (another text of its epoch adopted, e.g. another member's
 * notice given at the same time), no adopted epoch since sets `me`'s `leavingAt`, and `me` has signed
 * no text of the next epoch yet, `buildNotice` under the last adopted epoch with the superseded
 * notice's `leavingAt`, or the earliest allowed now when that is later. Throws as `buildNotice`.
 */
export function noticeToGiveAgain(
  messages: Iterable<PoolMessage>,
  view: PoolView,
  me: string,
  now: number,
): PoolCharter | null {
  const last = view.charters[view.charters.length - 1];
  if (view.poolId === null || last === undefined) return null;
  const mine = addrKey(me);
  const leavingOf = (c: AdoptedCharter) => c.charter.members.find((m) => addrKey(m.member) === mine);
  if (leavingOf(last) === undefined) return null;
  const all = [...messages].filter((m) => m.envelope.type === 'PoolCharter');
  if (textsOf(all, view.poolId, last.epoch + 1).some((t) => t.signed.some((m) => signedBy(m, mine))))
    return null; // one signature per epoch: its notice, given again, waits there (or it signed another)
  // From the last adopted epoch back, until an adopted one sets its leavingAt (its notice is in force).
  for (let e = last.epoch; e >= 1; e--) {
    const adopted = view.charters[e]!;
    if (leavingOf(adopted)?.leavingAt !== undefined) return null;
    for (const t of textsOf(all, view.poolId, e)) {
      if (t.payloadHash === adopted.payloadHash || !t.signed.some((m) => signedBy(m, mine))) continue;
      const read = readNotice(view.charters[e - 1]!, t.charter);
      if (!read.ok || read.member !== mine) continue;
      const earliest = now + last.charter.windows.votingMs + last.charter.noticePeriodMs;
      return buildNotice(view, me, now, Math.max(read.leavingAt, earliest));
    }
  }
  return null;
}

const signedBy = (m: PoolMessage, member: string): boolean => addrKey(m.envelope.issuer) === member;
