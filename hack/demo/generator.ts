/**
 * The demo's traffic: a Kafka record to the KafkaSource sample's topics and a Redis stream entry to the
 * RedisStreamSource sample's stream, about once a second, on the local brokers (HEADWATER_KAFKA_BROKERS,
 * HEADWATER_REDIS_URL). What a user's application would produce; the sources turn it into CloudEvents.
 */
import { Redis } from 'ioredis';
import { Kafka, logLevel, type Producer } from 'kafkajs';

export interface GeneratorOptions {
  kafkaBrokers: readonly string[];
  /** Records go to the first topic, every fifth to the second (the sample reads orders and refunds). */
  topics: readonly string[];
  redisUrl: string;
  stream: string;
  intervalMs?: number;
  /** Called with what was produced, for the demo's progress line. */
  onProduced?: (what: 'kafka' | 'redis') => void;
  onError?: (err: unknown) => void;
}

export interface RunningGenerator {
  stop(): Promise<void>;
}

async function ensureTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Two partitions, so the sample's `ordering: ordered` (per partition) and `consumers: 2` have something to split.
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 2 })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export async function startGenerator(o: GeneratorOptions): Promise<RunningGenerator> {
  // The generator's own logs would interleave with the demo's table; its errors reach onError instead.
  const kafka = new Kafka({ clientId: 'headwater-demo-generator', brokers: [...o.kafkaBrokers], logLevel: logLevel.NOTHING });
  await ensureTopics(kafka, o.topics);
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const redis = new Redis(o.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await redis.connect();

  let n = 0;
  let stopped = false;
  const tick = async (): Promise<void> => {
    n += 1;
    const topic = n % 5 === 0 && o.topics[1] !== undefined ? o.topics[1] : (o.topics[0] ?? 'orders');
    const order = { orderId: `o-${n}`, amount: (n * 7) % 100, at: new Date().toISOString() };
    await producer.send({ topic, messages: [{ key: `customer-${n % 3}`, value: JSON.stringify(order), headers: { 'content-type': 'application/json' } }] });
    o.onProduced?.('kafka');
    await redis.xadd(o.stream, '*', 'user', `u${n % 4}`, 'page', ['/home', '/cart', '/checkout'][n % 3] ?? '/home', 'n', String(n));
    o.onProduced?.('redis');
  };
  const loop = (async () => {
    while (!stopped) {
      await tick().catch((err: unknown) => o.onError?.(err));
      await new Promise((r) => setTimeout(r, o.intervalMs ?? 1000));
    }
  })();

  return {
    async stop() {
      stopped = true;
      await loop;
      await producer.disconnect().catch(() => undefined);
      redis.disconnect();
    },
  };
}
