/**
 * Small statistics for the benchmarks: percentiles over recorded samples and rates. Samples are kept whole
 * (a Float64Array per run, bounded by the run's event count), so percentiles are exact, not bucketed.
 */

/** Nearest-rank percentile (p in 0..100) of already sorted samples; undefined when there are none. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export interface LatencySummary {
  count: number;
  p50?: number;
  p99?: number;
  max?: number;
}

export function summarize(samples: Float64Array): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const out: LatencySummary = { count: sorted.length };
  const p50 = percentileSorted(sorted, 50);
  const p99 = percentileSorted(sorted, 99);
  const max = percentileSorted(sorted, 100);
  if (p50 !== undefined) out.p50 = p50;
  if (p99 !== undefined) out.p99 = p99;
  if (max !== undefined) out.max = max;
  return out;
}

/** A growable sample buffer without per-sample allocation (doubles its backing array when full). */
export class Samples {
  #buf: Float64Array;
  #n = 0;

  constructor(initial = 1024) {
    this.#buf = new Float64Array(initial);
  }

  push(v: number): void {
    if (this.#n === this.#buf.length) {
      const next = new Float64Array(this.#buf.length * 2);
      next.set(this.#buf);
      this.#buf = next;
    }
    this.#buf[this.#n++] = v;
  }

  get length(): number {
    return this.#n;
  }

  values(): Float64Array {
    return this.#buf.subarray(0, this.#n);
  }

  clear(): void {
    this.#n = 0;
  }
}

/** The middle value (the upper of the two middle ones for an even count); NaN when there is none. */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Events per second from a count and a span in milliseconds (undefined for an empty span). */
export function ratePerSecond(count: number, spanMs: number): number | undefined {
  return spanMs > 0 ? (count * 1000) / spanMs : undefined;
}
