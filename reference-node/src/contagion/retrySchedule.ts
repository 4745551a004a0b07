/**
 * The webhook retry schedule (spec/v1/contagion.md#webhook-delivery): exponential backoff with a cap.
 *
 *   retryDelayMs(1) // 1 000 — after the first failed attempt
 *   retryDelayMs(9) // 256 000; retryDelayMs(10) → 300 000 (capped)
 */

/** [sfr] Defaults: first retry after 1 s, doubling, at most 5 min apart, 12 attempts (≈ 28 min in all). */
export const RETRY_BASE_MS = 1_000;
export const RETRY_CAP_MS = 300_000;
export const MAX_ATTEMPTS = 12;

export interface RetryPolicy {
  readonly baseMs: number;
  readonly capMs: number;
  readonly maxAttempts: number;
}
export const DEFAULT_RETRY: RetryPolicy = {
  baseMs: RETRY_BASE_MS,
  capMs: RETRY_CAP_MS,
  maxAttempts: MAX_ATTEMPTS,
};

/**
 * The wait after the `failedAttempts`-th failed attempt (1-based): min(base · 2^(n−1), cap), or
 * `undefined` when `failedAttempts` ≥ maxAttempts (the delivery is exhausted).
 */
export function retryDelayMs(
  failedAttempts: number,
  policy: RetryPolicy = DEFAULT_RETRY,
): number | undefined {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) return 0;
  if (failedAttempts >= policy.maxAttempts) return undefined;
  // 2^(n−1) overflows nothing: n < maxAttempts ≤ a small number, and min() caps it.
  const exp = Math.min(failedAttempts - 1, 52);
  return Math.min(policy.baseMs * 2 ** exp, policy.capMs);
}

/** Whether an HTTP status is worth retrying: 408, 429 and 5xx are; other 4xx are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
