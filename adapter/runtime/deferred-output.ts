/**
 * The HTTP output, loaded when the first event is sent instead of at start-up. The HTTP client (undici, with the
 * emitter and sink-delivery modules that import it) is ~7 MiB of an idle adapter's resident memory and tens of
 * milliseconds of its start-up (bench/README.md, footprint), and an adapter with nothing to send yet (a yearly
 * schedule, an empty stream or topic) never needs it. The first event waits for the load, once.
 */
import { HeadwaterError } from '../../lib/errors.js';
import type { Emitter } from './emitter.js';
import { DeliveryError } from './errors.js';
import type { HttpPool } from './http-pool.js';

export interface DeferredHttpPool extends HttpPool {
  /** Load the pool (undici) once; every later call gets the same pool. */
  load(): Promise<HttpPool>;
}

/** `create` run by the first `load()` and its value kept; a failed load is forgotten, so the next one tries again. */
function loadOnce<T>(create: () => Promise<T>): { load(): Promise<T>; value(): T | undefined; settled(): Promise<T | undefined> } {
  let value: T | undefined;
  let loading: Promise<T> | undefined;
  return {
    load() {
      loading ??= create().then(
        (v) => {
          value = v;
          return v;
        },
        (err: unknown) => {
          loading = undefined;
          throw err;
        },
      );
      return loading;
    },
    value: () => value,
    /** The value, waiting for a load under way; undefined if none was started or it failed. */
    settled: async () => value ?? (await loading?.catch(() => undefined)),
  };
}

/** An HttpPool whose module is loaded by `load()`; asking it for a dispatcher before that is a programming error. */
export function deferredHttpPool(create: () => Promise<HttpPool>): DeferredHttpPool {
  const pool = loadOnce(create);
  return {
    load: pool.load,
    dispatcherFor(caCerts) {
      const loaded = pool.value();
      if (loaded === undefined) {
        throw new HeadwaterError('HttpPoolNotLoaded', 'the HTTP pool was used before it was loaded: await load() first', {});
      }
      return loaded.dispatcherFor(caCerts);
    },
    async close() {
      await (await pool.settled())?.close();
    },
  };
}

/**
 * An emitter built by `create` on its first `emit`. Events emitted while it loads wait for it, in order; once it
 * is up, `emit` goes straight to it. Closing before anything was sent loads nothing.
 */
export function deferredEmitter(create: () => Promise<Emitter>): Emitter {
  const inner = loadOnce(create);
  let closed = false;
  return {
    emit(event) {
      const loaded = inner.value();
      if (loaded !== undefined) return loaded.emit(event);
      if (closed) {
        return Promise.reject(
          new DeliveryError('shutting-down', `event ${event.id} not sent: the emitter is closed`, { eventId: event.id, attempts: 0, retryable: true }),
        );
      }
      // A failed load rejects this event; the next one tries again.
      return inner.load().then((e) => e.emit(event));
    },
    async close() {
      closed = true;
      // Events already waiting for the load were chained before this: they reach the emitter before it closes.
      await (await inner.settled())?.close();
    },
  };
}
