import { afterEach, describe, expect, it, vi } from 'vitest';
import { createShutdown } from '../../../../adapter/runtime/shutdown.js';
import { createLogger } from '../../../../lib/log.js';

const logger = createLogger({}, { write: () => {} });

afterEach(() => {
  vi.useRealTimers();
});

describe('createShutdown', () => {
  it('stops intake at once and abandons in-flight work only after the grace period', async () => {
    vi.useFakeTimers();
    const s = createShutdown({ logger, graceMs: 5_000, handleSignals: false });
    expect(s.intake.aborted).toBe(false);
    s.trigger('test');
    expect(await s.requested).toBe('test');
    expect(s.intake.aborted).toBe(true);
    expect(s.abandon.aborted).toBe(false);
    vi.advanceTimersByTime(4_999);
    expect(s.abandon.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(s.abandon.aborted).toBe(true);
    s.dispose();
  });

  it('exits at once on a second signal', () => {
    const exits: number[] = [];
    const s = createShutdown({ logger, graceMs: 60_000, exit: (c) => exits.push(c) });
    process.emit('SIGTERM');
    expect(s.intake.aborted).toBe(true);
    expect(exits).toEqual([]);
    process.emit('SIGTERM');
    expect(exits).toEqual([130]);
    s.dispose();
  });
});
