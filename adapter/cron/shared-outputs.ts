/**
 * Emitters shared by every CronSource with the same output (sink URL, CA bundle, overrides, delivery policy, or
 * bus topic). One emitter per source cost a limiter, closures and a pending queue for each of 10,000 sources;
 * sources that send to the same place now share one, whose `maxInFlight` bounds what is on the wire for all of
 * them. An output is closed when its last source leaves, after the ticks it carries have finished.
 */
import type { Emitter } from '../runtime/emitter.js';
import type { CronTenant } from './tenant.js';
import { TickQueue } from './tick-queue.js';

export interface SharedOutput<T> {
  readonly key: string;
  emitter: Promise<Emitter>;
  /** The emitter once it is up. */
  ready?: Emitter;
  /** Sources using it. */
  refs: number;
  /** Fired ticks waiting for a slot (tick-queue.ts): at most `maxActive` are handed to the emitter at once. */
  readonly waiting: TickQueue<T>;
  /** Ticks handed to the emitter and not finished. */
  active: number;
  /** The emitter's own bound (maxInFlight): what is handed to it is on the wire, not queued inside it. */
  readonly maxActive: number;
  /** Set while a pass waits for the emitter to come up. */
  awaitingEmitter: boolean;
  /** Called once nothing waits and nothing is active; closing waits for that. */
  readonly onIdle: (() => void)[];
}

export class SharedOutputs<T> {
  private readonly outputs = new Map<string, SharedOutput<T>>();
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly create: (tenant: CronTenant) => Promise<Emitter>) {}

  acquire(tenant: CronTenant): SharedOutput<T> {
    const known = this.outputs.get(tenant.outputKey);
    if (known !== undefined) {
      known.refs++;
      return known;
    }
    const out: SharedOutput<T> = {
      key: tenant.outputKey,
      emitter: this.create(tenant),
      refs: 1,
      waiting: new TickQueue<T>(),
      active: 0,
      maxActive: Math.max(1, tenant.output.maxInFlight),
      awaitingEmitter: false,
      onIdle: [],
    };
    this.watch(out);
    this.outputs.set(out.key, out);
    return out;
  }

  /** The output could not be built (e.g. the bus was unreachable): the next tick tries again. */
  rebuild(out: SharedOutput<T>, tenant: CronTenant): void {
    if (this.outputs.get(out.key) !== out) return;
    out.emitter = this.create(tenant);
    this.watch(out);
  }

  release(out: SharedOutput<T>): void {
    out.refs--;
    if (out.refs > 0 || this.outputs.get(out.key) !== out) return;
    this.outputs.delete(out.key);
    const done = (async () => {
      if (out.active > 0 || out.waiting.length > 0) await new Promise<void>((resolve) => out.onIdle.push(resolve));
      try {
        await (await out.emitter).close();
      } catch {
        // An emitter that never came up has nothing to close.
      }
    })();
    this.closing.add(done);
    done.finally(() => this.closing.delete(done));
  }

  /** Wait for outputs being closed (the process's abandon signal bounds the wait inside the emitters). */
  async closed(): Promise<void> {
    await Promise.allSettled([...this.closing]);
  }

  /** A tick of `out` finished or was dropped: wake whoever waits for it to have none. */
  settled(out: SharedOutput<T>): void {
    if (out.active > 0 || out.waiting.length > 0) return;
    for (const resolve of out.onIdle.splice(0)) resolve();
  }

  /** Note the emitter once it is up (unless replaced meanwhile). */
  private watch(out: SharedOutput<T>): void {
    const p = out.emitter;
    out.ready = undefined;
    p.then(
      (emitter) => {
        if (out.emitter === p) out.ready = emitter;
      },
      // A failed creation is reported per tick; keep the rejection from going unhandled meanwhile.
      () => {},
    );
  }
}
