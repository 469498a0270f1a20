/**
 * The latency reference of a half-rate phase: once the adapter has stopped, a bare consumer
 * (bench/workers/bare-consumer.ts: the source's client library with the adapter's connection settings, in a
 * process and consumer group of its own, acknowledging and delivering nothing) takes the same phase: the same
 * producer, rate, settling window and length. Its p99 is what the producer, the broker and the client take at
 * that rate on this machine, before any adapter code or HTTP hop.
 *
 * Not alongside the adapter: a Kafka consumer reading the same records at the same time raised the adapter's
 * own p99 from 18–34 ms to 59–280 ms in four full runs (bench/README.md).
 */
import { join } from 'node:path';
import { type HalfRate, type HalfRateOptions, measureHalfRate } from './half-rate.js';
import { forkRecorder } from './recorder.js';

export type BareConsumerSpec = { kind: 'kafka'; brokers: string[]; topic: string } | { kind: 'redis'; url: string; stream: string };

/** How long warm-up records may take to start arriving (a new Kafka group's join and first fetch). */
const warmUpMs = 30_000;

export interface BareConsumer {
  /** Takes the phase: `measureHalfRate` with the bare consumer as the receiving end; closes it after. */
  measure(ratePerSecond: number, opts: Omit<HalfRateOptions, 'adapterPid'>): Promise<HalfRate>;
}

/**
 * Forks the bare consumer and sends records one at a time until one arrives: from then on, whatever is
 * produced reaches it. May run while the adapter stops (the warm-up records are not measured).
 */
export async function startBareConsumer(distDir: string, spec: BareConsumerSpec, send: (n: number) => Promise<void>): Promise<BareConsumer> {
  const { recorder } = await forkRecorder(join(distDir, 'bench', 'workers', 'bare-consumer.js'), [JSON.stringify(spec)]);
  try {
    const deadline = performance.now() + warmUpMs;
    for (;;) {
      await send(1);
      try {
        await recorder.waitFor(1, 250);
        break;
      } catch (err) {
        if (performance.now() > deadline) throw new Error(`bare ${spec.kind} consumer received no warm-up record within ${warmUpMs} ms`, { cause: err });
      }
    }
  } catch (err) {
    await recorder.close();
    throw err;
  }
  return {
    measure: async (ratePerSecond, opts) => {
      try {
        return await measureHalfRate(recorder, ratePerSecond, opts, send);
      } finally {
        await recorder.close();
      }
    },
  };
}
