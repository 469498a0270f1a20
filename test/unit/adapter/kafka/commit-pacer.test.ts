import { afterEach, describe, expect, it, vi } from 'vitest';
import { CommitPacer } from '../../../../adapter/kafka/commit-pacer.js';

/** A commit the test finishes by hand. */
function manualCommits() {
  const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const commit = () =>
    new Promise<void>((resolve, reject) => {
      pending.push({ resolve, reject });
    });
  return { pending, commit };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('CommitPacer', () => {
  it('starts at most one commit per interval, however many deliveries poke it', async () => {
    let t = 0;
    const { pending, commit } = manualCommits();
    const pacer = new CommitPacer(1000, () => {}, () => t);
    for (let i = 0; i < 50; i++) pacer.poke(commit);
    expect(pending).toHaveLength(1);
    pending[0]?.resolve();
    await settle();
    t = 999;
    pacer.poke(commit);
    expect(pending).toHaveLength(1);
    t = 1000;
    pacer.poke(commit);
    pacer.poke(commit);
    expect(pending).toHaveLength(2);
  });

  it('never overlaps commits: a slow commit holds the next one back past the interval', async () => {
    let t = 0;
    const { pending, commit } = manualCommits();
    const pacer = new CommitPacer(1000, () => {}, () => t);
    pacer.poke(commit);
    t = 5000;
    pacer.poke(commit);
    expect(pending).toHaveLength(1);
    pending[0]?.resolve();
    await settle();
    pacer.poke(commit);
    expect(pending).toHaveLength(2);
  });

  it('reports a failed commit and commits again at the next interval', async () => {
    let t = 0;
    const errors: unknown[] = [];
    const { pending, commit } = manualCommits();
    const pacer = new CommitPacer(1000, (e) => errors.push(e), () => t);
    pacer.poke(commit);
    pending[0]?.reject(new Error('not coordinator'));
    await settle();
    expect(errors).toHaveLength(1);
    t = 1000;
    pacer.poke(commit);
    expect(pending).toHaveLength(2);
  });

  describe('trailing and flush', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('commits what was asked for during the interval once it ends, without another poke', async () => {
      vi.useFakeTimers();
      const { pending, commit } = manualCommits();
      const pacer = new CommitPacer(1000, () => {});
      pacer.poke(commit);
      pacer.poke(commit); // resolved more while the first is in flight
      pending[0]?.resolve();
      await vi.advanceTimersByTimeAsync(999);
      expect(pending).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(pending).toHaveLength(2);
      pending[1]?.resolve();
      await vi.advanceTimersByTimeAsync(5000);
      expect(pending).toHaveLength(2); // nothing more was asked for
    });

    it('flush starts the pending commit at once, waits for it, and leaves no timer behind', async () => {
      vi.useFakeTimers();
      const { pending, commit } = manualCommits();
      const pacer = new CommitPacer(1000, () => {});
      pacer.poke(commit);
      pacer.poke(commit);
      let flushed = false;
      const flushing = pacer.flush().then(() => {
        flushed = true;
      });
      await vi.advanceTimersByTimeAsync(0);
      expect(flushed).toBe(false);
      pending[0]?.resolve();
      await vi.advanceTimersByTimeAsync(0);
      expect(pending).toHaveLength(2); // started before the interval ended
      expect(flushed).toBe(false);
      pending[1]?.resolve();
      await flushing;
      expect(vi.getTimerCount()).toBe(0);
    });

    it('flush with nothing pending resolves at once; a failed commit is reported, not thrown', async () => {
      const errors: unknown[] = [];
      const pacer = new CommitPacer(1000, (e) => errors.push(e));
      await pacer.flush();
      pacer.poke(() => Promise.reject(new Error('rebalancing')));
      await pacer.flush();
      expect(errors).toHaveLength(1);
    });

    it('cancel drops the pending commit and its timer', async () => {
      vi.useFakeTimers();
      const { pending, commit } = manualCommits();
      const pacer = new CommitPacer(1000, () => {});
      pacer.poke(commit);
      pending[0]?.resolve();
      await vi.advanceTimersByTimeAsync(0);
      pacer.poke(commit);
      expect(vi.getTimerCount()).toBe(1);
      pacer.cancel();
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(5000);
      expect(pending).toHaveLength(1);
    });
  });
});
