import { describe, expect, it } from 'vitest';
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
});
