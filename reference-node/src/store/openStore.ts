import { isAddress, isMessageId, isPoolId } from '@sfr/schemas';
import { ClassicLevel } from 'classic-level';
import { EnvelopeError, type SigningSlot, type UnsignedEnvelope } from '../envelope/index.js';
import {
  type BatchOp,
  DERIVED_VERSION,
  type DeriveReader,
  deriveRecord,
  enc,
  headOps,
  resolutionSlot,
  retractionSlot,
} from './deriveRecord.js';
import {
  createHeartbeatPruner,
  DEFAULT_KEEP_HEARTBEATS,
  type HeartbeatPruner,
  type HeldAnnouncement,
  RangeSet,
} from './heartbeatPruning.js';
import {
  ACTIVE_ALERT_END,
  ACTIVE_ALERT_START,
  cursorOfIndexKey,
  cursorOfLogKey,
  DERIVED_VERSION_KEY,
  FORMAT_KEY,
  HEAD_END,
  HEAD_START,
  type IndexKind,
  idKey,
  indexKey,
  indexPrefix,
  issuerOfResolvedKey,
  journalAttestationSlotKey,
  journalHighKey,
  journalNextKey,
  journalSeqSlotKey,
  LOG_END,
  LOG_START,
  logKey,
  PRUNED_CURSOR_END,
  PRUNED_CURSOR_START,
  PRUNED_SEQ_END,
  PRUNED_SEQ_START,
  parsePrunedSeqKey,
  prunedCursorKey,
  prunedSeqKey,
  REBUILT_RANGES,
  RESOLVED_END,
  RESOLVED_START,
  resolvedKey,
  retractedKey,
  seqKey,
  seqOfSeqKey,
  seqPrefix,
} from './keys.js';
import {
  computeMessageId,
  decodeRecord,
  encodeRecord,
  parseEnvelopeHeader,
  type RecordHeader,
  readEnvelopeHeader,
} from './record.js';
import { type StoreCode, StoreError } from './storeError.js';
import type {
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
  StoreMetrics,
  StoreStats,
  VerifyParameters,
} from './types.js';

/** Store format written at `m:format`; a store with another value is refused (STORE_FORMAT_UNSUPPORTED). */
export const STORE_FORMAT = '1';
/** Largest page any query returns (bounded queries: one call never reads without limit). */
export const MAX_PAGE = 1000;
/** Index entries one filtered query may scan before returning a cursor to continue from. */
export const MAX_SCAN = 10_000;
/** Appends committed together in one fsync'd batch (group commit). */
const DEFAULT_MAX_BATCH = 256;
/** Records checked (checksum + index back-pointers) at open. */
const DEFAULT_VERIFY_TAIL = 1024;
/** Issues kept for `health()`; later ones are counted, not stored. */
const MAX_ISSUES = 50;
/** [sfr] After a write failed for lack of space, the store tries to reopen itself this often (node.md#store). */
export const NO_SPACE_RETRY_MS = 1_000;
/** A key written and deleted to prove a reopened store can write again (never read). */
const PROBE_KEY = 'm:probe';

const td = new TextDecoder();
const dec = (v: Uint8Array): string => td.decode(v);

/**
 * An attestation slot's journal record: the digest, and the vote it was reserved for (a bare digest in
 * stores written before the vote was kept). Anything else is a damaged journal: the node must not sign.
 */
function attestationRecord(value: string): { digest: string; envelope?: UnsignedEnvelope } {
  if (value.startsWith('0x')) return { digest: value };
  try {
    const r = JSON.parse(value) as { digest?: unknown; envelope?: unknown };
    if (typeof r.digest === 'string' && typeof r.envelope === 'object' && r.envelope !== null)
      return { digest: r.digest, envelope: r.envelope as UnsignedEnvelope };
  } catch {
    // fall through
  }
  throw new EnvelopeError('ENVELOPE_JOURNAL_CORRUPT', 'The signing journal has an unreadable entry.', {
    details: 'an attestation slot record is neither a digest nor {digest, envelope}',
    section: 'persist-then-sign',
  });
}

interface Pending {
  readonly header: RecordHeader;
  /** The log record (header and a copy of the wire), encoded when queued; `wire` is its tail. */
  readonly record: Uint8Array;
  readonly wire: Uint8Array;
  readonly envelope: Readonly<Record<string, unknown>>;
  readonly via: AppendParameters['via'];
  readonly resolve: (r: AppendResult) => void;
}

type Db = ClassicLevel<string, Uint8Array>;

/**
 * Writes `ops` as one atomic LevelDB batch (a WriteBatch either way), through a chained batch rather than
 * `db.batch(array, options)`: abstract-level copies the options into every operation of an array batch,
 * and with `sync` that array path cost 85-120 µs of CPU per stored alert (7 operations), the chained one
 * 31-36 µs (same run, 10 240 alerts in groups of 256, load 17; issue 12).
 */
async function writeBatch(db: Db, ops: readonly BatchOp[], sync: boolean): Promise<void> {
  const batch = db.batch();
  try {
    for (const op of ops) {
      if (op.type === 'put') batch.put(op.key, op.value);
      else batch.del(op.key);
    }
  } catch (err) {
    await batch.close();
    throw err;
  }
  await batch.write({ sync });
}

/**
 * Opens (creating if missing) the store in `dir`. Throws `StoreError` STORE_OPEN_FAILED only when
 * LevelDB cannot open the folder at all (locked by another process, unreadable); a store that
 * opens but fails its checks is returned unhealthy (see `health()`), readable but refusing appends.
 */
export async function openStore(dir: string, options: OpenStoreOptions = {}): Promise<Store> {
  const db: Db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  try {
    await db.open({ createIfMissing: true });
  } catch (cause) {
    const inner = (cause as { cause?: { message?: string } }).cause?.message;
    // LevelDB's "IO error: lock …/LOCK: Resource temporarily unavailable": another process has it open.
    const locked = /\block\b.*LOCK/.test(inner ?? '');
    const why = locked
      ? ' It is locked by another process: is a node already running with this data directory?'
      : '';
    throw new StoreError('STORE_OPEN_FAILED', `Cannot open the store at ${dir}.${why}`, {
      detail: inner ?? (cause as Error).message,
      cause,
    });
  }
  const store = new LevelStore(db, dir, options);
  try {
    await store.init();
  } catch (cause) {
    await db.close().catch(() => {});
    if (!isCorruption(cause)) throw cause;
    // Never served silently, never signed from (node.md#store item 4): the node does not start on it.
    throw new StoreError(
      'STORE_CORRUPTED',
      `The store at ${dir} is corrupted (${(cause as Error).message}); the node does not serve or sign from it. Restore the data directory from a backup, or move it aside and let the node catch up from its peers.`,
      { detail: (cause as Error).message, cause },
    );
  }
  return store;
}

