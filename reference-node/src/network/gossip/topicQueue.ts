/**
 * Bounded queue per topic between the gossip router and the validation pipeline
 * (spec/v1/p2p.md#queues). Items are grouped by a key (the issuer an envelope names, `keyOf`) and
 * started round-robin over the keys, oldest first within a key, so that one issuer's flood cannot hold
 * another issuer's message behind it. Drop policy at a full queue: the newest item of the key holding the
 * most items is pushed out (`onEvicted`; the caller answers IGNORE `GOSSIP_QUEUE_FULL`), unless that key
 * is the arriving item's own, in which case the arrival is refused at once (tail drop). Without `keyOf`
 * every item has one key: a plain FIFO with tail drop. An item that waited longer than `maxWaitMs` is
 * handed to `onStale` instead of the worker (IGNORE `GOSSIP_QUEUE_STALE`). At most `concurrency` workers
 * run at a time (default 1): the CPU-bound checks run one after another anyway, while several items can
 * wait on the store together, so its group commit shares one fsync among them.
 */
export interface TopicQueueOptions<T> {
  readonly capacity: number;
  readonly maxWaitMs: number;
  readonly worker: (item: T) => Promise<void>;
  readonly onStale: (item: T) => void;
  /** The group an item is served in turn with (p2p.md#queues: the issuer it names). Default: one group. */
  readonly keyOf?: (item: T) => string;
  /** An item pushed out of a full queue to make room for another key's item. */
  readonly onEvicted?: (item: T) => void;
  /** Items handed to the worker and not yet finished, at most. Default 1. */
  readonly concurrency?: number;
  readonly now?: () => number;
}

interface Entry<T> {
  readonly item: T;
  readonly at: number;
}

/** A FIFO of one key: a head index instead of `shift()`, compacted when half is consumed. */
class Lane<T> {
  entries: Array<Entry<T>> = [];
  head = 0;
  get length(): number {
    return this.entries.length - this.head;
  }
  take(): Entry<T> {
    const e = this.entries[this.head] as Entry<T>;
    this.head++;
    if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    return e;
  }
}

export class TopicQueue<T> {
  /** Lanes with at least one item, in the order they are served (a key is re-appended after its turn). */
  readonly #lanes = new Map<string, Lane<T>>();
  #length = 0;
  #running = false;
  #active = 0;
  #stopped = false;
  #idle: Array<() => void> = [];
  readonly #opts: TopicQueueOptions<T>;
  readonly #now: () => number;
  #dropped = 0;

  constructor(opts: TopicQueueOptions<T>) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  get length(): number {
    return this.#length;
  }

  /** Items refused or pushed out because the queue was full, since creation. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Offers an item; false when the queue is full of its own key's items or stopped (the item was not taken). */
  offer(item: T): boolean {
    if (this.#stopped) {
      this.#dropped++;
      return false;
    }
    const key = this.#opts.keyOf?.(item) ?? '';
    if (this.#length >= this.#opts.capacity && !this.#evictFor(key)) {
      this.#dropped++;
      return false;
    }
    let lane = this.#lanes.get(key);
    if (lane === undefined) {
      lane = new Lane<T>();
      this.#lanes.set(key, lane);
    }
    lane.entries.push({ item, at: this.#now() });
    this.#length++;
    this.#pump();
    return true;
  }

  /** Stops taking items and returns those still queued (the caller answers them). */
  stop(): T[] {
    this.#stopped = true;
    const rest: T[] = [];
    for (const lane of this.#lanes.values()) for (const e of lane.entries.slice(lane.head)) rest.push(e.item);
    this.#lanes.clear();
    this.#length = 0;
    return rest;
  }

  /** Resolves when the queue is empty and its worker idle. */
  onIdle(): Promise<void> {
    if (!this.#running && this.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Pushes out the newest item of the longest lane if that lane is not `key`'s; true when room was made. */
  #evictFor(key: string): boolean {
    let longest: Lane<T> | undefined;
    for (const lane of this.#lanes.values())
      if (longest === undefined || lane.length > longest.length) longest = lane;
    const own = this.#lanes.get(key);
    if (longest === undefined || longest === own || longest.length <= (own?.length ?? 0)) return false;
    const victim = longest.entries.pop() as Entry<T>;
    this.#length--;
    this.#dropped++;
    this.#opts.onEvicted?.(victim.item);
    return true;
  }

  /** The next entry, round-robin over the lanes. */
  #next(): Entry<T> | undefined {
    for (const [key, lane] of this.#lanes) {
      this.#lanes.delete(key);
      if (lane.length === 0) continue;
      const e = lane.take();
      this.#length--;
      if (lane.length > 0) this.#lanes.set(key, lane); // to the back of the round
      return e;
    }
    return undefined;
  }

  #pump(): void {
    const concurrency = this.#opts.concurrency ?? 1;
    while (this.#active < concurrency) {
      const entry = this.#next();
      if (entry === undefined) break;
      if (this.#now() - entry.at > this.#opts.maxWaitMs) {
        this.#opts.onStale(entry.item);
        continue;
      }
      this.#active++;
      let work: Promise<void>;
      try {
        work = this.#opts.worker(entry.item);
      } catch {
        work = Promise.resolve();
      }
      // The worker answers its own errors; a throw or rejection must not stop the queue.
      void work
        .catch(() => {})
        .finally(() => {
          this.#active--;
          this.#pump();
        });
    }
    this.#running = this.#active > 0;
    if (!this.#running && this.length === 0) {
      const waiters = this.#idle;
      this.#idle = [];
      for (const w of waiters) w();
    }
  }
}
