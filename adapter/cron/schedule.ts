/**
 * A CronSource schedule compiled once: 5 fields (minute precision) or 6 (leading seconds), `@hourly`-style
 * aliases, and an IANA time zone (UTC by default). The `cron` package does the calendar arithmetic, DST included.
 */
import { CronTime } from 'cron';
import { HeadwaterError } from '../../lib/errors.js';

export class ScheduleError extends HeadwaterError {
  constructor(field: string, problem: string, fix: string, context: Record<string, unknown> = {}) {
    super('ScheduleError', `${field}: ${problem}. ${fix}`, { field, ...context });
  }
}

export interface CompiledSchedule {
  readonly expression: string;
  readonly timezone: string;
  /** The first scheduled instant strictly after `afterMs` (epoch ms). */
  next(afterMs: number): number;
}

/**
 * Compiled schedules shared by expression and zone (pure and immutable, so sharing is safe): many CronSources
 * use the same few schedules. Bounded so a stream of distinct schedules cannot grow it without limit.
 */
const compiled = new Map<string, CompiledSchedule>();
const maxShared = 4096;

/** Knative's PingSource also accepts the zone inside the schedule (`CRON_TZ=Europe/Berlin 0 * * * *`). */
const tzPrefix = /^(?:CRON_TZ|TZ)=(\S+)\s+(.+)$/;

export function compileSchedule(schedule: string, timezone?: string, field = 'spec.schedule'): CompiledSchedule {
  let expression = schedule.trim();
  let zone = timezone?.trim() || undefined;
  const prefixed = tzPrefix.exec(expression);
  if (prefixed) {
    if (zone !== undefined && zone !== prefixed[1]) {
      throw new ScheduleError(field, `names time zone ${prefixed[1]} while spec.timezone is ${zone}`, 'Set the zone in one place only');
    }
    zone = prefixed[1];
    expression = prefixed[2] ?? '';
  }
  zone ??= 'UTC';
  if (!expression.startsWith('@')) {
    const fields = expression.split(/\s+/).filter((f) => f !== '').length;
    if (fields !== 5 && fields !== 6) {
      throw new ScheduleError(
        field,
        `"${schedule}" has ${fields} field${fields === 1 ? '' : 's'}`,
        'Use 5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds, e.g. "*/5 * * * *"',
      );
    }
  }
  const key = `${expression}\u0000${zone}`;
  const known = compiled.get(key);
  if (known !== undefined) return known;
  let time: CronTime;
  try {
    time = new CronTime(expression, zone);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/time ?zone/i.test(message)) {
      throw new ScheduleError('spec.timezone', `"${zone}" is not an IANA time zone`, 'Use a name like "Europe/Berlin" or "UTC"');
    }
    throw new ScheduleError(field, `"${schedule}" is not a cron schedule (${message})`, 'Write it like "*/5 * * * *"');
  }
  // One-entry memo: every source on this schedule asks for the same next instant when its timer fires, and one
  // getNextDateFrom costs ~0.3 ms (luxon), which 10,000 per-second sources cannot pay every second.
  let lastAfter = Number.NaN;
  let lastNext = 0;
  const shared: CompiledSchedule = {
    expression,
    timezone: zone,
    next: (afterMs) => {
      if (afterMs !== lastAfter) {
        // getNextDateFrom ignores the CronTime's own zone: it must be passed again.
        lastNext = time.getNextDateFrom(new Date(afterMs), zone).toMillis();
        lastAfter = afterMs;
      }
      return lastNext;
    },
  };
  if (compiled.size >= maxShared) compiled.delete(compiled.keys().next().value as string);
  compiled.set(key, shared);
  return shared;
}
