/**
 * The span of a raw consumer's reads: wall time and the harness's own CPU from the first mark to the last, so a
 * reference rate and its CPU per event come from the same interval.
 */
import type { RawConsume } from './delivery-rows.js';

export class ReadSpan {
  #firstAt: number | undefined;
  #lastAt = 0;
  #cpuFirstMs = 0;
  #cpuLastMs = 0;

  mark(): void {
    const at = performance.now();
    const cpu = process.cpuUsage();
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (this.#firstAt === undefined) {
      this.#firstAt = at;
      this.#cpuFirstMs = cpuMs;
    }
    this.#lastAt = at;
    this.#cpuLastMs = cpuMs;
  }

  /** `events` over the span: their rate, and the CPU spent per 1,000 of them. */
  result(events: number): RawConsume {
    const elapsedMs = this.#lastAt - (this.#firstAt ?? this.#lastAt);
    return { eventsPerSecond: (events * 1000) / elapsedMs, cpuMsPer1000: ((this.#cpuLastMs - this.#cpuFirstMs) * 1000) / events };
  }
}
