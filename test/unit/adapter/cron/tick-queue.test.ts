import { describe, expect, it } from 'vitest';
import { TickQueue } from '../../../../adapter/cron/tick-queue.js';

describe('TickQueue', () => {
  it('gives entries back oldest first, with their lateness (undefined when on time)', () => {
    const q = new TickQueue<string>();
    q.push('a', 1_000, undefined);
    q.push('b', 2_000, 1_500);
    expect(q.length).toBe(2);
    expect(q.shift()).toEqual({ item: 'a', scheduledMs: 1_000, lateMs: undefined });
    expect(q.shift()).toEqual({ item: 'b', scheduledMs: 2_000, lateMs: 1_500 });
    expect(q.shift()).toBeUndefined();
    expect(q.length).toBe(0);
  });

  it('keeps order through a backlog that never empties (taken entries trimmed on the way)', () => {
    const q = new TickQueue<number>();
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 5_000; i++) {
        q.push(next, next, undefined);
        next++;
      }
      // Take a little less than was added: the queue never empties.
      for (let i = 0; i < 4_900; i++) expect(q.shift()?.item).toBe(expected++);
    }
    expect(q.length).toBe(500);
    while (q.length > 0) expect(q.shift()?.item).toBe(expected++);
    expect(expected).toBe(next);
  });
});
