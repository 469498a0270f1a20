/**
 * The multi-tenant scheduler: one timer and one emitter per CronSource, so adding, changing or removing a source
 * touches only that source. The clock is injected so unit tests drive time by hand.
 */
import type { Logger } from '../../lib/log.js';
import type { Emitter } from '../runtime/emitter.js';
import { type DueOptions, planDue } from './due-ticks.js';
import type { CronTenant } from './tenant.js';
import { tickEvent } from './tick-event.js';

export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface CronMetrics {
  missed(tenant: CronTenant, outcome: 'late' | 'skipped', count: number): void;
  sources(count: number): void;
}

export interface SchedulerOptions extends DueOptions {
  /** Longest single timer; the schedule is re-checked at least this often, which catches wall-clock jumps. */
  maxSleepMs: number;
  /** Ticks of one source in delivery at once; a tick beyond it (sink far slower than the schedule) is reported skipped. */
  maxInFlightPerSource: number;
}

export const defaultSchedulerOptions: SchedulerOptions = {
  toleranceMs: 1_000,
  maxCatchUp: 10,
  maxSleepMs: 30_000,
  maxInFlightPerSource: 16,
};

export interface SchedulerDeps {
  clock: Clock;
  emitterFor(tenant: CronTenant): Promise<Emitter>;
  logger: Logger;
  metrics: CronMetrics;
  options?: Partial<SchedulerOptions>;
}

interface Running {
  tenant: CronTenant;
  emitter: Promise<Emitter>;
  pendingMs: number;
  timer: unknown;
  inFlight: Set<Promise<void>>;
  stopped: boolean;
}

export class CronScheduler {
  private readonly running = new Map<string, Running>();
  private readonly opts: SchedulerOptions;
  private readonly retiring = new Set<Promise<void>>();

  constructor(private readonly deps: SchedulerDeps) {
    this.opts = { ...defaultSchedulerOptions, ...deps.options };
  }

  keys(): string[] {
    return [...this.running.keys()];
  }

  get(key: string): CronTenant | undefined {
    return this.running.get(key)?.tenant;
  }

  /** Add a source, or replace it when something that matters changed; an unchanged one keeps running untouched. */
  upsert(tenant: CronTenant): void {
    const current = this.running.get(tenant.key);
    if (current && current.tenant.fingerprint === tenant.fingerprint) return;
    if (current) this.retire(current);
    const now = this.deps.clock.now();
    const emitter = this.deps.emitterFor(tenant);
    // A failed emitter creation is reported per tick; keep the rejection from going unhandled meanwhile.
    emitter.catch(() => {});
    const run: Running = {
      tenant,
      emitter,
      pendingMs: tenant.schedule.next(now),
      timer: undefined,
      inFlight: new Set(),
      stopped: false,
    };
    this.running.set(tenant.key, run);
    this.deps.metrics.sources(this.running.size);
    this.deps.logger.info(current ? 'cron source updated' : 'cron source added', {
      source: tenant.key,
      schedule: tenant.schedule.expression,
      timezone: tenant.schedule.timezone,
      next: new Date(run.pendingMs).toISOString(),
    });
    for (const w of tenant.warnings) this.deps.logger.warn('cron source warning', { source: tenant.key, warning: w });
    this.arm(run);
  }

  remove(key: string): void {
    const current = this.running.get(key);
    if (!current) return;
    this.running.delete(key);
    this.deps.metrics.sources(this.running.size);
    this.retire(current);
    this.deps.logger.info('cron source removed', { source: key });
  }

  /** Stop every timer, then wait for ticks in delivery (the process's abandon signal bounds the wait). */
  async stop(): Promise<void> {
    for (const run of [...this.running.values()]) this.retire(run);
    this.running.clear();
    await Promise.allSettled([...this.retiring]);
  }

  /** Stop the timer now; let ticks in delivery finish, then close the emitter. */
  private retire(run: Running): void {
    run.stopped = true;
    if (run.timer !== undefined) this.deps.clock.clearTimer(run.timer);
    const done = (async () => {
      await Promise.allSettled([...run.inFlight]);
      try {
        await (await run.emitter).close();
      } catch {
        // An emitter that never came up has nothing to close.
      }
    })();
    this.retiring.add(done);
    done.finally(() => this.retiring.delete(done));
  }

  private arm(run: Running): void {
    if (run.stopped) return;
    const wait = Math.max(0, Math.min(run.pendingMs - this.deps.clock.now(), this.opts.maxSleepMs));
    run.timer = this.deps.clock.setTimer(() => this.wake(run), wait);
  }

  private wake(run: Running): void {
    if (run.stopped) return;
    const now = this.deps.clock.now();
    if (now >= run.pendingMs) {
      const plan = planDue(run.tenant.schedule, run.pendingMs, now, this.opts);
      if (plan.skipped.count > 0) {
        this.deps.metrics.missed(run.tenant, 'skipped', plan.skipped.count);
        this.deps.logger.warn('missed cron ticks skipped', {
          source: run.tenant.key,
          count: plan.skipped.count,
          atLeast: plan.skipped.atLeast,
          first: plan.skipped.firstMs === undefined ? undefined : new Date(plan.skipped.firstMs).toISOString(),
          last: plan.skipped.lastMs === undefined ? undefined : new Date(plan.skipped.lastMs).toISOString(),
          reason: 'the process was paused or the clock jumped; only the newest missed ticks are sent late',
        });
      }
      for (const tick of plan.emit) this.fire(run, tick.scheduledMs, tick.lateMs);
      run.pendingMs = plan.nextMs;
    }
    this.arm(run);
  }

  private fire(run: Running, scheduledMs: number, lateMs: number | undefined): void {
    const { tenant } = run;
    const at = new Date(scheduledMs).toISOString();
    if (lateMs !== undefined) {
      this.deps.metrics.missed(tenant, 'late', 1);
      this.deps.logger.warn('cron tick missed its time: sending it late', { source: tenant.key, scheduled: at, lateMs });
    }
    if (run.inFlight.size >= this.opts.maxInFlightPerSource) {
      this.deps.metrics.missed(tenant, 'skipped', 1);
      this.deps.logger.error('cron tick skipped: earlier ticks of this source are still being delivered', {
        source: tenant.key,
        scheduled: at,
        inFlight: run.inFlight.size,
      });
      return;
    }
    const event = tickEvent(tenant.tick, scheduledMs, lateMs);
    const p = (async () => {
      let emitter: Emitter;
      try {
        emitter = await run.emitter;
      } catch (err) {
        // The output could not be built (e.g. the bus was unreachable): try again for the next tick.
        if (!run.stopped) {
          run.emitter = this.deps.emitterFor(tenant);
          run.emitter.catch(() => {});
        }
        this.deps.logger.error('cron tick not delivered: no connection to the output', { source: tenant.key, id: event.id, err });
        return;
      }
      try {
        const outcome = await emitter.emit(event);
        if (outcome.kind === 'dead-lettered') {
          this.deps.logger.warn('cron tick dead-lettered', { source: tenant.key, id: event.id, reason: outcome.reason });
        } else {
          this.deps.logger.debug('cron tick sent', { source: tenant.key, id: event.id, outcome: outcome.kind });
        }
      } catch (err) {
        // A tick has no source to redeliver it; the failure is counted (events_failed_total) and logged.
        this.deps.logger.error('cron tick not delivered', { source: tenant.key, id: event.id, err });
      }
    })();
    run.inFlight.add(p);
    p.finally(() => run.inFlight.delete(p));
  }
}
