/** The IPC messages between the harness and a receiving process: the sink (bench/workers/sink.ts) or a bare consumer. */
import type { LatencySummary } from './stats.js';

export type SinkRequest =
  /**
   * Forget every receipt. With `measureFromMs`, receipts of events produced before that instant (ce-time) are
   * the settling window: counted, summarised apart, and left out of `latency` and `slow`.
   */
  | { type: 'reset'; id: number; measureFromMs?: number }
  | { type: 'stats'; id: number }
  /** Answered once `count` requests arrived in total since the last reset. */
  | { type: 'wait'; id: number; count: number }
  | { type: 'close'; id: number };

export type SinkReply =
  | { type: 'listening'; id: 0; url: string }
  /** A bare consumer (bench/workers/bare-consumer.ts) is subscribed: what is produced from now on reaches it. */
  | { type: 'ready'; id: 0 }
  | { type: 'ok'; id: number }
  | {
      type: 'stats';
      id: number;
      count: number;
      bytes: number;
      spanMs: number;
      sinceFirstMs: number;
      latency: LatencySummary;
      /** Events produced before the reset's `measureFromMs` (none without it). */
      settling: LatencySummary;
      /** Receipts over `slowMs` latency, per second since the first receipt: where a tail comes from (one stall or spread). */
      slow: SlowSeconds;
    };

export interface SlowSeconds {
  slowMs: number;
  /** Seconds (since the first measured receipt) with at least one slow receipt, worst first: [second, slow receipts, max ms]. */
  worst: [number, number, number][];
  /** Seconds with at least one slow receipt, and seconds measured. */
  secondsWithSlow: number;
  seconds: number;
}

export type SinkStats = Extract<SinkReply, { type: 'stats' }>;
