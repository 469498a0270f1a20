/**
 * Backoff arithmetic shared by delivery retries, informer restarts and the work queue.
 * Pure: the caller owns the clock and the randomness so tests can pin both.
 */
export type BackoffPolicy = 'linear' | 'exponential';

export interface BackoffOptions {
  policy: BackoffPolicy;
  /** Delay for the first retry, in milliseconds. */
  baseMs: number;
  /** Upper bound for any single delay. */
  maxMs: number;
  /** Fraction of the delay that is randomised, 0..1 (0.2 = ±20%). */
  jitter?: number;
}

/** Delay before retry number `attempt` (1 = first retry). `random` returns a number in [0, 1). */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const raw = opts.policy === 'linear' ? opts.baseMs * n : opts.baseMs * 2 ** (n - 1);
  const capped = Math.min(raw, opts.maxMs);
  const jitter = opts.jitter ?? 0;
  if (jitter <= 0) return capped;
  const spread = capped * jitter;
  return Math.max(0, Math.round(capped - spread + random() * 2 * spread));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
