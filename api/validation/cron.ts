import { validateCronExpression } from 'cron';
import type { FieldError } from './field-error.js';

const ALLOWED =
  '5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds, e.g. "*/5 * * * *", or a macro such as @hourly';

/** Uses the parser of the `cron` package, the one the cron adapter schedules with, so both agree. */
export function validateCronSchedule(schedule: string, path = 'spec.schedule'): FieldError[] {
  if (/^\s*(CRON_)?TZ=/.test(schedule)) {
    return [
      {
        path,
        problem: `"${schedule}" carries a time zone prefix`,
        allowed: `${ALLOWED}; put the zone into spec.timezone instead`,
      },
    ];
  }
  const fields = schedule.trim().split(/\s+/);
  if (!schedule.trim().startsWith('@') && (fields.length < 5 || fields.length > 6)) {
    return [{ path, problem: `"${schedule}" has ${fields.length} fields`, allowed: ALLOWED }];
  }
  const result = validateCronExpression(schedule);
  if (result.valid) return [];
  const reason = result.error?.message ?? 'unparseable';
  return [{ path, problem: `"${schedule}" is not a valid cron schedule (${reason})`, allowed: ALLOWED }];
}
