/**
 * Kafka → sink: the kafka adapter (child process) drains a pre-filled 8-partition topic of 1 KiB records into
 * the sink, ordered (per partition) and unordered; then latency at half of each rate. References in the same
 * run: the HTTP ceiling, the raw `eachBatch` consume rate of the same client (kafkajs) with no delivery, and the
 * latency of a bare kafkajs consumer at the same rate once the adapter stopped.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { testEnv } from '../test/support/env.js';
import { bracketCeiling, type CeilingResult, measureCeiling } from './http-ceiling.js';
import { startBareConsumer } from './lib/bare-latency.js';
import { deliveryRows, type RawConsume } from './lib/delivery-rows.js';
import { type DrainResult, drainWarmup, measureDrain } from './lib/drain.js';
import { defaultSettleMs, type HalfRate, measureHalfRate } from './lib/half-rate.js';
import { brokerProcess } from './lib/listening-pid.js';
import { jsonPayload } from './lib/payload.js';
import { type Child, freePort, spawnAdapter } from './lib/proc.js';
import { ReadSpan } from './lib/read-span.js';
import { type BenchSink, startSink } from './lib/sink.js';
import type { Row } from './lib/table.js';
import type { BenchContext, Benchmark } from './lib/types.js';

const partitions = 8;
const value = jsonPayload();

async function produce(kafka: Kafka, topic: string, count: number): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let done = 0; done < count; ) {
      const n = Math.min(1000, count - done);
      await producer.send({ topic, acks: 1, messages: Array.from({ length: n }, () => ({ value })) });
      done += n;
    }
  } finally {
    await producer.disconnect();
  }
}

/** The reference: the same client and loop shape (eachBatch, resolve, commit) delivering nothing. */
async function rawConsume(kafka: Kafka, topic: string, count: number, timeoutMs: number): Promise<RawConsume> {
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID().slice(0, 8)}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let read = 0;
  const span = new ReadSpan();
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`raw consume read ${read} of ${count} in ${timeoutMs} ms`)), timeoutMs);
    void consumer.run({
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, resolveOffset }) => {
        span.mark();
        for (const m of batch.messages) resolveOffset(m.offset);
        read += batch.messages.length;
        span.mark();
        if (read >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  try {
    await done;
  } finally {
    await consumer.disconnect();
  }
  return span.result(read);
}

interface ModeResult extends DrainResult {
  /** Measured before the drain and again after it (`bracketCeiling`). */
  ceiling: CeilingResult;
  half: HalfRate;
  /** The same phase through a bare kafkajs consumer once the adapter stopped: the latency reference. */
  bare: HalfRate;
}

async function runMode(
  ctx: BenchContext,
  kafka: Kafka,
  sink: BenchSink,
  topic: string,
  ordering: 'ordered' | 'unordered',
  backlog: number,
): Promise<ModeResult> {
  const ceilingBefore = await measureCeiling(ctx, sink);
  await sink.reset();
  const port = await freePort();
  let adapter: Child | undefined;
  try {
    adapter = spawnAdapter(ctx.distDir, 'kafka', {
      K_SINK: sink.url,
      NAMESPACE: 'bench',
      NAME: `kafka-${ordering}`,
      K_SOURCE_CONFIG: JSON.stringify({
        bootstrapServers: testEnv.kafkaBrokers(),
        topics: [topic],
        consumerGroup: `bench-${ordering}-${randomUUID().slice(0, 8)}`,
        initialOffset: 'earliest',
        ordering,
      }),
      PORT: String(port),
      BIND_ADDRESS: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
    const drain = await measureDrain(adapter, port, sink, backlog, drainWarmup, { readyMs: 60_000, drainMs: ctx.quick ? 60_000 : 300_000 }, brokerProcess('kafka', testEnv.kafkaBrokers()[0] ?? ''));
    ctx.log(`kafka ${ordering}: ${drain.rate?.toFixed(0)} ev/s`);

    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const send = async (n: number): Promise<void> => {
      await producer.send({ topic, acks: 1, messages: Array.from({ length: n }, () => ({ value })) });
    };
    try {
      // The producer's first send loads the topic's metadata: one record through the whole path before the clock
      // starts, so a produce-side warm-up is not counted as delivery latency.
      await send(1);
      await sink.waitFor(backlog + 1, 30_000);
      // Measured again while the adapter idles, before the half-rate phase resets the sink's counts.
      const ceiling = bracketCeiling(ceilingBefore, await measureCeiling(ctx, sink));
      const rate = (drain.rate ?? 1000) / 2;
      const phase = { settleMs: defaultSettleMs, measureMs: ctx.quick ? 5_000 : 20_000, waitMs: 60_000 };
      const half = await measureHalfRate(sink, rate, { ...phase, adapterPid: adapter.pid }, send);
      // The bare consumer joins its group while the adapter leaves its own; it measures once the adapter is gone.
      const [, bareConsumer] = await Promise.all([adapter.stop(15_000), startBareConsumer(ctx.distDir, { kind: 'kafka', brokers: testEnv.kafkaBrokers(), topic }, send)]);
      adapter = undefined;
      const bare = await bareConsumer.measure(rate, phase);
      ctx.log(`kafka ${ordering}: p99 ${half.stats.latency.p99} ms; a bare kafkajs consumer at the same rate ${bare.stats.latency.p99} ms`);
      return { ...drain, ceiling, half, bare };
    } finally {
      await producer.disconnect();
    }
  } finally {
    await adapter?.stop(15_000);
  }
}

export const kafkaBench: Benchmark = {
  name: 'kafka',
  title: `Kafka (${partitions} partitions) → sink, ordered and unordered, vs raw kafkajs consume`,
  async run(ctx) {
    // The timed backlog, after the adapter's warm-up (drain.ts).
    const backlog = drainWarmup + (ctx.quick ? 20_000 : 100_000);
    const kafka = new Kafka({ clientId: 'headwater-bench', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });
    // A topic per mode: the half-rate records of one mode must not become the other's backlog.
    const run = randomUUID().slice(0, 8);
    const topics = { unordered: `bench-kafka-${run}-u`, ordered: `bench-kafka-${run}-o` };
    const admin = kafka.admin();
    await admin.connect();
    const sink = await startSink(ctx.distDir);
    try {
      await admin.createTopics({
        topics: Object.values(topics).map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
        waitForLeaders: true,
      });
      ctx.log(`kafka: producing ${backlog} records (${drainWarmup} of them the warm-up) to each of ${Object.values(topics).join(', ')}`);
      for (const topic of Object.values(topics)) await produce(kafka, topic, backlog);
      const raw = await rawConsume(kafka, topics.unordered, backlog, 120_000);
      ctx.log(`kafka: raw consume ${raw.eventsPerSecond.toFixed(0)} ev/s`);
      const rows: Row[] = [];
      for (const ordering of ['unordered', 'ordered'] as const) {
        const topic = topics[ordering];
        const r = await runMode(ctx, kafka, sink, topic, ordering, backlog);
        rows.push(
          ...deliveryRows({
            bench: 'kafka',
            label: ordering,
            eventsPerSecond: r.rate,
            ceiling: r.ceiling,
            drainCpu: { who: 'adapter', drain: r, note: `${r.timed} records of 1 KiB timed after ${drainWarmup} of warm-up` },
            raw: { label: 'raw consume', ...raw },
            ...(ordering === 'unordered' ? { minFractionOfLimit: 0.8 } : {}),
            halfRate: r.half,
            bareLatency: { label: 'kafkajs consumer', half: r.bare },
            p99TargetMs: 20,
          }),
        );
      }
      return rows;
    } finally {
      await sink.close();
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await admin.disconnect();
    }
  },
};
