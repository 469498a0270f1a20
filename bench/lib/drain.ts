/**
 * The drain measurement every source → sink benchmark takes the same way: wait for the adapter's /readyz,
 * then time how fast it empties a pre-filled backlog into the sink and how much CPU it spent doing so.
 */
import type { BrokerProcess } from './listening-pid.js';
import { type Child, cpuSecondsOf, machineBusySeconds, waitForOk } from './proc.js';
import type { BenchSink } from './sink.js';

export interface DrainResult {
  /** Events per second between the first and the last receipt; undefined when fewer than two arrived. */
  rate: number | undefined;
  /** Adapter CPU per 1,000 events, in milliseconds. */
  cpuMsPer1000: number;
  /** The whole machine's busy CPU per 1,000 events (adapter, sink, broker, harness), in milliseconds. */
  machineCpuMsPer1000: number;
  /** The sink process's CPU per 1,000 events. */
  sinkCpuMsPer1000: number;
  /** The broker's CPU per 1,000 events, when its process was found (a broker on this machine). */
  broker?: { name: string; cpuMsPer1000: number };
}

export async function measureDrain(
  adapter: Child,
  port: number,
  sink: BenchSink,
  backlog: number,
  timeouts: { readyMs: number; drainMs: number },
  broker?: BrokerProcess,
): Promise<DrainResult> {
  await waitForOk(`http://127.0.0.1:${port}/readyz`, timeouts.readyMs, adapter);
  const perThousand = (seconds: number): number => (seconds * 1000 * 1000) / backlog;
  const cpu0 = cpuSecondsOf(adapter.pid);
  const sink0 = cpuSecondsOf(sink.pid);
  const broker0 = broker === undefined ? 0 : cpuSecondsOf(broker.pid);
  const machine0 = machineBusySeconds();
  await sink.waitFor(backlog, timeouts.drainMs);
  // Every counter is read at the drain's end, before the sink's stats take an IPC round trip.
  const cpuMsPer1000 = perThousand(cpuSecondsOf(adapter.pid) - cpu0);
  const machineCpuMsPer1000 = perThousand(machineBusySeconds() - machine0);
  const sinkCpuMsPer1000 = perThousand(cpuSecondsOf(sink.pid) - sink0);
  const brokerCpu = broker === undefined ? undefined : { name: broker.name, cpuMsPer1000: perThousand(cpuSecondsOf(broker.pid) - broker0) };
  const drained = await sink.stats();
  return {
    rate: drained.spanMs > 0 ? ((drained.count - 1) * 1000) / drained.spanMs : undefined,
    cpuMsPer1000,
    machineCpuMsPer1000,
    sinkCpuMsPer1000,
    ...(brokerCpu === undefined ? {} : { broker: brokerCpu }),
  };
}
