/**
 * Missed ticks reported as one summary log line per interval instead of one line per tick. When the process
 * falls behind, every source misses at once; a warn line per late tick (10,000 sources → tens of thousands of
 * synchronous lines a second) made the adapter later still (bench/README.md, cron fan-out). The per-source
 * numbers stay in `cron_missed_ticks_total`; the log says how many, how late, and names a few sources.
 */
import type { Logger } from '../../lib/log.js';

/** Why a tick was not sent: a pause/clock jump beyond the catch-up bound, its source's own backlog, or the process-wide cap. */
export type SkipReason = 'paused' | 'sourceBacklog' | 'processCap';

const exampleCount = 5;

export class MissedTicksSummary {
  private lateTicks = 0;
  private maxLateMs = 0;
  private skippedTicks = 0;
  private skippedAtLeast = false;
  private firstSkippedMs: number | undefined;
  private lastSkippedMs: number | undefined;
  private byReason: Record<SkipReason, number> = { paused: 0, sourceBacklog: 0, processCap: 0 };
  private readonly lateSources = new Set<string>();
  private readonly skippedSources = new Set<string>();
  /** -Infinity: the first trouble is logged at once; later ones wait for the interval. */
  private lastLoggedMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  late(source: string, lateMs: number): void {
    this.lateTicks++;
    if (lateMs > this.maxLateMs) this.maxLateMs = lateMs;
    this.lateSources.add(source);
  }

  skipped(source: string, reason: SkipReason, count: number, range?: { firstMs?: number; lastMs?: number; atLeast?: boolean }): void {
    if (count <= 0) return;
    this.skippedTicks += count;
    this.byReason[reason] += count;
    this.skippedSources.add(source);
    if (range?.atLeast === true) this.skippedAtLeast = true;
    if (range?.firstMs !== undefined && (this.firstSkippedMs === undefined || range.firstMs < this.firstSkippedMs)) this.firstSkippedMs = range.firstMs;
    if (range?.lastMs !== undefined && (this.lastSkippedMs === undefined || range.lastMs > this.lastSkippedMs)) this.lastSkippedMs = range.lastMs;
  }

  /** When the pending summary may be logged (undefined: nothing pending). */
  dueAt(): number | undefined {
    if (this.lateTicks === 0 && this.skippedTicks === 0) return undefined;
    return this.lastLoggedMs + this.intervalMs;
  }

  /** Log the pending summary if its interval is over (or `force`, at shutdown), then start a new one. */
  flush(nowMs: number, force = false): void {
    const due = this.dueAt();
    if (due === undefined || (!force && nowMs < due)) return;
    const fields: Record<string, unknown> = {};
    if (this.lateTicks > 0) {
      fields.late = {
        ticks: this.lateTicks,
        sources: this.lateSources.size,
        maxLateMs: Math.round(this.maxLateMs),
        examples: [...this.lateSources].slice(0, exampleCount),
      };
    }
    if (this.skippedTicks > 0) {
      fields.skipped = {
        ticks: this.skippedTicks,
        atLeast: this.skippedAtLeast,
        sources: this.skippedSources.size,
        ...this.byReason,
        first: this.firstSkippedMs === undefined ? undefined : new Date(this.firstSkippedMs).toISOString(),
        last: this.lastSkippedMs === undefined ? undefined : new Date(this.lastSkippedMs).toISOString(),
        examples: [...this.skippedSources].slice(0, exampleCount),
      };
    }
    const since = this.lastLoggedMs === Number.NEGATIVE_INFINITY ? undefined : new Date(this.lastLoggedMs).toISOString();
    this.logger.warn('cron ticks missed their time', {
      ...fields,
      since,
      reason:
        'late: sent with the cronlatems extension (process paused, clock jumped, or the adapter is behind); skipped: not sent (beyond the catch-up bound, or too many ticks still in delivery)',
    });
    this.reset(nowMs);
  }

  private reset(nowMs: number): void {
    this.lateTicks = 0;
    this.maxLateMs = 0;
    this.skippedTicks = 0;
    this.skippedAtLeast = false;
    this.firstSkippedMs = undefined;
    this.lastSkippedMs = undefined;
    this.byReason = { paused: 0, sourceBacklog: 0, processCap: 0 };
    this.lateSources.clear();
    this.skippedSources.clear();
    this.lastLoggedMs = nowMs;
  }
}
