/**
 * The adapter SIGKILLed while a batch is in flight: the sink holds every request open, so when the kill comes a
 * whole batch has been read from the source and sent, and none of it answered. The adapter is restarted against a
 * sink that now accepts; every event must arrive (those in flight at the kill again: counted as duplicates only
 * if they had arrived, which they had not).
 * (SIGKILL at a random moment of a flaky stream, for every durable source and bus, is
 * test/integration/adapter/noloss/noloss.test.ts.)
 */
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { describe, type ExpectStatic, it } from 'vitest';
import { type AdapterProcess, eventually, spawnAdapter, waitReady } from '../integration/adapter/noloss/harness.js';
import { testEnv, uniqueName } from '../support/env.js';
import { type FaultSink, startFaultSink } from './support/fault-sink.js';
import { figuresOf, record } from './support/results.js';

const N = 200;

async function killMidBatch(expect: ExpectStatic, fault: string, sink: FaultSink, start: () => Promise<AdapterProcess>, ids: () => string[], minInFlight: number): Promise<void> {
  const t0 = performance.now();
  let adapter = await start();
  await waitReady(adapter);
  const inFlight = await eventually(() => sink.hanging >= minInFlight, 60_000);
  const heldAtKill = sink.hanging;
  await adapter.kill9();
  sink.setFault({ kind: 'none' });
  adapter = await start();
  await waitReady(adapter);
  const all = await eventually(() => ids().every((id) => sink.delivered.has(id)), 120_000);
  if (!all) console.log(adapter.output.slice(-30).join('\n'));
  const code = await adapter.stop();
  const f = figuresOf(ids(), sink.delivered, sink.deadLettered);
  record('adapter-kill', {
    area: 'Adapter killed',
    fault,
    figures: f,
    measures: { requestsInFlightAtKill: heldAtKill },
    expectation: 'a batch in flight (sent, unanswered) at the SIGKILL is delivered after the restart; none lost',
    passed: inFlight && f.lost === 0 && code === 0,
    seconds: (performance.now() - t0) / 1000,
  });
  expect(inFlight).toBe(true);
  expect(f.lost).toBe(0);
  expect(code).toBe(0);
}

// The two cases share nothing (own topic or stream, sink and adapter process), so they run at the same time.
describe.concurrent('adapter SIGKILLed in the middle of a batch', () => {
  it('KafkaSource (unordered): the held batch is re-read from the committed offset', async ({ expect }) => {
    const sink = await startFaultSink({ kind: 'hang' }, Number.MAX_SAFE_INTEGER);
    const topic = uniqueName('faults-kill');
    const kafka = new Kafka({ clientId: 'faults-kill', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    await producer.connect();
    const ids: string[] = [];
    for (let i = 0; i < N; i += 50) {
      await producer.send({ topic, acks: -1, messages: Array.from({ length: 50 }, (_, j) => ({ key: `k${(i + j) % 5}`, value: JSON.stringify({ seq: i + j }) })) });
    }
    // Every record's id ({topic}-{partition}-{offset}), from the partitions' high watermarks.
    const offsetsAdmin = kafka.admin();
    await offsetsAdmin.connect();
    const offsets = await offsetsAdmin.fetchTopicOffsets(topic);
    await offsetsAdmin.disconnect();
    for (const p of offsets) for (let off = 0; off < Number(p.high); off++) ids.push(`${topic}-${p.partition}-${off}`);
    await producer.disconnect();
    try {
      await killMidBatch(
        expect,
        'adapter SIGKILLed with a batch in flight (sink holding every request), KafkaSource unordered, 2 partitions',
        sink,
        () =>
          spawnAdapter('kafka', {
            K_SINK: sink.sinkUrl,
            K_DELIVERY: JSON.stringify({ retry: 2, backoffDelay: 'PT0.05S', timeout: 'PT60S' }),
            NAMESPACE: 'faults',
            NAME: topic,
            K_SOURCE_CONFIG: JSON.stringify({ bootstrapServers: testEnv.kafkaBrokers(), topics: [topic], initialOffset: 'earliest', ordering: 'unordered' }),
          }),
        () => ids,
        10,
      );
      expect(ids.length).toBe(N);
    } finally {
      await sink.close();
    }
  });

  it('RedisStreamSource: the held entries stay pending and are delivered by the restarted consumer', async ({ expect }) => {
    const sink = await startFaultSink({ kind: 'hang' }, Number.MAX_SAFE_INTEGER);
    const redis = new Redis(testEnv.redisUrl());
    const stream = uniqueName('faults-kill');
    const ids: string[] = [];
    try {
      await killMidBatch(
        expect,
        'adapter SIGKILLed with a batch in flight (sink holding every request), RedisStreamSource',
        sink,
        async () => {
          const a = await spawnAdapter('redisstream', {
            K_SINK: sink.sinkUrl,
            K_DELIVERY: JSON.stringify({ retry: 2, backoffDelay: 'PT0.05S', timeout: 'PT60S' }),
            NAMESPACE: 'faults',
            NAME: stream,
            HOSTNAME: `${stream}-pod`,
            K_SOURCE_CONFIG: JSON.stringify({ address: testEnv.redisUrl(), stream, consumers: 2 }),
          });
          if (ids.length === 0) {
            // Written once the group exists (a new group starts at the stream's end).
            await waitReady(a);
            for (let i = 0; i < N; i++) ids.push((await redis.xadd(stream, '*', 'seq', String(i))) as string);
          }
          return a;
        },
        () => ids,
        // Seen here: a consumer has one request in flight at a time (with one consumer, never 10 in 60 s); the
        // rest of its read batch waits, pending, behind it. Two consumers → two held requests.
        2,
      );
    } finally {
      await redis.del(stream);
      redis.disconnect();
      await sink.close();
    }
  });
});
