/**
 * Taking turns (settlement.md#taking-turns): an effect on the vault that any of several members' nodes
 * may cause (registering an adopted epoch, settling a decided claim) is caused by one of them at a
 * time. The candidates are ranked by address; rank 0 acts at the effect's start, rank r ≥ 1 takes
 * over `stepMs × r` after the effect's take-over origin unless the effect was seen by then.
 * Registration (registerCharters.ts) and settlement (settleClaims.ts) both take their turns here.
 */
import type { VaultSignature } from '../settlement/index.js';

const lower = (s: string) => s.toLowerCase();

/** The candidates in turn order: one per signer (the first held), ascending lower-case address. */
export function rankSigners(held: Iterable<VaultSignature>): VaultSignature[] {
  const bySigner = new Map<string, VaultSignature>();
  for (const s of held) if (!bySigner.has(lower(s.signer))) bySigner.set(lower(s.signer), s);
  return [...bySigner.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => s);
}

/** This node's rank among the ranked candidates, or −1 when it is none of them. */
export const rankOf = (ranked: readonly { signer: string }[], me: string): number =>
  ranked.findIndex((s) => lower(s.signer) === lower(me));

/**
 * When an effect's turns fall (settlement.md#taking-turns, its table): rank 0 acts at `start`; rank
 * r ≥ 1 at `takeOverFrom + stepMs × r`. Times in ms, on the clock the effect names.
 */
export type Turns = { start: number; takeOverFrom: number; stepMs: number };

/** The time rank `rank` may act (rank 0: `start`; rank r ≥ 1: `takeOverFrom + stepMs × r`). */
export const turnAt = (t: Turns, rank: number): number =>
  rank === 0 ? t.start : t.takeOverFrom + t.stepMs * rank;
