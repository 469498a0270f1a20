/**
 * The latency reference of a half-rate phase: a bare consumer (bench/workers/bare-consumer.ts: the source's
 * client library in its own process, its own consumer group, no delivery) reading the same records as the
 * adapter, at the same time. Its p99 is what the producer, the broker and the client take on this machine in
 * those same seconds, before any adapter code or HTTP hop: a stall of the broker shows in both, one of the
 * adapter's path only in the adapter's. It costs the machine a few per cent of a core while it runs.
 */
import { join } from 'node:path';
import { type BenchRecorder, forkRecorder } from './recorder.js';

export type BareConsumerSpec = { kind: 'kafka'; brokers: string[]; topic: string } | { kind: 'redis'; url: string; stream: string };

export interface BareConsumer {
  recorder: BenchRecorder;
  /** Warm-up records sent to find it subscribed: the adapter receives them too. */
  warmUpSent: number;
}

/** How long warm-up records may take to start arriving (a new Kafka group's join and first fetch). */
const warmUpMs = 30_000;

/** Forks the bare consumer and sends records one at a time until one arrives: from then on it gets them all. */
export async function startBareConsumer(distDir: string, spec: BareConsumerSpec, send: (n: number) => Promise<void>): Promise<BareConsumer> {
  const { recorder } = await forkRecorder(join(distDir, 'bench', 'workers', 'bare-consumer.js'), [JSON.stringify(spec)]);
  const deadline = performance.now() + warmUpMs;
  let warmUpSent = 0;
  try {
    for (;;) {
      await send(1);
      warmUpSent++;
      try {
        await recorder.waitFor(1, 250);
        return { recorder, warmUpSent };
      } catch (err) {
        if (performance.now() > deadline) throw new Error(`bare ${spec.kind} consumer received no warm-up record within ${warmUpMs} ms`, { cause: err });
      }
    }
  } catch (err) {
    await recorder.close();
    throw err;
  }
}
