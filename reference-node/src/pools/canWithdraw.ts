import { addrKey } from './amounts.js';
import type { PoolView } from './types.js';

export type CanWithdrawReturnType =
  | { ok: true }
  | {
      ok: false;
      code: 'POOL_WITHDRAWAL_LOCKED';
      reason: 'not_leaving' | 'notice_running' | 'claim_open';
      until: number | null;
    };

/**
 * The bank-run guard (pools.md#leaving): a member may take its remaining capital out only after
 * its `leavingAt` has passed and while no claim it is liable for (filed while it was a member) is
 * still attesting or approved-but-unsettled.
 */
export function canWithdraw(view: PoolView, member: string, now: number): CanWithdrawReturnType {
  const key = addrKey(member);
  const latest = view.charters[view.charters.length - 1]?.charter;
  const entry = latest?.members.find((m) => addrKey(m.member) === key);
  if (entry && entry.leavingAt === undefined)
    return { ok: false, code: 'POOL_WITHDRAWAL_LOCKED', reason: 'not_leaving', until: null };
  if (entry?.leavingAt !== undefined && entry.leavingAt > now) {
    return { ok: false, code: 'POOL_WITHDRAWAL_LOCKED', reason: 'notice_running', until: entry.leavingAt };
  }
  for (const c of view.claims) {
    const liable = c.claim.snapshot.charter.members.some(
      (m) =>
        addrKey(m.member) === key &&
        addrKey(c.claim.claimant) !== key &&
        (m.leavingAt === undefined || m.leavingAt > c.claim.filedAt),
    );
    if (liable && (c.status === 'attesting' || c.status === 'approved')) {
      return {
        ok: false,
        code: 'POOL_WITHDRAWAL_LOCKED',
        reason: 'claim_open',
        until: c.status === 'attesting' ? c.closesAt : (c.schedule?.lastAt ?? null),
      };
    }
  }
  return { ok: true };
}
