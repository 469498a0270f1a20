/**
 * Prometheus metrics of an adapter process. Each process gets its own Registry (not prom-client's global one)
 * so tests can run several adapters in one process without "metric already registered" clashes.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface DeliveryMetrics {
  received(): void;
  delivered(seconds: number): void;
  retried(): void;
  deadLettered(): void;
  failed(): void;
  published(): void;
}

export interface AdapterMetrics extends DeliveryMetrics {
  readonly role: string;
  /** For role-specific metrics (e.g. cron_missed_ticks_total); register them here so /metrics shows them. */
  readonly registry: Registry;
}

export function createAdapterMetrics(role: string, options: { defaultMetrics?: boolean } = {}): AdapterMetrics {
  const registry = new Registry();
  // The role is the same for every sample of the process, so it is a default label of the registry, added when
  // /metrics is rendered. As a label of each metric it was hashed on every inc() and observe(), bound children
  // included (prom-client's labels() only binds the label object): a visible share of the cost per event.
  registry.setDefaultLabels({ role });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const counter = (name: string, help: string): Counter => new Counter({ name, help, registers: [registry] });
  const received = counter('events_received_total', 'Events taken from the source');
  const delivered = counter('events_delivered_total', 'Events the sink answered 2xx');
  const retried = counter('events_retried_total', 'Delivery attempts repeated after a retryable failure');
  const deadLettered = counter('events_dead_lettered_total', 'Events delivered to the dead-letter sink');
  const failed = counter('events_failed_total', 'Events neither delivered nor dead-lettered (left un-acked)');
  const published = counter('events_published_total', 'Events acknowledged by the event bus');
  const latency = new Histogram({
    name: 'delivery_latency_seconds',
    help: 'Time from first attempt to the sink answering 2xx, retries included',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  return {
    role,
    registry,
    received: () => received.inc(),
    delivered: (seconds) => {
      delivered.inc();
      latency.observe(seconds);
    },
    retried: () => retried.inc(),
    deadLettered: () => deadLettered.inc(),
    failed: () => failed.inc(),
    published: () => published.inc(),
  };
}
