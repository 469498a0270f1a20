/**
 * Latency at half the drain rate, open-loop (pace.ts), as every source → sink benchmark measures it. The phase
 * starts right after a drain, whose aftermath (the adapter's and the broker's garbage, the producer's first
 * sends) is not the steady state the latency target is about: events produced in the first `settleMs` are
 * summarised apart (the settling window) and printed beside the figure, not dropped from the report.
 */
import { cpus } from 'node:os';
import { type PaceResult, pace } from './pace.js';
import { cpuSecondsOf, machineBusySeconds } from './proc.js';
import type { BenchRecorder } from './recorder.js';
import type { SinkStats } from './sink-protocol.js';

export interface HalfRate {
  /** Events per second actually offered, settling window included. */
  offeredPerSecond: number;
  settleMs: number;
  /** `latency` and `slow` cover events produced after the settling window; `settling` the ones before. */
  stats: SinkStats;
  /**
   * The adapter's CPU over the whole phase: per 1,000 events, and as a share of one core (its helper threads
   * count too): how busy the process was that the latency waited behind.
   */
  adapterCpu?: { msPer1000: number; coreShare: number };
  /**
   * The whole machine's busy share of its cores over the phase (every process): the phase adds a producer to
   * what the drain ran, so half the drain rate is not half the machine.
   */
  machineShare: number;
  /** The producer's side of the phase (pace.ts). */
  producer: Pick<PaceResult, 'sendMs' | 'largestBatch'>;
}

export interface HalfRateOptions {
  settleMs: number;
  measureMs: number;
  /** How long the sink may take to receive everything sent. */
  waitMs: number;
  /** The adapter process, for its CPU over the phase. */
  adapterPid?: number;
}

/** Settling window of the benchmarks' half-rate phases. */
export const defaultSettleMs = 3_000;

export async function measureHalfRate(
  sink: BenchRecorder,
  ratePerSecond: number,
  opts: HalfRateOptions,
  send: (n: number) => Promise<void>,
): Promise<HalfRate> {
  const { adapterPid } = opts;
  await sink.reset(Date.now() + opts.settleMs);
  const cpu0 = adapterPid === undefined ? 0 : cpuSecondsOf(adapterPid);
  const machine0 = machineBusySeconds();
  const started = performance.now();
  const sent = await pace(ratePerSecond, opts.settleMs + opts.measureMs, send);
  await sink.waitFor(sent.sent, opts.waitMs);
  // Every counter is read over the same span, before the sink's stats take an IPC round trip.
  const phaseMs = performance.now() - started;
  const machineShare = (machineBusySeconds() - machine0) / ((phaseMs / 1000) * cpus().length);
  const adapterCpuSeconds = adapterPid === undefined ? undefined : cpuSecondsOf(adapterPid) - cpu0;
  const result: HalfRate = { offeredPerSecond: (sent.sent * 1000) / sent.elapsedMs, settleMs: opts.settleMs, stats: await sink.stats(), machineShare, producer: { sendMs: sent.sendMs, largestBatch: sent.largestBatch } };
  if (adapterCpuSeconds !== undefined && sent.sent > 0) {
    result.adapterCpu = { msPer1000: (adapterCpuSeconds * 1000 * 1000) / sent.sent, coreShare: (adapterCpuSeconds * 1000) / phaseMs };
  }
  return result;
}
