/**
 * Which ticks are due when a tenant's timer fires (pure). Timers fire late when the process was paused
 * (SIGSTOP, a full GC, a suspended VM) or the wall clock jumped forward. Such a tick is never skipped silently:
 * the newest `maxCatchUp` missed ticks are emitted late (with their lateness), any older ones are reported as
 * skipped, so a long pause cannot turn into a flood of stale ticks.
 */
import type { CompiledSchedule } from './schedule.js';

export interface DueOptions {
  /** A tick firing up to this long after its time counts as on time (timers are not exact). */
  toleranceMs: number;
  /** How many missed ticks are still emitted (newest first kept). */
  maxCatchUp: number;
  /** Bound on the scan through missed instants (a per-second schedule paused for days). */
  maxScan?: number;
}

export interface DueTick {
  scheduledMs: number;
  /** Set when the tick is late beyond the tolerance. */
  lateMs?: number;
}

export interface DuePlan {
  /** Ticks to emit now, oldest first. */
  emit: DueTick[];
  /** Missed ticks not emitted; `atLeast` when the scan bound was hit. */
  skipped: { count: number; firstMs?: number; lastMs?: number; atLeast: boolean };
  /** The next scheduled instant after now. */
  nextMs: number;
}

export function planDue(schedule: CompiledSchedule, pendingMs: number, nowMs: number, opts: DueOptions): DuePlan {
  const maxScan = opts.maxScan ?? 100_000;
  const due: number[] = [];
  let t = pendingMs;
  let scanned = 0;
  while (t <= nowMs && scanned < maxScan) {
    due.push(t);
    t = schedule.next(t);
    scanned++;
  }
  let atLeast = false;
  if (t <= nowMs) {
    atLeast = true;
    t = schedule.next(nowMs);
  }
  const keep = Math.max(1, opts.maxCatchUp);
  // Past the scan bound the scanned instants are the oldest ones, so none of them is worth emitting.
  const skippedList = atLeast ? due : due.length > keep ? due.slice(0, due.length - keep) : [];
  const emitted = due.slice(skippedList.length);
  const emit = emitted.map((scheduledMs): DueTick => {
    const late = nowMs - scheduledMs;
    return late > opts.toleranceMs ? { scheduledMs, lateMs: late } : { scheduledMs };
  });
  const skipped: DuePlan['skipped'] = { count: skippedList.length, atLeast };
  if (skippedList.length > 0) {
    skipped.firstMs = skippedList[0];
    skipped.lastMs = skippedList[skippedList.length - 1];
  }
  return { emit, skipped, nextMs: t };
}
