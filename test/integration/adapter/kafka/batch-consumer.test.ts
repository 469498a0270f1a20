/**
 * The batch consumer against a real broker through a rebalance in the middle of a backlog: a second member joins
 * while the first has batches queued in its partition lanes. The lanes of the old generation end, the partitions
 * are fetched again from their committed offsets, and every record is delivered at least once; once both members
 * stop, the group's committed offsets are at the partitions' ends.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ordering, type RunningConsumer, startBatchConsumer } from '../../../../adapter/kafka/batch-consumer.js';
import { createLogger } from '../../../../lib/log.js';
import { testEnv } from '../../../support/env.js';

const records = 2000;
const partitions = 4;

describe('kafka batch consumer', () => {
  const kafka = new Kafka({ clientId: 'batch-consumer-test', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();
  beforeAll(async () => {
    await Promise.all([admin.connect(), producer.connect()]);
  });
  afterAll(async () => {
    await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
  });

  it.each<Ordering>(['unordered', 'ordered'])('%s: a member joining mid-backlog loses nothing, and the commits end at the partitions’ ends', async (ordering) => {
    const topic = `bc-${randomUUID().slice(0, 8)}`;
    const groupId = `bc-${randomUUID().slice(0, 8)}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    for (let from = 0; from < records; from += 200) {
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 200 }, (_, i) => ({ partition: (from + i) % partitions, value: String(from + i) })),
      });
    }
    const delivered = new Map<string, number>();
    const byMember = new Map<string, number>();
    const order = new Map<number, number[]>();
    const member = (name: string): Promise<RunningConsumer> =>
      startBatchConsumer({
        kafka,
        groupId,
        topics: [topic],
        fromBeginning: true,
        ordering,
        concurrency: 8,
        log: createLogger({ member: name }, { level: 'error' }),
        // Slow enough that the backlog is still queued in the lanes when the second member joins.
        handle: async ({ partition, message }) => {
          await new Promise((r) => setTimeout(r, 20));
          byMember.set(name, (byMember.get(name) ?? 0) + 1);
          delivered.set(`${partition}/${message.offset}`, (delivered.get(`${partition}/${message.offset}`) ?? 0) + 1);
          const seen = order.get(partition) ?? [];
          seen.push(Number(message.offset));
          order.set(partition, seen);
        },
      });
    const waitFor = async (what: () => boolean, ms: number): Promise<boolean> => {
      for (const end = Date.now() + ms; Date.now() < end; ) {
        if (what()) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return what();
    };

    const first = await member('first');
    let second: RunningConsumer | undefined;
    try {
      expect(await waitFor(() => delivered.size >= 100, 30_000)).toBe(true);
      expect(delivered.size).toBeLessThan(records / 2);
      second = await member('second');
      expect(await waitFor(() => delivered.size === records, 90_000), `${delivered.size} of ${records} delivered`).toBe(true);
    } finally {
      await Promise.all([first.stop(), second?.stop()]);
    }
    // The partitions really moved: the second member delivered part of the backlog.
    expect(byMember.get('second') ?? 0).toBeGreaterThan(0);
    // Every record at least once (a rebalance may repeat what was delivered after the last commit).
    for (let p = 0; p < partitions; p++) {
      for (let o = 0; o < records / partitions; o++) expect(delivered.get(`${p}/${o}`) ?? 0, `partition ${p} offset ${o}`).toBeGreaterThan(0);
    }
    if (ordering === 'ordered') {
      // In offset order within a partition; a step back is only a replay from a committed offset.
      for (const [p, seen] of order) {
        for (let i = 1; i < seen.length; i++) {
          if (seen[i]! <= seen[i - 1]!) expect(delivered.get(`${p}/${seen[i]}`), `partition ${p} offset ${seen[i]}`).toBeGreaterThan(1);
        }
      }
    }
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    for (const { partition, high } of ends) {
      expect(committed[0]?.partitions.find((p) => p.partition === partition)?.offset, `partition ${partition}`).toBe(high);
    }
  });
});
