/**
 * A bare consumer: the source's own client library reading new records and acknowledging them, delivering
 * nothing, and recording receipt time − produce time the way the sink does. At the rate of a half-rate phase it
 * is the latency reference of that phase: the part of the adapter's latency its broker and client already take
 * on this machine. Run as a child process (IPC: sink-protocol.ts), so that, like the adapter, its event loop is
 * its own.
 *
 *   node bare-consumer.js '{"kind":"kafka","brokers":["127.0.0.1:9092"],"topic":"t"}'
 *   node bare-consumer.js '{"kind":"redis","url":"redis://127.0.0.1:6379","stream":"s"}'
 *
 * It says `ready` once subscribed; a Kafka consumer of a new group resolves "latest" at its first fetch, so the
 * harness sends warm-up records until one arrives before it measures (bare-latency.ts).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { noDelaySocketFactory } from '../../adapter/kafka/socket.js';
import { redisOptions } from '../../adapter/redisstream/connection.js';
import { groupReaderDefaults } from '../../adapter/redisstream/group-reader.js';
import type { BareConsumerSpec } from '../lib/bare-latency.js';
import { ReceiptRecorder } from '../lib/receipt-recorder.js';
import { sendToHarness, serveRecorder } from './serve-recorder.js';

const recorder = new ReceiptRecorder();

async function consumeKafka(brokers: string[], topic: string): Promise<() => Promise<void>> {
  // The adapter's client settings that matter on the wire: sockets without Nagle (adapter/kafka/socket.ts).
  const kafka = new Kafka({ clientId: 'headwater-bench-bare', brokers, logLevel: logLevel.NOTHING, socketFactory: noDelaySocketFactory });
  const consumer = kafka.consumer({ groupId: `bench-bare-${randomUUID().slice(0, 8)}`, sessionTimeout: 10_000, heartbeatInterval: 3000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    // As the adapter's consume loop (adapter/kafka/batch-consumer.ts): batches of 16 partitions at once.
    partitionsConsumedConcurrently: 16,
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) recorder.record(Number(m.timestamp), m.value?.length ?? 0, now);
    },
  });
  await joined;
  return async () => {
    // disconnect() waits for the fetch in flight (up to kafkajs' 5 s maxWaitTime on a quiet topic); the group is
    // a throwaway, so leave it if that is quick; the process exits once the harness has its answer.
    await Promise.race([consumer.disconnect(), new Promise((resolve) => setTimeout(resolve, 500))]);
  };
}

async function consumeRedis(url: string, stream: string): Promise<() => Promise<void>> {
  // The adapter's connection options (RESP2, no auto-pipelining).
  const redis = new Redis(redisOptions({ address: url }));
  const group = `bench-bare-${randomUUID().slice(0, 8)}`;
  await redis.xgroup('CREATE', stream, group, '$');
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const reply = (await redis.xreadgroup('GROUP', group, 'bare', 'COUNT', groupReaderDefaults.batchSize, 'BLOCK', 500, 'STREAMS', stream, '>')) as
        | [string, [string, string[]][]][]
        | null;
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) continue;
      const now = Date.now();
      for (const [id, fields] of entries) {
        // The entry id's millisecond part is the time Redis added it, as the adapter's ce-time.
        recorder.record(Number(id.slice(0, id.indexOf('-'))), fields.reduce((n, f) => n + f.length, 0), now);
      }
      await redis.xack(stream, group, ...entries.map((e) => e[0]));
    }
  })();
  return async () => {
    stopping = true;
    await loop.catch(() => undefined);
    await redis.xgroup('DESTROY', stream, group).catch(() => undefined);
    redis.disconnect();
  };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as BareConsumerSpec;
const stop = spec.kind === 'kafka' ? await consumeKafka(spec.brokers, spec.topic) : await consumeRedis(spec.url, spec.stream);
serveRecorder(recorder, stop);
sendToHarness({ type: 'ready', id: 0 });
