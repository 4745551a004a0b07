import type { Refusal } from './outcome.js';

/**
 * Bounded memory of message ids already decided (spec/v1/p2p.md#validation, rule "seen"): the id
 * of an accepted message maps to `null`, a rejected one to its refusal so a re-sent bad message costs
 * a map lookup. Insertion-ordered; beyond `capacity` the oldest entry is evicted, and entries older
 * than `ttlMs` are treated as absent (the store by (issuer, seq) remains the durable dedup).
 */
export class SeenCache {
  readonly #entries = new Map<string, { at: number; verdict: Refusal | null }>();
  readonly #capacity: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { capacity: number; ttlMs: number; now?: () => number }) {
    this.#capacity = options.capacity;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** `undefined` = not seen; `null` = seen and accepted; a refusal = seen and refused. */
  get(id: string): Refusal | null | undefined {
    const e = this.#entries.get(id);
    if (e === undefined) return undefined;
    if (this.#now() - e.at > this.#ttlMs) {
      this.#entries.delete(id);
      return undefined;
    }
    return e.verdict;
  }

  set(id: string, verdict: Refusal | null): void {
    this.#entries.delete(id);
    this.#entries.set(id, { at: this.#now(), verdict });
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
