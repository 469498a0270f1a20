import { describe, expect, it } from 'vitest';
import type { DeliveryPolicy } from '../../../../adapter/runtime/config.js';
import { decide, isRetryable, parseRetryAfter } from '../../../../adapter/runtime/retry-policy.js';

const policy: DeliveryPolicy = { retry: 3, backoffPolicy: 'exponential', backoffDelayMs: 100, maxDelayMs: 10_000 };
const withDls: DeliveryPolicy = { ...policy, deadLetterUri: 'http://dls/' };
const now = Date.parse('2026-01-01T00:00:00Z');
const noJitter = { jitter: 0, nowMs: now };

describe('isRetryable', () => {
  it.each([500, 502, 503, 504, 404, 408, 409, 429])('retries HTTP %i', (status) => {
    expect(isRetryable({ kind: 'http-status', status })).toBe(true);
  });
  it.each([400, 401, 403, 405, 410, 413, 415, 422, 301])('does not retry HTTP %i', (status) => {
    expect(isRetryable({ kind: 'http-status', status })).toBe(false);
  });
  it('retries timeouts and network errors, never a too-large event', () => {
    expect(isRetryable({ kind: 'timeout', message: 't' })).toBe(true);
    expect(isRetryable({ kind: 'network', message: 'n' })).toBe(true);
    expect(isRetryable({ kind: 'too-large', message: 'big' })).toBe(false);
  });
});

describe('decide', () => {
  it('backs off exponentially, then dead-letters when retries run out', () => {
    const failure = { kind: 'http-status' as const, status: 500 };
    const delays = [1, 2, 3].map((attempts) => decide({ failure, attempts, policy: withDls, toDeadLetter: false, ...noJitter }));
    expect(delays).toEqual([
      { action: 'retry', delayMs: 100 },
      { action: 'retry', delayMs: 200 },
      { action: 'retry', delayMs: 400 },
    ]);
    expect(decide({ failure, attempts: 4, policy: withDls, toDeadLetter: false, ...noJitter })).toEqual({
      action: 'dead-letter',
      reason: 'sink answered HTTP 500 (gave up after 4 attempts)',
    });
  });

  it('backs off linearly', () => {
    const failure = { kind: 'timeout' as const, message: 'slow' };
    const lin = { ...policy, backoffPolicy: 'linear' as const };
    expect(decide({ failure, attempts: 3, policy: lin, toDeadLetter: false, ...noJitter })).toEqual({ action: 'retry', delayMs: 300 });
  });

  it('jitters within ±20%', () => {
    const failure = { kind: 'network' as const, message: 'reset' };
    const low = decide({ failure, attempts: 1, policy, toDeadLetter: false, nowMs: now, random: () => 0 });
    const high = decide({ failure, attempts: 1, policy, toDeadLetter: false, nowMs: now, random: () => 0.999999 });
    expect(low).toEqual({ action: 'retry', delayMs: 80 });
    expect(high).toEqual({ action: 'retry', delayMs: 120 });
  });

  it('sends a non-retryable 4xx straight to the dead-letter sink, or gives up as not retryable', () => {
    const failure = { kind: 'http-status' as const, status: 400 };
    expect(decide({ failure, attempts: 1, policy: withDls, toDeadLetter: false, ...noJitter })).toEqual({
      action: 'dead-letter',
      reason: 'sink answered HTTP 400',
    });
    expect(decide({ failure, attempts: 1, policy, toDeadLetter: false, ...noJitter })).toEqual({
      action: 'give-up',
      reason: 'sink answered HTTP 400',
      retryable: false,
    });
  });

  it('gives up (retryable) when the dead-letter send itself runs out of retries', () => {
    const failure = { kind: 'http-status' as const, status: 503 };
    expect(decide({ failure, attempts: 4, policy: withDls, toDeadLetter: true, ...noJitter })).toEqual({
      action: 'give-up',
      reason: 'sink answered HTTP 503 (gave up after 4 attempts)',
      retryable: true,
    });
  });

  it('honours Retry-After when longer than the backoff, capped by maxDelayMs', () => {
    const at = (retryAfter: string) =>
      decide({ failure: { kind: 'http-status', status: 429, retryAfter }, attempts: 1, policy, toDeadLetter: false, ...noJitter });
    expect(at('2')).toEqual({ action: 'retry', delayMs: 2000 });
    expect(at('0')).toEqual({ action: 'retry', delayMs: 100 });
    expect(at('3600')).toEqual({ action: 'retry', delayMs: 10_000 });
    expect(at('Thu, 01 Jan 2026 00:00:05 GMT')).toEqual({ action: 'retry', delayMs: 5000 });
    expect(at('soon')).toEqual({ action: 'retry', delayMs: 100 });
  });

  it('never retries with retry: 0', () => {
    const failure = { kind: 'http-status' as const, status: 503 };
    expect(decide({ failure, attempts: 1, policy: { ...policy, retry: 0 }, toDeadLetter: false, ...noJitter }).action).toBe('give-up');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
  });
});
