import type { Address, Hex } from 'viem';

/** The vault's event names (settlement.md#vault-rules). */
export type VaultEventName =
  | 'CharterRegistered'
  | 'Deposited'
  | 'Withdrawn'
  | 'ClaimOpened'
  | 'Contributed'
  | 'Settled'
  | 'PaidOut'
  | 'SignerVoided';

/**
 * One confirmed vault log as a follower keeps it (JSON-safe: integers as decimal strings, addresses
 * EIP-55), with where it was mined so that a reorg can drop it (settlement.md#following-the-vault).
 */
export type VaultLogRecord = {
  eventName: VaultEventName;
  args: Record<string, string>;
  blockNumber: string;
  blockHash: Hex;
  logIndex: number;
  txHash: Hex;
};

/** One member's money in one pool as the vault's events tell it (base units of the pool asset). */
export type VaultMemberState = { deposited: bigint; withdrawn: bigint; contributed: bigint; escrow: bigint };

/** One claim as the vault's events tell it. */
export type VaultClaimState = {
  opened: { claimant: Address; epoch: number; filedAt: number; holdUntil: number; txHash: Hex } | null;
  settled: { amount: bigint; decidedAt: number; txHash: Hex; blockNumber: bigint } | null;
  /** member (lower case) → what the settlement took from its escrow. */
  contributions: Map<string, bigint>;
  paid: bigint;
  /** What the rate limit still holds back: the settled amount, then each PaidOut's `remaining`; 0 before the settlement. */
  unpaid: bigint;
  voided: Address[];
};

export type VaultPoolState = {
  epochs: { epoch: number; charterHash: Hex; effectiveAt: number }[];
  /** member (lower case) → its money. */
  members: Map<Address, VaultMemberState>;
  /** claimId (lower case) → its state. */
  claims: Map<Hex, VaultClaimState>;
};

const member = (s: VaultPoolState, address: string): VaultMemberState => {
  // An `address` argument of a vault event: the ABI decoder gave `0x` + 40 hex digits.
  const key = address.toLowerCase() as Address;
  let m = s.members.get(key);
  if (m === undefined) {
    m = { deposited: 0n, withdrawn: 0n, contributed: 0n, escrow: 0n };
    s.members.set(key, m);
  }
  return m;
};

const claim = (s: VaultPoolState, claimId: string): VaultClaimState => {
  // A `bytes32` argument of a vault event: the ABI decoder gave `0x` + 64 hex digits.
  const key = claimId.toLowerCase() as Hex;
  let c = s.claims.get(key);
  if (c === undefined) {
    c = { opened: null, settled: null, contributions: new Map(), paid: 0n, unpaid: 0n, voided: [] };
    s.claims.set(key, c);
  }
  return c;
};

/**
 * A pool's state on the vault, folded from its confirmed logs in chain order: escrow is what was
 * deposited minus what was withdrawn and contributed, exactly as the vault books it.
 */
export function foldVaultLogs(logs: readonly VaultLogRecord[]): VaultPoolState {
  const s: VaultPoolState = { epochs: [], members: new Map(), claims: new Map() };
  for (const l of logs) {
    const a = l.args;
    switch (l.eventName) {
      case 'CharterRegistered':
        s.epochs.push({
          epoch: Number(a['epoch']),
          charterHash: a['charterHash'] as Hex,
          effectiveAt: Number(a['effectiveAt']),
        });
        break;
      case 'Deposited': {
        const m = member(s, a['member']!);
        m.deposited += BigInt(a['amount']!);
        m.escrow += BigInt(a['amount']!);
        break;
      }
      case 'Withdrawn': {
        const m = member(s, a['member']!);
        m.withdrawn += BigInt(a['amount']!);
        m.escrow -= BigInt(a['amount']!);
        break;
      }
      case 'ClaimOpened':
        claim(s, a['claimId']!).opened = {
          claimant: a['claimant'] as Address,
          epoch: Number(a['epoch']),
          filedAt: Number(a['filedAt']),
          holdUntil: Number(a['holdUntil']),
          txHash: l.txHash,
        };
        break;
      case 'Contributed': {
        const m = member(s, a['member']!);
        m.contributed += BigInt(a['amount']!);
        m.escrow -= BigInt(a['amount']!);
        const c = claim(s, a['claimId']!);
        const key = a['member']!.toLowerCase();
        c.contributions.set(key, (c.contributions.get(key) ?? 0n) + BigInt(a['amount']!));
        break;
      }
      case 'Settled': {
        const c = claim(s, a['claimId']!);
        c.settled = {
          amount: BigInt(a['amount']!),
          decidedAt: Number(a['decidedAt']),
          txHash: l.txHash,
          blockNumber: BigInt(l.blockNumber),
        };
        // all of it is due until a PaidOut says otherwise: a settle the rate limit lets nothing out of emits none
        c.unpaid = c.settled.amount;
        break;
      }
      case 'PaidOut': {
        const c = claim(s, a['claimId']!);
        c.paid += BigInt(a['amount']!);
        c.unpaid = BigInt(a['remaining']!);
        break;
      }
      case 'SignerVoided':
        claim(s, a['claimId']!).voided.push(a['signer'] as Address);
        break;
    }
  }
  return s;
}