class LevelStore implements Store {
  readonly dir: string;
  private readonly db: Db;
  private readonly sync: boolean;
  private readonly maxBatch: number;
  private readonly verifyTail: number;
  private issues: StoreIssue[] = [];
  private extraIssues = 0;
  private nextCursor = 1;
  private readonly headMap = new Map<string, number>();
  /** Whether `headMap` lists every issuer the log holds (after open, except while a rebuild redoes it). */
  private headsKnown = false;
  /**
   * Issuers with a stored resolution slot (an all-clear of theirs is held), read at open and kept by
   * every commit; undefined while unknown (before open, during a rebuild). An alert of any other issuer
   * has an empty slot, so its group commit reads none (issue 12).
   */
  private resolvers: Set<string> | undefined;
  private queue: Pending[] = [];
  private draining = false;
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly listeners = new Set<(m: AppendedMessage) => void>();
  private appendedTotal = 0;
  private readonly metrics: StoreMetrics | undefined;
  /** The pending reopen after a full disk (`scheduleRecovery`). */
  private recovery: ReturnType<typeof setTimeout> | undefined;
  private readonly keepHeartbeats: number;
  /** node.md#heartbeat-retention: the held announcements, and the seqs and cursors of pruned ones. */
  private pruner: HeartbeatPruner;
  private prunedSeqs = new Map<string, RangeSet>();
  private prunedCursors = new RangeSet();

  constructor(db: Db, dir: string, options: OpenStoreOptions) {
    this.db = db;
    this.dir = dir;
    this.sync = options.sync ?? true;
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.verifyTail = options.verifyTail ?? DEFAULT_VERIFY_TAIL;
    this.metrics = options.metrics;
    this.keepHeartbeats = options.keepHeartbeats ?? DEFAULT_KEEP_HEARTBEATS;
    this.pruner = createHeartbeatPruner(this.keepHeartbeats);
  }

  /** The cursor after the newest log record or pruned one (a cursor is never handed out twice). */
  private async loadNextCursor(): Promise<void> {
    const last = await this.db.keys({ gte: LOG_START, lt: LOG_END, reverse: true, limit: 1 }).all();
    const lastLog = last[0] === undefined ? 0 : cursorOfLogKey(last[0]);
    this.nextCursor = Math.max(lastLog, this.prunedCursors.max() ?? 0) + 1;
  }

  /** Reads the pruned ranges (`k:`), then the held announcements, pruning what `keepHeartbeats` drops now. */
  private async loadPruned(): Promise<void> {
    this.prunedSeqs = new Map();
    this.prunedCursors = new RangeSet();
    this.pruner = createHeartbeatPruner(this.keepHeartbeats);
    for await (const [key, value] of this.db.iterator({ gte: PRUNED_SEQ_START, lt: PRUNED_SEQ_END })) {
      const { issuer, fromSeq } = parsePrunedSeqKey(key);
      this.prunedSetOf(issuer).load(fromSeq, Number(dec(value)));
    }
    for await (const [key, value] of this.db.iterator({ gte: PRUNED_CURSOR_START, lt: PRUNED_CURSOR_END })) {
      this.prunedCursors.load(Number.parseInt(key.slice(PRUNED_CURSOR_START.length), 16), Number(dec(value)));
    }
  }

  private prunedSetOf(issuer: string): RangeSet {
    let set = this.prunedSeqs.get(issuer);
    if (set === undefined) {
      set = new RangeSet();
      this.prunedSeqs.set(issuer, set);
    }
    return set;
  }

  /** Feeds the stored announcements to the pruner (at open), and prunes what it gives back. */
  private async holdStoredAnnouncements(): Promise<void> {
    if (!Number.isFinite(this.keepHeartbeats)) return;
    const ops: BatchOp[] = [];
    const prefix = indexPrefix('t', 'NodeAnnouncement');
    for await (const key of this.db.keys({ gt: prefix, lt: `${prefix}g` })) {
      const m = await this.recordAt(cursorOfIndexKey(key));
      if (m === undefined) continue;
      let payload: Record<string, unknown> = {};
      try {
        payload = (JSON.parse(dec(m.wire)) as { payload?: Record<string, unknown> }).payload ?? {};
      } catch {
        continue;
      }
      this.holdAnnouncement(m, payload, ops);
    }
    if (ops.length > 0) await writeBatch(this.db, ops, true);
  }

  /**
   * Tracks a held announcement and gathers the writes that prune what the pruner drops because of it:
   * the record and its indexes go, its seq and cursor join the pruned ranges.
   */
  private holdAnnouncement(
    h: RecordHeader & { cursor: number },
    payload: Readonly<Record<string, unknown>>,
    ops: BatchOp[],
  ): void {
    if (!Number.isFinite(this.keepHeartbeats)) return;
    const a: HeldAnnouncement = {
      seq: h.seq,
      cursor: h.cursor,
      id: h.id,
      protocol: typeof payload['protocol'] === 'string' ? payload['protocol'] : undefined,
      pinned: payload['keyRotation'] !== undefined,
    };
    for (const p of this.pruner.hold(h.issuer, a)) {
      ops.push({ type: 'del', key: logKey(p.cursor) });
      ops.push({ type: 'del', key: idKey(p.id) });
      ops.push({ type: 'del', key: seqKey(h.issuer, p.seq) });
      ops.push({ type: 'del', key: indexKey('t', 'NodeAnnouncement', p.cursor) });
      ops.push({ type: 'del', key: indexKey('i', h.issuer, p.cursor) });
      const bySeq = this.prunedSetOf(h.issuer).add(p.seq);
      if (bySeq !== null) {
        for (const from of bySeq.removed) ops.push({ type: 'del', key: prunedSeqKey(h.issuer, from) });
        ops.push({
          type: 'put',
          key: prunedSeqKey(h.issuer, bySeq.range[0]),
          value: enc(String(bySeq.range[1])),
        });
      }
      const byCursor = this.prunedCursors.add(p.cursor);
      if (byCursor !== null) {
        for (const from of byCursor.removed) ops.push({ type: 'del', key: prunedCursorKey(from) });
        ops.push({
          type: 'put',
          key: prunedCursorKey(byCursor.range[0]),
          value: enc(String(byCursor.range[1])),
        });
      }
    }
  }

