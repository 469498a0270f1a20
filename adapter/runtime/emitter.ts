/**
 * Where a source's events go: an HTTP sink (K_SINK, with retries and dead-lettering) or an event bus
 * (K_EVENT_BUS_CONFIG, implemented in adapter/bus). Both honour the same promise: `emit` resolves only when the
 * event is safe, so the caller acknowledges its source position only then.
 */
import type { CloudEvent } from 'cloudevents';
import type { Logger } from '../../lib/log.js';
import type { AdapterConfig } from './config.js';
import type { ContentMode } from './encode.js';
import { DeliveryError } from './errors.js';
import type { HttpPool } from './http-pool.js';
import type { DeliveryMetrics } from './metrics.js';
import { applyOverrides } from './overrides.js';
import { deliverToSink, type SinkTarget } from './sink-delivery.js';
import { Slots } from './slots.js';

export type EmitOutcome =
  | { kind: 'delivered'; attempts: number }
  | { kind: 'dead-lettered'; attempts: number; reason: string }
  | { kind: 'published' };

export interface Emitter {
  /**
   * Resolves only once the event is safe: the sink answered 2xx, or it reached the dead-letter sink, or the bus
   * acknowledged the publish. Rejects (typed DeliveryError) otherwise — the caller must then NOT ack/commit its
   * source position. Awaiting it is the backpressure: at most `maxInFlight` events are on the wire at once.
   */
  emit(event: CloudEvent<unknown>): Promise<EmitOutcome>;
  /** Stop taking new events and wait for the in-flight ones (the process's abort signal cuts the wait short). */
  close(): Promise<void>;
}

/** The part of AdapterConfig an emitter needs; a multi-tenant role builds one per tenant. */
export type EmitterConfig = Pick<
  AdapterConfig,
  'sink' | 'eventBus' | 'ceOverrides' | 'caCerts' | 'timeoutMs' | 'delivery' | 'maxInFlight' | 'maxEventBytes'
> & { mode?: ContentMode };

export interface EmitterDeps {
  http: HttpPool;
  logger: Logger;
  metrics?: DeliveryMetrics;
  /** Aborted on shutdown; in-flight deliveries then end as DeliveryError('shutting-down'). */
  signal?: AbortSignal;
}

function closedError(what: string): DeliveryError {
  return new DeliveryError('shutting-down', `${what}: the emitter is closed`, { attempts: 0, retryable: true });
}

/** Count what comes in, apply the overrides, bound the concurrency; shared by the HTTP and bus paths. */
function guarded(
  cfg: EmitterConfig,
  deps: EmitterDeps,
  send: (event: CloudEvent<unknown>) => Promise<EmitOutcome>,
  closeInner: () => Promise<void>,
): Emitter {
  const slots = new Slots(cfg.maxInFlight);
  let closed = false;
  return {
    emit(event) {
      if (closed) return Promise.reject(closedError(`event ${event.id} not sent`));
      deps.metrics?.received();
      const out = applyOverrides(event, cfg.ceOverrides);
      return slots.run(() => send(out));
    },
    async close() {
      closed = true;
      await slots.idle();
      await closeInner();
    },
  };
}

export function createHttpEmitter(cfg: EmitterConfig & { sink: string }, deps: EmitterDeps): Emitter {
  const target: SinkTarget = {
    uri: cfg.sink,
    delivery: cfg.delivery,
    timeoutMs: cfg.timeoutMs,
    maxEventBytes: cfg.maxEventBytes,
    ...(cfg.caCerts === undefined ? {} : { caCerts: cfg.caCerts }),
    ...(cfg.mode === undefined ? {} : { mode: cfg.mode }),
  };
  return guarded(
    cfg,
    deps,
    (event) => deliverToSink(event, target, deps),
    async () => {},
  );
}

/** An emitter for a process with no output configured: every emit fails, clearly, and nothing is acked. */
export function createUnconfiguredEmitter(): Emitter {
  return {
    emit: (event) =>
      Promise.reject(
        new DeliveryError(
          'not-configured',
          `event ${event.id} has nowhere to go: set K_SINK or K_EVENT_BUS_CONFIG`,
          { eventId: event.id, attempts: 0, retryable: true },
        ),
      ),
    close: async () => {},
  };
}

export async function createEmitter(cfg: EmitterConfig, deps: EmitterDeps): Promise<Emitter> {
  if (cfg.eventBus !== undefined) {
    const bus = await import('../bus/index.js');
    const inner = await bus.createBusEmitter(cfg.eventBus, { logger: deps.logger });
    return guarded(
      cfg,
      deps,
      async (event) => {
        const outcome = await inner.emit(event);
        deps.metrics?.published();
        return outcome;
      },
      () => inner.close(),
    );
  }
  if (cfg.sink !== undefined) return createHttpEmitter({ ...cfg, sink: cfg.sink }, deps);
  return createUnconfiguredEmitter();
}
