/**
 * Bounded FIFO queue per topic between the gossip router and the validation pipeline
 * (spec/v1/p2p.md#queues). Drop policy: TAIL DROP — an item offered to a full queue is refused at once
 * (the caller answers IGNORE `GOSSIP_QUEUE_FULL`); an item that waited longer than `maxWaitMs` is handed
 * to `onStale` instead of the worker (IGNORE `GOSSIP_QUEUE_STALE`). Items are started in arrival order by
 * at most `concurrency` workers at a time (default 1): the CPU-bound checks run one after another anyway,
 * while several items can wait on the store together, so its group commit shares one fsync among them.
 */
export interface TopicQueueOptions<T> {
  readonly capacity: number;
  readonly maxWaitMs: number;
  readonly worker: (item: T) => Promise<void>;
  readonly onStale: (item: T) => void;
  /** Items handed to the worker and not yet finished, at most. Default 1. */
  readonly concurrency?: number;
  readonly now?: () => number;
}

export class TopicQueue<T> {
  readonly #items: Array<{ item: T; at: number }> = [];
  #head = 0;
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
    return this.#items.length - this.#head;
  }

  /** Items refused because the queue was full, since creation. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Offers an item; false when the queue is full or stopped (the item was not taken). */
  offer(item: T): boolean {
    if (this.#stopped || this.length >= this.#opts.capacity) {
      this.#dropped++;
      return false;
    }
    this.#items.push({ item, at: this.#now() });
    this.#pump();
    return true;
  }

  /** Stops taking items and returns those still queued (the caller answers them). */
  stop(): T[] {
    this.#stopped = true;
    const rest = this.#items.slice(this.#head).map((e) => e.item);
    this.#items.length = 0;
    this.#head = 0;
    return rest;
  }

  /** Resolves when the queue is empty and its worker idle. */
  onIdle(): Promise<void> {
    if (!this.#running && this.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    const concurrency = this.#opts.concurrency ?? 1;
    while (this.#active < concurrency && this.#head < this.#items.length) {
      const entry = this.#items[this.#head] as { item: T; at: number };
      this.#head++;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items.splice(0, this.#head);
        this.#head = 0;
      }
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
