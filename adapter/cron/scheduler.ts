/**
 * The multi-tenant scheduler: one timer for the whole process, armed for the earliest instant any source is due,
 * and one pass that fires every source due then (due-index.ts). Sources sending to the same output share one
 * emitter (shared-outputs.ts); a fired tick waits in its output's compact queue (tick-queue.ts) and its event is
 * built when a delivery slot frees. At 10,000 per-second sources, one timer and one emitter per source collapsed
 * the process, and 10,000 events built at once per round set its memory (bench/README.md, cron fan-out). Adding, changing or removing a source still touches only that
 * source's entry. The clock is injected so unit tests drive time by hand.
 */
import type { Logger } from '../../lib/log.js';
import type { Emitter } from '../runtime/emitter.js';
import { DueIndex } from './due-index.js';
import { type DueOptions, planDue } from './due-ticks.js';
import { MissedTicksSummary } from './missed-summary.js';
import { type SharedOutput, SharedOutputs } from './shared-outputs.js';
import type { CronTenant } from './tenant.js';
import { tickEvent, tickId } from './tick-event.js';
import type { QueuedTick } from './tick-queue.js';

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
  /**
   * Ticks in delivery (queued for a slot or on the wire) across the whole process. 16 per source × 10,000
   * sources would be 160,000 queued requests; beyond this bound a tick is reported skipped instead. One round of
   * 10,000 per-second sources: when delivery is slower than the schedule, ticks are skipped at the same rate
   * whatever the bound, and a longer queue only adds lateness and memory.
   */
  maxQueuedTicks: number;
  /** Missed ticks are logged as one summary line at most this often. */
  summaryIntervalMs: number;
}

export const defaultSchedulerOptions: SchedulerOptions = {
  toleranceMs: 1_000,
  maxCatchUp: 10,
  maxSleepMs: 30_000,
  maxInFlightPerSource: 16,
  maxQueuedTicks: 10_000,
  summaryIntervalMs: 10_000,
};

export interface SchedulerDeps {
  clock: Clock;
  /** Called once per distinct output (tenant.outputKey), not once per source. */
  emitterFor(tenant: CronTenant): Promise<Emitter>;
  logger: Logger;
  metrics: CronMetrics;
  options?: Partial<SchedulerOptions>;
  /** Told of every tick as it fires (queued for delivery): the cron benchmark's fire lateness. */
  onFire?(scheduledMs: number): void;
}

interface Running {
  tenant: CronTenant;
  output: SharedOutput<Running>;
  pendingMs: number;
  inFlight: number;
  stopped: boolean;
}

export class CronScheduler {
  private readonly running = new Map<string, Running>();
  private readonly due = new DueIndex<Running>();
  private readonly outputs: SharedOutputs<Running>;
  private readonly summary: MissedTicksSummary;
  private readonly opts: SchedulerOptions;
  private timer: unknown;
  private timerAt = Number.POSITIVE_INFINITY;
  private queued = 0;

  constructor(private readonly deps: SchedulerDeps) {
    this.opts = { ...defaultSchedulerOptions, ...deps.options };
    this.outputs = new SharedOutputs(deps.emitterFor);
    this.summary = new MissedTicksSummary(deps.logger, this.opts.summaryIntervalMs);
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
    // Acquire before releasing: a source whose output did not change keeps the same emitter and connections.
    const output = this.outputs.acquire(tenant);
    if (current) this.unschedule(current);
    const run: Running = { tenant, output, pendingMs: tenant.schedule.next(this.deps.clock.now()), inFlight: 0, stopped: false };
    this.running.set(tenant.key, run);
    this.due.add(run.pendingMs, run);
    this.deps.metrics.sources(this.running.size);
    this.deps.logger.info(current ? 'cron source updated' : 'cron source added', {
      source: tenant.key,
      schedule: tenant.schedule.expression,
      timezone: tenant.schedule.timezone,
      next: new Date(run.pendingMs).toISOString(),
    });
    for (const w of tenant.warnings) this.deps.logger.warn('cron source warning', { source: tenant.key, warning: w });
    this.arm();
  }

  remove(key: string): void {
    const current = this.running.get(key);
    if (!current) return;
    this.running.delete(key);
    this.deps.metrics.sources(this.running.size);
    this.unschedule(current);
    this.deps.logger.info('cron source removed', { source: key });
  }

  /** Stop the timer, then wait for ticks in delivery (the process's abandon signal bounds the wait). */
  async stop(): Promise<void> {
    for (const run of this.running.values()) this.unschedule(run);
    this.running.clear();
    this.due.clear();
    this.disarm();
    this.summary.flush(this.deps.clock.now(), true);
    await this.outputs.closed();
  }

  /** Take a source off the schedule now; its output closes once no source uses it and its ticks finished. */
  private unschedule(run: Running): void {
    run.stopped = true;
    this.due.delete(run.pendingMs, run);
    this.outputs.release(run.output);
  }

