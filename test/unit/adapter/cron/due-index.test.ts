import { describe, expect, it } from 'vitest';
import { DueIndex } from '../../../../adapter/cron/due-index.js';

describe('DueIndex', () => {
  it('hands out every item due, earliest instant first, and keeps later ones', () => {
    const idx = new DueIndex<string>();
    for (const [at, item] of [
      [30, 'c'],
      [10, 'a1'],
      [20, 'b'],
      [10, 'a2'],
      [40, 'd'],
    ] as const)
      idx.add(at, item);
    expect(idx.earliest()).toBe(10);
    expect(idx.takeDue(25).map((d) => [d.atMs, [...d.items]])).toEqual([
      [10, ['a1', 'a2']],
      [20, ['b']],
    ]);
    expect(idx.earliest()).toBe(30);
    expect(idx.takeDue(25)).toEqual([]);
  });

  it('a deleted item is not handed out; an emptied instant is passed over', () => {
    const idx = new DueIndex<string>();
    idx.add(10, 'a');
    idx.add(20, 'b');
    idx.add(20, 'c');
    idx.delete(10, 'a');
    idx.delete(20, 'b');
    expect(idx.earliest()).toBe(20);
    expect(idx.takeDue(100).map((d) => [...d.items])).toEqual([['c']]);
    expect(idx.earliest()).toBeUndefined();
  });

  it('orders many instants added in any order', () => {
    const idx = new DueIndex<number>();
    const instants = Array.from({ length: 200 }, (_, i) => (i * 7919) % 211);
    for (const t of instants) idx.add(t, t);
    const order = idx.takeDue(1_000).map((d) => d.atMs);
    expect(order).toEqual([...new Set(instants)].sort((a, b) => a - b));
  });
});