  isPruned(issuer: string, seq: number): boolean {
    return this.prunedSeqs.get(issuer.toLowerCase())?.has(seq) ?? false;
  }

  async holdsSeq(issuer: string, seq: number): Promise<boolean> {
    return this.isPruned(issuer, seq) || (await this.getBySeq(issuer, seq)) !== undefined;
  }

  async init(): Promise<void> {
    const format = await this.db.get(FORMAT_KEY);
    if (format === undefined) {
      const any = await this.db.keys({ limit: 1 }).all();
      if (any.length === 0) {
        await this.db.put(FORMAT_KEY, enc(STORE_FORMAT), { sync: true });
        await this.db.put(DERIVED_VERSION_KEY, enc(DERIVED_VERSION), { sync: true });
      } else {
        this.report('STORE_FORMAT_UNSUPPORTED', 'the folder holds data but no store format key');
        return;
      }
    } else if (dec(format) !== STORE_FORMAT) {
      this.report('STORE_FORMAT_UNSUPPORTED', `store format ${dec(format)}, this node reads ${STORE_FORMAT}`);
      return;
    }
    await this.loadPruned();
    await this.loadNextCursor();
    await this.checkLog(this.verifyTail);
    const derived = await this.db.get(DERIVED_VERSION_KEY);
    if (this.healthyLogOnly() && (derived === undefined || dec(derived) !== DERIVED_VERSION)) {
      await this.rebuildDerived();
    }
    await this.loadHeads();
    this.headsKnown = true;
    await this.loadResolvers();
    if (this.healthyLogOnly()) await this.holdStoredAnnouncements();
  }

  // ---- health -------------------------------------------------------------------------------

  private report(code: StoreCode, detail: string, key?: string): void {
    if (this.issues.length >= MAX_ISSUES) {
      this.extraIssues++;
      return;
    }
    this.issues.push(key === undefined ? { code, detail } : { code, detail, key });
  }

  /** True when no issue concerns the log itself (index issues can be repaired by a rebuild). */
  private healthyLogOnly(): boolean {
    return this.issues.every((i) => i.code === 'STORE_INDEX_INCONSISTENT');
  }

  health(): StoreHealth {
    if (this.closed) {
      return {
        healthy: false,
        issues: [{ code: 'STORE_CLOSED', detail: 'the store is closed' }],
        moreIssues: 0,
      };
    }
    return this.issues.length === 0
      ? { healthy: true, issues: [] }
      : { healthy: false, issues: [...this.issues], moreIssues: this.extraIssues };
  }

  isHealthy(): boolean {
    return this.issues.length === 0 && !this.closed;
  }

  /**
   * Checks the newest `tail` records (all when `tail` is Infinity): checksum, contiguous cursors,
   * id and (issuer, seq) indexes pointing back at the record, and, when `full`, that the id is
   * the keccak256 of the wire bytes.
   */
  private async checkLog(tail: number, full = false): Promise<number> {
    const first = await this.db.keys({ gte: LOG_START, lt: LOG_END, limit: 1 }).all();
    if (
      first[0] !== undefined &&
      cursorOfLogKey(first[0]) !== 1 &&
      !this.prunedCursors.covers(1, cursorOfLogKey(first[0]) - 1)
    ) {
      this.report(
        'STORE_INDEX_INCONSISTENT',
        `log starts at cursor ${cursorOfLogKey(first[0])}, not 1`,
        first[0],
      );
    }
    let expected = this.nextCursor - 1;
    let checked = 0;
    const it = this.db.iterator({
      gte: LOG_START,
      lt: LOG_END,
      reverse: true,
      ...(Number.isFinite(tail) ? { limit: tail } : {}),
    });
    try {
      for await (const [key, value] of it) {
        const cursor = cursorOfLogKey(key);
        if (cursor !== expected && !this.prunedCursors.covers(cursor + 1, expected)) {
          this.report(
            'STORE_INDEX_INCONSISTENT',
            `log gap: expected cursor ${expected}, found ${cursor}`,
            key,
          );
        }
        expected = cursor - 1;
        checked++;
        const rec = decodeRecord(value);
        if (!rec.ok) {
          this.report('STORE_CHECKSUM_MISMATCH', rec.detail, key);
          continue;
        }
        if (full && computeMessageId(rec.wire) !== rec.header.id) {
          this.report('STORE_CHECKSUM_MISMATCH', 'message id is not the keccak256 of the stored wire', key);
        }
        const [byId, bySeq] = await this.db.getMany([
          idKey(rec.header.id),
          seqKey(rec.header.issuer, rec.header.seq),
        ]);
        if (byId === undefined || Number(dec(byId)) !== cursor) {
          this.report(
            'STORE_INDEX_INCONSISTENT',
            `id index of ${rec.header.id} does not point at the log`,
            key,
          );
        }
        if (bySeq === undefined || Number(dec(bySeq)) !== cursor) {
          this.report(
            'STORE_INDEX_INCONSISTENT',
            `seq index of ${rec.header.issuer}/${rec.header.seq} is wrong`,
            key,
          );
        }
      }
    } finally {
      await it.close();
    }
    return checked;
  }

  async verify(parameters: VerifyParameters = {}): Promise<StoreHealth> {
    return this.exclusive(async () => {
      this.issues = this.issues.filter(
        (i) => i.code === 'STORE_WRITE_FAILED' || i.code === 'STORE_FORMAT_UNSUPPORTED',
      );
      this.extraIssues = 0;
      await this.checkLog(
        parameters.full ? Number.POSITIVE_INFINITY : this.verifyTail,
        parameters.full ?? false,
      );
      return this.health();
    });
  }

  // ---- writes -------------------------------------------------------------------------------

