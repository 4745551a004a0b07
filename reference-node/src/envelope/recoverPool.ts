import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { getSecpBackend } from './backend.js';
import { addressOfPublicKey, recoverSigner } from './recoverSigner.js';
import type { Address } from './types.js';

/**
 * Signer recovery (rule 24's `ecrecover`) on a pool of worker threads, so that a node uses every core
 * under a burst while a lone message keeps the event loop's latency (issue 12 item 2). The pipeline asks
 * `recover(digest, sig)`:
 * - at light load (the pool idle, fewer than `inlineBelow` checks asked in this event-loop turn) the
 *   answer is computed inline, synchronously: no thread hop for a message that arrives alone;
 * - otherwise the request joins the queue, flushed at the end of the turn (or at `maxBatch`) to the
 *   workers that have no batch outstanding, one batch each (the queue shared out evenly); while every
 *   worker is busy the queue grows, and a worker that answers takes what waited, so batches grow with
 *   the burst.
 * A batch travels in memory shared with its worker (`Slot`): requests written in place, the worker woken
 * by `Atomics.notify` from `Atomics.wait`, answers written back in place. The loop learns a batch is done
 * by `Atomics.waitAsync`, or sooner by looking at each `recover` while batches are out, which costs no
 * wake-up at all while the loop is busy. No postMessage, structured clone or 'message' event per batch:
 * those cost ~75 µs of CPU a batch in all threads (issue 12; 55 µs with shared memory).
 * Tried and left out: a second batch queued on a busy worker (two regions each, the worker going on
 * without sleeping) made smaller batches and woke the loop more often: 86.3 against 80.7 µs of CPU a
 * message with one batch per worker, same run (worker sleeps 41 against 47, loop wake-ups 43 against 31
 * per 1 000 messages). With 2 cores and 3 threads a worker waiting for the loop leaves its core to it.
 * Workers run only the native libsecp256k1 recovery (the slow part: ~55 µs of a ~85 µs pipeline run);
 * the keccak of the public key, the comparison with the expected key and the verdict stay on the event
 * loop, so the pipeline's order and verdicts are the inline ones. Workers are started on the first
 * batch (an idle node pays no memory for them) and hold the process open only while they have work.
 * Where the native binding cannot load, or the active backend is not the native one, every answer is
 * inline.
 */
export interface RecoverPool {
  /** The signer of `digest` under a canonical 65-byte `r ‖ s ‖ v` signature, lower-case, or `null`. */
  recover(digest: Uint8Array, sig: Uint8Array): Address | null | Promise<Address | null>;
  /** Counters since creation: answers given inline, on a worker, and the batches sent. */
  stats(): {
    readonly inline: number;
    readonly pooled: number;
    readonly batches: number;
    readonly threads: number;
  };
  /** Stops the workers; requests still waiting are answered inline. Idempotent. */
  close(): Promise<void>;
}

export interface RecoverPoolOptions {
  /** Worker threads (default: the cores this process may use, `os.availableParallelism()`). */
  readonly threads?: number;
  /** Checks answered inline per event-loop turn while the pool is idle (default 2). */
  readonly inlineBelow?: number;
  /** Largest batch sent to one worker (default 64: ~3.5 ms of recoveries, one message each way). */
  readonly maxBatch?: number;
}

/** Bytes per request: digest (32) ‖ r ‖ s (64) ‖ recid (1). */
const REQUEST_BYTES = 97;
/** Bytes per answer: an uncompressed public key (65), all zero when no key recovers. */
const ANSWER_BYTES = 65;

