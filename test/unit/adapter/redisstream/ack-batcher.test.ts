import { describe, expect, it } from 'vitest';
import { AckBatcher, maxIdsPerAck } from '../../../../adapter/redisstream/ack-batcher.js';

/** An XACK stand-in whose replies the test releases one at a time. */
function manualXack(): { calls: string[][]; xack: (ids: string[]) => Promise<unknown>; answer: (err?: Error) => void } {
  const calls: string[][] = [];
  const replies: { resolve: () => void; reject: (e: Error) => void }[] = [];
  return {
    calls,
    xack: (ids) =>
      new Promise<void>((resolve, reject) => {
        calls.push([...ids]);
        replies.push({ resolve, reject });
      }),
    answer: (err) => {
      const r = replies.shift();
      if (r === undefined) throw new Error('no XACK waiting for an answer');
      if (err) r.reject(err);
      else r.resolve();
    },
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('AckBatcher', () => {
  it('sends the first id at once and coalesces the ids delivered while that XACK is in flight', async () => {
    const x = manualXack();
    const acks = new AckBatcher(x.xack);
    const settled: string[] = [];
    const track = (id: string): Promise<void> => acks.ack(id).then(() => void settled.push(id));
    const first = track('1-0');
    const rest = ['2-0', '3-0', '4-0'].map(track);
    expect(x.calls).toEqual([['1-0']]);
    x.answer();
    await first;
    await tick();
    expect(settled).toEqual(['1-0']);
    expect(x.calls).toEqual([['1-0'], ['2-0', '3-0', '4-0']]);
    x.answer();
    await Promise.all(rest);
    expect(settled).toEqual(['1-0', '2-0', '3-0', '4-0']);
  });

  it('rejects only the ids of a failed XACK; later ids go in the next one', async () => {
    const x = manualXack();
    const acks = new AckBatcher(x.xack);
    const a = acks.ack('1-0');
    const b = acks.ack('2-0');
    x.answer(new Error('connection lost'));
    await expect(a).rejects.toThrow('connection lost');
    expect(x.calls).toEqual([['1-0'], ['2-0']]);
    x.answer();
    await expect(b).resolves.toBeUndefined();
  });

  it(`splits a large backlog of ids into XACKs of at most ${maxIdsPerAck}`, async () => {
    const x = manualXack();
    const acks = new AckBatcher(x.xack);
    const all = Array.from({ length: 2 * maxIdsPerAck + 2 }, (_, i) => acks.ack(`${i}-0`));
    for (let i = 0; i < 4; i++) {
      x.answer();
      await tick();
    }
    await Promise.all(all);
    expect(x.calls.map((c) => c.length)).toEqual([1, maxIdsPerAck, maxIdsPerAck, 1]);
    expect(x.calls.flat()).toEqual(Array.from({ length: 2 * maxIdsPerAck + 2 }, (_, i) => `${i}-0`));
  });
});
