/**
 * Emitters shared by every CronSource with the same output (sink URL, CA bundle, overrides, delivery policy, or
 * bus topic). One emitter per source cost a limiter, closures and a pending queue for each of 10,000 sources;
 * sources that send to the same place now share one, whose `maxInFlight` bounds what is on the wire for all of
 * them. An output is closed when its last source leaves, after the ticks it carries have finished.
 */
import type { Emitter } from '../runtime/emitter.js';
import type { CronTenant } from './tenant.js';

export interface SharedOutput {
  readonly key: string;
  emitter: Promise<Emitter>;
  /** The emitter once it is up: ticks then go to it in the firing pass itself, without a promise hop each. */
  ready?: Emitter;
  /** Sources using it. */
  refs: number;
  /** Ticks handed to it and not finished; closing waits for them. */
  readonly ticks: Set<Promise<void>>;
}

export class SharedOutputs {
  private readonly outputs = new Map<string, SharedOutput>();
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly create: (tenant: CronTenant) => Promise<Emitter>) {}

  acquire(tenant: CronTenant): SharedOutput {
    const known = this.outputs.get(tenant.outputKey);
    if (known !== undefined) {
      known.refs++;
      return known;
    }
    const out: SharedOutput = { key: tenant.outputKey, emitter: this.create(tenant), refs: 1, ticks: new Set() };
    this.watch(out);
    this.outputs.set(out.key, out);
    return out;
  }

  /** The output could not be built (e.g. the bus was unreachable): the next tick tries again. */
  rebuild(out: SharedOutput, tenant: CronTenant): void {
    if (this.outputs.get(out.key) !== out) return;
    out.emitter = this.create(tenant);
    this.watch(out);
  }

  release(out: SharedOutput): void {
    out.refs--;
    if (out.refs > 0 || this.outputs.get(out.key) !== out) return;
    this.outputs.delete(out.key);
    const done = (async () => {
      await Promise.allSettled([...out.ticks]);
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
  async settled(): Promise<void> {
    await Promise.allSettled([...this.closing]);
  }

  /** Note the emitter once it is up (unless replaced meanwhile). */
  private watch(out: SharedOutput): void {
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
