import { describe, expect, it } from 'vitest';
import { InFlight } from '../../../../adapter/bus/inflight.js';

/** A task the test finishes by hand, so "how many run at once" is observed, not timed. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}

describe('InFlight', () => {
  it('admits up to the limit and makes the next admit wait for a slot', async () => {
    const f = new InFlight(2);
    const gates = [gate(), gate(), gate()];
    let running = 0;
    let peak = 0;
    const task = (i: number) => async (): Promise<void> => {
      running++;
      peak = Math.max(peak, running);
      await gates[i]!.promise;
      running--;
    };
    await f.admit(task(0));
    await f.admit(task(1));
    let thirdAdmitted = false;
    const third = f.admit(task(2)).then(() => {
      thirdAdmitted = true;
    });
    await Promise.resolve();
    expect(thirdAdmitted).toBe(false);
    expect(f.size).toBe(2);
    gates[0]!.open();
    await third;
    expect(thirdAdmitted).toBe(true);
    gates[1]!.open();
    gates[2]!.open();
    await f.drain();
    expect(f.size).toBe(0);
    expect(peak).toBe(2);
  });
});
