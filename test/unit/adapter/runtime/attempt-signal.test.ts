import { describe, expect, it } from 'vitest';
import { AttemptSignal, attemptSignal } from '../../../../adapter/runtime/attempt-signal.js';

describe('AttemptSignal', () => {
  it('calls its abort listeners once, with aborted and reason set, and not the removed ones', () => {
    const s = new AttemptSignal();
    const calls: string[] = [];
    const a = (): void => void calls.push(`a:${s.aborted}:${String(s.reason)}`);
    const b = (): void => void calls.push('b');
    s.once('abort', a);
    s.on('abort', b);
    s.on('other', b);
    s.removeListener('abort', b);
    s.abort('deadline');
    s.abort('again');
    expect(calls).toEqual(['a:true:deadline']);
    expect(s.reason).toBe('deadline');
  });
});

describe('attemptSignal', () => {
  it('aborts every attempt in flight when the shutdown signal aborts, but not released ones', () => {
    const shutdown = new AbortController();
    const first = attemptSignal(shutdown.signal);
    const second = attemptSignal(shutdown.signal);
    second.release();
    shutdown.abort();
    expect(first.signal.aborted).toBe(true);
    expect(second.signal.aborted).toBe(false);
  });

  it('starts aborted after shutdown, and plain without a shutdown signal', () => {
    const shutdown = new AbortController();
    shutdown.abort();
    expect(attemptSignal(shutdown.signal).signal.aborted).toBe(true);
    const free = attemptSignal(undefined);
    expect(free.signal.aborted).toBe(false);
    free.release();
  });
});
