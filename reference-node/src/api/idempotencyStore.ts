/**
 * Idempotency records of the write routes (spec/v1/api.md#idempotency), durable across a crash.
 *
 * A record is written (fsync) BEFORE the node signs: `pending`, with the request's digest and the
 * node's own head seq at that moment. It becomes `done` (message id, seq) once the message is durably
 * stored, before the answer is sent. After a crash a retry that finds a `pending` record looks for the
 * message among the node's own messages above that head — signed and stored just before the crash —
 * and answers with it; only when there is none does it sign. So neither an acknowledged request nor one
 * cut off between the store's write and the answer is ever signed twice.
 *
 * The reference keeps the last `IDEMPOTENCY_CAPACITY` keys (oldest dropped first).
 */
import { ClassicLevel } from 'classic-level';

export type IdempotencyRecord =
  | { readonly state: 'pending'; readonly digest: string; readonly afterSeq: number }
  | { readonly state: 'done'; readonly digest: string; readonly messageId: string; readonly seq: number }
  /** A multisig member's node (node.md#multisig-members): the answer is the proposal `proposalId`. */
  | {
      readonly state: 'proposed';
      readonly digest: string;
      readonly proposalId: string;
      readonly seq: number;
    };

export interface IdempotencyStore {
  get(key: string): Promise<IdempotencyRecord | undefined>;
  /** Durable before it resolves. */
  put(key: string, record: IdempotencyRecord): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/** [sfr] Keys remembered; api.md promises at least this many of the most recent. */
export const IDEMPOTENCY_CAPACITY = 10_000;

/** In memory: a node without a data directory (tests of the API alone, the harness). */
export function memoryIdempotencyStore(capacity = IDEMPOTENCY_CAPACITY): IdempotencyStore {
  const records = new Map<string, IdempotencyRecord>();
  return {
    get: async (key) => records.get(key),
    async put(key, record) {
      records.delete(key);
      records.set(key, record);
      if (records.size > capacity) records.delete(records.keys().next().value!);
    },
    async delete(key) {
      records.delete(key);
    },
    async close() {},
  };
}

const RECORD = 'k:';
const ORDER = 'o:';
const orderKey = (n: number): string => `${ORDER}${n.toString().padStart(16, '0')}`;

/** LevelDB in `dir` (the node's `<dataDir>/idempotency`); every write is `sync`. */
export async function openIdempotencyStore(
  dir: string,
  capacity = IDEMPOTENCY_CAPACITY,
): Promise<IdempotencyStore> {
  const db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  await db.open({ createIfMissing: true });
  // The order index: o:<n> -> key, n increasing with each first insertion of a key.
  let next = 0;
  let count = 0;
  for await (const [k] of db.iterator({ gte: ORDER, lt: `${ORDER}~` })) {
    next = Number(k.slice(ORDER.length)) + 1;
    count++;
  }
  // Writes one at a time, so that the count and the eviction scan see each other's batches.
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const r = tail.then(f);
    tail = r.catch(() => {});
    return r;
  };
  const read = async (key: string): Promise<(IdempotencyRecord & { order: number }) | undefined> => {
    const raw = await db.get(`${RECORD}${key}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as IdempotencyRecord & { order: number });
  };
  return {
    async get(key) {
      const r = await read(key);
      if (r === undefined) return undefined;
      const { order: _order, ...record } = r;
      return record as IdempotencyRecord;
    },
    put: (key, record) =>
      serial(async () => {
        const existing = await read(key);
        const order = existing?.order ?? next++;
        const batch = db.batch().put(`${RECORD}${key}`, JSON.stringify({ ...record, order }));
        if (existing === undefined) {
          batch.put(orderKey(order), key);
          count++;
        }
        // Drop the oldest keys beyond capacity in the same atomic batch.
        if (count > capacity) {
          for await (const [k, victim] of db.iterator({
            gte: ORDER,
            lt: `${ORDER}~`,
            limit: count - capacity,
          })) {
            batch.del(k);
            if (victim !== key) batch.del(`${RECORD}${victim}`);
            count--;
          }
        }
        await batch.write({ sync: true });
      }),
    delete: (key) =>
      serial(async () => {
        const existing = await read(key);
        if (existing === undefined) return;
        await db.batch().del(`${RECORD}${key}`).del(orderKey(existing.order)).write({ sync: true });
        count--;
      }),
    close: () => serial(() => db.close()),
  };
}
