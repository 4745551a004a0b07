/**
 * The node's store: a crash-safe, append-only log of accepted messages on LevelDB (classic-level),
 * with indexes and derived state that can be rebuilt from the log.
 *
 * ## Interface (for the node, sync, API and CLI)
 *
 *   const store = await openStore(dir, { sync: true, metrics }) // metrics: createMetrics() (optional); throws StoreError STORE_OPEN_FAILED only if
 *                                                             // LevelDB cannot open the folder (e.g. locked)
 *   store.isHealthy()                  → boolean             // false ⇒ the node MUST NOT sign (see health())
 *   store.health()                     → {healthy, issues: [{code: STORE_*, detail, key?}], moreIssues?}
 *   await store.append({wire, id?, source?, receivedAt?})
 *       → {status: 'appended', id, cursor}                    // durable (fsync'd) when the promise resolves
 *       | {status: 'duplicate', id, cursor}                   // same id already stored: no-op
 *       | {status: 'conflict', code: 'STORE_SEQ_CONFLICT', id, existingId, detail}   // (issuer, seq) taken
 *       | {status: 'refused', code: STORE_UNHEALTHY | STORE_CLOSED | STORE_BAD_RECORD | STORE_WRITE_FAILED, detail}
 *   await store.getMessage(id) / getByCursor(cursor) / getBySeq(issuer, seq)  → StoredMessage | undefined
 *   await store.rangeBySeq(issuer, fromSeq, toSeq, limit?)  → StoredMessage[]   (sync; ascending seq; ≤ MAX_PAGE)
 *   await store.readFrom(afterCursor, limit?)               → {messages, nextCursor}   (arrival order; SSE resume)
 *   await store.queryMessages({type?, issuer?, poolId?, from?, to?, after?, limit?})
 *       → {ok: true, messages, nextCursor: number | null} | {ok: false, code: 'STORE_BAD_QUERY', detail}
 *   await store.activeAlerts({now?, limit?})                → StoredMessage[] (unexpired, unresolved ContagionAlerts)
 *   store.heads() → Map<issuer lower-case, head seq>;  store.headSeq(issuer) → number | undefined
 *   store.lastCursor; await store.stats() → {messages, lastCursor, issuers, appendedSinceOpen, approximateBytes}
 *   store.onAppend(listener) → unsubscribe                  // called after each durable append, in cursor order
 *   await store.reserveSeq(issuer, atLeast?) → seq          // durably allocates the next seq to sign with
 *                                                           // (> head and > any reserved; never handed out twice)
 *   await store.reserve(slot, digest)                       // C's SigningJournal (envelope/signingJournal.ts):
 *                                                           // pass the store as `guard` to signEnvelope. Throws
 *                                                           // EnvelopeError ENVELOPE_SLOT_CONFLICT / _SEQ_NOT_MONOTONIC,
 *                                                           // StoreError STORE_UNHEALTHY on a damaged store
 *   await store.verify({full?}) → health;  await store.rebuildDerived() → {records, skipped, ms};  await store.close()
 *
 * StoredMessage = {cursor, id, type, issuer (lower-case), seq, issuedAt, receivedAt, poolId?, source?,
 * expiresAt?, resolves?, wire: Uint8Array}. `cursor` is the local arrival index (1, 2, 3, … no gaps).
 *
 * Guarantees: appends are group-committed in one atomic LevelDB batch written with `sync: true`, so a
 * resolved `appended` survives kill -9; the log record, its indexes and derived state are in the same
 * batch, so they never disagree after a crash. Each record carries a CRC32; at open the newest
 * records are checked (checksum, contiguous cursors, id and (issuer, seq) indexes) and a store-format
 * key is compared; problems are reported as STORE_* issues and the store refuses appends and seq
 * reservations until repaired (`rebuildDerived()` repairs index damage; log damage stays reported).
 * The store does not validate messages: the node's pipeline does that before `append`.
 */
export { MAX_PAGE, MAX_SCAN, openStore, STORE_FORMAT } from './openStore.js';
export { computeMessageId, type RecordHeader } from './record.js';
export { STORE_CODES, type StoreCode, StoreError } from './storeError.js';
export type {
  ActiveAlertsParameters,
  AppendedMessage,
  AppendParameters,
  AppendResult,
  MessagePage,
  OpenStoreOptions,
  QueryMessagesParameters,
  QueryMessagesResult,
  RebuildResult,
  Store,
  StoredMessage,
  StoreHealth,
  StoreIssue,
  StoreStats,
  VerifyParameters,
} from './types.js';
