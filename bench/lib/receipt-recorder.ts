/**
 * What a receiving end of a benchmark records (the HTTP sink, and the bare consumers that are its references):
 * a count of receipts, their bytes, and end-to-end latency = receipt time − produce time. Receipts of events
 * produced before `measureFromMs` are the settling window, summarised apart; receipts over `slowMs` are counted
 * per second, so a tail can be told apart as one stall or many.
 */
import type { SinkStats, SlowSeconds } from './sink-protocol.js';
import { Samples, summarize } from './stats.js';

/** The latency targets are 20 ms: receipts above that are counted per second since the first measured one. */
export const slowMs = 20;

interface Waiter {
  n: number;
  resolve: () => void;
}

export class ReceiptRecorder {
  readonly #latencies = new Samples(1 << 16);
  readonly #settling = new Samples(1 << 12);
  #measureFromMs = Number.NEGATIVE_INFINITY;
  #slowPerSecond = new Map<number, { n: number; max: number }>();
  #firstMeasuredAt = -1;
  #count = 0;
  #bytes = 0;
  #firstAt = 0;
  #lastAt = 0;
  #waiters: Waiter[] = [];

  /** Forgets every receipt; events produced before `measureFromMs` (epoch ms) then count as settling. */
  reset(measureFromMs = Number.NEGATIVE_INFINITY): void {
    this.#count = 0;
    this.#bytes = 0;
    this.#firstAt = 0;
    this.#lastAt = 0;
    this.#latencies.clear();
    this.#settling.clear();
    this.#measureFromMs = measureFromMs;
    this.#firstMeasuredAt = -1;
    this.#slowPerSecond = new Map();
  }

  /** One receipt at `nowMs` (epoch ms, as every time here). `producedAtMs` is NaN when the event carried none. */
  record(producedAtMs: number, bytes: number, nowMs = Date.now()): void {
    this.#bytes += bytes;
    if (Number.isFinite(producedAtMs)) {
      const latency = nowMs - producedAtMs;
      if (producedAtMs < this.#measureFromMs) {
        this.#settling.push(latency);
      } else {
        this.#latencies.push(latency);
        if (this.#firstMeasuredAt < 0) this.#firstMeasuredAt = nowMs;
        if (latency > slowMs) {
          const second = Math.floor((nowMs - this.#firstMeasuredAt) / 1000);
          const s = this.#slowPerSecond.get(second) ?? { n: 0, max: 0 };
          s.n++;
          s.max = Math.max(s.max, latency);
          this.#slowPerSecond.set(second, s);
        }
      }
    }
    if (this.#count === 0) this.#firstAt = nowMs;
    this.#lastAt = nowMs;
    this.#count++;
    if (this.#waiters.length > 0) {
      const still: Waiter[] = [];
      for (const w of this.#waiters) {
        if (this.#count >= w.n) w.resolve();
        else still.push(w);
      }
      this.#waiters = still;
    }
  }

  /** Calls `resolve` once `count` receipts arrived since the last reset (at once if they have). */
  whenCount(count: number, resolve: () => void): void {
    if (this.#count >= count) resolve();
    else this.#waiters.push({ n: count, resolve });
  }

  stats(id: number, nowMs = Date.now()): SinkStats {
    const slow: SlowSeconds = {
      slowMs,
      worst: [...this.#slowPerSecond]
        .sort((a, b) => b[1].n - a[1].n)
        .slice(0, 3)
        .map(([second, v]): [number, number, number] => [second, v.n, v.max]),
      secondsWithSlow: this.#slowPerSecond.size,
      seconds: this.#firstMeasuredAt < 0 ? 0 : Math.ceil((this.#lastAt - this.#firstMeasuredAt) / 1000),
    };
    return {
      type: 'stats',
      id,
      count: this.#count,
      bytes: this.#bytes,
      spanMs: this.#lastAt - this.#firstAt,
      latency: summarize(this.#latencies.values()),
      settling: summarize(this.#settling.values()),
      sinceFirstMs: this.#count > 0 ? nowMs - this.#firstAt : 0,
      slow,
    };
  }
}
