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

/** An HttpPool whose module is loaded by `load()`; asking it for a dispatcher before that is a programming error. */
export function deferredHttpPool(create: () => Promise<HttpPool>): DeferredHttpPool {
  let pool: HttpPool | undefined;
  let loading: Promise<HttpPool> | undefined;
  return {
    load() {
      loading ??= create().then(
        (p) => {
          pool = p;
          return p;
        },
        (err: unknown) => {
          loading = undefined;
          throw err;
        },
      );
      return loading;
    },
    dispatcherFor(caCerts) {
      if (pool === undefined) {
        throw new HeadwaterError('HttpPoolNotLoaded', 'the HTTP pool was used before it was loaded: await load() first', {});
      }
      return pool.dispatcherFor(caCerts);
    },
    async close() {
      const p = pool ?? (await loading?.catch(() => undefined));
      await p?.close();
    },
  };
}

/**
 * An emitter built by `create` on its first `emit`. Events emitted while it loads wait for it, in order; once it
 * is up, `emit` goes straight to it. Closing before anything was sent loads nothing.
 */
export function deferredEmitter(create: () => Promise<Emitter>): Emitter {
  let inner: Emitter | undefined;
  let loading: Promise<Emitter> | undefined;
  let closed = false;
  const load = (): Promise<Emitter> => {
    loading ??= create().then(
      (e) => {
        inner = e;
        return e;
      },
      (err: unknown) => {
        // The next event tries again.
        loading = undefined;
        throw err;
      },
    );
    return loading;
  };
  return {
    emit(event) {
      if (inner !== undefined) return inner.emit(event);
      if (closed) {
        return Promise.reject(
          new DeliveryError('shutting-down', `event ${event.id} not sent: the emitter is closed`, { eventId: event.id, attempts: 0, retryable: true }),
        );
      }
      return load().then((e) => e.emit(event));
    },
    async close() {
      closed = true;
      // Events already waiting for the load were chained before this: they reach the emitter before it closes.
      const e = inner ?? (await loading?.catch(() => undefined));
      await e?.close();
    },
  };
}
