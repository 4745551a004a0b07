/**
 * Rule 24's recovery on worker threads (issue 12 item 2) gives exactly the inline answer: the signer for
 * a good signature, another address for a tampered digest, `null` where no key recovers; inline at light
 * load, batched on the workers under a burst, inline again once closed.
 */
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createRecoverPool,
  deriveTestKey,
  getCryptoBackend,
  getSecpBackend,
  hexToBytes,
  recoverSigner,
} from '../../src/envelope/index.js';

const KEYS = Array.from({ length: 4 }, (_, i) => deriveTestKey(`sfr-recover-pool-${i}`));

/** `count` (digest, 65-byte signature) pairs: good ones, tampered digests, and an r that is no x. */
function cases(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const key = KEYS[i % KEYS.length]!;
    const digest = new Uint8Array(randomBytes(32));
    const { signature, recid } = getSecpBackend().sign(digest, hexToBytes(key.privateKey)!);
    const sig = new Uint8Array(65);
    sig.set(signature);
    sig[64] = recid + 27;
    if (i % 5 === 3) digest[0]! ^= 1; // another digest: recovers some other key
    if (i % 7 === 5) sig.fill(0xff, 0, 32); // r ≥ p: no point, no key
    if (i % 11 === 7) sig[64] = i % 2 === 0 ? 0 : 31; // v out of 27/28: recovery id 229 or 4, no key
    return { digest, sig, expected: recoverSigner(digest, sig), signer: key.address.toLowerCase() };
  });
}

describe.skipIf(!getCryptoBackend().available.native)('createRecoverPool', () => {
  const pool = createRecoverPool({ threads: 2, inlineBelow: 1, maxBatch: 16 });
  afterAll(() => pool.close());

  it('answers a lone request inline, synchronously', () => {
    const [c] = cases(1);
    const answer = pool.recover(c!.digest, c!.sig);
    expect(answer).not.toBeInstanceOf(Promise);
    expect(answer).toBe(c!.signer);
    expect(pool.stats()).toMatchObject({ inline: 1, pooled: 0, threads: 0 });
  });

  it('answers a burst on the workers, in batches, each answer the inline one', async () => {
    const burst = cases(200);
    const answers = await Promise.all(burst.map((c) => pool.recover(c.digest, c.sig)));
    expect(answers).toEqual(burst.map((c) => c.expected));
    expect(answers.filter((a) => a === null).length).toBeGreaterThan(0);
    const stats = pool.stats();
    expect(stats.threads).toBe(2);
    expect(stats.pooled).toBeGreaterThanOrEqual(190);
    expect(stats.batches).toBeLessThan(stats.pooled);
    expect(stats.batches).toBeGreaterThanOrEqual(Math.ceil(stats.pooled / 16));
    // A worker with a batch outstanding takes no other: the first 16 went out as two batches of 8, the rest
    // waited and left in batches of 16 as the workers answered (sending to busy workers too made 26
    // batches of at most 8 here: a wake-up and a message each way per batch).
    expect(stats.batches).toBeLessThanOrEqual(Math.ceil(stats.pooled / 16) + 3);
  });

  it('answers inline once closed, the same', async () => {
    await pool.close();
    const burst = cases(20);
    const answers = await Promise.all(burst.map((c) => pool.recover(c.digest, c.sig)));
    expect(answers).toEqual(burst.map((c) => c.expected));
    expect(pool.stats().threads).toBe(0);
  });
});

describe.skipIf(!getCryptoBackend().available.native)('createRecoverPool, a worker dies', () => {
  it("answers the dead worker's batch inline and the rest on the others, each the inline answer", async () => {
    // The pool's workers, seen as the pool subscribes to their 'exit' event.
    const workers: Worker[] = [];
    const on = Worker.prototype.on;
    Worker.prototype.on = function (
      this: Worker,
      event: string | symbol,
      // biome-ignore lint/suspicious/noExplicitAny: the overloads of Worker#on take listeners of any arguments
      listener: (...args: any[]) => void,
    ) {
      if (event === 'exit' && !workers.includes(this)) workers.push(this);
      return on.call(this, event, listener);
    } as typeof on;
    const pool = createRecoverPool({ threads: 2, inlineBelow: 1, maxBatch: 16 });
    try {
      const burst = cases(200);
      const pending = burst.map((c) => pool.recover(c.digest, c.sig));
      await new Promise((resolve) => setImmediate(resolve)); // the first batches are out
      expect(workers.length).toBe(2);
      await workers[0]!.terminate();
      expect(await Promise.all(pending)).toEqual(burst.map((c) => c.expected));
      expect(pool.stats().threads).toBe(1);
      expect(pool.stats().inline).toBeGreaterThan(1); // the lone first request, then the dead worker's batch
      const again = cases(50);
      expect(await Promise.all(again.map((c) => pool.recover(c.digest, c.sig)))).toEqual(
        again.map((c) => c.expected),
      );
    } finally {
      Worker.prototype.on = on;
      await pool.close();
    }
  });
});
