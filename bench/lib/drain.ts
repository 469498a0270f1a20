/**
 * The drain measurement every source → sink benchmark takes the same way: wait for the adapter's /readyz,
 * then time how fast it empties a pre-filled backlog into the sink and how much CPU it spent doing so.
 *
 * The backlog starts with `warmup` events that are delivered but not timed: a fresh adapter process takes its
 * first 10,000 events at about half its steady rate, and the next 40,000 still cost it ~10–17 % more CPU each
 * than later ones (JIT tiers, heap sizing; bench/README.md, "Warm figures"), and the figure is about an adapter
 * that has been running. Rate and CPU are taken from the moment the sink has received the warm-up to the last
 * event.
 */
import type { BrokerProcess } from './listening-pid.js';
import { type Child, cpuSecondsOf, machineBusySeconds, waitForOk } from './proc.js';
import type { BenchSink } from './sink.js';
import { ratePerSecond } from './stats.js';

/** Events at the head of every drain's backlog that warm the adapter up and are not timed. */
export const drainWarmup = 50_000;

export interface DrainResult {
  /** Events per second over the timed part (after the warm-up); undefined when nothing arrived in it. */
  rate: number | undefined;
  /** Events in the timed part: the backlog after the warm-up, give or take the few in flight at its start. */
  timed: number;
  /** Adapter CPU per 1,000 events, in milliseconds. */
  cpuMsPer1000: number;
  /** The whole machine's busy CPU per 1,000 events (adapter, sink, broker, harness), in milliseconds. */
  machineCpuMsPer1000: number;
  /** The sink process's CPU per 1,000 events. */
  sinkCpuMsPer1000: number;
  /** The broker's CPU per 1,000 events, when its process was found (a broker on this machine). */
  broker?: { name: string; cpuMsPer1000: number };
}

/**
 * The timed part of a drain from the sink's counts at its start and at its end: the events received in between
 * and their rate over the time between the last receipt before the start and the last one at the end.
 */
export function timedWindow(start: { count: number; spanMs: number }, end: { count: number; spanMs: number }): { timed: number; rate: number | undefined } {
  const timed = end.count - start.count;
  return { timed, rate: timed > 0 ? ratePerSecond(timed, end.spanMs - start.spanMs) : undefined };
}

export async function measureDrain(
  adapter: Child,
  port: number,
  sink: BenchSink,
  /** The whole backlog, warm-up included. */
  backlog: number,
  warmup: number,
  timeouts: { readyMs: number; drainMs: number },
  broker?: BrokerProcess,
): Promise<DrainResult> {
  if (warmup >= backlog) throw new Error(`the warm-up (${warmup}) must be smaller than the backlog (${backlog})`);
  await waitForOk(`http://127.0.0.1:${port}/readyz`, timeouts.readyMs, adapter);
  await sink.waitFor(warmup, timeouts.drainMs);
  // The counters first, then the sink's count and time at (about) the same instant: the timed part starts here.
  const cpu0 = cpuSecondsOf(adapter.pid);
  const sink0 = cpuSecondsOf(sink.pid);
  const broker0 = broker === undefined ? 0 : cpuSecondsOf(broker.pid);
  const machine0 = machineBusySeconds();
  const start = await sink.stats();
  await sink.waitFor(backlog, timeouts.drainMs);
  // Every counter is read at the drain's end, before the sink's stats take an IPC round trip.
  const cpu = { adapter: cpuSecondsOf(adapter.pid) - cpu0, machine: machineBusySeconds() - machine0, sink: cpuSecondsOf(sink.pid) - sink0 };
  const brokerUsed = broker === undefined ? undefined : { name: broker.name, seconds: cpuSecondsOf(broker.pid) - broker0 };
  const drained = await sink.stats();
  const { timed, rate } = timedWindow(start, drained);
  const perThousand = (seconds: number): number => (seconds * 1000 * 1000) / timed;
  const cpuMsPer1000 = perThousand(cpu.adapter);
  const machineCpuMsPer1000 = perThousand(cpu.machine);
  const sinkCpuMsPer1000 = perThousand(cpu.sink);
  const brokerCpu = brokerUsed === undefined ? undefined : { name: brokerUsed.name, cpuMsPer1000: perThousand(brokerUsed.seconds) };
  return {
    rate,
    timed,
    cpuMsPer1000,
    machineCpuMsPer1000,
    sinkCpuMsPer1000,
    ...(brokerCpu === undefined ? {} : { broker: brokerCpu }),
  };
}
