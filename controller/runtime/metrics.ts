/**
 * The controller's Prometheus metrics, on a registry per manager so that two managers in one process
 * (as in the leader-election test) do not share counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ControllerMetrics {
  registry: Registry;
  queueDepth: Gauge;
  reconcileDuration: Histogram<'kind'>;
  reconcileErrors: Counter<'kind'>;
  reconcileTotal: Counter<'kind'>;
  apiWrites: Counter<'verb' | 'kind'>;
  leaseWrites: Counter;
  isLeader: Gauge;
  informerRestarts: Gauge<'resource' | 'cause'>;
}

export function createControllerMetrics(options: { registry?: Registry; defaultMetrics?: boolean } = {}): ControllerMetrics {
  const registry = options.registry ?? new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    queueDepth: new Gauge({ name: 'headwater_workqueue_depth', help: 'Keys waiting in the work queue', registers: [registry] }),
    reconcileDuration: new Histogram({
      name: 'headwater_reconcile_duration_seconds',
      help: 'Time spent in one reconcile call, by primary kind',
      labelNames: ['kind'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    reconcileErrors: new Counter({
      name: 'headwater_reconcile_errors_total',
      help: 'Reconcile calls that failed, by primary kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    reconcileTotal: new Counter({
      name: 'headwater_reconcile_total',
      help: 'Reconcile calls, by primary kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    apiWrites: new Counter({
      name: 'headwater_api_writes_total',
      help: 'Write requests sent to the API server by reconcilers and the event recorder (the leader lease is counted apart)',
      labelNames: ['verb', 'kind'],
      registers: [registry],
    }),
    leaseWrites: new Counter({
      name: 'headwater_leader_lease_writes_total',
      help: 'Write requests for the leader-election Lease (acquire, renew, release)',
      registers: [registry],
    }),
    isLeader: new Gauge({ name: 'headwater_leader', help: '1 while this replica holds the leader Lease', registers: [registry] }),
    informerRestarts: new Gauge({
      name: 'headwater_informer_restarts',
      help: 'Informer watch restarts since start, by resource and cause (error, watchdog, expired = 410 Gone relist)',
      labelNames: ['resource', 'cause'],
      registers: [registry],
    }),
  };
}

/** Sum of a counter over all label values (tests and the benchmark read totals). */
export async function counterTotal(counter: Counter<string>, filter: (labels: Record<string, string | number>) => boolean = () => true): Promise<number> {
  const snapshot = await counter.get();
  return snapshot.values.filter((v) => filter(v.labels as Record<string, string | number>)).reduce((sum, v) => sum + v.value, 0);
}
