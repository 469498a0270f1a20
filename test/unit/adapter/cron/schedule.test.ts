import { describe, expect, it } from 'vitest';
import { compileSchedule, ScheduleError } from '../../../../adapter/cron/schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('compileSchedule', () => {
  it('reads 5-field schedules at minute precision in UTC by default', () => {
    const s = compileSchedule('*/15 * * * *');
    expect(s.timezone).toBe('UTC');
    expect(iso(s.next(at('2026-01-01T10:07:12Z')))).toBe('2026-01-01T10:15:00.000Z');
    expect(iso(s.next(at('2026-01-01T10:15:00Z')))).toBe('2026-01-01T10:30:00.000Z');
  });

  it('reads 6-field schedules with seconds', () => {
    const s = compileSchedule('*/10 * * * * *');
    expect(iso(s.next(at('2026-01-01T10:00:01.500Z')))).toBe('2026-01-01T10:00:10.000Z');
  });

  it('reads the schedule in an IANA zone, across DST', () => {
    const s = compileSchedule('0 9 * * *', 'Europe/Berlin');
    expect(iso(s.next(at('2026-01-15T00:00:00Z')))).toBe('2026-01-15T08:00:00.000Z'); // CET = UTC+1
    expect(iso(s.next(at('2026-07-15T00:00:00Z')))).toBe('2026-07-15T07:00:00.000Z'); // CEST = UTC+2
  });

  it('accepts the CRON_TZ= prefix PingSource accepts', () => {
    const s = compileSchedule('CRON_TZ=America/New_York 0 12 * * *');
    expect(s.timezone).toBe('America/New_York');
    expect(iso(s.next(at('2026-01-15T00:00:00Z')))).toBe('2026-01-15T17:00:00.000Z');
    expect(() => compileSchedule('CRON_TZ=Asia/Tokyo 0 12 * * *', 'Europe/Paris')).toThrow(/one place/);
  });

  it.each([
    ['* * * *', /spec\.schedule: "\* \* \* \*" has 4 fields/],
    ['* * * * * * *', /has 7 fields/],
    ['61 * * * *', /spec\.schedule: .*not a cron schedule/],
    ['@sometimes', /spec\.schedule/],
  ])('rejects %s naming the field', (expr, pattern) => {
    expect(() => compileSchedule(expr)).toThrow(pattern);
  });

  it('rejects an unknown time zone naming spec.timezone', () => {
    try {
      compileSchedule('* * * * *', 'Mars/Olympus');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ScheduleError);
      expect((err as Error).message).toMatch(/^spec\.timezone: "Mars\/Olympus" is not an IANA time zone/);
    }
  });
});
