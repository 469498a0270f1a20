import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../../lib/log.js';
import { type ProcessOutcome, WorkQueue } from '../../../../controller/runtime/workqueue.js';

const quiet = createLogger({}, { write: () => {} });

/** A process function whose runs the test finishes by hand. */
function controllable() {
  const calls: string[] = [];
  const pending = new Map<string, { resolve(o?: ProcessOutcome): void; reject(e: Error): void }[]>();
  let concurrent = 0;
  let maxConcurrentPerKey = 0;
  const active = new Map<string, number>();
  const process = (key: string): Promise<ProcessOutcome | undefined> => {
    calls.push(key);
    concurrent++;
    const n = (active.get(key) ?? 0) + 1;
    active.set(key, n);
    maxConcurrentPerKey = Math.max(maxConcurrentPerKey, n);
    return new Promise<ProcessOutcome | undefined>((resolve, reject) => {
      const list = pending.get(key) ?? [];
      const done = (): void => {
        concurrent--;
        active.set(key, (active.get(key) ?? 1) - 1);
      };
      list.push({
        resolve: (o) => {
          done();
          resolve(o);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      pending.set(key, list);
    });
  };
  const finish = (key: string, outcome?: ProcessOutcome): void => {
    const p = pending.get(key)?.shift();
    if (!p) throw new Error(`no run of ${key} in flight`);
    p.resolve(outcome);
  };
  const fail = (key: string): void => {
    const p = pending.get(key)?.shift();
    if (!p) throw new Error(`no run of ${key} in flight`);
    p.reject(new Error(`boom ${key}`));
  };
  return { calls, process, finish, fail, maxPerKey: () => maxConcurrentPerKey, concurrent: () => concurrent };
}

describe('WorkQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('dedupes a key added several times while it waits', async () => {
    const p = controllable();
    const q = new WorkQueue({ workers: 1, process: p.process, log: quiet });
    q.add('a');
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.depth()).toBe(2);
    q.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(p.calls).toEqual(['a']);
    p.finish('a');
    await vi.advanceTimersByTimeAsync(0);
    p.finish('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(p.calls).toEqual(['a', 'b']);
    await q.shutdown();
  });

  it('never runs one key on two workers, and reruns a key re-added during its run', async () => {
    const p = controllable();
    const q = new WorkQueue({ workers: 4, process: p.process, log: quiet });
    q.start();
    q.add('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(p.calls).toEqual(['a']);
    q.add('a'); // while running
    q.add('a');
    q.add('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(p.calls).toEqual(['a', 'b']); // b runs in parallel, a does not start twice
    expect(p.maxPerKey()).toBe(1);
    p.finish('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(p.calls).toEqual(['a', 'b', 'a']); // exactly one rerun for the two re-adds
    p.finish('a');
    p.finish('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(p.calls).toHaveLength(3);
    await q.shutdown();
  });

  it('retries a failing key with per-key exponential backoff and forgets failures on success', async () => {
    const p = controllable();
    const q = new WorkQueue({
      workers: 2,
      process: p.process,
      log: quiet,
      backoff: { policy: 'exponential', baseMs: 100, maxMs: 350 },
    });
    q.start();
    q.add('a');
    await vi.advanceTimersByTimeAsync(0);
    p.fail('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(q.failures('a')).toBe(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(p.calls).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(p.calls).toEqual(['a', 'a']);
    p.fail('a');
    await vi.advanceTimersByTimeAsync(199);
    expect(p.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(p.calls).toHaveLength(3);
    p.fail('a');
    // 400 capped at 350
    await vi.advanceTimersByTimeAsync(349);
    expect(p.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(p.calls).toHaveLength(4);
    expect(q.failures('a')).toBe(3);
    p.finish('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(q.failures('a')).toBe(0);
    // another key's failures are its own
    q.add('b');
    await vi.advanceTimersByTimeAsync(0);
    p.fail('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(q.failures('b')).toBe(1);
    expect(q.failures('a')).toBe(0);
    await q.shutdown();
  });

  it('honours requeueAfterMs and addAfter, keeping the earliest of several delays', async () => {
    const p = controllable();
    const q = new WorkQueue({ workers: 1, process: p.process, log: quiet });
    q.start();
    q.addAfter('x', 1000);
    q.addAfter('x', 300);
    q.addAfter('x', 2000);
    await vi.advanceTimersByTimeAsync(299);
    expect(p.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(p.calls).toEqual(['x']);
    p.finish('x', { requeueAfterMs: 500 });
    await vi.advanceTimersByTimeAsync(499);
    expect(p.calls).toEqual(['x']);
    await vi.advanceTimersByTimeAsync(1);
    expect(p.calls).toEqual(['x', 'x']);
    p.finish('x');
    await vi.advanceTimersByTimeAsync(5000);
    expect(p.calls).toHaveLength(2); // the later delays were superseded, not run again
    await q.shutdown();
  });

  it('reports depth changes and waits for in-flight work on shutdown', async () => {
    const p = controllable();
    const depths: number[] = [];
    const q = new WorkQueue({ workers: 1, process: p.process, log: quiet, onDepth: (d) => depths.push(d) });
    q.add('a');
    q.add('b');
    q.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(depths).toEqual([1, 2, 1]);
    let closed = false;
    const closing = q.shutdown().then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false); // a is still running
    p.finish('a');
    await closing;
    expect(closed).toBe(true);
    expect(p.calls).toEqual(['a']); // b was not started after shutdown
    q.add('c');
    expect(q.depth()).toBe(1); // only b, left waiting; c added after shutdown is ignored
  });

  it('rejects a non-positive worker count with the field name', () => {
    expect(() => new WorkQueue({ workers: 0, process: async () => undefined })).toThrow(/workers must be a positive integer/);
  });
});
