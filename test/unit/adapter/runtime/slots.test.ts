import { describe, expect, it } from 'vitest';
import { Slots } from '../../../../adapter/runtime/slots.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Slots', () => {
  it('runs at most max tasks at once and starts the waiting ones in order as slots free up', async () => {
    const slots = new Slots(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const all = gates.map((g, i) =>
      slots.run(() => {
        started.push(i);
        return g.promise;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(slots.running).toBe(2);
    expect(slots.waiting).toBe(2);
    gates[1]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.reject(new Error('boom'));
    await expect(all[0]).rejects.toThrow('boom');
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(slots.running).toBe(2);
    gates[2]!.resolve();
    gates[3]!.resolve();
    await Promise.all(all.slice(1));
    expect(slots.running).toBe(0);
  });

  it('idle waits for running and waiting tasks; a task that throws synchronously frees its slot', async () => {
    const slots = new Slots(1);
    const gate = deferred();
    const a = slots.run(() => gate.promise);
    const b = slots.run(() => {
      throw new Error('sync');
    });
    let idle = false;
    const done = slots.idle().then(() => {
      idle = true;
    });
    await tick();
    expect(idle).toBe(false);
    gate.resolve();
    await a;
    await expect(b).rejects.toThrow('sync');
    await done;
    expect(idle).toBe(true);
    expect(slots.running).toBe(0);
    await slots.idle();
  });
});
