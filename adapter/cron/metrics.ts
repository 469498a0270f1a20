/** Cron-only metrics, registered in the adapter's registry so /metrics shows them beside the delivery ones. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CronMetrics } from './scheduler.js';

export function createCronMetrics(registry: Registry): CronMetrics {
  const missed = new Counter({
    name: 'cron_missed_ticks_total',
    help: 'Ticks that did not fire on time: outcome "late" (sent late, with the cronlatems extension) or "skipped" (not sent)',
    labelNames: ['namespace', 'name', 'outcome'] as const,
    registers: [registry],
  });
  const sources = new Gauge({ name: 'cron_sources', help: 'CronSources currently scheduled', registers: [registry] });
  return {
    missed: (tenant, outcome, count) =>
      missed.inc({ namespace: tenant.tick.namespace, name: tenant.tick.name, outcome }, count),
    sources: (count) => sources.set(count),
  };
}
