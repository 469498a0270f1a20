/**
 * The servers restarted mid-stream (`hack/env.sh restart <component>`, same data and port), while real adapters
 * (child processes) carry paced streams of events to sinks that accept slowly (25 ms, so a backlog of
 * acknowledged, undelivered events exists when the restart begins). Each server is restarted once, under every
 * path that depends on it:
 *  - Redis (append-only file on for the test): a RedisStreamSource, and a Trigger on the Redis Streams bus;
 *  - NATS JetStream: a Trigger on the NATS bus, and a RedisStreamSource publishing to that bus with a Trigger
 *    reading what it published (the restart hits the publishing and the reading side at once);
 *  - the Kafka broker: a KafkaSource, and a Trigger on the Kafka bus.
 * The producers retry each event until the server acknowledged it; the ids they got back are what was sent.
 * No event may be lost; duplicates are counted and printed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CloudEvent } from 'cloudevents';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createBus } from '../../adapter/bus/create.js';
import { streamKeyFor } from '../../adapter/bus/redis.js';
import type { Bus, BusConfig } from '../../adapter/bus/types.js';
import { createLogger } from '../../lib/log.js';
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

/** One stream of events through the restart: its own producer, adapter(s) and sink; one result row each. */
interface Path {
  fault: string;
  sink: FaultSink;
  /** The adapters the events pass through (a source publishing to the bus and the Trigger reading it: two). */
  adapters: AdapterProcess[];
  /** Sends event i and resolves to the CloudEvent id it will arrive with, once the server acknowledged it. */
  produce: (i: number) => Promise<string>;
}

interface PathState {
  ids: string[];
  producerRetries: number;
  /** Events acknowledged by the server and not yet at the sink when the restart began. */
  backlogAtRestart: number;
}

/**
 * Produce N events on every path, paced (~10 every 100 ms) with a burst in the middle, restart the server right
 * after the burst (in the background; the producers keep trying); then wait for every acknowledged id at its
 * path's sink. One restart carries every path, so each server is restarted once.
 */
async function scenario(area: string, paths: Path[], doRestart: () => Promise<number>): Promise<void> {
  const t0 = performance.now();
  for (const p of paths) for (const a of p.adapters) await waitReady(a);
  const states: PathState[] = paths.map(() => ({ ids: [], producerRetries: 0, backlogAtRestart: 0 }));
  let restartSeconds = 0;
  let restarting: Promise<void> | undefined;
  const arrived = (p: Path, st: PathState): number => st.ids.filter((id) => p.sink.delivered.has(id) || p.sink.deadLettered.has(id)).length;
  for (let i = 0; i < N; i++) {
    for (const [k, p] of paths.entries()) {
      const st = states[k] as PathState;
      const { value, retries } = await untilAcked(() => p.produce(i));
      st.ids.push(value);
      st.producerRetries += retries;
    }
    // Paced, except a burst from N/3 to N/2 that the slow sinks cannot keep up with: the restart begins right
    // after it, with acknowledged events still waiting in the server.
    const inBurst = i >= N / 3 && i < N / 2;
    if (i % 10 === 9 && !inBurst) await new Promise((r) => setTimeout(r, 100));
    if (restarting === undefined && i === N / 2 - 1) {
      for (const [k, p] of paths.entries()) {
        const st = states[k] as PathState;
        expect(arrived(p, st), p.fault).toBeGreaterThan(0);
        st.backlogAtRestart = st.ids.length - arrived(p, st);
      }
      restarting = doRestart().then((s) => {
        restartSeconds = s;
      });
    }
  }
  await restarting;
  const complete = (): boolean => paths.every((p, k) => arrived(p, states[k] as PathState) === N);
  if (!(await eventually(complete, 180_000))) for (const p of paths) for (const a of p.adapters) console.log(a.output.slice(-30).join('\n'));
  for (const [k, p] of paths.entries()) {
    const st = states[k] as PathState;
    const f = figuresOf(st.ids, p.sink.delivered, p.sink.deadLettered);
    const codes = await Promise.all(p.adapters.map((a) => a.stop()));
    record('broker-restart', {
      area,
      fault: p.fault,
      figures: f,
      measures: { restartSeconds: restartSeconds.toFixed(1), backlogAtRestart: st.backlogAtRestart, producerRetries: st.producerRetries, restartedMidStream: String(restarting !== undefined) },
      expectation: 'every acknowledged event reaches the sink; duplicates counted, none lost; the adapters exit 0 afterwards',
      passed: f.lost === 0 && restarting !== undefined && codes.every((c) => c === 0),
      seconds: (performance.now() - t0) / 1000,
    });
    expect(restarting).toBeDefined();
    expect(f.lost, p.fault).toBe(0);
    expect(codes, p.fault).toEqual(p.adapters.map(() => 0));
  }
}

