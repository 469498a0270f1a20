/**
 * The kafka adapter as a process (adapter/main.ts) against the real broker: it commits the initial offset of every
 * partition without one before it reports ready, so a restart never re-resolves `latest` past records produced
 * while it was down; an existing committed offset is never moved; `earliest` reads from the start.
 */
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commitAsMember, commitBeforeJoin, type InitialOffsetsTarget, startRecheck } from '../../../../adapter/kafka/initial-offsets.js';
import { createLogger } from '../../../../lib/log.js';
import { type AdapterProcess, startAdapter } from '../../../support/adapter-process.js';
import { testEnv, uniqueName } from '../../../support/env.js';
import { startTestSink, type TestSink } from '../../../support/test-sink.js';
import { waitFor } from '../../../support/wait-for.js';

describe('kafka adapter: initial offsets', () => {
  const kafka = new Kafka({ clientId: 'kafka-initial-offsets-test', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();
  let sink: TestSink;
  const running: AdapterProcess[] = [];

  beforeAll(async () => {
    await Promise.all([admin.connect(), producer.connect()]);
    sink = await startTestSink();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((a) => a.stop()));
  });
  afterAll(async () => {
    await Promise.allSettled([admin.disconnect(), producer.disconnect(), sink.close()]);
  });

  const start = (topic: string, groupId: string, initialOffset: 'earliest' | 'latest'): AdapterProcess => {
    const a = startAdapter(['kafka'], {
      K_SINK: sink.url,
      NAMESPACE: 'ns1',
      NAME: 'io',
      K_SOURCE_CONFIG: JSON.stringify({ bootstrapServers: testEnv.kafkaBrokers(), topics: [topic], consumerGroup: groupId, initialOffset }),
      LOG_LEVEL: 'info',
    });
    running.push(a);
    return a;
  };

  const ready = async (a: AdapterProcess): Promise<void> => {
    await a.waitForLog((l) => l.msg === 'ready', 60_000);
    expect((await fetch(`${await a.healthUrl()}/readyz`)).status).toBe(200);
  };

  const stop = async (a: AdapterProcess): Promise<void> => {
    expect(await a.stop()).toBe(0);
    running.splice(running.indexOf(a), 1);
  };

  /** Event ids (`{topic}-{partition}-{offset}`) the sink got for this topic, once `count` distinct ones arrived. */
  const delivered = (topic: string, count: number, timeoutMs = 60_000): Promise<Set<string>> =>
    waitFor(
      `${count} events of ${topic} at the sink`,
      async () => {
        const ids = new Set(sink.requests.map((r) => r.event?.id ?? '').filter((id) => id.startsWith(`${topic}-`)));
        return ids.size >= count ? ids : undefined;
      },
      timeoutMs,
      { intervalMs: 200, describe: async () => `got ${sink.requests.filter((r) => r.event?.id.startsWith(`${topic}-`)).length}` },
    );

  const committed = async (groupId: string, topic: string): Promise<Record<number, string>> => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries((t?.partitions ?? []).map((p) => [p.partition, p.offset]));
  };

  /** Each partition's high watermark. Expectations come from these, not from counting sends: a producer retry on a
   * loaded machine can write a batch twice. */
  const highs = async (topic: string): Promise<Record<number, string>> =>
    Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));

  /** Event ids of every offset in [from[p], to[p]) per partition. */
  const idsBetween = (topic: string, from: Record<number, string>, to: Record<number, string>): string[] =>
    Object.keys(to)
      .map(Number)
      .flatMap((p) => {
        const start = Number(from[p] ?? 0);
        return Array.from({ length: Number(to[p]) - start }, (_, i) => `${topic}-${p}-${start + i}`);
      })
      .sort();

  const produce = (topic: string, n: number, partitions: number): Promise<unknown> =>
    producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, i) => ({ partition: i % partitions, value: JSON.stringify({ i }) })) });

  it('latest: records produced after a ready adapter stopped (having consumed nothing) all arrive after its restart', async () => {
    const topic = uniqueName('io-latest');
    const groupId = uniqueName('io-latest-g');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await produce(topic, 4, 2); // before the source exists: latest must not read these
    const before = await highs(topic);

    const first = start(topic, groupId, 'latest');
    await ready(first);
    // ready implies committed: both partitions at the high watermark as it was
    expect(await committed(groupId, topic)).toEqual(before);
    await stop(first);
    expect(sink.requests.some((r) => r.event?.id.startsWith(`${topic}-`))).toBe(false);

    await produce(topic, 10, 2);
    const after = await highs(topic);
    const want = idsBetween(topic, before, after);
    expect(want.length).toBeGreaterThanOrEqual(10);
    const second = start(topic, groupId, 'latest');
    await ready(second);
    const ids = await delivered(topic, want.length);
    expect([...ids].sort()).toEqual(want);
  });

  it('a topic that does not exist yet: the broker creates it on demand (auto.create.topics.enable), then ready and delivering', async () => {
    const topic = uniqueName('io-new');
    const groupId = uniqueName('io-new-g');
    expect(await admin.listTopics()).not.toContain(topic);
    const a = start(topic, groupId, 'latest');
    await ready(a);
    expect(await admin.listTopics()).toContain(topic);
    const before = await highs(topic);
    expect(await committed(groupId, topic)).toEqual(before);
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 3 }, (_, i) => ({ partition: 0, value: JSON.stringify({ i }) })) });
    const want = idsBetween(topic, before, await highs(topic));
    expect(want.length).toBeGreaterThanOrEqual(3);
    expect([...(await delivered(topic, want.length))].sort()).toEqual(want);
  });

  it('an existing committed offset is never moved; a partition without one in a consumed topic starts at its beginning', async () => {
    const topic = uniqueName('io-keep');
    const groupId = uniqueName('io-keep-g');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: String(i) })) });
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 3 }, (_, i) => ({ partition: 1, value: String(i) })) });
    // partition 0 consumed up to offset 4; partition 1 never committed (as if the topic had grown)
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '4' }] });
    expect(await committed(groupId, topic)).toEqual({ 0: '4', 1: '-1' });

    const end = await highs(topic);

    const a = start(topic, groupId, 'latest');
    await ready(a);
    // partition 0 from 4 (not from 0, not skipped to its end) and partition 1 from its start (not skipped to "latest")
    const want = idsBetween(topic, { 0: '4', 1: '0' }, end);
    expect(want.length).toBeGreaterThanOrEqual(9);
    const ids = await delivered(topic, want.length);
    expect([...ids].sort()).toEqual(want);
    await waitFor('the adapter committed its progress', async () => {
      const c = await committed(groupId, topic);
      return c[0] === end[0] && c[1] === end[1] ? c : undefined;
    });
  });

  it('earliest with no commits reads from the start, and an empty partition is committed at its beginning too', async () => {
    const topic = uniqueName('io-earliest');
    const groupId = uniqueName('io-earliest-g');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: String(i) })) });

    const end = await highs(topic);
    const want = idsBetween(topic, {}, end);
    expect(want.length).toBeGreaterThanOrEqual(5);

    const a = start(topic, groupId, 'earliest');
    await ready(a);
    const ids = await delivered(topic, want.length);
    expect([...ids].sort()).toEqual(want);
    // partition 1 never had a record, so only the initial commit can have put an offset there
    expect((await committed(groupId, topic))[1]).toBe('0');
  });

  it('two replicas starting at once both turn ready, and a restart after both stopped loses nothing', async () => {
    const topic = uniqueName('io-pair');
    const groupId = uniqueName('io-pair-g');
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
    await produce(topic, 8, 4);
    const before = await highs(topic);

    const [one, two] = [start(topic, groupId, 'latest'), start(topic, groupId, 'latest')];
    await Promise.all([ready(one as AdapterProcess), ready(two as AdapterProcess)]);
    expect(await committed(groupId, topic)).toEqual(before);
    await Promise.all([stop(one as AdapterProcess), stop(two as AdapterProcess)]);

    await produce(topic, 8, 4);
    const want = idsBetween(topic, before, await highs(topic));
    expect(want.length).toBeGreaterThanOrEqual(8);
    const again = start(topic, groupId, 'latest');
    await ready(again);
    const ids = await delivered(topic, want.length);
    expect([...ids].sort()).toEqual(want);
  });

  it('a busy group: no throw-away member joins it; as a member, only the partitions without a commit are committed', async () => {
    const topic = uniqueName('io-busy');
    const groupId = uniqueName('io-busy-g');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await producer.send({ topic, acks: -1, messages: [0, 1, 2].flatMap((partition) => Array.from({ length: 4 }, () => ({ partition, value: 'x' }))) });
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
    // a member that consumes nothing keeps the group busy, as a running replica does
    const consumer: Consumer = kafka.consumer({ groupId, sessionTimeout: 10_000 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
      await waitFor('the group to be stable', async () => {
        const { groups } = await admin.describeGroups([groupId]);
        return groups[0]?.state === 'Stable' ? true : undefined;
      });
      const target: InitialOffsetsTarget = { admin, groupId, topics: [topic], initialOffset: 'latest', log: createLogger({}, { level: 'error' }) };
      expect(await commitBeforeJoin(kafka, target)).toEqual([{ topic, partitions: [1, 2] }]);
      expect(await committed(groupId, topic)).toEqual({ 0: '1', 1: '-1', 2: '-1' });
      expect(await commitAsMember(target, consumer, new AbortController().signal, 0)).toBe(true);
      // partition 0 kept; 1 and 2 at their beginning, because the group already consumes this topic
      expect(await committed(groupId, topic)).toEqual({ 0: '1', 1: '0', 2: '0' });
    } finally {
      await consumer.disconnect();
    }
  });

  it('a topic that grows while consuming: the recheck commits the new partitions at their beginning', async () => {
    const topic = uniqueName('io-grow');
    const groupId = uniqueName('io-grow-g');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await producer.send({ topic, acks: -1, messages: [{ partition: 0, value: 'x' }] });
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
    const consumer: Consumer = kafka.consumer({ groupId, sessionTimeout: 10_000 });
    await consumer.connect();
    const target = { groupId, topics: [topic], initialOffset: 'latest' as const, log: createLogger({}, { level: 'error' }) };
    let recheck: { stop(): void } | undefined;
    try {
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
      recheck = startRecheck(kafka, target, consumer, 500);
      await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
      await producer.send({ topic, acks: -1, messages: [1, 2, 2].map((partition) => ({ partition, value: 'y' })) });
      // "latest" would put them at their end (1 and 2) and skip those records; a grown topic's partitions start at 0
      const got = await waitFor('the new partitions committed', async () => {
        const c = await committed(groupId, topic);
        return c[1] !== undefined && c[1] !== '-1' && c[2] !== undefined && c[2] !== '-1' ? c : undefined;
      });
      expect(got).toEqual({ 0: '1', 1: '0', 2: '0' });
    } finally {
      recheck?.stop();
      await consumer.disconnect();
    }
  });
});
