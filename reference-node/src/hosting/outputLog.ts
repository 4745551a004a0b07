/**
 * The host's durable record of adapter output keys (crash-safe, append-only JSON lines, fsync'd).
 *
 * Before an output is published the host appends `{k, s: 'pending', p, after}` (the exact payload and
 * the member's head seq at that moment); after `node.publish` returns it appends
 * `{k, s: 'done', id}`. After a crash between the two, `recover()` looks for the pending payload
 * among the member's own messages signed after `after`: found → marked done (no duplicate);
 * not found → published again with the same payload (no miss).
 *
 * On a multisig member's node an output is first held as a proposal its owners co-sign
 * (node.md#multisig-members): the host appends `{k, s: 'proposed', id}` and keeps polling; the output
 * stays pending, with its proposal id, until the proposal is published (`done`) or expires (`refused`),
 * and a restart follows that proposal instead of proposing the output again.
 *
 * For every RecoveryEvent recorded done it keeps the message id and the (chain, block) of each
 * evidence ref, so that a reorg can find the events whose evidence lies above its ancestor
 * (adapters.md#retracting-reorged-events) without reading the member's whole history.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface PendingOutput {
  readonly key: string;
  readonly type: string;
  readonly payload: Record<string, unknown>;
  /** The member's head seq just before publishing (0 when none). */
  readonly after: number;
  /** The proposal holding it, on a multisig member's node (node.md#multisig-members). */
  readonly proposal?: string;
}

/** A RecoveryEvent the host published: its key, message id and where its evidence lies. */
export interface PublishedEvent {
  readonly key: string;
  readonly messageId: string;
  readonly evidence: readonly { readonly chain: string; readonly blockNumber: number }[];
}

type Line =
  | { k: string; s: 'pending'; t: string; p: Record<string, unknown>; after: number }
  | { k: string; s: 'proposed'; id: string }
  | { k: string; s: 'done'; id: string }
  | { k: string; s: 'refused'; code: string };

export interface OutputLog {
  /** Keys published (or found published) already. */
  has(key: string): boolean;
  /** Outputs recorded pending but never marked done (a crash between publish and record). */
  pending(): PendingOutput[];
  markPending(entry: PendingOutput): Promise<void>;
  /** A pending output is held as proposal `proposalId`, waiting for its owners' signatures. */
  markProposed(key: string, proposalId: string): Promise<void>;
  markDone(key: string, messageId: string): Promise<void>;
  /**
   * The node refused to sign/accept this output (a permanent verdict on the payload), or its proposal
   * expired unsigned: never retried.
   */
  markRefused(key: string, code: string): Promise<void>;
  pendingOf(key: string): PendingOutput | undefined;
  messageIdOf(key: string): string | undefined;
  /** The RecoveryEvents published (or found published), in the order they were recorded done. */
  publishedEvents(): readonly PublishedEvent[];
  readonly size: number;
  close(): Promise<void>;
}

export async function openOutputLog(path: string): Promise<OutputLog> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const done = new Map<string, string>();
  const open_ = new Map<string, PendingOutput>();
  const events = new Map<string, PublishedEvent>();
  const recordEvent = (entry: PendingOutput | undefined, messageId: string): void => {
    if (entry?.type !== 'RecoveryEvent') return;
    events.set(entry.key, { key: entry.key, messageId, evidence: evidenceBlocks(entry.payload) });
  };
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  for (const raw of text.split('\n')) {
    if (raw.length === 0) continue;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      continue; // a torn last line (crash mid-append): its fsync never completed, so nothing acted on it
    }
    if (line.s === 'pending' && typeof line.k === 'string') {
      open_.set(line.k, { key: line.k, type: line.t, payload: line.p, after: line.after });
    } else if (line.s === 'proposed' && typeof line.k === 'string') {
      const entry = open_.get(line.k);
      if (entry !== undefined) open_.set(line.k, { ...entry, proposal: line.id });
    } else if (line.s === 'done' && typeof line.k === 'string') {
      recordEvent(open_.get(line.k), line.id);
      open_.delete(line.k);
      done.set(line.k, line.id);
    } else if (line.s === 'refused' && typeof line.k === 'string') {
      open_.delete(line.k);
      done.set(line.k, `refused:${line.code}`);
    }
  }
  // A torn tail without a newline would glue onto the next append: start on a fresh line.
  const handle = await open(path, 'a', 0o600);
  if (text.length > 0 && !text.endsWith('\n')) await handle.write('\n');
  let chain: Promise<void> = Promise.resolve();
  const append = (line: Line): Promise<void> => {
    const next = chain.then(async () => {
      await handle.write(`${JSON.stringify(line)}\n`);
      await handle.sync();
    });
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    has: (key) => done.has(key),
    pending: () => [...open_.values()],
    async markPending(entry) {
      await append({ k: entry.key, s: 'pending', t: entry.type, p: entry.payload, after: entry.after });
      open_.set(entry.key, entry);
    },
    async markProposed(key, proposalId) {
      const entry = open_.get(key);
      if (entry === undefined) return;
      await append({ k: key, s: 'proposed', id: proposalId });
      open_.set(key, { ...entry, proposal: proposalId });
    },
    async markDone(key, messageId) {
      await append({ k: key, s: 'done', id: messageId });
      recordEvent(open_.get(key), messageId);
      open_.delete(key);
      done.set(key, messageId);
    },
    async markRefused(key, code) {
      await append({ k: key, s: 'refused', code });
      open_.delete(key);
      done.set(key, `refused:${code}`);
    },
    pendingOf: (key) => open_.get(key),
    messageIdOf: (key) => done.get(key),
    publishedEvents: () => [...events.values()],
    get size() {
      return done.size;
    },
    async close() {
      await chain;
      await handle.close();
    },
  };
}

/** The (chain, block number) of each well-formed evidence ref of a RecoveryEvent payload. */
function evidenceBlocks(payload: Record<string, unknown>): PublishedEvent['evidence'] {
  const refs = Array.isArray(payload['evidence']) ? (payload['evidence'] as unknown[]) : [];
  return refs.flatMap((r) => {
    const ref = r as { chain?: unknown; blockNumber?: unknown } | null;
    return typeof ref?.chain === 'string' && Number.isSafeInteger(ref.blockNumber)
      ? [{ chain: ref.chain, blockNumber: ref.blockNumber as number }]
      : [];
  });
}

/** JSON with object keys sorted: equal for equal JSON values whatever their key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
