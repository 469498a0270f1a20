import type { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { type Clock, type CronMetrics, CronScheduler } from '../../../../adapter/cron/scheduler.js';
import { buildTenant, type CronTenant } from '../../../../adapter/cron/tenant.js';
import { defaults } from '../../../../adapter/runtime/config.js';
import type { Emitter, EmitOutcome } from '../../../../adapter/runtime/emitter.js';
import { createLogger } from '../../../../lib/log.js';

/** A hand-driven clock: timers fire only when the test advances time. */
class FakeClock implements Clock {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private seq = 0;
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimer(h: unknown): void {
    this.timers.delete(h as number);
  }
  pending(): number {
    return this.timers.size;
  }
  /** Move time forward in one jump (like a paused process), then fire what is due, repeatedly. */
  jump(ms: number): void {
    this.t += ms;
    this.fireDue();
  }
  /** Move time forward in small steps, firing timers as they come due (a healthy process). */
  advance(ms: number, step = 1000): void {
    const end = this.t + ms;
    while (this.t < end) {
      this.t = Math.min(end, this.t + step);
      this.fireDue();
    }
  }
  private fireDue(): void {
    for (;;) {
      const due = [...this.timers.entries()].filter(([, v]) => v.at <= this.t).sort((a, b) => a[1].at - b[1].at);
      if (due.length === 0) return;
      for (const [id, v] of due) {
        this.timers.delete(id);
        v.fn();
      }
    }
  }
}

class RecordingEmitter implements Emitter {
  events: CloudEvent<unknown>[] = [];
  closed = false;
  async emit(event: CloudEvent<unknown>): Promise<EmitOutcome> {
    this.events.push(event);
    return { kind: 'delivered', attempts: 1 };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const t0 = Date.parse('2026-01-01T00:00:00Z');
const cfgDefaults = {
  timeoutMs: 1000,
  maxInFlight: 4,
  maxEventBytes: defaults.maxEventBytes,
  delivery: { retry: 3, backoffPolicy: 'exponential' as const, backoffDelayMs: 200, maxDelayMs: 60_000 },
  ceOverrides: {},
};

function tenant(name: string, schedule: string, data = 'x'): CronTenant {
  return buildTenant({ namespace: 'ns', name, spec: { schedule, data }, sinkUri: `http://sink/${name}`, defaults: cfgDefaults });
}

function setup() {
  const clock = new FakeClock(t0 + 500);
  const emitters = new Map<string, RecordingEmitter[]>();
  const missed: { key: string; outcome: string; count: number }[] = [];
  const metrics: CronMetrics = {
    missed: (t, outcome, count) => missed.push({ key: t.key, outcome, count }),
    sources: () => {},
  };
  const lines: string[] = [];
  const scheduler = new CronScheduler({
    clock,
    emitterFor: async (t) => {
      const e = new RecordingEmitter();
      emitters.set(t.key, [...(emitters.get(t.key) ?? []), e]);
      return e;
    },
    logger: createLogger({}, { write: (l) => lines.push(l) }),
    metrics,
  });
  const flush = () => new Promise((r) => setImmediate(r));
  const ids = (key: string) => (emitters.get(key) ?? []).flatMap((e) => e.events.map((ev) => ev.id));
  return { clock, scheduler, emitters, missed, lines, flush, ids };
}

describe('CronScheduler', () => {
  it('fires each source on its own schedule with deterministic ids', async () => {
    const { clock, scheduler, flush, ids } = setup();
    scheduler.upsert(tenant('a', '* * * * * *'));
    scheduler.upsert(tenant('b', '*/2 * * * * *'));
    clock.advance(4_000, 250);
    await flush();
    expect(ids('ns/a')).toEqual([1, 2, 3, 4].map((s) => `ns/a/2026-01-01T00:00:0${s}.000Z`));
    expect(ids('ns/b')).toEqual(['ns/b/2026-01-01T00:00:02.000Z', 'ns/b/2026-01-01T00:00:04.000Z']);
  });

  it('adding, changing and removing one source leaves the others untouched', async () => {
    const { clock, scheduler, flush, ids, emitters } = setup();
    scheduler.upsert(tenant('a', '* * * * * *'));
    clock.advance(2_000, 250);
    const aEmitter = emitters.get('ns/a')?.[0];
    scheduler.upsert(tenant('b', '* * * * * *'));
    scheduler.upsert(tenant('a', '* * * * * *')); // unchanged: keeps its emitter
    scheduler.upsert(tenant('b', '* * * * * *', 'changed'));
    clock.advance(2_000, 250);
    scheduler.remove('ns/b');
    clock.advance(2_000, 250);
    await flush();
    expect(emitters.get('ns/a')).toEqual([aEmitter]);
    expect(ids('ns/a')).toEqual([1, 2, 3, 4, 5, 6].map((s) => `ns/a/2026-01-01T00:00:0${s}.000Z`));
    expect(ids('ns/b')).toEqual(['ns/b/2026-01-01T00:00:03.000Z', 'ns/b/2026-01-01T00:00:04.000Z']);
    expect(emitters.get('ns/b')?.every((e) => e.closed)).toBe(true);
    expect(scheduler.keys()).toEqual(['ns/a']);
  });

  it('reports a pause: newest missed ticks sent late with the lateness extension, older ones skipped', async () => {
    const { clock, scheduler, flush, emitters, missed, lines } = setup();
    scheduler.upsert(tenant('a', '* * * * *'));
    clock.jump(15 * 60_000); // the process was stopped for 15 minutes
    await flush();
    const events = emitters.get('ns/a')?.[0]?.events ?? [];
    expect(events).toHaveLength(10);
    expect(events[0]?.id).toBe('ns/a/2026-01-01T00:06:00.000Z');
    expect(events[9]?.id).toBe('ns/a/2026-01-01T00:15:00.000Z');
    const late = events.map((e) => (e as unknown as Record<string, unknown>).cronlatems);
    expect(late[0]).toBe(String(15 * 60_000 + 500 - 6 * 60_000));
    // the newest was due 500 ms ago, within the tolerance: on time
    expect(late[9]).toBeUndefined();
    expect(missed.filter((m) => m.outcome === 'skipped')).toEqual([{ key: 'ns/a', outcome: 'skipped', count: 5 }]);
    expect(missed.filter((m) => m.outcome === 'late').length).toBe(9);
    // One summary line, not one per tick.
    const summaries = lines.filter((l) => l.includes('cron ticks missed their time'));
    expect(summaries).toHaveLength(1);
    const summary = JSON.parse(summaries[0] ?? '{}') as { late: { ticks: number }; skipped: { ticks: number; paused: number; first: string; last: string } };
    expect(summary.late.ticks).toBe(9);
    expect(summary.skipped).toMatchObject({ ticks: 5, paused: 5, first: '2026-01-01T00:01:00.000Z', last: '2026-01-01T00:05:00.000Z' });
  });

  it('sources late together are summarised in one line per interval; the metric stays per source', async () => {
    const { clock, scheduler, flush, missed, lines } = setup();
    for (let i = 0; i < 50; i++) scheduler.upsert(tenant(`s${i}`, '* * * * * *'));
    clock.jump(3_000); // every source is 2.5 s late: 3 ticks each, the first two late
    await flush();
    clock.jump(3_000); // again, within the 10 s summary interval: no new line yet
    await flush();
    expect(lines.filter((l) => l.includes('cron ticks missed their time'))).toHaveLength(1);
    expect(missed.filter((m) => m.outcome === 'late').length).toBe(50 * 4);
    expect(new Set(missed.map((m) => m.key)).size).toBe(50);
    clock.advance(10_000, 250);
    await flush();
    const summaries = lines.filter((l) => l.includes('cron ticks missed their time'));
    expect(summaries).toHaveLength(2);
    expect(JSON.parse(summaries[1] ?? '{}')).toMatchObject({ late: { ticks: 100, sources: 50 } });
  });

  it('sources with the same output share one emitter; it closes when the last of them leaves', async () => {
    const { clock, scheduler, flush } = setup();
    const created: RecordingEmitter[] = [];
    const shared = new CronScheduler({
      clock,
      emitterFor: async () => {
        const e = new RecordingEmitter();
        created.push(e);
        return e;
      },
      logger: createLogger({}, { write: () => {} }),
      metrics: { missed: () => {}, sources: () => {} },
    });
    const onSink = (name: string) =>
      buildTenant({ namespace: 'ns', name, spec: { schedule: '* * * * * *', data: name }, sinkUri: 'http://sink/same', defaults: cfgDefaults });
    shared.upsert(onSink('a'));
    shared.upsert(onSink('b'));
    clock.advance(2_000, 250);
    await flush();
    expect(created).toHaveLength(1);
    expect(created[0]?.events.map((e) => e.id).sort()).toEqual([
      'ns/a/2026-01-01T00:00:01.000Z',
      'ns/a/2026-01-01T00:00:02.000Z',
      'ns/b/2026-01-01T00:00:01.000Z',
      'ns/b/2026-01-01T00:00:02.000Z',
    ]);
    shared.remove('ns/a');
    await flush();
    expect(created[0]?.closed).toBe(false);
    shared.remove('ns/b');
    await flush();
    expect(created[0]?.closed).toBe(true);
    await scheduler.stop();
  });

  it('beyond the process-wide cap of ticks in delivery, ticks are skipped and reported, not queued', async () => {
    const clock = new FakeClock(t0 + 500);
    const lines: string[] = [];
    const missed: { key: string; outcome: string; count: number }[] = [];
    const held: (() => void)[] = [];
    const stuck: Emitter = {
      emit: () => new Promise<EmitOutcome>((resolve) => held.push(() => resolve({ kind: 'delivered', attempts: 1 }))),
      close: async () => {},
    };
    const scheduler = new CronScheduler({
      clock,
      emitterFor: async () => stuck,
      logger: createLogger({}, { write: (l) => lines.push(l) }),
      metrics: { missed: (t, outcome, count) => missed.push({ key: t.key, outcome, count }), sources: () => {} },
      options: { maxQueuedTicks: 3 },
    });
    for (const n of ['a', 'b', 'c', 'd', 'e']) scheduler.upsert(tenant(n, '* * * * * *'));
    clock.advance(1_000, 250);
    await new Promise((r) => setImmediate(r));
    expect(held).toHaveLength(3);
    expect(missed.filter((m) => m.outcome === 'skipped').reduce((n, m) => n + m.count, 0)).toBe(2);
    const summary = JSON.parse(lines.find((l) => l.includes('cron ticks missed their time')) ?? '{}') as Record<string, unknown>;
    expect(summary.skipped).toMatchObject({ ticks: 2, processCap: 2, sources: 2 });
    // Once deliveries finish, the next tick of every source goes out again.
    for (const release of held.splice(0)) release();
    await new Promise((r) => setImmediate(r));
    clock.advance(1_000, 250);
    await new Promise((r) => setImmediate(r));
    expect(held).toHaveLength(3);
    for (const release of held.splice(0)) release();
    await scheduler.stop();
  });

  it('fired ticks beyond the output maxInFlight wait in its queue, in order, and go out as slots free', async () => {
    const clock = new FakeClock(t0 + 500);
    const handed: { id: string; release: () => void }[] = [];
    let closed = false;
    const holding: Emitter = {
      emit: (event) => new Promise<EmitOutcome>((resolve) => handed.push({ id: event.id, release: () => resolve({ kind: 'delivered', attempts: 1 }) })),
      close: async () => {
        closed = true;
      },
    };
    const fired: number[] = [];
    const scheduler = new CronScheduler({
      clock,
      emitterFor: async () => holding,
      logger: createLogger({}, { write: () => {} }),
      metrics: { missed: () => {}, sources: () => {} },
      onFire: (scheduledMs) => fired.push(scheduledMs),
    });
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    // One sink for all six: one output, maxInFlight 4 (cfgDefaults).
    for (const n of names) {
      scheduler.upsert(buildTenant({ namespace: 'ns', name: n, spec: { schedule: '* * * * * *', data: 'x' }, sinkUri: 'http://sink/shared', defaults: cfgDefaults }));
    }
    clock.advance(1_000, 250);
    await new Promise((r) => setImmediate(r));
    // All six fired on time; four are on the wire, two wait (not skipped, their events not built yet).
    expect(fired).toEqual(names.map(() => t0 + 1_000));
    expect(handed.map((h) => h.id)).toEqual(['a', 'b', 'c', 'd'].map((n) => `ns/${n}/2026-01-01T00:00:01.000Z`));
    handed[0]?.release();
    await new Promise((r) => setImmediate(r));
    expect(handed.map((h) => h.id).slice(4)).toEqual(['ns/e/2026-01-01T00:00:01.000Z']);
    // Stopping waits for the queue to drain before closing the output.
    const stopped = scheduler.stop();
    for (let i = 1; i < 6; i++) {
      await new Promise((r) => setImmediate(r));
      handed[i]?.release();
    }
    await stopped;
    expect(handed.map((h) => h.id)).toEqual(names.map((n) => `ns/${n}/2026-01-01T00:00:01.000Z`));
    expect(closed).toBe(true);
  });

  it('a tick on time carries no lateness extension', async () => {
    const { clock, scheduler, flush, emitters, missed } = setup();
    scheduler.upsert(tenant('a', '* * * * * *'));
    clock.advance(1_000, 100);
    await flush();
    const e = emitters.get('ns/a')?.[0]?.events[0] as unknown as Record<string, unknown>;
    expect(e.id).toBe('ns/a/2026-01-01T00:00:01.000Z');
    expect(e.cronlatems).toBeUndefined();
    expect(missed).toEqual([]);
  });

  it('keeps one timer for the whole process, whatever the number of sources', () => {
    const { clock, scheduler } = setup();
    for (let i = 0; i < 100; i++) scheduler.upsert(tenant(`s${i}`, i % 2 === 0 ? '* * * * * *' : '*/5 * * * * *'));
    expect(clock.pending()).toBe(1);
    clock.advance(5_000, 250);
    expect(clock.pending()).toBe(1);
  });

  it('stop() clears every timer and closes the emitters', async () => {
    const { clock, scheduler, emitters } = setup();
    scheduler.upsert(tenant('a', '* * * * * *'));
    scheduler.upsert(tenant('b', '* * * * * *'));
    await scheduler.stop();
    expect(clock.pending()).toBe(0);
    expect([...emitters.values()].flat().every((e) => e.closed)).toBe(true);
  });
});

describe('CronScheduler output failures', () => {
  it('rebuilds an output that could not be created, and the next tick goes through', async () => {
    const clock = new FakeClock(t0 + 500);
    const lines: string[] = [];
    const good = new RecordingEmitter();
    let calls = 0;
    const scheduler = new CronScheduler({
      clock,
      emitterFor: async () => {
        calls++;
        if (calls === 1) throw new Error('bus unreachable');
        return good;
      },
      logger: createLogger({}, { write: (l) => lines.push(l) }),
      metrics: { missed: () => {}, sources: () => {} },
    });
    scheduler.upsert(tenant('a', '* * * * * *'));
    clock.advance(1_000, 100);
    await new Promise((r) => setImmediate(r));
    expect(lines.some((l) => l.includes('no connection to the output') && l.includes('bus unreachable'))).toBe(true);
    clock.advance(1_000, 100);
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(2);
    expect(good.events.map((e) => e.id)).toEqual(['ns/a/2026-01-01T00:00:02.000Z']);
    await scheduler.stop();
  });
});
