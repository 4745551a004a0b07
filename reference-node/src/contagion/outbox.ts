/**
 * The durable outbox (spec/v1/contagion.md#durable-outbox): one JSON file per pending delivery in
 * `<dataDir>/contagion/outbox/`, written to a temporary file, fsync'd, renamed into place, and the
 * folder fsync'd; removed once delivered; moved to `dead/` when it will never be delivered. A
 * restart (even after kill -9) finds every delivery that was enqueued and not yet acknowledged.
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export interface OutboxEntry {
  /** Deterministic: the same event for the same webhook always has the same id (the idempotency key). */
  readonly deliveryId: string;
  readonly url: string;
  readonly event: string;
  /** The exact JSON body POSTed (signed per attempt with a fresh timestamp). */
  readonly body: string;
  readonly createdAt: number;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError?: string;
}

const ID_RE = /^[0-9a-f]{64}$/;

async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

async function writeDurable(dir: string, name: string, text: string): Promise<void> {
  const tmp = path.join(dir, `.${name}.tmp`);
  const h = await open(tmp, 'w', 0o600);
  try {
    await h.writeFile(text);
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, path.join(dir, name));
  await fsyncDir(dir);
}

export interface Outbox {
  readonly dir: string;
  /** Persists an entry; false when an entry with this id is already pending (at-least-once, no duplicate). */
  add(entry: OutboxEntry): Promise<boolean>;
  update(entry: OutboxEntry): Promise<void>;
  remove(deliveryId: string): Promise<void>;
  /** Moves an entry to `dead/` with the reason. */
  bury(entry: OutboxEntry, code: string): Promise<void>;
  /** Every pending entry, oldest first; unreadable files are buried and reported. */
  load(): Promise<{ entries: OutboxEntry[]; unreadable: string[] }>;
  has(deliveryId: string): boolean;
}

export async function openOutbox(dataDir: string): Promise<Outbox> {
  const dir = path.join(dataDir, 'contagion', 'outbox');
  const dead = path.join(dir, 'dead');
  await mkdir(dead, { recursive: true, mode: 0o700 });
  const pending = new Set<string>();
  const remove = async (deliveryId: string): Promise<void> => {
    pending.delete(deliveryId);
    await rm(path.join(dir, `${deliveryId}.json`), { force: true });
    await fsyncDir(dir);
  };
  return {
    dir,
    async add(entry) {
      if (!ID_RE.test(entry.deliveryId)) throw new Error(`bad delivery id ${entry.deliveryId}`);
      if (pending.has(entry.deliveryId)) return false;
      pending.add(entry.deliveryId);
      try {
        await writeDurable(dir, `${entry.deliveryId}.json`, JSON.stringify(entry));
      } catch (e) {
        pending.delete(entry.deliveryId);
        throw e;
      }
      return true;
    },
    async update(entry) {
      await writeDurable(dir, `${entry.deliveryId}.json`, JSON.stringify(entry));
    },
    remove,
    async bury(entry, code) {
      await writeDurable(dead, `${entry.deliveryId}.json`, JSON.stringify({ ...entry, deadCode: code }));
      await remove(entry.deliveryId);
    },
    async load() {
      const entries: OutboxEntry[] = [];
      const unreadable: string[] = [];
      for (const name of await readdir(dir)) {
        const full = path.join(dir, name);
        if (name.startsWith('.') && name.endsWith('.tmp')) {
          // A torn write from a crash before rename: the entry was never acknowledged as enqueued.
          await rm(full, { force: true });
          continue;
        }
        if (!name.endsWith('.json')) continue;
        try {
          const e = JSON.parse(await readFile(full, 'utf8')) as OutboxEntry;
          if (
            !ID_RE.test(e.deliveryId) ||
            typeof e.url !== 'string' ||
            typeof e.body !== 'string' ||
            typeof e.event !== 'string' ||
            !Number.isSafeInteger(e.attempts) ||
            !Number.isSafeInteger(e.nextAttemptAt)
          )
            throw new Error('not an outbox entry');
          entries.push(e);
          pending.add(e.deliveryId);
        } catch {
          unreadable.push(name);
          await rename(full, path.join(dead, name)).catch(() => {});
        }
      }
      entries.sort((a, b) => a.createdAt - b.createdAt);
      return { entries, unreadable };
    },
    has: (id) => pending.has(id),
  };
}
