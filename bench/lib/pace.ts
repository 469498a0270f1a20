/**
 * Open-loop load at a fixed rate for a fixed time: every `tickMs` it sends whatever the schedule says is due,
 * so a slow send is caught up in the next tick rather than slowing the offered rate. Bounded by count and time.
 */
import { sleep } from './proc.js';
import { type LatencySummary, Samples, summarize } from './stats.js';

export interface PaceResult {
  sent: number;
  elapsedMs: number;
  /**
   * How long each send took (ms), and the most events one send carried: a send that stalls makes the next one a
   * burst, which the receiving end then works through (what its tail may be made of).
   */
  sendMs: LatencySummary;
  largestBatch: number;
}

export async function pace(
  ratePerSecond: number,
  durationMs: number,
  sendBatch: (n: number, firstIndex: number) => Promise<void>,
  tickMs = 5,
): Promise<PaceResult> {
  const total = Math.max(1, Math.floor((ratePerSecond * durationMs) / 1000));
  const started = performance.now();
  let sent = 0;
  let largestBatch = 0;
  const sendMs = new Samples();
  // The hard stop (2 × duration) ends the loop even when sends cannot keep up.
  while (sent < total && performance.now() - started < durationMs * 2) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * ratePerSecond) / 1000));
    if (due > sent) {
      const n = due - sent;
      const t0 = performance.now();
      await sendBatch(n, sent);
      sendMs.push(performance.now() - t0);
      largestBatch = Math.max(largestBatch, n);
      sent += n;
    }
    await sleep(tickMs);
  }
  return { sent, elapsedMs: performance.now() - started, sendMs: summarize(sendMs.values()), largestBatch };
}
