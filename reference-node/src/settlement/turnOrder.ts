/**
 * The turn rule of settlement.md#taking-turns, with no chain in it: an effect on the vault that any
 * of several members' nodes may cause (registering an adopted epoch, settling a decided claim,
 * releasing a held-back payout) is caused by one of them at a time. The candidates are ranked by
 * lower-case address; rank 0 acts at the effect's start, rank r ≥ 1 takes over `stepMs × r` after the
 * effect's take-over origin. The node's side (looking on chain before acting) is poolsNode/turns.ts;
 * the harness op `settlementTurns` (settlementOp.ts) answers this rule to the conformance vectors.
 */

const lower = (s: string) => s.toLowerCase();

/** The effects of the table of settlement.md#taking-turns. */
export const TURN_EFFECTS = ['register', 'settle', 'release'] as const;
export type TurnEffect = (typeof TURN_EFFECTS)[number];

/** The candidates in turn order: one per signer (the first held), ascending lower-case address. */
export function rankSigners<T extends { signer: string }>(held: Iterable<T>): T[] {
  const bySigner = new Map<string, T>();
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

/**
 * An effect's turns from its start `S` and its `challengeMs` (the table's columns): the take-over
 * origin `T` is `S` for registering an epoch (`S` = `adoptedAt`) and for a release (`S` = when the
 * node saw chain time reach `nextReleaseAt`), and `S + challengeMs` for a settlement (`S` =
 * `decidedAt`: rank 0 has a window of its own before rank 1's turn).
 */
export const turnsOf = (effect: TurnEffect, start: number, challengeMs: number): Turns => ({
  start,
  takeOverFrom: effect === 'settle' ? start + challengeMs : start,
  stepMs: challengeMs,
});

/** The time rank `rank` may act (rank 0: `start`; rank r ≥ 1: `takeOverFrom + stepMs × r`). */
export const turnAt = (t: Turns, rank: number): number =>
  rank === 0 ? t.start : t.takeOverFrom + t.stepMs * rank;