  /** Keep one timer, for the earliest due instant (or pending summary), never longer than maxSleepMs. */
  private arm(): void {
    const now = this.deps.clock.now();
    const target = Math.min(this.due.earliest() ?? Number.POSITIVE_INFINITY, this.summary.dueAt() ?? Number.POSITIVE_INFINITY, now + this.opts.maxSleepMs);
    // Loading 10,000 sources must not clear and set 10,000 timers: keep one that fires early enough.
    if (this.timer !== undefined && this.timerAt <= target) return;
    this.disarm();
    this.timerAt = target;
    this.timer = this.deps.clock.setTimer(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.wake();
    }, Math.max(0, target - now));
  }

  private disarm(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private wake(): void {
    const now = this.deps.clock.now();
    for (const { items } of this.due.takeDue(now)) {
      for (const run of items) if (!run.stopped) this.fireDue(run, now);
    }
    this.summary.flush(now);
    this.arm();
  }

  private fireDue(run: Running, now: number): void {
    const { schedule } = run.tenant;
    // Fast path, the common case: one tick, on time. Sources on one schedule share the next instant (memoised).
    if (now - run.pendingMs <= this.opts.toleranceMs) {
      const next = schedule.next(run.pendingMs);
      if (next > now) {
        this.fire(run, run.pendingMs, undefined);
        run.pendingMs = next;
        this.due.add(next, run);
        return;
      }
    }
    const plan = planDue(schedule, run.pendingMs, now, this.opts);
    if (plan.skipped.count > 0) {
      this.deps.metrics.missed(run.tenant, 'skipped', plan.skipped.count);
      this.summary.skipped(run.tenant.key, 'paused', plan.skipped.count, plan.skipped);
    }
    for (const tick of plan.emit) this.fire(run, tick.scheduledMs, tick.lateMs);
    run.pendingMs = plan.nextMs;
    this.due.add(plan.nextMs, run);
  }

  private fire(run: Running, scheduledMs: number, lateMs: number | undefined): void {
    const { tenant, output } = run;
    if (lateMs !== undefined) {
      this.deps.metrics.missed(tenant, 'late', 1);
      this.summary.late(tenant.key, lateMs);
    }
    // Reported, not queued without bound: a slow sink or an overloaded process skips ticks and says so.
    const full = run.inFlight >= this.opts.maxInFlightPerSource ? 'sourceBacklog' : this.queued >= this.opts.maxQueuedTicks ? 'processCap' : undefined;
    if (full !== undefined) {
      this.deps.metrics.missed(tenant, 'skipped', 1);
      this.summary.skipped(tenant.key, full, 1, { firstMs: scheduledMs, lastMs: scheduledMs });
      return;
    }
    run.inFlight++;
    this.queued++;
    this.deps.onFire?.(scheduledMs);
    output.waiting.push(run, scheduledMs, lateMs);
    this.pump(output);
  }

  /**
   * Hand waiting ticks to the output's emitter while it has free slots, building each tick's event only now.
   * Called when a tick fires and when one finishes, so delivery continues between firing passes.
   */
  private pump(output: SharedOutput<Running>): void {
    const emitter = output.ready;
    if (emitter === undefined) {
      this.awaitEmitter(output);
      return;
    }
    while (output.active < output.maxActive) {
      const tick = output.waiting.shift();
      if (tick === undefined) return;
      output.active++;
      // deliver() never rejects: every failure is logged inside.
      void this.deliver(tick, emitter).then(() => {
        output.active--;
        this.pump(output);
        this.outputs.settled(output);
      });
    }
  }

  /** The output's emitter is not up yet (first tick, or being rebuilt): pump once it is, or drop what waits. */
  private awaitEmitter(output: SharedOutput<Running>): void {
    if (output.awaitingEmitter) return;
    output.awaitingEmitter = true;
    output.emitter.then(
      () => {
        output.awaitingEmitter = false;
        this.pump(output);
      },
      (err: unknown) => {
        output.awaitingEmitter = false;
        let rebuildFor: CronTenant | undefined;
        for (let tick = output.waiting.shift(); tick !== undefined; tick = output.waiting.shift()) {
          const run = tick.item;
          if (!run.stopped) rebuildFor = run.tenant;
          this.deps.logger.error('cron tick not delivered: no connection to the output', {
            source: run.tenant.key,
            id: tickEventId(run.tenant, tick.scheduledMs),
            err,
          });
          this.finished(run);
        }
        // The next tick tries again with a new emitter.
        if (rebuildFor !== undefined) this.outputs.rebuild(output, rebuildFor);
        this.outputs.settled(output);
      },
    );
  }

  private async deliver(tick: QueuedTick<Running>, emitter: Emitter): Promise<void> {
    const run = tick.item;
    const { tenant } = run;
    try {
      const event = tickEvent(tenant.tick, tick.scheduledMs, tick.lateMs);
      const outcome = await emitter.emit(event);
      if (outcome.kind === 'dead-lettered') {
        this.deps.logger.warn('cron tick dead-lettered', { source: tenant.key, id: event.id, reason: outcome.reason });
      } else {
        this.deps.logger.debug('cron tick sent', { source: tenant.key, id: event.id, outcome: outcome.kind });
      }
    } catch (err) {
      // A tick has no source to redeliver it; the failure is counted (events_failed_total) and logged.
      this.deps.logger.error('cron tick not delivered', { source: tenant.key, id: tickEventId(tenant, tick.scheduledMs), err });
    } finally {
      this.finished(run);
    }
  }

  private finished(run: Running): void {
    run.inFlight--;
    this.queued--;
  }
}

function tickEventId(tenant: CronTenant, scheduledMs: number): string {
  return tickId(tenant.tick.namespace, tenant.tick.name, scheduledMs);
}
