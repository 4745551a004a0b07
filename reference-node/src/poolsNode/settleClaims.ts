/**
 * Settling exactly once (settlement.md#settling-exactly-once): each approving member's vault
 * signature travels in the `sfr.settlement` extension of the `ClaimDecision` its node publishes;
 * the approvers whose signatures are held take turns to submit `settle` (settlement.md#taking-turns,
 * turns.ts).
 * Pure helpers here; the pool service drives them from its tick.
 */
import type { ClaimDecision } from '@sfr/schemas/types';
import { type Hex, type LocalAccount, parseEventLogs, type TransactionReceipt } from 'viem';
import { SETTLEMENT_EXTENSION } from '../pools/charterText.js';
import type { ClaimView, PoolMessage } from '../pools/index.js';
import {
  buildSettlement,
  sfrVault,
  signForVault,
  type VaultDomain,
  type VaultSettlement,
  type VaultSignature,
  vaultTypedData,
} from '../settlement/index.js';
import { settlementSignatureOf, vaultDomainOfCharter } from './registerCharters.js';
import { rankSigners, type Turns, turnsOf } from './turns.js';
import { countedSignature, type VaultSignatureContext } from './vaultSignatures.js';

/** The extension namespace a member's settlement signature travels in, on its `ClaimDecision`. */
export { SETTLEMENT_EXTENSION };

/** What this node knows of a claim's settlement (shown with the claim and in the pool view). */
export type SettleState = {
  state: 'waiting' | 'sent' | 'settled' | 'refused';
  /** The vault's refusal (or why it waits): a VAULT_* code and its arguments. */
  code?: string;
  args?: string[];
  /** The claim's `settle` transaction once mined (this node's when `byThisNode`), and its block. */
  hash?: Hex;
  blockNumber?: string;
  /** True when this node's transaction settled the claim. */
  byThisNode?: boolean;
  /** Base units: what the vault paid the claimant so far, and what its rate limit still holds back. */
  paid?: string;
  remaining?: string;
  /** This node's rank among the approvers whose signatures it holds (0 submits first). */
  rank?: number;
};

const lower = (s: string) => s.toLowerCase();

/** The vault's EIP-712 domain of a snapshot charter, or null when it settles on no eip155 chain / vault. */
export const vaultDomainOf = (c: ClaimView): VaultDomain | null =>
  vaultDomainOfCharter(c.claim.snapshot.charter);

/** The members who approved in the counted round (never the claimant: its vote does not count). */
export const approversOf = (c: ClaimView): string[] =>
  c.votes.filter((v) => v.verdict === 'approve').map((v) => lower(v.member));

/** The settlement a decided claim leads to, or null when there is nothing to settle. */
export function settlementOf(c: ClaimView, decision: ClaimDecision): VaultSettlement | null {
  if (c.decision?.outcome !== 'approved' || c.decision.approvedAmount === 0n) return null;
  return buildSettlement({ decision, claim: c.claim.message.envelope, snapshot: c.claim.snapshot });
}

/** This member's signature of the settlement, as its decision's extension carries it. */
export async function signSettlement(
  account: LocalAccount,
  domain: VaultDomain,
  settlement: VaultSettlement,
): Promise<Record<string, unknown>> {
  const { signature } = await signForVault(account, domain, { settlement });
  return { [SETTLEMENT_EXTENSION]: { signature } };
}

/**
 * The approvers' signatures the held decisions carry that count against the settlement
 * (settlement.md#counting-vault-signatures): one per approver (the first that counts), ascending
 * address. A signature by anyone else, or over another digest, is ignored.
 */
export async function heldSignatures(
  messages: Iterable<PoolMessage>,
  c: ClaimView,
  domain: VaultDomain,
  settlement: VaultSettlement,
  ctx: VaultSignatureContext = { chain: c.claim.snapshot.charter.settlement.chain },
): Promise<VaultSignature[]> {
  const approvers = new Set(approversOf(c));
  const typed = vaultTypedData(domain, { settlement });
  const out: VaultSignature[] = [];
  const seen = new Set<string>();
  for (const m of messages) {
    if (m.envelope.type !== 'ClaimDecision') continue;
    const signer = lower(m.envelope.issuer);
    const p = m.envelope.payload as { claimId?: unknown };
    if (p.claimId !== c.claim.claimId || !approvers.has(signer) || seen.has(signer)) continue;
    const counted = await countedSignature(signer, settlementSignatureOf(p), typed, ctx);
    if (counted === null) continue;
    seen.add(signer);
    out.push(counted);
  }
  return rankSigners(out);
}

/**
 * A decided claim's settle turns (settlement.md#taking-turns): rank 0 as soon as the decision stands,
 * rank r ≥ 1 at `decidedAt + challengeMs + challengeMs × r` (the snapshot's `challengeMs`).
 */
export const settleTurns = (c: ClaimView): Turns =>
  turnsOf('settle', c.decision!.decidedAt, c.claim.snapshot.charter.windows.challengeMs);

/** Refusals that mean "not yet" (retried each tick), not a refusal to record as final. */
export const SETTLE_WAITS = new Set([
  'VAULT_TOO_EARLY',
  'VAULT_QUORUM_NOT_MET',
  'VAULT_RPC_UNAVAILABLE',
  'VAULT_TX_PENDING',
  'VAULT_OUT_OF_ORDER',
]);

/** A claim as the pool view's `onChain.claims` shows it (vaultLedger.ts). */
export type OnChainClaim = {
  claimId: string;
  settled: { amount: string; txHash: Hex; blockNumber: string } | null;
  paid: string;
  unpaid: string;
};

/**
 * The settlement the follower read for a claim, merged into this node's state of it; `had` when none was
 * read. `sentHere` tells whether a transaction hash is one this node's sender broadcast (its journal): the
 * follower can read `Settled` before this node's own send has returned, when `had` knows no hash yet.
 */
export function withOnChain(
  had: SettleState | undefined,
  x: OnChainClaim | undefined,
  sentHere?: (hash: Hex) => boolean,
): SettleState | undefined {
  if (x?.settled == null) return had;
  return {
    ...had,
    state: 'settled',
    hash: x.settled.txHash,
    blockNumber: x.settled.blockNumber,
    byThisNode: sentHere?.(x.settled.txHash) ?? (had?.byThisNode === true && had.hash === x.settled.txHash),
    paid: x.paid,
    remaining: x.unpaid,
  };
}

/** What this node's mined `settle` paid out at once (its `PaidOut` log) and what the rate limit holds back. */
export function paidBy(receipt: TransactionReceipt, claimId: string): { paid: string; remaining: string } {
  const out = parseEventLogs({ abi: sfrVault.abi, logs: receipt.logs, eventName: ['Settled', 'PaidOut'] });
  let paid = 0n;
  let remaining: bigint | null = null;
  for (const l of out) {
    const a = l.args as { claimId: Hex; amount: bigint; remaining?: bigint };
    if (lower(a.claimId) !== lower(claimId)) continue;
    if (l.eventName === 'Settled') remaining ??= a.amount;
    else {
      paid += a.amount;
      remaining = a.remaining ?? 0n;
    }
  }
  return { paid: paid.toString(), remaining: (remaining ?? 0n).toString() };
}
