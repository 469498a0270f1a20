/**
 * HTTP ceiling: how fast the adapter's own HTTP client can POST a 1 KiB CloudEvent to the benchmark sink on
 * loopback, keep-alive, at the adapter's concurrency. Every delivery benchmark measures it again right beside
 * its own figure (same run, same machine load) and reports its rate as a fraction of it.
 */
import { defaults } from '../adapter/runtime/config.js';
import { runJsonWorker } from './lib/proc.js';
import { startSink } from './lib/sink.js';
import { median } from './lib/stats.js';
import type { CeilingRoundOutput } from './workers/http-client.js';
import type { BenchContext, Benchmark } from './lib/types.js';

/** The adapter's in-flight bound per emitter (K_SINK path): the ceiling runs at the same concurrency. */
export const adapterConcurrency = defaults.maxInFlight;

export interface CeilingResult {
  eventsPerSecond: number;
  count: number;
  errors: number;
  /** The client process's CPU time per 1,000 requests: what the bare wire costs, to compare adapters against. */
  cpuMsPer1000: number;
  /** The whole machine's busy CPU per 1,000 requests (client, sink, and whatever else ran meanwhile). */
  machineCpuMsPer1000: number;
  /** The sink process's CPU per 1,000 requests, over the same timed loop. */
  sinkCpuMsPer1000: number;
  /** Set when measured on both sides of a figure (`bracketCeiling`): the two rates the figures above average. */
  bracket?: { before: number; after: number };
}

/** The sink a ceiling is measured against: where it listens, and its process for the CPU it spends. */
export interface CeilingSink {
  url: string;
  pid: number;
}

/** Requests a ceiling worker sends before its timed rounds: past a fresh process's slow start (~7,000). */
export const ceilingWarmupRequests = 10_000;

/**
 * The ceiling beside a figure: three timed rounds in one warmed-up client process, so neither the client's cold
 * start nor one noisy moment on the shared machine decides the ratio (rate and CPU are each the median of their
 * own three values).
 */
export async function measureCeiling(ctx: BenchContext, sink: CeilingSink, count = ctx.quick ? 21_000 : 60_000): Promise<CeilingResult> {
  const perRound = Math.ceil(count / 3);
  const { rounds } = await runJsonWorker<{ rounds: CeilingRoundOutput[] }>(
    ctx.distDir,
    'http-client',
    [sink.url, String(perRound), String(adapterConcurrency), String(sink.pid), '3', String(ceilingWarmupRequests)],
    180_000,
  );
  return ceilingOfRounds(rounds);
}

/** The ceiling of timed rounds: rate and each CPU figure the median of their own per-round values. */
export function ceilingOfRounds(rounds: readonly CeilingRoundOutput[]): CeilingResult {
  const per1000 = (ms: number, r: CeilingRoundOutput): number => (ms * 1000) / r.count;
  return {
    eventsPerSecond: median(rounds.map((r) => (r.count * 1000) / r.elapsedMs)),
    cpuMsPer1000: median(rounds.map((r) => per1000(r.cpuMs, r))),
    machineCpuMsPer1000: median(rounds.map((r) => per1000(r.machineMs, r))),
    sinkCpuMsPer1000: median(rounds.map((r) => per1000(r.sinkMs, r))),
    count: rounds.reduce((n, r) => n + r.count, 0),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
  };
}

/**
 * The ceiling of a figure measured just before it and again just after: the mean of the two, so a steady drift
 * of this machine's speed over the figure cancels out of its ratio, and their spread is printed with the ratio
 * (the speed moved 30 % within a minute in some runs: bench/README.md, "Noise").
 */
export function bracketCeiling(before: CeilingResult, after: CeilingResult): CeilingResult {
  const mean = (f: (c: CeilingResult) => number): number => (f(before) + f(after)) / 2;
  return {
    eventsPerSecond: mean((c) => c.eventsPerSecond),
    cpuMsPer1000: mean((c) => c.cpuMsPer1000),
    machineCpuMsPer1000: mean((c) => c.machineCpuMsPer1000),
    sinkCpuMsPer1000: mean((c) => c.sinkCpuMsPer1000),
    count: before.count + after.count,
    errors: before.errors + after.errors,
    bracket: { before: before.eventsPerSecond, after: after.eventsPerSecond },
  };
}

export const httpCeiling: Benchmark = {
  name: 'ceiling',
  title: 'HTTP ceiling: undici pool → sink, 1 KiB CloudEvent, keep-alive',
  async run(ctx) {
    const sink = await startSink(ctx.distDir);
    try {
      const rounds: CeilingResult[] = [];
      // Three rounds, each itself a median of three: the spread shows how noisy the shared machine is right now.
      for (let i = 0; i < 3; i++) rounds.push(await measureCeiling(ctx, sink));
      const rates = rounds.map((r) => r.eventsPerSecond).sort((a, b) => a - b);
      const cpu = rounds.map((r) => r.cpuMsPer1000).sort((a, b) => a - b);
      return [
        { bench: 'ceiling', metric: 'client CPU per 1,000 requests (median)', value: cpu[1], unit: 'ms' },
        {
          bench: 'ceiling',
          metric: `POST rate, ${adapterConcurrency} in flight (median of 3)`,
          value: rates[1],
          unit: 'ev/s',
          note: `rounds: ${rates.map((r) => Math.round(r)).join(', ')} ev/s, ${rounds[0]?.count} requests each (median of 3 sub-rounds, after ${ceilingWarmupRequests.toLocaleString('en-US')} warm-up requests)`,
        },
      ];
    } finally {
      await sink.close();
    }
  },
};
