/** The rows every source → sink benchmark prints, in the same shape (Kafka, Redis stream, Trigger). */
import type { CeilingResult } from '../http-ceiling.js';
import type { DrainResult } from './drain.js';
import type { HalfRate } from './half-rate.js';
import type { SlowSeconds } from './sink-protocol.js';
import { type Row, withRatio } from './table.js';

/** The reference consumer: the source's client library reading and acknowledging, delivering nothing. */
export interface RawConsume {
  eventsPerSecond: number;
  /** Its own CPU per 1,000 events (in the harness process, between the first and the last read). */
  cpuMsPer1000: number;
}

export interface DeliveryFigures {
  bench: string;
  /** e.g. "unordered" or "" */
  label: string;
  /** Drain rate of a pre-filled backlog through the adapter, at the sink. */
  eventsPerSecond: number | undefined;
  ceiling: CeilingResult;
  /** CPU per 1,000 events during the drain: the adapter's own, the sink's, the broker's and the whole machine's. */
  drainCpu?: { who: 'adapter' | 'dispatcher'; drain: DrainResult; note?: string };
  /** The raw consume rate of the same client library with no delivery, and what it cost. */
  raw?: { label: string } & RawConsume;
  /** Fraction of min(ceiling, raw) the adapter must reach. */
  minFractionOfLimit?: number;
  /** Latency at half the measured max rate. */
  halfRate?: HalfRate;
  /** The same phase through a bare consumer of the same client library once the adapter stopped: the latency reference. */
  bareLatency?: { label: string; half: HalfRate };
  p99TargetMs?: number;
}

/** Where the receipts over the latency target fell: one stall shows as one bad second, a load-bound tail as many. */
export function slowNote(slow: SlowSeconds): string {
  if (slow.secondsWithSlow === 0) return `no receipt over ${slow.slowMs} ms`;
  const worst = slow.worst.map(([second, n, max]) => `s${second}: ${n} (max ${max} ms)`).join(', ');
  return `over ${slow.slowMs} ms in ${slow.secondsWithSlow} of ${slow.seconds} s; worst seconds ${worst}`;
}

/**
 * Max, where the slow receipts fell, the producer's stalls and the settling window: the part of a half-rate
 * phase p99 does not show.
 */
function tailNote(h: HalfRate): string {
  const { stats, settleMs, producer } = h;
  const settled = stats.settling;
  const sends = `producer sends p99 ${producer.sendMs.p99?.toFixed(0) ?? '–'}, max ${producer.sendMs.max?.toFixed(0) ?? '–'} ms, largest ${producer.largestBatch} events`;
  return `max ${stats.latency.max ?? '–'} ms; ${slowNote(stats.slow)}; ${sends}; first ${settleMs / 1000} s of the phase (settling, not in p50/p99): ${settled.count} events, p50 ${settled.p50 ?? '–'}, p99 ${settled.p99 ?? '–'}, max ${settled.max ?? '–'} ms`;
}

const perSecond = (rate: number): string => `${Math.round(rate).toLocaleString('en-US')} ev/s`;

/** How far the machine's speed moved across the drain, as the ceilings on either side of it show. */
function bracketNote(b: { before: number; after: number }): string {
  const moved = ((b.after - b.before) / b.before) * 100;
  return `the ceiling is the mean of ${perSecond(b.before)} just before the drain and ${perSecond(b.after)} just after it (${moved >= 0 ? '+' : ''}${moved.toFixed(0)} %)`;
}

