/**
 * ISO-8601 durations as Knative's DeliverySpec writes them (`PT0.2S`, `PT30S`, `P1D`). Luxon is already the
 * date library of the `cron` package, so we reuse its parser rather than keep a regex of our own.
 */
import { Duration } from 'luxon';

/** Milliseconds of an ISO-8601 duration, or undefined when the text is not one (or not positive-or-zero). */
export function isoDurationToMs(text: string): number | undefined {
  const d = Duration.fromISO(text.trim());
  if (!d.isValid) return undefined;
  const ms = d.as('milliseconds');
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
