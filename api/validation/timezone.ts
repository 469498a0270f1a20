import type { FieldError } from './field-error.js';

const ALLOWED = 'an IANA time zone name such as "UTC", "Europe/Berlin" or "America/New_York"';

/** Judged by the ICU data of the running Node (Intl), the same data luxon — and so the cron adapter — uses. */
export function validateTimeZone(zone: string, path = 'spec.timezone'): FieldError[] {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return [{ path, problem: `"${zone}" is not a known time zone`, allowed: ALLOWED }];
  }
  // Intl matches case-insensitively, the zone database on other systems does not: insist on the real spelling.
  if (resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()) {
    return [{ path, problem: `"${zone}" is spelled differently in the time zone database`, allowed: `"${resolved}"` }];
  }
  return [];
}
