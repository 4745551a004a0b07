import type { Address } from '@sfr/schemas';
import { lowerHex as lower } from '../envelope/index.js';
import type { PoolView } from '../pools/index.js';
import type { VaultPoolState } from '../settlement/index.js';

/** The pool asset as its ERC-20 names it (read from the token, settlement.md#following-the-vault). */
export type VaultAsset = { address: Address; symbol: string; decimals: number };

/** Where a follower stands: the `onChain` part of a pool view (api.md#pools). */
export type VaultFollowStatus = {
  chain: string;
  vault: string;
  asset: VaultAsset | null;
  /** The last confirmed block read (null before the first read). */
  syncedToBlock: string | null;
  /** Why the follower is stopped or behind (a VAULT_* code), null while it follows. */
  error: { code: string; message: string } | null;
};

/** One difference between what the pool decided and what the vault booked (never hidden). */
export type VaultDifference = {
  claimId: string;
  /** null for the claim's amount. */
  member: string | null;
  field: 'amount' | 'contribution';
  decided: string;
  onChain: string;
};

/**
 * The pool ledger beside the vault's books (settlement.md#following-the-vault): per member its
 * charter commitment and what the decisions took (`committed`, `contributed`, `remaining`) beside
 * its on-chain `escrow` and `contributedOnChain`; per claim its on-chain state; and every
 * difference between a decision and the settlement the vault booked for it.
 */
export function vaultLedgerOf(
  view: PoolView,
  state: VaultPoolState,
  status: VaultFollowStatus,
): Record<string, unknown> {
  const zero = { deposited: 0n, withdrawn: 0n, contributed: 0n, escrow: 0n };
  const members = view.ledger.members.map((m) => {
    const v = state.members.get(lower(m.member)) ?? zero;
    return {
      member: m.member,
      committed: m.committed.toString(),
      contributed: m.contributed.toString(),
      remaining: m.remaining.toString(),
      escrow: v.escrow.toString(),
      deposited: v.deposited.toString(),
      withdrawn: v.withdrawn.toString(),
      contributedOnChain: v.contributed.toString(),
    };
  });
  const known = new Set(members.map((m) => lower(m.member)));
  // Escrow of an address the ledger does not list (a member dropped by an amendment) is still shown.
  for (const [member, v] of [...state.members].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (!known.has(member))
      members.push({
        member,
        committed: '0',
        contributed: '0',
        remaining: '0',
        escrow: v.escrow.toString(),
        deposited: v.deposited.toString(),
        withdrawn: v.withdrawn.toString(),
        contributedOnChain: v.contributed.toString(),
      });
  const claims = [...state.claims].map(([claimId, c]) => ({
    claimId,
    opened: c.opened !== null,
    holdUntil: c.opened?.holdUntil ?? null,
    settled:
      c.settled === null
        ? null
        : {
            amount: c.settled.amount.toString(),
            txHash: c.settled.txHash,
            blockNumber: c.settled.blockNumber.toString(),
          },
    paid: c.paid.toString(),
    unpaid: c.unpaid.toString(),
    voidedSigners: c.voided,
  }));
  const differences: VaultDifference[] = [];
  const decided = new Map(view.claims.map((c) => [lower(c.claim.claimId), c.decision]));
  for (const [claimId, c] of state.claims) {
    if (c.settled === null) continue;
    const d = decided.get(claimId);
    const amount = d?.outcome === 'approved' ? d.approvedAmount : 0n;
    if (amount !== c.settled.amount)
      differences.push({
        claimId,
        member: null,
        field: 'amount',
        decided: amount.toString(),
        onChain: c.settled.amount.toString(),
      });
    const shares = new Map<string, bigint>();
    if (d?.outcome === 'approved') for (const x of d.contributions) shares.set(lower(x.member), x.amount);
    for (const member of [...new Set([...shares.keys(), ...c.contributions.keys()])].sort()) {
      const a = shares.get(member) ?? 0n;
      const b = c.contributions.get(member) ?? 0n;
      if (a !== b)
        differences.push({
          claimId,
          member,
          field: 'contribution',
          decided: a.toString(),
          onChain: b.toString(),
        });
    }
  }
  // `epochs`: the charter epochs the vault holds (CharterRegistered), ascending.
  return { ...status, epochs: state.epochs, members, claims, differences };
}
