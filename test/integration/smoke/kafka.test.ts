/**
 * Smoke test of the local Kafka broker with kafkajs: a producer writes to a new topic and a consumer group
 * reads every message back and commits its offsets on the broker (so the group coordinator works on a
 * single node, which needs offsets.topic.replication.factor=1).
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { testEnv, uniqueName } from '../../support/env.js';

describe('kafka smoke', () => {
  const kafka = new Kafka({ clientId: 'headwater-smoke', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();
  const topic = uniqueName('smoke');
  const groupId = uniqueName('smoke-group');
  const consumer = kafka.consumer({ groupId });

  afterAll(async () => {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  });

  it('round-trips messages through a consumer group and commits offsets', async () => {
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true })).toBe(true);

    await producer.connect();
    const sent = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await producer.send({ topic, messages: sent });

    const received: { key: string; value: string }[] = [];
    let allReceived: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      allReceived = resolve;
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        received.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
        await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        if (received.length === sent.length) allReceived();
      },
    });
    await done;
    expect(received.sort((a, b) => a.key.localeCompare(b.key))).toEqual(sent);
    await consumer.stop();

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = committed[0]?.partitions.reduce((n, p) => n + Number(p.offset), 0);
    expect(total).toBe(sent.length);
  });
});
