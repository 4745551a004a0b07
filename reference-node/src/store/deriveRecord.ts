import { activeAlertKey, headKey, idKey, indexKey, resolvedKey, retractedKey, seqKey } from './keys.js';
import type { RecordHeader } from './record.js';

/**
 * Version of the derivation rules below. A store built with another version rebuilds its derived
 * state from the log at open. Bump it whenever `deriveRecord` changes what it writes.
 */
export const DERIVED_VERSION = '3';

export type BatchOp =
  | { readonly type: 'put'; readonly key: string; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: string };

/** Reads the state as it will be once the ops gathered so far are written. */
export interface DeriveReader {
  /** Cursor of an already stored (or earlier in this batch) message id. */
  cursorOfId(id: string): Promise<number | undefined>;
  header(cursor: number): Promise<RecordHeader | undefined>;
  /** The all-clear recorded for a resolution slot (`<alert id>:<issuer>`). */
  resolvedBy(slot: string): Promise<string | undefined>;
  /** The retraction recorded for a retraction slot (`<event id>:<issuer>`). */
  retractedBy(slot: string): Promise<string | undefined>;
  head(issuer: string): number | undefined;
}

/** Effects of one record on the derived state, gathered so the caller can apply them to its maps. */
export interface DeriveEffects {
  head?: { issuer: string; seq: number };
  resolved?: { alertId: string; by: string };
  retracted?: { slot: string; by: string };
}

const te = new TextEncoder();
export const enc = (s: string): Uint8Array => te.encode(s);
const EMPTY = new Uint8Array(0);

/** An all-clear is recorded under (alert id, its own issuer): only an all-clear of the alert's issuer ends it. */
export const resolutionSlot = (alertId: string, issuer: string): string => `${alertId}:${issuer}`;

/**
 * A retraction is recorded under (event id, its own issuer): only a retraction of the event's issuer
 * marks it (messages.md#retraction), whichever of the two arrived first.
 */
export const retractionSlot = (eventId: string, issuer: string): string => `${eventId}:${issuer}`;

/** Sort key of an active alert: by expiry so that expired ones are never scanned. */
export function activeAlertSortKey(expiresAt: number | undefined, id: string): string {
  const exp = expiresAt ?? Number.MAX_SAFE_INTEGER;
  return activeAlertKey(`${exp.toString(16).padStart(16, '0')}:${id}`);
}

/** The head writes of one batch: one per issuer, its highest seq (`DeriveEffects.head` of its records). */
export function headOps(heads: ReadonlyMap<string, number>, ops: BatchOp[]): void {
  for (const [issuer, seq] of heads) ops.push({ type: 'put', key: headKey(issuer), value: enc(String(seq)) });
}

/**
 * The index and derived-state writes for one log record, but its head (see `headOps`). Derived state today: per-issuer head seq,
 * the set of active (unresolved) contagion alerts and the retracted recovery events. A ContagionAlert that carries `resolves`
 * is a resolution notice: it removes the alert it resolves, only when both have one issuer
 * (messages.md#contagionalert rule 4), and is not itself listed as active.
 * The result depends only on the log, in log order, so `rebuildDerived` reproduces it exactly.
 */
export async function deriveRecord(
  cursor: number,
  h: RecordHeader,
  reader: DeriveReader,
  ops: BatchOp[],
): Promise<DeriveEffects> {
  const effects: DeriveEffects = {};
  const c = enc(String(cursor));
  ops.push({ type: 'put', key: idKey(h.id), value: c });
  ops.push({ type: 'put', key: seqKey(h.issuer, h.seq), value: c });
  ops.push({ type: 'put', key: indexKey('t', h.type, cursor), value: EMPTY });
  ops.push({ type: 'put', key: indexKey('i', h.issuer, cursor), value: EMPTY });
  if (h.poolId !== undefined) ops.push({ type: 'put', key: indexKey('p', h.poolId, cursor), value: EMPTY });

  // The head is written by the caller, once per issuer per batch (`headOps`): in a flood one member's
  // messages share a batch, and only the batch's last head of each issuer would survive anyway.
  const head = reader.head(h.issuer);
  if (head === undefined || h.seq > head) effects.head = { issuer: h.issuer, seq: h.seq };

  if (h.type === 'ContagionAlert') {
    if (h.resolves !== undefined) {
      const target = await reader.cursorOfId(h.resolves);
      const th = target === undefined ? undefined : await reader.header(target);
      // Only the alert's issuer resolves it; an all-clear held before its alert is checked when it comes.
      if (th === undefined || th.issuer === h.issuer) {
        const slot = resolutionSlot(h.resolves, h.issuer);
        ops.push({ type: 'put', key: resolvedKey(slot), value: enc(h.id) });
        effects.resolved = { alertId: slot, by: h.id };
        if (th !== undefined) ops.push({ type: 'del', key: activeAlertSortKey(th.expiresAt, th.id) });
      }
    } else if ((await reader.resolvedBy(resolutionSlot(h.id, h.issuer))) === undefined) {
      ops.push({ type: 'put', key: activeAlertSortKey(h.expiresAt, h.id), value: c });
    }
  }
  // A retraction marks its event retracted; the first one recorded stays (retracted is final).
  if (h.type === 'RecoveryEvent' && h.retracts !== undefined) {
    const slot = retractionSlot(h.retracts, h.issuer);
    if ((await reader.retractedBy(slot)) === undefined) {
      ops.push({ type: 'put', key: retractedKey(slot), value: enc(h.id) });
      effects.retracted = { slot, by: h.id };
    }
  }
  return effects;
}
