/**
 * The servers restarted mid-stream (`hack/env.sh restart <component>`, same data and port), while the real
 * adapter (a child process) carries a paced stream of events to a sink that accepts slowly (25 ms, so a backlog
 * of acknowledged, undelivered events exists when the restart begins): the Kafka broker
 * under a KafkaSource, Redis (append-only file on for the test) under a RedisStreamSource, and NATS JetStream
 * under a Trigger. The producer retries each event until the server acknowledged it; the ids it got back are
 * what was sent. No event may be lost; duplicates are counted and printed.
 * These restarts disturb everyone on the machine: one short restart per server.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CloudEvent } from 'cloudevents';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createBus } from '../../adapter/bus/create.js';
import { type AdapterProcess, eventually, spawnAdapter, waitReady } from '../integration/adapter/noloss/harness.js';
import { testEnv, uniqueName } from '../support/env.js';
import { type FaultSink, startFaultSink } from './support/fault-sink.js';
import { figuresOf, record } from './support/results.js';

const execFileAsync = promisify(execFile);
const N = 300;

async function restart(component: string, env: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  await execFileAsync('bash', ['hack/env.sh', 'restart', component], { cwd: testEnv.repoRoot, env: { ...process.env, ...env }, timeout: 240_000 });
  return (performance.now() - t0) / 1000;
}

/** Retries `fn` until it resolves (the server is restarting), at most `ms`. */
async function untilAcked<T>(fn: () => Promise<T>, ms = 180_000): Promise<{ value: T; retries: number }> {
  const deadline = Date.now() + ms;
  for (let retries = 0; ; retries++) {
    try {
      return { value: await fn(), retries };
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Produce N events paced (~10 every 100 ms) with a burst in the middle, restart the server right after the burst
 * (in the background; the producer keeps trying); then wait for every acknowledged id at the sink.
 */
async function scenario(area: string, fault: string, sink: FaultSink, adapter: AdapterProcess, produce: (i: number) => Promise<string>, doRestart: () => Promise<number>): Promise<void> {
  const t0 = performance.now();
  await waitReady(adapter);
  const ids: string[] = [];
  let producerRetries = 0;
  let restartSeconds = 0;
  /** Events acknowledged by the server and not yet at the sink when the restart began. */
  let backlogAtRestart = 0;
  let restarting: Promise<void> | undefined;
  const arrived = (): number => ids.filter((id) => sink.delivered.has(id) || sink.deadLettered.has(id)).length;
  for (let i = 0; i < N; i++) {
    const { value, retries } = await untilAcked(() => produce(i));
    ids.push(value);
    producerRetries += retries;
    // Paced, except a burst from N/3 to N/2 that the slow sink cannot keep up with: the restart begins right
    // after it, with acknowledged events still waiting in the server.
    const inBurst = i >= N / 3 && i < N / 2;
    if (i % 10 === 9 && !inBurst) await new Promise((r) => setTimeout(r, 100));
    if (restarting === undefined && i === N / 2 - 1) {
      expect(arrived()).toBeGreaterThan(0);
      backlogAtRestart = ids.length - arrived();
      restarting = doRestart().then((s) => {
        restartSeconds = s;
      });
    }
  }
  await restarting;
  const all = await eventually(() => arrived() === ids.length, 180_000);
  if (!all) console.log(adapter.output.slice(-30).join('\n'));
  const f = figuresOf(ids, sink.delivered, sink.deadLettered);
  const code = await adapter.stop();
  record('broker-restart', {
    area,
    fault,
    figures: f,
    measures: { restartSeconds: restartSeconds.toFixed(1), backlogAtRestart, producerRetries, restartedMidStream: String(restarting !== undefined) },
    expectation: 'every acknowledged event reaches the sink; duplicates counted, none lost; the adapter exits 0 afterwards',
    passed: f.lost === 0 && restarting !== undefined && code === 0,
    seconds: (performance.now() - t0) / 1000,
  });
  expect(restarting).toBeDefined();
  expect(f.lost).toBe(0);
  expect(code).toBe(0);
}

const delivery = (sink: FaultSink): string => JSON.stringify({ retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.1S', timeout: 'PT5S', deadLetterSinkUri: sink.deadLetterUrl });

describe('servers restarted mid-stream', () => {
  it('Redis restarted (append-only file on) under a RedisStreamSource', async () => {
    const sink = await startFaultSink({ kind: 'slow', ms: 25 });
    const redis = new Redis(testEnv.redisUrl(), { maxRetriesPerRequest: 1 });
    const stream = uniqueName('faults-redis-restart');
    // AOF on for the test, with the current data rewritten into it first, so the restart loads every stream
    // (ours and other runs') instead of starting empty.
    await redis.config('SET', 'appendonly', 'yes');
    for (let i = 0; i < 120; i++) {
      const info = await redis.info('persistence');
      if (/aof_enabled:1/.test(info) && /aof_rewrite_in_progress:0/.test(info) && !/aof_rewrite_scheduled:1/.test(info)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const adapter = await spawnAdapter('redisstream', {
      K_SINK: sink.sinkUrl,
      K_DELIVERY: delivery(sink),
      NAMESPACE: 'faults',
      NAME: stream,
      HOSTNAME: `${stream}-pod`,
      K_SOURCE_CONFIG: JSON.stringify({ address: testEnv.redisUrl(), stream }),
    });
    try {
      await scenario('Servers restarted', 'Redis restarted mid-stream (AOF on), RedisStreamSource', sink, adapter, async (i) => (await redis.xadd(stream, '*', 'seq', String(i))) as string, () => restart('redis', { HEADWATER_REDIS_AOF: 'yes' }));
    } finally {
      if (adapter.child.exitCode === null) await adapter.kill9();
      await redis.del(stream).catch(() => undefined);
      redis.disconnect();
      await sink.close();
    }
  });

  it('NATS restarted under a Trigger on the NATS JetStream bus', async () => {
    const sink = await startFaultSink({ kind: 'slow', ms: 25 });
    const busCfg = { backend: 'nats' as const, nats: { url: testEnv.natsUrl(), stream: 'headwater-faults' } };
    const bus = await createBus(busCfg);
    const topic = uniqueName('faults-nats-restart');
    const adapter = await spawnAdapter('trigger', {
      NAMESPACE: 'faults',
      NAME: topic,
      HOSTNAME: `${topic}-pod`,
      K_TRIGGER_CONFIG: JSON.stringify({
        bus: busCfg,
        inputs: { src: { topic } },
        subscribers: [{ sinkUri: sink.sinkUrl, deadLetterSinkUri: sink.deadLetterUrl, delivery: { retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.1S', timeout: 'PT5S' } }],
      }),
    });
    try {
      await scenario(
        'Servers restarted',
        'NATS restarted mid-stream (JetStream file store), Trigger on the NATS bus',
        sink,
        adapter,
        async (i) => {
          const id = `${topic}-${i}`;
          await bus.publish(topic, new CloudEvent<unknown>({ id, source: '/faults', type: 'faults.restart', data: { seq: i } }));
          return id;
        },
        () => restart('nats'),
      );
    } finally {
      if (adapter.child.exitCode === null) await adapter.kill9();
      await bus.close();
      await sink.close();
    }
  });

  it('Kafka broker restarted under a KafkaSource', async () => {
    const sink = await startFaultSink({ kind: 'slow', ms: 25 });
    const topic = uniqueName('faults-kafka-restart');
    const kafka = new Kafka({ clientId: 'faults-restart', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    const admin = kafka.admin();
    const producer = kafka.producer();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    await producer.connect();
    const adapter = await spawnAdapter('kafka', {
      K_SINK: sink.sinkUrl,
      K_DELIVERY: delivery(sink),
      NAMESPACE: 'faults',
      NAME: topic,
      K_SOURCE_CONFIG: JSON.stringify({ bootstrapServers: testEnv.kafkaBrokers(), topics: [topic], initialOffset: 'earliest', ordering: 'unordered' }),
    });
    try {
      await scenario(
        'Servers restarted',
        'Kafka broker restarted mid-stream, KafkaSource (3 partitions, unordered)',
        sink,
        adapter,
        async (i) => {
          const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: `k${i % 7}`, value: JSON.stringify({ seq: i }) }] });
          return `${topic}-${meta?.partition}-${meta?.baseOffset}`;
        },
        () => restart('kafka'),
      );
    } finally {
      if (adapter.child.exitCode === null) await adapter.kill9();
      await producer.disconnect().catch(() => undefined);
      await sink.close();
    }
  });
});
