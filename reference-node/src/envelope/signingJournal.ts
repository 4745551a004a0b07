import { closeSync, fsyncSync, openSync } from 'node:fs';
import { type FileHandle, open, readFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import { EnvelopeError } from './errors.js';
import type { Address, Hex, UnsignedEnvelope } from './types.js';

/** What a signature is about to be made for (envelope.md#persist-then-sign). */
export type SigningSlot =
  | { kind: 'seq'; issuer: Address; seq: number }
  | { kind: 'attestation'; claimId: Hex; round: number };

/**
 * Persist-then-sign guard (the EIP-3076 discipline). `reserve` MUST durably record `slot` with
 * the digest about to be signed before it resolves, and MUST reject with `EnvelopeError`
 * `ENVELOPE_SLOT_CONFLICT` if the slot already holds a different digest, or
 * `ENVELOPE_SEQ_NOT_MONOTONIC` for a `seq` slot below one already reserved for that issuer.
 * Reserving the same slot with the same digest again resolves (re-signing is deterministic).
 *
 * `unsigned` is the envelope about to be signed. A journal that keeps it with an `attestation` slot
 * answers `recorded` with it, so a signer restarted after a crash between the record and the send
 * re-signs exactly the recorded vote (same seq, issuedAt and payload: the same digest) instead of
 * building a new one the slot would refuse (envelope.md#persist-then-sign).
 */
export interface SigningJournal {
  reserve(slot: SigningSlot, digest: Hex, unsigned?: UnsignedEnvelope): Promise<void>;
  /** The envelope recorded with `slot`, if the journal keeps it (attestation slots). */
  recorded?(slot: SigningSlot): Promise<UnsignedEnvelope | undefined>;
}

export function slotKey(slot: SigningSlot): string {
  return slot.kind === 'seq'
    ? `seq|${slot.issuer.toLowerCase()}|${slot.seq}`
    : `attestation|${slot.claimId.toLowerCase()}|${slot.round}`;
}

type Entry = { slot: SigningSlot; digest: Hex; envelope?: UnsignedEnvelope };

/** The slot bookkeeping shared by the in-memory and the file journal. */
class SlotBook {
  readonly digests = new Map<string, Hex>();
  readonly highestSeq = new Map<string, number>();
  readonly envelopes = new Map<string, UnsignedEnvelope>();

  /** `'new'`, `'same'` (already reserved with this digest), or throws. */
  check(slot: SigningSlot, digest: Hex): 'new' | 'same' {
    const key = slotKey(slot);
    const existing = this.digests.get(key);
    if (existing !== undefined) {
      if (existing === digest.toLowerCase()) return 'same';
      throw new EnvelopeError(
        'ENVELOPE_SLOT_CONFLICT',
        'Refusing to sign: this slot was already signed with a different digest.',
        {
          details: `slot ${key}`,
          section: 'persist-then-sign',
          meta: { slot, existing, digest },
        },
      );
    }
    if (slot.kind === 'seq') {
      const highest = this.highestSeq.get(slot.issuer.toLowerCase());
      if (highest !== undefined && slot.seq < highest) {
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
    }
    return 'new';
  }

  add(entry: Entry): void {
    this.digests.set(slotKey(entry.slot), entry.digest.toLowerCase() as Hex);
    if (entry.envelope !== undefined) this.envelopes.set(slotKey(entry.slot), entry.envelope);
    if (entry.slot.kind === 'seq') {
      const issuer = entry.slot.issuer.toLowerCase();
      this.highestSeq.set(issuer, Math.max(this.highestSeq.get(issuer) ?? -1, entry.slot.seq));
    }
  }
}

/** Serializes async operations (one reservation at a time). */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * An in-memory journal: the slot rules without durability. For tests, vector generation and the
 * conformance harness only; a node MUST use a durable journal.
 */
export function createMemorySigningJournal(): SigningJournal & { readonly size: number } {
  const book = new SlotBook();
  return {
    async reserve(slot, digest, unsigned) {
      if (book.check(slot, digest) === 'new') book.add(entryOf(slot, digest, unsigned));
    },
    async recorded(slot) {
      return book.envelopes.get(slotKey(slot));
    },
    get size() {
      return book.digests.size;
    },
  };
}

/** The journal entry for a reservation: the envelope is kept with an attestation slot only. */
function entryOf(slot: SigningSlot, digest: Hex, unsigned: UnsignedEnvelope | undefined): Entry {
  return {
    slot,
    digest: digest.toLowerCase() as Hex,
    ...(slot.kind === 'attestation' && unsigned !== undefined ? { envelope: unsigned } : {}),
  };
}

function parseEntry(line: string, lineNo: number, file: string): Entry {
  try {
    const v = JSON.parse(line) as Entry;
    const s = v.slot as Partial<{
      kind: string;
      issuer: string;
      seq: number;
      claimId: string;
      round: number;
    }>;
    const okDigest = typeof v.digest === 'string' && /^0x[0-9a-f]{64}$/.test(v.digest);
    const okEnvelope = v.envelope === undefined || (typeof v.envelope === 'object' && v.envelope !== null);
    const okSlot =
      (s.kind === 'seq' && typeof s.issuer === 'string' && Number.isSafeInteger(s.seq)) ||
      (s.kind === 'attestation' && typeof s.claimId === 'string' && Number.isSafeInteger(s.round));
    if (okDigest && okSlot && okEnvelope) return v;
  } catch {
    // fall through
  }
  throw new EnvelopeError('ENVELOPE_JOURNAL_CORRUPT', 'The signing journal has an unreadable entry.', {
    details: `${file} line ${lineNo}`,
    section: 'persist-then-sign',
  });
}

export type FileSigningJournal = SigningJournal & {
  readonly path: string;
  readonly size: number;
  close(): Promise<void>;
};

/**
 * A durable journal: an append-only JSON-lines file, fsynced before `reserve` resolves, so
 * that a slot reported reserved survives kill -9 and power loss. A torn last line (a write
 * cut short by a crash, never acknowledged) is truncated away on open; any other unreadable
 * line refuses to open (`ENVELOPE_JOURNAL_CORRUPT`). One process per file.
 */
export async function openFileSigningJournal(file: string): Promise<FileSigningJournal> {
  const book = new SlotBook();
  let text = '';
  let existed = true;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    existed = false;
  }
  const lastNewline = text.lastIndexOf('\n');
  const complete = lastNewline < 0 ? '' : text.slice(0, lastNewline);
  if (lastNewline + 1 < text.length) {
    await truncate(file, Buffer.byteLength(text.slice(0, lastNewline + 1)));
  }
  if (complete.length > 0) {
    complete.split('\n').forEach((line, i) => {
      book.add(parseEntry(line, i + 1, file));
    });
  }
  const handle: FileHandle = await open(file, 'a', 0o600);
  if (!existed) {
    // Make the new directory entry itself durable.
    const dir = openSync(path.dirname(path.resolve(file)), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }
  const mutex = new Mutex();
  let closed = false;
  return {
    path: file,
    get size() {
      return book.digests.size;
    },
    async recorded(slot) {
      return book.envelopes.get(slotKey(slot));
    },
    reserve(slot, digest, unsigned) {
      return mutex.run(async () => {
        if (closed) throw new Error('signing journal is closed');
        if (book.check(slot, digest) === 'same') return;
        const entry = entryOf(slot, digest, unsigned);
        try {
          await handle.write(`${JSON.stringify(entry)}\n`);
          await handle.datasync();
        } catch (error) {
          // The file may now end in a partial line: stop here; reopening truncates it.
          closed = true;
          throw error;
        }
        book.add(entry);
      });
    },
    close() {
      return mutex.run(async () => {
        if (closed) return;
        closed = true;
        await handle.close();
      });
    },
  };
}
