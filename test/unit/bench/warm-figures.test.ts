import { describe, expect, it } from 'vitest';
import { ceilingOfRounds } from '../../../bench/http-ceiling.js';
import { timedWindow } from '../../../bench/lib/drain.js';

describe('timedWindow (a drain timed after its warm-up)', () => {
  it('counts only the receipts after the start and times them from the last receipt before it', () => {
    // 10,040 received when the warm-up was seen (400 ms after the first receipt); 110,000 at 3,400 ms.
    expect(timedWindow({ count: 10_040, spanMs: 400 }, { count: 110_000, spanMs: 3_400 })).toEqual({ timed: 99_960, rate: 33_320 });
  });

  it('has no rate when nothing arrived after the start', () => {
    expect(timedWindow({ count: 500, spanMs: 90 }, { count: 500, spanMs: 90 })).toEqual({ timed: 0, rate: undefined });
  });
});

describe('ceilingOfRounds', () => {
  it('takes the median of each figure over the timed rounds, and sums counts and errors', () => {
    const round = (elapsedMs: number, cpuMs: number, errors = 0) => ({ count: 20_000, elapsedMs, errors, cpuMs, machineMs: cpuMs * 2, sinkMs: cpuMs / 2 });
    const c = ceilingOfRounds([round(500, 400), round(400, 340, 1), round(800, 360)]);
    expect(c.eventsPerSecond).toBe(40_000);
    expect(c.cpuMsPer1000).toBe(18);
    expect(c.machineCpuMsPer1000).toBe(36);
    expect(c.sinkCpuMsPer1000).toBe(9);
    expect([c.count, c.errors]).toEqual([60_000, 1]);
  });
});
