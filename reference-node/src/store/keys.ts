/**
 * Key layout of the LevelDB store. All keys are UTF-8 strings; numbers are zero-padded lower-case
 * hex so that lexicographic order is numeric order. 16 hex digits hold 2^64, above the 2^53−1
 * limit the wire puts on `seq` (proposal 0001 §4) and far above any local cursor.
 *
 *   m:format                      store format version ("1")
 *   m:derived                     version of the derivation rules the derived state was built with
 *   l:<cursor>                    the log: one record per accepted message (see record.ts)
 *   i:<messageId>                 → cursor
 *   s:<issuer>:<seq>              → cursor (issuer lower-case)
 *   x:t:<type>:<cursor>           → ""  (by type)
 *   x:i:<issuer>:<cursor>         → ""  (by issuer)
 *   x:p:<poolId>:<cursor>         → ""  (by pool)
 *   d:h:<issuer>                  → head seq (decimal)                      derived
 *   d:a:<alertId>                 → cursor of an active (unresolved) alert  derived
 *   d:r:<alertId>                 → id of the alert that resolved it        derived
 *   d:x:<eventId>:<issuer>        → id of the first retraction of that event by that issuer  derived
 *   j:n:<issuer>                  → next seq `reserveSeq` may hand out (never rolled back)
 *   j:h:<issuer>                  → highest seq reserved for signing (SigningJournal)
 *   j:s:<issuer>:<seq>            → digest reserved for that (issuer, seq) slot
 *   j:a:<claimId>:<round>         → {digest, envelope} reserved for that attestation slot (or a bare digest)
 *   k:s:<issuer>:<fromSeq>        → toSeq: seqs of pruned heartbeats (node.md#heartbeat-retention)
 *   k:c:<fromCursor>              → toCursor: log cursors of pruned heartbeats
 *
 * The `k:` ranges are not derived: they say what the log held and dropped, so a rebuild keeps them.
 */
export const FORMAT_KEY = 'm:format';
export const DERIVED_VERSION_KEY = 'm:derived';

function hex16(n: number): string {
  return n.toString(16).padStart(16, '0');
}

export const logKey = (cursor: number): string => `l:${hex16(cursor)}`;
export const LOG_START = 'l:';
export const LOG_END = 'l;';
export const cursorOfLogKey = (key: string): number => Number.parseInt(key.slice(2), 16);

export const idKey = (id: string): string => `i:${id}`;
export const seqKey = (issuer: string, seq: number): string => `s:${issuer}:${hex16(seq)}`;
export const seqPrefix = (issuer: string): string => `s:${issuer}:`;
export const seqOfSeqKey = (key: string): number => Number.parseInt(key.slice(key.lastIndexOf(':') + 1), 16);

export type IndexKind = 't' | 'i' | 'p';
export const indexKey = (kind: IndexKind, value: string, cursor: number): string =>
  `x:${kind}:${value}:${hex16(cursor)}`;
export const indexPrefix = (kind: IndexKind, value: string): string => `x:${kind}:${value}:`;
export const cursorOfIndexKey = (key: string): number =>
  Number.parseInt(key.slice(key.lastIndexOf(':') + 1), 16);

export const headKey = (issuer: string): string => `d:h:${issuer}`;
export const HEAD_START = 'd:h:';
export const HEAD_END = 'd:h;';
export const activeAlertKey = (id: string): string => `d:a:${id}`;
export const ACTIVE_ALERT_START = 'd:a:';
export const ACTIVE_ALERT_END = 'd:a;';
export const resolvedKey = (id: string): string => `d:r:${id}`;
/** Range of every resolution slot's key (`resolvedKey`), and the issuer a slot's key ends with. */
export const RESOLVED_START = 'd:r:';
export const RESOLVED_END = 'd:r;';
export const issuerOfResolvedKey = (key: string): string => key.slice(key.lastIndexOf(':') + 1);
export const retractedKey = (slot: string): string => `d:x:${slot}`;
export const journalNextKey = (issuer: string): string => `j:n:${issuer}`;
export const journalHighKey = (issuer: string): string => `j:h:${issuer}`;
export const journalSeqSlotKey = (issuer: string, seq: number): string => `j:s:${issuer}:${hex16(seq)}`;
export const journalAttestationSlotKey = (claimId: string, round: number): string =>
  `j:a:${claimId}:${hex16(round)}`;

export const prunedSeqKey = (issuer: string, fromSeq: number): string => `k:s:${issuer}:${hex16(fromSeq)}`;
export const PRUNED_SEQ_START = 'k:s:';
export const PRUNED_SEQ_END = 'k:s;';
/** (issuer, fromSeq) of a `k:s:` key. */
export const parsePrunedSeqKey = (key: string): { issuer: string; fromSeq: number } => ({
  issuer: key.slice(PRUNED_SEQ_START.length, key.lastIndexOf(':')),
  fromSeq: Number.parseInt(key.slice(key.lastIndexOf(':') + 1), 16),
});
export const prunedCursorKey = (fromCursor: number): string => `k:c:${hex16(fromCursor)}`;
export const PRUNED_CURSOR_START = 'k:c:';
export const PRUNED_CURSOR_END = 'k:c;';

/** Everything `rebuildDerived` clears and rewrites from the log. */
export const REBUILT_RANGES: ReadonlyArray<readonly [string, string]> = [
  ['i:', 'i;'],
  ['s:', 's;'],
  ['x:', 'x;'],
  ['d:', 'd;'],
];