export function deliveryRows(f: DeliveryFigures): Row[] {
  const prefix = f.label ? `${f.label}: ` : '';
  const rows: Row[] = [];
  rows.push(
    withRatio({
      bench: f.bench,
      metric: `${prefix}events/s vs HTTP ceiling`,
      value: f.eventsPerSecond,
      unit: 'ev/s',
      reference: { label: 'ceiling', value: f.ceiling.eventsPerSecond, unit: 'ev/s' },
      target: '≥ 0.9 × ceiling',
      ...(f.ceiling.bracket === undefined ? {} : { note: bracketNote(f.ceiling.bracket) }),
    }),
  );
  if (f.raw !== undefined) {
    const limit = Math.min(f.ceiling.eventsPerSecond, f.raw.eventsPerSecond);
    rows.push(
      withRatio({
        bench: f.bench,
        metric: `${prefix}events/s vs min(ceiling, ${f.raw.label})`,
        value: f.eventsPerSecond,
        unit: 'ev/s',
        reference: { label: `${f.raw.label} ${Math.round(f.raw.eventsPerSecond).toLocaleString('en-US')}/s → min`, value: limit, unit: 'ev/s' },
        ...(f.minFractionOfLimit === undefined ? {} : { target: `≥ ${f.minFractionOfLimit} × min` }),
      }),
    );
  }
  for (const r of rows) {
    const target = r.metric.includes('HTTP ceiling') ? 0.9 : f.minFractionOfLimit;
    if (target !== undefined && r.ratio !== undefined) r.met = r.ratio >= target;
  }
  if (f.drainCpu !== undefined) {
    const { who, drain } = f.drainCpu;
    const adapterMs = drain.cpuMsPer1000;
    const machineMs = drain.machineCpuMsPer1000;
    const c = f.ceiling;
    const ms = (v: number): string => `${v.toFixed(0)} ms`;
    rows.push(
      withRatio({
        bench: f.bench,
        metric: `${prefix}${who} CPU per 1,000 events`,
        value: adapterMs,
        unit: 'ms',
        reference: { label: 'bare HTTP client', value: c.cpuMsPer1000, unit: 'ms' },
        ...(f.drainCpu.note === undefined ? {} : { note: f.drainCpu.note }),
      }),
    );
    if (f.raw !== undefined) {
      // The two libraries' own costs together: what is left above them is this project's code per event.
      rows.push(
        withRatio({
          bench: f.bench,
          metric: `${prefix}${who} CPU per 1,000 events vs client + raw consume`,
          value: adapterMs,
          unit: 'ms',
          reference: { label: `client ${ms(c.cpuMsPer1000)} + raw ${ms(f.raw.cpuMsPer1000)} =`, value: c.cpuMsPer1000 + f.raw.cpuMsPer1000, unit: 'ms' },
        }),
      );
    }
    if (drain.broker !== undefined) {
      // The broker shares the two cores: what it spends per event bounds the machine-wide rate (bench/README.md).
      rows.push({ bench: f.bench, metric: `${prefix}broker (${drain.broker.name}) CPU per 1,000 events`, value: drain.broker.cpuMsPer1000, unit: 'ms' });
    }
    const brokerMs = drain.broker?.cpuMsPer1000 ?? 0;
    const brokerPart = drain.broker === undefined ? '' : ` + ${drain.broker.name} ${ms(brokerMs)}`;
    rows.push(
      withRatio({
        bench: f.bench,
        metric: `${prefix}machine CPU per 1,000 events (all processes)`,
        value: machineMs,
        unit: 'ms',
        reference: { label: 'ceiling run', value: c.machineCpuMsPer1000, unit: 'ms' },
        // Where an adapter's extra cost per event sits: in the adapter process, or in the sink and the broker.
        note: `drain: adapter ${ms(adapterMs)} + sink ${ms(drain.sinkCpuMsPer1000)}${brokerPart} + rest ${ms(machineMs - adapterMs - drain.sinkCpuMsPer1000 - brokerMs)} (harness, kernel threads, the rest); ceiling: client ${ms(c.cpuMsPer1000)} + sink ${ms(c.sinkCpuMsPer1000)} + rest ${ms(c.machineCpuMsPer1000 - c.cpuMsPer1000 - c.sinkCpuMsPer1000)}`,
      }),
    );
  }
  if (f.halfRate) {
    const { stats, offeredPerSecond, settleMs } = f.halfRate;
    const at = `at ${perSecond(offeredPerSecond)} (half max)`;
    rows.push({ bench: f.bench, metric: `${prefix}p50 latency ${at}`, value: stats.latency.p50, unit: 'ms' });
    const cpu = f.halfRate.adapterCpu;
    if (cpu !== undefined) {
      const who = f.drainCpu?.who ?? 'adapter';
      const drainMs = f.drainCpu?.drain.cpuMsPer1000;
      // How busy the adapter was while the latency was taken, beside its cost per event in the drain (without a
      // backlog, fewer events share each event-loop turn and each fetch).
      rows.push(
        withRatio({
          bench: f.bench,
          metric: `${prefix}${who} CPU per 1,000 events ${at}`,
          value: cpu.msPer1000,
          unit: 'ms',
          ...(drainMs === undefined ? {} : { reference: { label: 'in the drain', value: drainMs, unit: 'ms' } }),
          note: `${(cpu.coreShare * 100).toFixed(0)} % of one core over the phase (settling window included); the whole machine ${(f.halfRate.machineShare * 100).toFixed(0)} % busy`,
        }),
      );
    }
    const bare = f.bareLatency;
    rows.push(
      withRatio({
        bench: f.bench,
        metric: `${prefix}p99 latency ${at}`,
        value: stats.latency.p99,
        unit: 'ms',
        ...(bare === undefined ? {} : { reference: { label: `bare ${bare.label}, same rate`, value: bare.half.stats.latency.p99, unit: 'ms' } }),
        ...(f.p99TargetMs === undefined ? {} : { target: `< ${f.p99TargetMs} ms`, met: stats.latency.p99 !== undefined && stats.latency.p99 < f.p99TargetMs }),
        note: `${stats.latency.count} events after ${settleMs / 1000} s of settling; latency = sink receipt − produce time (ce-time, ms resolution); ${tailNote(f.halfRate)}`,
      }),
    );
    if (bare !== undefined) {
      // What the producer, the broker and the client take at this rate before any adapter code or HTTP hop.
      const b = bare.half;
      rows.push({
        bench: f.bench,
        metric: `${prefix}bare ${bare.label} p99 latency at ${perSecond(b.offeredPerSecond)} (no delivery)`,
        value: b.stats.latency.p99,
        unit: 'ms',
        note: `the same producer and phase once the adapter stopped (machine ${(b.machineShare * 100).toFixed(0)} % busy), ${b.stats.latency.count} records; latency = receipt in the consumer − produce time; p50 ${b.stats.latency.p50 ?? '–'} ms; ${tailNote(b)}`,
      });
    }
  }
  return rows;
}
