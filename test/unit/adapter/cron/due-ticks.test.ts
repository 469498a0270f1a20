import { describe, expect, it } from 'vitest';
import { planDue } from '../../../../adapter/cron/due-ticks.js';
import { compileSchedule } from '../../../../adapter/cron/schedule.js';

const everyMinute = compileSchedule('* * * * *');
const t0 = Date.parse('2026-01-01T00:00:00Z');
const min = 60_000;
const opts = { toleranceMs: 1000, maxCatchUp: 3 };

describe('planDue', () => {
  it('emits the due tick on time and points at the next one', () => {
    const plan = planDue(everyMinute, t0, t0 + 20, opts);
    expect(plan.emit).toEqual([{ scheduledMs: t0 }]);
    expect(plan.skipped.count).toBe(0);
    expect(plan.nextMs).toBe(t0 + min);
  });

  it('marks a tick fired beyond the tolerance as late', () => {
    const plan = planDue(everyMinute, t0, t0 + 5000, opts);
    expect(plan.emit).toEqual([{ scheduledMs: t0, lateMs: 5000 }]);
  });

  it('after a pause, sends the newest missed ticks late and reports the older ones as skipped', () => {
    const now = t0 + 10 * min + 30_000; // paused for ten and a half minutes
    const plan = planDue(everyMinute, t0, now, opts);
    expect(plan.emit.map((t) => t.scheduledMs)).toEqual([t0 + 8 * min, t0 + 9 * min, t0 + 10 * min]);
    expect(plan.emit.every((t) => t.lateMs !== undefined)).toBe(true);
    expect(plan.skipped).toEqual({ count: 8, firstMs: t0, lastMs: t0 + 7 * min, atLeast: false });
    expect(plan.nextMs).toBe(t0 + 11 * min);
  });

  it('bounds the scan and then reports at least that many skipped', () => {
    const everySecond = compileSchedule('* * * * * *');
    const plan = planDue(everySecond, t0, t0 + 3_600_000, { ...opts, maxScan: 100 });
    expect(plan.emit).toEqual([]);
    expect(plan.skipped.count).toBe(100);
    expect(plan.skipped.atLeast).toBe(true);
    expect(plan.nextMs).toBe(t0 + 3_601_000);
  });
});