// The worker is plain CommonJS given as source (`eval`), so that it runs the same whether the node runs
// from `dist/` or from the TypeScript sources (vitest, tsx): it needs only the native binding.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// The addon itself, without the package's argument checks (~1 µs a call; the requests are well formed by
// construction), when it loads; else the package's checked binding. Either leaves the answer all zero
// when no key recovers. A recovery id above 3 is refused before the addon, as the package refuses it.
let recoverInto;
try {
  const addon = new (require(workerData.gypBuild)(workerData.dir).Secp256k1)();
  recoverInto = (out, sig, recid, msg) => {
    if (recid > 3 || addon.ecdsaRecover(out, sig, recid, msg) !== 0) out.fill(0);
  };
} catch {
  const secp = require(workerData.binding);
  recoverInto = (out, sig, recid, msg) => {
    try {
      secp.ecdsaRecover(sig, recid, msg, false, out);
    } catch {
      out.fill(0);
    }
  };
}
// One batch at a time in shared memory (see \`Slot\`): wait on the request counter, recover into the answer
// area in place, publish the counter as done and wake the event loop. No message, copy or event per batch.
const { ctrl, bytes, answersAt } = workerData;
const control = new Int32Array(ctrl);
const shared = new Uint8Array(bytes);
let seen = 0;
for (;;) {
  Atomics.wait(control, 0, seen);
  seen = Atomics.load(control, 0);
  if (seen < 0) break;
  const n = control[1];
  for (let i = 0; i < n; i++) {
    const at = i * ${REQUEST_BYTES};
    const to = answersAt + i * ${ANSWER_BYTES};
    recoverInto(shared.subarray(to, to + ${ANSWER_BYTES}), shared.subarray(at + 32, at + 96), shared[at + 96],
      shared.subarray(at, at + 32));
  }
  Atomics.store(control, 2, seen);
  Atomics.notify(control, 2);
}
`;

type Pending = {
  readonly digest: Uint8Array;
  readonly sig: Uint8Array;
  readonly resolve: (a: Address | null) => void;
};
/**
 * A worker and the shared memory it works in: `control` is [request counter, batch size, done counter]
 * (Int32), `bytes` holds up to maxBatch requests and, from `answersAt`, their answers. The loop writes a
 * batch in place, bumps the request counter and notifies; the worker, blocked in `Atomics.wait`, recovers
 * into the answer area and sets the done counter to the request counter. The loop learns of it by
 * `Atomics.waitAsync` or sooner by looking (every `recover` and flush looks at the busy workers).
 */
type Slot = {
  readonly worker: Worker;
  readonly control: Int32Array;
  readonly bytes: Uint8Array;
  seq: number;
  batch: Pending[] | undefined;
  dead: boolean;
};

function nativeBindingPath(): string | null {
  try {
    return createRequire(import.meta.url).resolve('secp256k1/bindings.js');
  } catch {
    return null;
  }
}

/** The `node-gyp-build` the `secp256k1` package loads its addon with, or `null`. */
function gypBuildPath(binding: string): string | null {
  try {
    return createRequire(binding).resolve('node-gyp-build');
  } catch {
    return null;
  }
}

export function createRecoverPool(options: RecoverPoolOptions = {}): RecoverPool {
  const threads = Math.max(1, options.threads ?? os.availableParallelism());
  const inlineBelow = options.inlineBelow ?? 2;
  const maxBatch = Math.max(1, options.maxBatch ?? 64);
  const binding = nativeBindingPath();
  let slots: Slot[] | undefined;
  const queue: Pending[] = [];
  let flushScheduled = false;
  let askedThisTurn = 0;
  let turnResetScheduled = false;
  let outstanding = 0;
  let closed = false;
  const counts = { inline: 0, pooled: 0, batches: 0 };
  const answersAt = maxBatch * REQUEST_BYTES;

  const usable = (): boolean => binding !== null && !closed && getSecpBackend().name === 'native';

  const inline = (digest: Uint8Array, sig: Uint8Array): Address | null => {
    counts.inline++;
    return recoverSigner(digest, sig);
  };

  /** The worker's answers, if its batch is done: resolve them; the worker is free again. */
  const collect = (slot: Slot): boolean => {
    const batch = slot.batch;
    if (batch === undefined || Atomics.load(slot.control, 2) !== slot.seq) return false;
    slot.batch = undefined;
    outstanding -= batch.length;
    if (outstanding === 0) for (const s of slots ?? []) s.worker.unref();
    // Read in place: the worker writes here again only after the next send, and every key is read
    // (hashed to its address) before this function returns.
    const keys = slot.bytes.subarray(answersAt, answersAt + batch.length * ANSWER_BYTES);
    batch.forEach((p, i) => {
      const key = keys.subarray(i * ANSWER_BYTES, (i + 1) * ANSWER_BYTES);
      p.resolve(key[0] === 4 ? addressOfPublicKey(key) : null);
    });
    return true;
  };

  /** Looks at every busy worker; the free ones take what waited. */
  const poll = (): void => {
    let freed = false;
    for (const slot of slots ?? []) if (collect(slot)) freed = true;
    if (freed && queue.length > 0) flush();
  };

  // A worker that dies answers its batch inline: a fault of ours never changes a verdict.
  const fail = (slot: Slot): void => {
    if (slot.dead) return;
    slot.dead = true;
    slots = slots?.filter((s) => s !== slot);
    const batch = slot.batch;
    slot.batch = undefined;
    if (batch !== undefined) {
      outstanding -= batch.length;
      for (const p of batch) p.resolve(inline(p.digest, p.sig));
    }
    if (slots?.length === 0) slots = undefined;
    if (outstanding === 0) for (const s of slots ?? []) s.worker.unref();
    if (queue.length > 0 && !flushScheduled) {
      flushScheduled = true;
      setImmediate(flush); // what waited for a worker goes to the others (or inline once closed)
    }
  };

  const start = (): Slot[] =>
    Array.from({ length: threads }, () => {
      const ctrl = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
      const bytes = new SharedArrayBuffer(answersAt + maxBatch * ANSWER_BYTES);
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          binding,
          dir: path.dirname(binding!),
          gypBuild: gypBuildPath(binding!),
          ctrl,
          bytes,
          answersAt,
        },
      });
      const slot: Slot = {
        worker,
        control: new Int32Array(ctrl),
        bytes: new Uint8Array(bytes),
        seq: 0,
        batch: undefined,
        dead: false,
      };
      worker.on('error', () => fail(slot));
      worker.on('exit', () => fail(slot));
      worker.unref();
      return slot;
    });

  const send = (slot: Slot, batch: Pending[]): void => {
    const buffer = slot.bytes;
    batch.forEach((p, i) => {
      const at = i * REQUEST_BYTES;
      buffer.set(p.digest, at);
      buffer.set(p.sig.subarray(0, 64), at + 32);
      buffer[at + 96] = p.sig[64]! - 27;
    });
    if (outstanding === 0) for (const s of slots ?? []) s.worker.ref();
    outstanding += batch.length;
    counts.pooled += batch.length;
    counts.batches++;
    slot.batch = batch;
    const previous = Atomics.load(slot.control, 2); // the worker is idle: its last batch's counter
    const seq = (slot.seq + 1) & 0x3fffffff; // never negative: -1 stops the worker
    slot.seq = seq;
    Atomics.store(slot.control, 1, batch.length);
    Atomics.store(slot.control, 0, seq);
    Atomics.notify(slot.control, 0);
    const done = Atomics.waitAsync(slot.control, 2, previous);
    const wake = (): void => {
      if (slot.seq === seq && collect(slot) && queue.length > 0) flush();
    };
    if (done.async) void done.value.then(wake);
    else queueMicrotask(wake);
  };

  const flush = (): void => {
    flushScheduled = false;
    if (queue.length === 0) return;
    if (!usable()) {
      for (const p of queue.splice(0)) p.resolve(inline(p.digest, p.sig));
      return;
    }
    slots ??= start();
    // Only a worker with no batch outstanding takes one: the queue waits for the next free worker and
    // grows meanwhile, so batches grow with the burst. Sending to busy workers too made many small
    // batches (about 10 requests each with 64 checks in flight), and each batch costs a wake-up and a
    // message each way on both threads: ~10 µs of CPU per request in all (issue 12). The burst is
    // shared out over the free workers, each batch at most maxBatch.
    const free = slots.filter((s) => s.batch === undefined);
    if (free.length === 0) return; // an answer flushes again
    const size = Math.min(maxBatch, Math.ceil(queue.length / free.length));
    for (const slot of free) {
      if (queue.length === 0) break;
      send(slot, queue.splice(0, size));
    }
  };

  return {
    recover(digest, sig) {
      if (!usable()) return inline(digest, sig);
      if (!turnResetScheduled) {
        turnResetScheduled = true;
        setImmediate(() => {
          askedThisTurn = 0;
          turnResetScheduled = false;
        });
      }
      askedThisTurn++;
      if (outstanding > 0) poll(); // answers ready need no wake-up while the loop is busy anyway
      if (outstanding === 0 && queue.length === 0 && askedThisTurn <= inlineBelow) return inline(digest, sig);
      return new Promise<Address | null>((resolve) => {
        queue.push({ digest, sig, resolve });
        if (queue.length >= maxBatch) flush();
        else if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      });
    },
    stats: () => ({ ...counts, threads: slots?.length ?? 0 }),
    async close() {
      if (closed) return;
      closed = true;
      flush();
      const running = slots ?? [];
      slots = undefined;
      for (const slot of running) {
        fail(slot);
        Atomics.store(slot.control, 0, -1);
        Atomics.notify(slot.control, 0);
      }
      await Promise.all(running.map((s) => s.worker.terminate()));
    },
  };
}

let shared: RecoverPool | undefined;

/**
 * The process's one pool, which every node of the process shares (a test or bench network of 100
 * in-process nodes still runs one worker per core). Never closed: its idle workers do not hold the
 * process open.
 */
export function sharedRecoverPool(): RecoverPool {
  shared ??= createRecoverPool();
  return shared;
}