/** The test's own bus publisher logs nothing: its reconnect errors during the restart are expected, and what counts is that each publish was acknowledged (`untilAcked`). */
const publisherDeps = { logger: createLogger({}, { write: () => undefined }) };

const delivery = (sink: FaultSink): string => JSON.stringify({ retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.1S', timeout: 'PT5S', deadLetterSinkUri: sink.deadLetterUrl });

/** A Trigger reading one bus topic and delivering to the sink (its dead-letter sink on the same port). */
function spawnTrigger(bus: BusConfig, topic: string, sink: FaultSink): Promise<AdapterProcess> {
  return spawnAdapter('trigger', {
    NAMESPACE: 'faults',
    NAME: topic,
    HOSTNAME: `${topic}-pod`,
    K_TRIGGER_CONFIG: JSON.stringify({
      bus,
      inputs: { src: { topic } },
      subscribers: [{ sinkUri: sink.sinkUrl, deadLetterSinkUri: sink.deadLetterUrl, delivery: { retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.1S', timeout: 'PT5S' } }],
    }),
  });
}

/** Publishes event i straight onto the bus topic; it arrives with the id `${topic}-${i}`. */
function busProducer(bus: Bus, topic: string): (i: number) => Promise<string> {
  return async (i) => {
    const id = `${topic}-${i}`;
    await bus.publish(topic, new CloudEvent<unknown>({ id, source: '/faults', type: 'faults.restart', data: { seq: i } }));
    return id;
  };
}

/** What a test started, torn down whatever happened: adapters still running are killed, sinks closed. */
class Started {
  readonly #adapters: AdapterProcess[] = [];
  readonly #cleanups: (() => Promise<unknown> | unknown)[] = [];

  async sink(): Promise<FaultSink> {
    const sink = await startFaultSink({ kind: 'slow', ms: 25 });
    this.#cleanups.push(() => sink.close());
    return sink;
  }

  async adapter(p: Promise<AdapterProcess>): Promise<AdapterProcess> {
    const a = await p;
    this.#adapters.push(a);
    return a;
  }

  /** A source adapter delivering to a sink of its own (retries, then the dead-letter sink on the same port). */
  async sourceToSink(role: 'redisstream' | 'kafka', name: string, sourceConfig: object, env: Record<string, string> = {}): Promise<{ sink: FaultSink; adapter: AdapterProcess }> {
    const sink = await this.sink();
    const adapter = await this.adapter(
      spawnAdapter(role, { K_SINK: sink.sinkUrl, K_DELIVERY: delivery(sink), NAMESPACE: 'faults', NAME: name, K_SOURCE_CONFIG: JSON.stringify(sourceConfig), ...env }),
    );
    return { sink, adapter };
  }

  /** A path straight onto the bus: the test publishes to `topic`, a Trigger reads it into a sink of its own. */
  async busTriggerPath(fault: string, busCfg: BusConfig, topic: string): Promise<Path> {
    const bus = await createBus(busCfg, publisherDeps);
    this.onClose(() => bus.close());
    const sink = await this.sink();
    const trigger = await this.adapter(spawnTrigger(busCfg, topic, sink));
    return { fault, sink, adapters: [trigger], produce: busProducer(bus, topic) };
  }

  onClose(fn: () => Promise<unknown> | unknown): void {
    this.#cleanups.push(fn);
  }

  async close(): Promise<void> {
    for (const a of this.#adapters) if (a.child.exitCode === null) await a.kill9();
    for (const fn of this.#cleanups.reverse()) await Promise.resolve(fn()).catch(() => undefined);
  }
}

describe('servers restarted mid-stream', () => {
  it('Redis restarted (append-only file on) under a RedisStreamSource and a Trigger on the Redis Streams bus', async () => {
    const started = new Started();
    const redis = new Redis(testEnv.redisUrl(), { maxRetriesPerRequest: 1 });
    started.onClose(() => redis.disconnect());
    const stream = uniqueName('faults-redis-restart');
    const topic = uniqueName('faults-redis-bus-restart');
    try {
      // AOF on for the test, with the current data rewritten into it first, so the restart loads every stream
      // (ours and other runs') instead of starting empty.
      await redis.config('SET', 'appendonly', 'yes');
      for (let i = 0; i < 120; i++) {
        const info = await redis.info('persistence');
        if (/aof_enabled:1/.test(info) && /aof_rewrite_in_progress:0/.test(info) && !/aof_rewrite_scheduled:1/.test(info)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      started.onClose(() => redis.del(stream, streamKeyFor(topic)));
      const { sink: sourceSink, adapter: source } = await started.sourceToSink('redisstream', stream, { address: testEnv.redisUrl(), stream }, { HOSTNAME: `${stream}-pod` });
      const busCfg: BusConfig = { backend: 'redis', redis: { address: testEnv.redisUrl() } };
      await scenario(
        'Servers restarted',
        [
          { fault: 'Redis restarted mid-stream (AOF on), RedisStreamSource', sink: sourceSink, adapters: [source], produce: async (i) => (await redis.xadd(stream, '*', 'seq', String(i))) as string },
          await started.busTriggerPath('Redis restarted mid-stream (AOF on), Trigger on the Redis Streams bus', busCfg, topic),
        ],
        () => restart('redis', { HEADWATER_REDIS_AOF: 'yes' }),
      );
    } finally {
      await started.close();
    }
  });

  it('NATS restarted under a Trigger on the NATS JetStream bus and a source publishing to it', async () => {
    const started = new Started();
    const busCfg: BusConfig = { backend: 'nats', nats: { url: testEnv.natsUrl(), stream: 'headwater-faults' } };
    const topic = uniqueName('faults-nats-restart');
    const sourceTopic = uniqueName('faults-nats-source-restart');
    const stream = uniqueName('faults-nats-source-stream');
    const redis = new Redis(testEnv.redisUrl(), { maxRetriesPerRequest: 1 });
    started.onClose(() => redis.disconnect());
    started.onClose(() => redis.del(stream));
    try {
      const onTheBus = await started.busTriggerPath('NATS restarted mid-stream (JetStream file store), Trigger on the NATS bus', busCfg, topic);
      // Redis stream → RedisStreamSource → the NATS bus → Trigger → sink: the restart hits the source's publishing
      // (entries stay pending until the bus acknowledged them) and the Trigger's reading at once.
      const chainSink = await started.sink();
      const source = await started.adapter(
        spawnAdapter('redisstream', {
          NAMESPACE: 'faults',
          NAME: stream,
          HOSTNAME: `${stream}-pod`,
          K_EVENT_BUS_CONFIG: JSON.stringify({ ...busCfg, topic: sourceTopic }),
          K_SOURCE_CONFIG: JSON.stringify({ address: testEnv.redisUrl(), stream }),
        }),
      );
      const chainTrigger = await started.adapter(spawnTrigger(busCfg, sourceTopic, chainSink));
      await scenario(
        'Servers restarted',
        [
          onTheBus,
          {
            fault: 'NATS restarted mid-stream (JetStream file store), RedisStreamSource publishing to the NATS bus, Trigger reading it',
            sink: chainSink,
            adapters: [source, chainTrigger],
            produce: async (i) => (await redis.xadd(stream, '*', 'seq', String(i))) as string,
          },
        ],
        () => restart('nats'),
      );
    } finally {
      await started.close();
    }
  });

  it('Kafka broker restarted under a KafkaSource and a Trigger on the Kafka bus', async () => {
    const started = new Started();
    const topic = uniqueName('faults-kafka-restart');
    const busTopic = uniqueName('faults-kafka-bus-restart');
    const kafka = new Kafka({ clientId: 'faults-restart', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    const admin = kafka.admin();
    const producer = kafka.producer();
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      await admin.disconnect();
      await producer.connect();
      started.onClose(() => producer.disconnect());
      const { sink: sourceSink, adapter: source } = await started.sourceToSink('kafka', topic, { bootstrapServers: testEnv.kafkaBrokers(), topics: [topic], initialOffset: 'earliest', ordering: 'unordered' });
      const busCfg: BusConfig = { backend: 'kafka', kafka: { bootstrapServers: testEnv.kafkaBrokers() } };
      await scenario(
        'Servers restarted',
        [
          {
            fault: 'Kafka broker restarted mid-stream, KafkaSource (3 partitions, unordered)',
            sink: sourceSink,
            adapters: [source],
            produce: async (i) => {
              const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: `k${i % 7}`, value: JSON.stringify({ seq: i }) }] });
              return `${topic}-${meta?.partition}-${meta?.baseOffset}`;
            },
          },
          await started.busTriggerPath('Kafka broker restarted mid-stream, Trigger on the Kafka bus', busCfg, busTopic),
        ],
        () => restart('kafka'),
      );
    } finally {
      await started.close();
    }
  });
});
