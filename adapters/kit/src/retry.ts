import { BaseError, HttpRequestError, RpcRequestError, TimeoutError } from 'viem';
import { AdapterError } from './errors.js';

export interface RetryOptions {
  /** total attempts including the first; default 4 */
  attempts?: number;
  /** first back-off delay; doubles each retry; default 250 ms */
  baseDelayMs?: number;
  /** cap on one delay; default 4 000 ms */
  maxDelayMs?: number;
}

/** JSON-RPC error codes that mean "try again later" (EIP-1474: -32005 limit exceeded; -32603 internal). */
const transientRpcCodes = new Set([-32005, -32603, 429]);

/** True when an RPC failure is worth retrying: transport down, timeout, rate limit. */
export function isTransientRpcError(error: unknown): boolean {
  if (error instanceof BaseError) {
    const found = error.walk(
      (e) =>
        e instanceof HttpRequestError ||
        e instanceof TimeoutError ||
        (e instanceof RpcRequestError && transientRpcCodes.has(e.code)),
    );
    return found !== null && found !== undefined;
  }
  if (error instanceof Error) {
    return /ECONNREFUSED|ECONNRESET|fetch failed|socket hang up|ETIMEDOUT/i.test(error.message);
  }
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `fn`, retrying transient RPC failures with exponential back-off and jitter; after the last
 * attempt throws `ADAPTER_RPC_UNAVAILABLE` wrapping the cause. Other errors pass through untouched.
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const base = options.baseDelayMs ?? 250;
  const cap = options.maxDelayMs ?? 4_000;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isTransientRpcError(error)) throw error;
      last = error;
      if (attempt < attempts) {
        const delay = Math.min(cap, base * 2 ** (attempt - 1));
        await sleep(delay / 2 + Math.random() * (delay / 2));
      }
    }
  }
  throw new AdapterError('ADAPTER_RPC_UNAVAILABLE', 'RPC unavailable after retries', {
    details: { attempts },
    cause: last,
  });
}
