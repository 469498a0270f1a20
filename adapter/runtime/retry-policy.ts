/**
 * Pure delivery decisions: after a failed attempt, retry (and when), dead-letter, or give up.
 * Knative's rule: 5xx, 404, 408, 409, 429, timeouts and network errors are retryable; other 4xx are not.
 */
import { backoffDelay } from '../../lib/backoff.js';
import type { DeliveryPolicy } from './config.js';

export type AttemptFailure =
  | { kind: 'http-status'; status: number; retryAfter?: string }
  | { kind: 'timeout' | 'network' | 'too-large'; message: string };

export type Decision =
  | { action: 'retry'; delayMs: number }
  | { action: 'dead-letter'; reason: string }
  | { action: 'give-up'; reason: string; retryable: boolean };

const retryableClientStatus = new Set([404, 408, 409, 429]);

export function isRetryable(failure: AttemptFailure): boolean {
  if (failure.kind === 'too-large') return false;
  if (failure.kind !== 'http-status') return true;
  if (failure.status >= 500) return true;
  return retryableClientStatus.has(failure.status);
}

export function describeFailure(failure: AttemptFailure): string {
  return failure.kind === 'http-status' ? `sink answered HTTP ${failure.status}` : failure.message;
}

/**
 * `Retry-After` as delta-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from `nowMs`.
 * Unparseable values are ignored (the backoff applies), as a header a sink got wrong must not stall delivery.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP dates always spell the month; anything else (e.g. "-1") is not one, whatever Date.parse makes of it.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export interface DecideInput {
  failure: AttemptFailure;
  /** Attempts made so far, the failed one included (1 after the first attempt). */
  attempts: number;
  policy: DeliveryPolicy;
  /** Whether this send is already the dead-letter one (then there is no further fallback). */
  toDeadLetter: boolean;
  nowMs: number;
  random?: () => number;
  /** Fraction of jitter on the backoff delay. */
  jitter?: number;
}

export function decide(input: DecideInput): Decision {
  const { failure, attempts, policy } = input;
  const reason = describeFailure(failure);
  const retryable = isRetryable(failure);
  if (retryable && attempts <= policy.retry) {
    const backoff = backoffDelay(
      attempts,
      { policy: policy.backoffPolicy, baseMs: policy.backoffDelayMs, maxMs: policy.maxDelayMs, jitter: input.jitter ?? 0.2 },
      input.random,
    );
    const asked = failure.kind === 'http-status' ? parseRetryAfter(failure.retryAfter, input.nowMs) : undefined;
    // The sink's Retry-After wins when it asks for longer than our backoff, bounded so a bogus value cannot park us.
    const delayMs = asked === undefined ? backoff : Math.min(Math.max(asked, backoff), policy.maxDelayMs);
    return { action: 'retry', delayMs };
  }
  const why = retryable ? `${reason} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})` : reason;
  if (!input.toDeadLetter && policy.deadLetterUri !== undefined) return { action: 'dead-letter', reason: why };
  return { action: 'give-up', reason: why, retryable };
}

