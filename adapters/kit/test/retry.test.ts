import { HttpRequestError } from 'viem';
import { describe, expect, it } from 'vitest';
import { AdapterError, isTransientRpcError, withRetry } from '../src/index.js';

const down = () => new HttpRequestError({ url: 'http://127.0.0.1:1', status: 503, details: 'unavailable' });

describe('withRetry', () => {
  it('retries transient failures with growing delays, then succeeds', async () => {
    const calls: number[] = [];
    const result = await withRetry(
      async () => {
        calls.push(Date.now());
        if (calls.length < 3) throw down();
        return 'ok';
      },
      { attempts: 4, baseDelayMs: 20, maxDelayMs: 1_000 },
    );
    expect(result).toBe('ok');
    expect(calls).toHaveLength(3);
    // back-off: the k-th retry waits between half and all of base·2^(k−1)
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(9);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(19);
  });

  it('gives up after the configured attempts with ADAPTER_RPC_UNAVAILABLE wrapping the cause', async () => {
    let n = 0;
    const error = await withRetry(
      async () => {
        n++;
        throw down();
      },
      { attempts: 3, baseDelayMs: 1 },
    ).catch((e: unknown) => e);
    expect(n).toBe(3);
    expect(error).toBeInstanceOf(AdapterError);
    expect(error).toMatchObject({
      name: 'AdapterError',
      code: 'ADAPTER_RPC_UNAVAILABLE',
      message: 'RPC unavailable after retries',
      details: { attempts: 3 },
      section: 'adapters.md#rpc-retries',
    });
    expect((error as Error).cause).toBeInstanceOf(HttpRequestError);
  });

  it('does not retry errors that are not transport failures', async () => {
    let n = 0;
    await expect(
      withRetry(async () => {
        n++;
        throw new TypeError('bad input');
      }),
    ).rejects.toThrow('bad input');
    expect(n).toBe(1);
    expect(isTransientRpcError(new Error('connect ECONNREFUSED 127.0.0.1:9'))).toBe(true);
    expect(isTransientRpcError(new Error('execution reverted'))).toBe(false);
  });
});
