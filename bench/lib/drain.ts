/**
 * The drain measurement every source → sink benchmark takes the same way: wait for the adapter's /readyz,
 * then time how fast it empties a pre-filled backlog into the sink and how much CPU it spent doing so.
 */
import { type Child, cpuSecondsOf, machineBusySeconds, waitForOk } from './proc.js';
import type { BenchSink } from './sink.js';

export interface DrainResult {
  /** Events per second between the first and the last receipt; undefined when fewer than two arrived. */
  rate: number | undefined;
  /** Adapter CPU per 1,000 events, in milliseconds. */
  cpuMsPer1000: number;
  /** The whole machine's busy CPU per 1,000 events (adapter, sink, broker, harness), in milliseconds. */
  machineCpuMsPer1000: number;
}

export async function measureDrain(
  adapter: Child,
  port: number,
  sink: BenchSink,
  backlog: number,
  timeouts: { readyMs: number; drainMs: number },
): Promise<DrainResult> {
  await waitForOk(`http://127.0.0.1:${port}/readyz`, timeouts.readyMs, adapter);
  const cpu0 = cpuSecondsOf(adapter.pid);
  const machine0 = machineBusySeconds();
  await sink.waitFor(backlog, timeouts.drainMs);
  const cpuMsPer1000 = ((cpuSecondsOf(adapter.pid) - cpu0) * 1000 * 1000) / backlog;
  const machineCpuMsPer1000 = ((machineBusySeconds() - machine0) * 1000 * 1000) / backlog;
  const drained = await sink.stats();
  const rate = drained.spanMs > 0 ? ((drained.count - 1) * 1000) / drained.spanMs : undefined;
  return { rate, cpuMsPer1000, machineCpuMsPer1000 };
}