  /** Runs `fn` after every earlier exclusive section (the writer and rebuild never overlap). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  append(parameters: AppendParameters): Promise<AppendResult> {
    if (this.metrics === undefined) return this.appendUnmetered(parameters);
    const started = performance.now();
    return this.appendUnmetered(parameters).then((r) => {
      this.metrics?.storeAppends.inc({ outcome: r.status });
      if (r.status === 'appended')
        this.metrics?.storeAppendDuration.observe((performance.now() - started) / 1000);
      return r;
    });
  }

  private appendUnmetered(parameters: AppendParameters): Promise<AppendResult> {
    if (this.closed)
      return Promise.resolve({ status: 'refused', code: 'STORE_CLOSED', detail: 'store is closed' });
    if (this.issues.length > 0) return Promise.resolve(this.refusal());
    const { wire } = parameters;
    if (!(wire instanceof Uint8Array) || wire.length === 0) {
      return Promise.resolve({
        status: 'refused',
        code: 'STORE_BAD_RECORD',
        detail: 'wire must be non-empty bytes',
      });
    }
    // The validator's decoded envelope when given (each wire is parsed once on its way through the node).
    const parsed =
      parameters.envelope === undefined ? parseEnvelopeHeader(wire) : readEnvelopeHeader(parameters.envelope);
    if (!parsed.ok)
      return Promise.resolve({ status: 'refused', code: 'STORE_BAD_RECORD', detail: parsed.detail });
    if (parameters.id !== undefined && !isMessageId(parameters.id)) {
      return Promise.resolve({
        status: 'refused',
        code: 'STORE_BAD_RECORD',
        detail: 'id must be lower-case 0x hex of 32 bytes',
      });
    }
    // Object.assign, not object spread, on this per-message path: spreading these headers (built with
    // optional members) cost ~10 µs each in V8, Object.assign ~0.3 µs (issue 12). Same members, same order.
    const header: RecordHeader = Object.assign(
      { id: parameters.id ?? computeMessageId(wire) },
      parsed.header,
      parameters.source === undefined
        ? { receivedAt: parameters.receivedAt ?? Date.now() }
        : { receivedAt: parameters.receivedAt ?? Date.now(), source: parameters.source },
    );
    return new Promise<AppendResult>((resolve) => {
      const envelope = (parameters.envelope ?? (parsed as { envelope?: unknown }).envelope) as Readonly<
        Record<string, unknown>
      >;
      // The record holds the one copy of the caller's bytes (taken now, so a later change of theirs does
      // not reach the log); the append event hands out that copy's tail, not a second copy (issue 12).
      const record = encodeRecord(header, wire);
      const stored = record.subarray(record.length - wire.length);
      this.queue.push({ header, record, wire: stored, envelope, via: parameters.via, resolve });
      if (!this.draining) {
        this.draining = true;
        void this.exclusive(() => this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.maxBatch);
        await this.commitGroup(group);
      }
    } finally {
      this.draining = false;
    }
  }

  private async commitGroup(group: Pending[]): Promise<void> {
    if (this.issues.length > 0) {
      // A write failed while this group waited: nothing more goes through this handle (writeFailed).
      for (const p of group) p.resolve(this.refusal());
      return;
    }
    const results: AppendResult[] = [];
    const appended: AppendedMessage[] = [];
    const ops: BatchOp[] = [];
    const batchIds = new Map<string, number>();
    const batchSeqs = new Map<string, string>();
    const batchHeaders = new Map<number, RecordHeader>();
    const batchResolved = new Map<string, string>();
    const heads = new Map<string, number>();
    const resolvers: string[] = [];
    let next = this.nextCursor;
    try {
      // One read for every lookup of the whole group: ids, then (issuer, seq) keys, then the resolution
      // slot of each alert (whether its all-clear came first: deriveRecord asks for every alert, and one
      // read per alert was the commit's largest cost in a profile of an alert flood).
      // An issuer with no all-clear held has every resolution slot empty (this.resolvers): not read.
      const alertSlots: string[] = [];
      const emptySlots: string[] = [];
      for (const p of group) {
        if (p.header.type !== 'ContagionAlert' || p.header.resolves !== undefined) continue;
        const slot = resolutionSlot(p.header.id, p.header.issuer);
        if (this.resolvers === undefined || this.resolvers.has(p.header.issuer)) alertSlots.push(slot);
        else emptySlots.push(slot);
      }
      // A message above its issuer's stored head, or of an issuer the store holds nothing of, is neither
      // stored (its id hashes bytes that name that seq) nor in conflict: its id and seq are not read.
      const lookups: string[] = [];
      const read: boolean[] = [];
      for (const p of group) {
        const head = this.headMap.get(p.header.issuer);
        const mayBeHeld = head === undefined ? !this.headsKnown : p.header.seq <= head;
        read.push(mayBeHeld);
        if (mayBeHeld) lookups.push(idKey(p.header.id), seqKey(p.header.issuer, p.header.seq));
      }
      const pairs = lookups.length;
      for (const slot of alertSlots) lookups.push(resolvedKey(slot));
      const found = lookups.length === 0 ? [] : await this.db.getMany(lookups);
      const known: Array<Uint8Array | undefined> = [];
      const seqs: Array<Uint8Array | undefined> = [];
      for (let k = 0, at = 0; k < group.length; k++) {
        known.push(read[k] ? found[at++] : undefined);
        seqs.push(read[k] ? found[at++] : undefined);
      }
      const storedResolutions = new Map<string, string | undefined>();
      for (let k = 0; k < alertSlots.length; k++) {
        const v = found[pairs + k];
        storedResolutions.set(alertSlots[k]!, v === undefined ? undefined : dec(v));
      }
      for (const slot of emptySlots) storedResolutions.set(slot, undefined);
      const reader = this.readerWith(batchIds, batchHeaders, batchResolved, heads, storedResolutions);
      for (let k = 0; k < group.length; k++) {
        const { header: h, record, wire, envelope, via } = group[k]!;
        const dupCursor = batchIds.get(h.id) ?? (known[k] === undefined ? undefined : Number(dec(known[k]!)));
        if (dupCursor !== undefined) {
          results.push({ status: 'duplicate', id: h.id, cursor: dupCursor });
          continue;
        }
        const sk = `${h.issuer}:${h.seq}`;
        const seqHolder =
          batchSeqs.get(sk) ?? (seqs[k] === undefined ? undefined : await this.idAt(Number(dec(seqs[k]!))));
        if (seqHolder !== undefined) {
          results.push({
            status: 'conflict',
            code: 'STORE_SEQ_CONFLICT',
            id: h.id,
            existingId: seqHolder,
            detail: `${h.issuer} already has a stored message with seq ${h.seq}`,
          });
          continue;
        }
        const cursor = next++;
        ops.push({ type: 'put', key: logKey(cursor), value: record });
        const fx = await deriveRecord(cursor, h, reader, ops);
        batchIds.set(h.id, cursor);
        batchSeqs.set(sk, h.id);
        batchHeaders.set(cursor, h);
        if (fx.head) heads.set(fx.head.issuer, fx.head.seq);
        if (fx.resolved) {
          batchResolved.set(fx.resolved.alertId, fx.resolved.by);
          resolvers.push(h.issuer);
        }
        if (fx.retracted) batchResolved.set(retractedKey(fx.retracted.slot), fx.retracted.by);
        results.push({ status: 'appended', id: h.id, cursor });
        if (h.type === 'NodeAnnouncement') {
          const payload = (envelope as { payload?: Record<string, unknown> }).payload ?? {};
          this.holdAnnouncement({ ...h, cursor }, payload, ops);
        }
        appended.push(
          Object.assign(
            {},
            h,
            via === undefined ? { cursor, wire, envelope } : { cursor, wire, envelope, via },
          ),
        );
      }
      headOps(heads, ops);
      if (ops.length > 0) await writeBatch(this.db, ops, this.sync);
    } catch (cause) {
      const code = this.writeFailed(cause);
      for (const p of group) {
        p.resolve({
          status: 'refused',
          code,
          detail:
            code === 'STORE_NO_SPACE'
              ? 'the disk is full; nothing was written, and writes resume once space returns'
              : 'the write failed; the store is now unhealthy',
        });
      }
      return;
    }
    this.nextCursor = next;
    for (const [issuer, seq] of heads) this.headMap.set(issuer, seq);
    for (const issuer of resolvers) this.resolvers?.add(issuer);
    this.appendedTotal += appended.length;
    for (let k = 0; k < group.length; k++) group[k]!.resolve(results[k]!);
    for (const m of appended) {
      for (const l of this.listeners) {
        try {
          l(m);
        } catch {
          // a listener's failure is its own; the append is durable already
        }
      }
    }
  }

  private readerWith(
    batchIds: Map<string, number>,
    batchHeaders: Map<number, RecordHeader>,
    batchResolved: Map<string, string>,
    heads: Map<string, number>,
    /** Resolution slots read before the batch (the store's value, undefined if none), not read again. */
    storedResolutions?: ReadonlyMap<string, string | undefined>,
  ): DeriveReader {
    return {
      cursorOfId: async (id) => {
        const b = batchIds.get(id);
        if (b !== undefined) return b;
        const v = await this.db.get(idKey(id));
        return v === undefined ? undefined : Number(dec(v));
      },
      header: async (cursor) => batchHeaders.get(cursor) ?? (await this.recordAt(cursor)),
      resolvedBy: async (alertId) => {
        const b = batchResolved.get(alertId);
        if (b !== undefined) return b;
        if (storedResolutions?.has(alertId) === true) return storedResolutions.get(alertId);
        const v = await this.db.get(resolvedKey(alertId));
        return v === undefined ? undefined : dec(v);
      },
      // Kept in the same batch map under its own key, so that a slot never reads as the other kind.
      retractedBy: async (slot) => {
        const b = batchResolved.get(retractedKey(slot));
        if (b !== undefined) return b;
        const v = await this.db.get(retractedKey(slot));
        return v === undefined ? undefined : dec(v);
      },
      head: (issuer) => heads.get(issuer) ?? this.headMap.get(issuer),
    };
  }

  private async idAt(cursor: number): Promise<string> {
    return (await this.recordAt(cursor))?.id ?? `cursor:${cursor}`;
  }

  private async recordAt(cursor: number): Promise<StoredMessage | undefined> {
    let v: Uint8Array | undefined;
    try {
      v = await this.db.get(logKey(cursor));
    } catch (cause) {
      throw this.readFailed(cause, logKey(cursor));
    }
    if (v === undefined) return undefined;
    const r = decodeRecord(v);
    if (!r.ok) {
      this.report('STORE_CHECKSUM_MISMATCH', r.detail, logKey(cursor));
      return undefined;
    }
    return { ...r.header, cursor, wire: r.wire };
  }

  async rebuildDerived(): Promise<RebuildResult> {
    // From the call on: the heads are cleared and recomputed by the rebuild, which may wait its turn.
    this.headsKnown = false;
    return this.exclusive(async () => {
      const started = Date.now();
      await this.db.del(DERIVED_VERSION_KEY, { sync: true });
      this.headsKnown = false; // again: an earlier rebuild that ended meanwhile set it
      this.resolvers = undefined;
      for (const [gte, lt] of REBUILT_RANGES) await this.db.clear({ gte, lt });
      this.headMap.clear();
      this.issues = this.issues.filter((i) => i.code !== 'STORE_INDEX_INCONSISTENT');
      let records = 0;
      let skipped = 0;
      const it = this.db.iterator({ gte: LOG_START, lt: LOG_END });
      const heads = new Map<string, number>();
      let ops: BatchOp[] = [];
      let batchIds = new Map<string, number>();
      let batchHeaders = new Map<number, RecordHeader>();
      let batchResolved = new Map<string, string>();
      let expected = 1;
      try {
        for await (const [key, value] of it) {
          const cursor = cursorOfLogKey(key);
          if (cursor !== expected && !this.prunedCursors.covers(expected, cursor - 1))
            this.report('STORE_INDEX_INCONSISTENT', `log gap at cursor ${expected}`, key);
          expected = cursor + 1;
          const rec = decodeRecord(value);
          if (!rec.ok) {
            skipped++;
            this.report('STORE_CHECKSUM_MISMATCH', rec.detail, key);
            continue;
          }
          const reader = this.readerWith(batchIds, batchHeaders, batchResolved, heads);
          const fx = await deriveRecord(cursor, rec.header, reader, ops);
          batchIds.set(rec.header.id, cursor);
          batchHeaders.set(cursor, rec.header);
          if (fx.head) heads.set(fx.head.issuer, fx.head.seq);
          if (fx.resolved) batchResolved.set(fx.resolved.alertId, fx.resolved.by);
          if (fx.retracted) batchResolved.set(retractedKey(fx.retracted.slot), fx.retracted.by);
          if (fx.retracted) batchResolved.set(retractedKey(fx.retracted.slot), fx.retracted.by);
          records++;
          if (ops.length >= 4096) {
            await writeBatch(this.db, ops, false);
            ops = [];
            batchIds = new Map();
            batchHeaders = new Map();
            batchResolved = new Map();
          }
        }
      } finally {
        await it.close();
      }
      headOps(heads, ops);
      ops.push({ type: 'put', key: DERIVED_VERSION_KEY, value: enc(DERIVED_VERSION) });
      await writeBatch(this.db, ops, true);
      for (const [i, s] of heads) this.headMap.set(i, s);
      this.headsKnown = true;
      await this.loadResolvers();
      return { records, skipped, ms: Date.now() - started };
    });
  }

  private async loadResolvers(): Promise<void> {
    const resolvers = new Set<string>();
    for await (const key of this.db.keys({ gte: RESOLVED_START, lt: RESOLVED_END })) {
      resolvers.add(issuerOfResolvedKey(key));
    }
    this.resolvers = resolvers;
  }

  private async loadHeads(): Promise<void> {
    for await (const [key, value] of this.db.iterator({ gte: HEAD_START, lt: HEAD_END })) {
      this.headMap.set(key.slice(HEAD_START.length), Number(dec(value)));
    }
  }

  // ---- reads --------------------------------------------------------------------------------

  async getMessage(id: string): Promise<StoredMessage | undefined> {
    if (!isMessageId(id)) return undefined;
    const c = await this.db.get(idKey(id));
    return c === undefined ? undefined : this.recordAt(Number(dec(c)));
  }

  async getByCursor(cursor: number): Promise<StoredMessage | undefined> {
    if (!Number.isSafeInteger(cursor) || cursor < 1) return undefined;
    return this.recordAt(cursor);
  }

  async getBySeq(issuer: string, seq: number): Promise<StoredMessage | undefined> {
    if (!isAddress(issuer) || !Number.isSafeInteger(seq) || seq < 0) return undefined;
    const c = await this.db.get(seqKey(issuer.toLowerCase(), seq));
    return c === undefined ? undefined : this.recordAt(Number(dec(c)));
  }

  async rangeBySeq(
    issuer: string,
    fromSeq: number,
    toSeq: number,
    limit = MAX_PAGE,
  ): Promise<StoredMessage[]> {
    if (!isAddress(issuer) || !Number.isSafeInteger(fromSeq) || !Number.isSafeInteger(toSeq)) return [];
    if (fromSeq < 0 || toSeq < fromSeq) return [];
    const iss = issuer.toLowerCase();
    const cursors: number[] = [];
    const entries = await this.scan(
      this.db.iterator({ gte: seqKey(iss, fromSeq), lte: seqKey(iss, toSeq), limit: clampLimit(limit) }),
      seqKey(iss, fromSeq),
    );
    for (const [key, value] of entries) {
      if (key.startsWith(seqPrefix(iss)) && seqOfSeqKey(key) <= toSeq) cursors.push(Number(dec(value)));
    }
    return this.recordsAt(cursors);
  }

  private async recordsAt(cursors: number[]): Promise<StoredMessage[]> {
    if (cursors.length === 0) return [];
    let values: (Uint8Array | undefined)[];
    try {
      values = await this.db.getMany(cursors.map(logKey));
    } catch (cause) {
      throw this.readFailed(cause, logKey(cursors[0]!));
    }
    const out: StoredMessage[] = [];
    for (let k = 0; k < cursors.length; k++) {
      const v = values[k];
      if (v === undefined) continue;
      const r = decodeRecord(v);
      if (!r.ok) {
        this.report('STORE_CHECKSUM_MISMATCH', r.detail, logKey(cursors[k]!));
        continue;
      }
      out.push({ ...r.header, cursor: cursors[k]!, wire: r.wire });
    }
    return out;
  }

  async readFrom(after: number, limit = MAX_PAGE): Promise<MessagePage> {
    const start = Math.max(0, Math.floor(after)) + 1;
    const n = clampLimit(limit);
    const out: StoredMessage[] = [];
    const entries = await this.scan(
      this.db.iterator({ gte: logKey(start), lt: LOG_END, limit: n }),
      logKey(start),
    );
    for (const [key, value] of entries) {
      const r = decodeRecord(value);
      if (!r.ok) {
        this.report('STORE_CHECKSUM_MISMATCH', r.detail, key);
        continue;
      }
      out.push({ ...r.header, cursor: cursorOfLogKey(key), wire: r.wire });
    }
    const lastCursor = out.at(-1)?.cursor;
    return { messages: out, nextCursor: out.length === n && lastCursor !== undefined ? lastCursor : null };
  }

  async queryMessages(q: QueryMessagesParameters): Promise<QueryMessagesResult> {
    const limit = q.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      return { ok: false, code: 'STORE_BAD_QUERY', detail: `limit: expected an integer 1 … ${MAX_PAGE}` };
    }
    const after = q.after ?? 0;
    if (!Number.isSafeInteger(after) || after < 0) {
      return { ok: false, code: 'STORE_BAD_QUERY', detail: 'after: expected a cursor (integer ≥ 0)' };
    }
    if (q.issuer !== undefined && !isAddress(q.issuer)) {
      return { ok: false, code: 'STORE_BAD_QUERY', detail: 'issuer: expected an address' };
    }
    if (q.poolId !== undefined && !isPoolId(q.poolId)) {
      return { ok: false, code: 'STORE_BAD_QUERY', detail: 'poolId: expected lower-case 0x hex of 32 bytes' };
    }
    const issuer = q.issuer?.toLowerCase();
    const matches = (h: StoredMessage): boolean =>
      (q.type === undefined || h.type === q.type) &&
      (issuer === undefined || h.issuer === issuer) &&
      (q.poolId === undefined || h.poolId === q.poolId) &&
      (q.from === undefined || h.issuedAt >= q.from) &&
      (q.to === undefined || h.issuedAt < q.to);

    // Walk the most selective index; filter the rest on the records.
    let index: [IndexKind, string] | undefined;
    if (q.poolId !== undefined) index = ['p', q.poolId];
    else if (issuer !== undefined) index = ['i', issuer];
    else if (q.type !== undefined) index = ['t', q.type];

    const out: StoredMessage[] = [];
    let scanned = 0;
    let lastScanned = after;
    let more = true;
    const chunk = Math.min(MAX_PAGE, limit * 2);
    while (out.length < limit && scanned < MAX_SCAN) {
      let cursors: number[];
      if (index !== undefined) {
        const prefix = indexPrefix(index[0], index[1]);
        const from = `${prefix}${lastScanned.toString(16).padStart(16, '0')}`;
        const keys = await this.scan(this.db.keys({ gt: from, lt: `${prefix}g`, limit: chunk }), from);
        cursors = keys.map(cursorOfIndexKey);
      } else {
        cursors = [];
        for (let c = lastScanned + 1; c < this.nextCursor && cursors.length < chunk; c++) cursors.push(c);
      }
      const byCursor = new Map((await this.recordsAt(cursors)).map((r) => [r.cursor, r] as const));
      let k = 0;
      for (; k < cursors.length && out.length < limit; k++) {
        lastScanned = cursors[k]!;
        scanned++;
        const r = byCursor.get(lastScanned);
        if (r !== undefined && matches(r)) out.push(r);
      }
      if (k === cursors.length && cursors.length < chunk) {
        more = false;
        break;
      }
    }
    return { ok: true, messages: out, nextCursor: more ? lastScanned : null };
  }

  async retractedBy(eventId: string, issuer: string): Promise<string | undefined> {
    const v = await this.db.get(retractedKey(retractionSlot(eventId, issuer.toLowerCase())));
    return v === undefined ? undefined : dec(v);
  }

  async resolvedBy(alertId: string, issuer: string): Promise<string | undefined> {
    const v = await this.db.get(resolvedKey(resolutionSlot(alertId, issuer.toLowerCase())));
    return v === undefined ? undefined : dec(v);
  }

  async activeAlerts(parameters: ActiveAlertsParameters = {}): Promise<StoredMessage[]> {
    const now = parameters.now ?? Date.now();
    const start = `${ACTIVE_ALERT_START}${(now + 1).toString(16).padStart(16, '0')}`;
    const values = await this.scan(
      this.db.values({ gte: start, lt: ACTIVE_ALERT_END, limit: clampLimit(parameters.limit ?? MAX_PAGE) }),
      start,
    );
    const cursors = values.map((v) => Number(dec(v)));
    const recs = await this.recordsAt(cursors);
    return recs.sort((a, b) => a.cursor - b.cursor);
  }

  heads(): ReadonlyMap<string, number> {
    return new Map(this.headMap);
  }

  headSeq(issuer: string): number | undefined {
    return this.headMap.get(issuer.toLowerCase());
  }

  holdsNothingOf(issuer: string): boolean {
    return this.headsKnown && !this.headMap.has(issuer.toLowerCase());
  }

  async stats(): Promise<StoreStats> {
    let approximateBytes = 0;
    try {
      approximateBytes = await this.db.approximateSize('', '\uffff');
    } catch {
      approximateBytes = 0;
    }
    return {
      messages: this.nextCursor - 1 - this.prunedCursors.count(),
      pruned: this.prunedCursors.count(),
      lastCursor: this.nextCursor - 1,
      issuers: this.headMap.size,
      appendedSinceOpen: this.appendedTotal,
      approximateBytes,
    };
  }

  get lastCursor(): number {
    return this.nextCursor - 1;
  }

  onAppend(listener: (m: AppendedMessage) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  // ---- signing journal ----------------------------------------------------------------------

  private assertCanSign(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'The store is closed.');
    if (this.issues.length > 0) {
      const { code, detail } = this.refusal();
      throw new StoreError(
        code,
        code === 'STORE_NO_SPACE'
          ? 'The disk is full; the node does not sign until space returns.'
          : 'The store is damaged; the node must not sign.',
        { detail },
      );
    }
  }

  async reserveSeq(issuer: string, atLeast = 0): Promise<number> {
    if (!isAddress(issuer)) throw new StoreError('STORE_BAD_RECORD', 'reserveSeq: issuer must be an address');
    this.assertCanSign();
    const iss = issuer.toLowerCase();
    return this.exclusive(async () => {
      this.assertCanSign();
      const [n, h] = await this.db.getMany([journalNextKey(iss), journalHighKey(iss)]);
      const head = this.headMap.get(iss);
      const seq = Math.max(
        n === undefined ? 0 : Number(dec(n)),
        h === undefined ? 0 : Number(dec(h)) + 1,
        head === undefined ? 0 : head + 1,
        atLeast,
      );
      await this.journalWrite(() => this.db.put(journalNextKey(iss), enc(String(seq + 1)), { sync: true }));
      return seq;
    });
  }

  async recorded(slot: SigningSlot): Promise<UnsignedEnvelope | undefined> {
    if (slot.kind !== 'attestation') return undefined;
    const value = await this.db.get(journalAttestationSlotKey(slot.claimId.toLowerCase(), slot.round));
    return value === undefined ? undefined : attestationRecord(dec(value)).envelope;
  }

  async reserve(slot: SigningSlot, digest: `0x${string}`, unsigned?: UnsignedEnvelope): Promise<void> {
    this.assertCanSign();
    const d = digest.toLowerCase();
    return this.exclusive(async () => {
      this.assertCanSign();
      const ops: BatchOp[] = [];
      if (slot.kind === 'seq') {
        const iss = slot.issuer.toLowerCase();
        const [existing, high] = await this.db.getMany([
          journalSeqSlotKey(iss, slot.seq),
          journalHighKey(iss),
        ]);
        if (existing !== undefined) {
          if (dec(existing) === d) return;
          throw new EnvelopeError(
            'ENVELOPE_SLOT_CONFLICT',
            'Refusing to sign: this slot was already signed with a different digest.',
            {
              details: `slot seq|${iss}|${slot.seq}`,
              section: 'persist-then-sign',
              meta: { slot, existing: dec(existing), digest: d },
            },
          );
        }
        const highest = high === undefined ? -1 : Number(dec(high));
        if (slot.seq < highest) {
          throw new EnvelopeError(
            'ENVELOPE_SEQ_NOT_MONOTONIC',
            'Refusing to sign: seq is below one already signed.',
            {
              details: `issuer ${slot.issuer} seq ${slot.seq} < ${highest}`,
              section: 'persist-then-sign',
              meta: { slot, highest },
            },
          );
        }
        ops.push({ type: 'put', key: journalSeqSlotKey(iss, slot.seq), value: enc(d) });
        ops.push({ type: 'put', key: journalHighKey(iss), value: enc(String(slot.seq)) });
      } else {
        const key = journalAttestationSlotKey(slot.claimId.toLowerCase(), slot.round);
        const value = await this.db.get(key);
        if (value !== undefined) {
          const existing = attestationRecord(dec(value)).digest;
          if (existing === d) return;
          throw new EnvelopeError(
            'ENVELOPE_SLOT_CONFLICT',
            'Refusing to sign: this slot was already signed with a different digest.',
            {
              details: `slot attestation|${slot.claimId.toLowerCase()}|${slot.round}`,
              section: 'persist-then-sign',
              meta: { slot, existing, digest: d },
            },
          );
        }
        // The vote itself beside its digest: a restart re-signs exactly it (envelope.md#persist-then-sign).
        ops.push({
          type: 'put',
          key,
          value: enc(unsigned === undefined ? d : JSON.stringify({ digest: d, envelope: unsigned })),
        });
      }
      await this.journalWrite(() => writeBatch(this.db, ops, true));
    });
  }

  /** A signing-journal write: a failure is recorded like an append's, and thrown as a StoreError. */
  private async journalWrite(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (cause) {
      const code = this.writeFailed(cause);
      throw new StoreError(code, 'The store could not record the signing slot; nothing was signed.', {
        detail: (cause as Error).message,
        cause,
      });
    }
  }

  // ---- write failures and disk-full recovery (node.md#store) ---------------------------------

  /**
   * Records a failed write. Lack of space is `STORE_NO_SPACE` and recovers by itself; anything else is
   * `STORE_WRITE_FAILED` and stays. Either way nothing is written through this handle again: after a
   * failed write LevelDB's log may end in a torn record, so the next write goes to a reopened store,
   * whose recovery drops the torn record and nothing acknowledged before it.
   */
  private writeFailed(cause: unknown): 'STORE_NO_SPACE' | 'STORE_WRITE_FAILED' {
    const message = String((cause as Error)?.message ?? cause);
    if (!isNoSpace(cause)) {
      this.report('STORE_WRITE_FAILED', message);
      return 'STORE_WRITE_FAILED';
    }
    if (!this.issues.some((i) => i.code === 'STORE_NO_SPACE')) this.report('STORE_NO_SPACE', message);
    this.scheduleRecovery();
    return 'STORE_NO_SPACE';
  }

  /**
   * A read the engine failed: a damaged table or block makes the store unhealthy (no more signing) and
   * is answered `STORE_CORRUPTED`, never with partial data; other errors pass through.
   */
  private readFailed(cause: unknown, key: string): unknown {
    if (!isCorruption(cause)) return cause;
    if (!this.issues.some((i) => i.code === 'STORE_CORRUPTED'))
      this.report('STORE_CORRUPTED', (cause as Error).message, key);
    return new StoreError('STORE_CORRUPTED', 'The store is corrupted; this record cannot be read.', {
      detail: (cause as Error).message,
      key,
      cause,
    });
  }

  /**
   * Reads a whole (bounded) range: damage met on the way is `STORE_CORRUPTED` via `readFailed`, as for
   * single reads, never a partial page or the engine's LEVEL_CORRUPTION. `from` names the range.
   */
  private async scan<T>(range: { all(): Promise<T[]> }, from: string): Promise<T[]> {
    try {
      return await range.all();
    } catch (cause) {
      throw this.readFailed(cause, from);
    }
  }

  /** Why appends and signing are refused now: a full disk while it lasts, else damage. */
  private refusal(): { status: 'refused'; code: 'STORE_NO_SPACE' | 'STORE_UNHEALTHY'; detail: string } {
    return this.issues.some((i) => i.code === 'STORE_NO_SPACE')
      ? {
          status: 'refused',
          code: 'STORE_NO_SPACE',
          detail: 'the disk is full; writes resume once space returns',
        }
      : {
          status: 'refused',
          code: 'STORE_UNHEALTHY',
          detail: `store is damaged (${this.issues[0]?.code}); appends are refused`,
        };
  }

  private scheduleRecovery(): void {
    if (this.recovery !== undefined || this.closed) return;
    this.recovery = setTimeout(() => {
      void this.exclusive(() => this.recover()).finally(() => {
        this.recovery = undefined;
        if (this.issues.some((i) => i.code === 'STORE_NO_SPACE')) this.scheduleRecovery();
      });
    }, NO_SPACE_RETRY_MS);
    this.recovery.unref?.();
  }

  /** Reopens the store, checks its tail as at open, and proves a synced write; healthy again on success. */
  private async recover(): Promise<void> {
    if (this.closed) return;
    try {
      await this.db.close();
      await this.db.open();
      const others = this.issues.filter(
        (i) => i.code !== 'STORE_NO_SPACE' && i.code !== 'STORE_WRITE_FAILED',
      );
      this.issues = others;
      await this.loadPruned();
      await this.loadNextCursor();
      await this.checkLog(this.verifyTail);
      this.headMap.clear();
      await this.loadHeads();
      await this.loadResolvers();
      await this.holdStoredAnnouncements();
      await this.db.put(PROBE_KEY, enc(String(Date.now())), { sync: true });
      await this.db.del(PROBE_KEY, { sync: true });
    } catch (cause) {
      if (!isNoSpace(cause) && this.db.status !== 'open') {
        this.report('STORE_OPEN_FAILED', `reopening after a full disk: ${String((cause as Error)?.message)}`);
        return;
      }
      if (!this.issues.some((i) => i.code === 'STORE_NO_SPACE'))
        this.report('STORE_NO_SPACE', String((cause as Error)?.message ?? cause));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.recovery !== undefined) clearTimeout(this.recovery);
    await this.exclusive(async () => undefined);
    this.listeners.clear();
    await this.db.close();
  }
}

/** LevelDB found damaged data (a bad block, table or log record): `LEVEL_CORRUPTION`. */
function isCorruption(cause: unknown): boolean {
  for (let e: unknown = cause, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    if ((e as { code?: unknown }).code === 'LEVEL_CORRUPTION') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** A failure for lack of space: ENOSPC from Node, or LevelDB's IO error text for it. */
function isNoSpace(cause: unknown): boolean {
  for (let e: unknown = cause, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (code === 'ENOSPC' || /No space left on device|ENOSPC/i.test(String(message ?? ''))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function clampLimit(limit: number): number {
  if (!Number.isFinite(limit) || limit < 1) return 1;
  return Math.min(Math.floor(limit), MAX_PAGE);
}
