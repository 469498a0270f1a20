/**
 * The kafka role against a real Kafka broker (in-process, through the runtime lifecycle): attributes, exact
 * bytes for JSON / non-JSON / non-UTF-8 values, key and headers as extensions, ordered delivery per partition
 * through sink failures, and a record over the size limit dead-lettered rather than crashing anything.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runKafka } from '../../../../adapter/kafka/index.js';
import { runAdapter, type RunningAdapter } from '../../../../adapter/runtime/lifecycle.js';
import { waitAdapterReady } from '../../../support/adapter-ready.js';
import { testEnv } from '../../../support/env.js';
import { startTestSink, type TestSink } from '../../../support/test-sink.js';

describe('kafka adapter', () => {
  const kafka = new Kafka({ clientId: 'kafka-adapter-test', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();
  let sink: TestSink;
  let dls: TestSink;

  beforeAll(async () => {
    await Promise.all([admin.connect(), producer.connect()]);
    sink = await startTestSink();
    dls = await startTestSink();
  });
  afterAll(async () => {
    await Promise.allSettled([admin.disconnect(), producer.disconnect(), sink.close(), dls.close()]);
  });

  const start = (topic: string, extra: Record<string, unknown> = {}): Promise<RunningAdapter> =>
    runAdapter(
      'kafka',
      [],
      {
        K_SINK: sink.url,
        K_CE_OVERRIDES: JSON.stringify({ extensions: { team: 'blue' } }),
        K_DELIVERY: JSON.stringify({ retry: 5, backoffDelay: 'PT0.05S', deadLetterSinkUri: dls.url }),
        NAMESPACE: 'ns1',
        NAME: 'orders',
        K_SOURCE_CONFIG: JSON.stringify({ bootstrapServers: testEnv.kafkaBrokers(), topics: [topic], initialOffset: 'earliest', ...extra }),
        PORT: '0',
        BIND_ADDRESS: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      { handleSignals: false, runRole: runKafka },
    );

  it('carries attributes, bytes, key and headers; an oversized record goes to the dead-letter sink', async () => {
    const topic = `ka-${randomUUID().slice(0, 8)}`;
    // Room for a 5 MiB record, over the adapter's 4 MiB event limit.
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(8 * 1024 * 1024) }] }], waitForLeaders: true });
    const binary = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x80]);
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: 'user-1', value: '{"n": 12345678901234567890}', headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'X-Bad-Name': 'skip' } },
        { key: Buffer.from([0x00, 0xff]), value: binary },
        { value: 'plain text, not JSON', headers: { 'content-type': 'text/plain; charset=utf-8' } },
        { value: Buffer.alloc(5 * 1024 * 1024, 0x61) },
      ],
    });
    const adapter = await start(topic);
    try {
      await waitAdapterReady(adapter);
      const got = await sink.waitForRequests(3, 60_000);
      const [json, bin, text] = got;
      expect(json?.event?.id).toBe(`${topic}-0-0`);
      expect(json?.event?.type).toBe('dev.knative.kafka.event');
      expect(json?.event?.source).toBe(`/apis/v1/namespaces/ns1/kafkasources/orders#${topic}`);
      expect(json?.event?.subject).toBe('partition:0#0');
      expect(json?.headers['content-type']).toBe('application/json');
      expect(json?.body.toString('utf8')).toBe('{"n": 12345678901234567890}');
      expect(json?.headers['ce-partitionkey']).toBe('user-1');
      expect(json?.headers['ce-key']).toBe('user-1');
      expect(json?.headers['ce-traceparent']).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      expect(json?.headers['ce-team']).toBe('blue');
      expect(Object.keys(json?.headers ?? {}).some((h) => h.includes('bad'))).toBe(false);

      expect(bin?.headers['content-type']).toBe('application/octet-stream');
      expect(bin?.body.equals(binary)).toBe(true);
      expect(bin?.headers['ce-key']).toBe('AP8=');
      expect(bin?.headers['ce-keyencoding']).toBe('base64');

      expect(text?.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(text?.body.toString('utf8')).toBe('plain text, not JSON');

      const dead = await dls.waitForRequests(1, 60_000);
      expect(dead[0]?.headers['ce-id']).toBe(`${topic}-0-3`);
      expect(String(dead[0]?.headers['ce-headwatererror'])).toMatch(/over the limit/);
      expect(dead[0]?.body.length).toBe(5 * 1024 * 1024);
    } finally {
      adapter.shutdown.trigger('test done');
      expect(await adapter.finished).toBe(0);
    }
  });

  it('ordered: a partition is delivered in offset order even when the sink fails in between', async () => {
    const topic = `ko-${randomUUID().slice(0, 8)}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const n = 40;
    await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, i) => ({ partition: i % 2, value: JSON.stringify({ i }) })) });
    const before = sink.requests.length;
    // Every fifth request fails once: ordered mode must retry it before moving on in that partition.
    sink.respond(...Array.from({ length: 60 }, (_, i) => (i % 5 === 2 ? { status: 503 } : { status: 200 })));
    const adapter = await start(topic, { ordering: 'ordered' });
    try {
      await waitAdapterReady(adapter);
      const ids = new Set<string>();
      for (let i = 0; i < 600 && ids.size < n; i++) {
        for (const r of sink.requests.slice(before)) if (r.event?.id.startsWith(topic)) ids.add(r.event.id);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(ids.size).toBe(n);
      for (const partition of [0, 1]) {
        const offsets = sink.requests
          .slice(before)
          .map((r) => r.event?.id ?? '')
          .filter((id) => id.startsWith(`${topic}-${partition}-`))
          .map((id) => Number(id.split('-').pop()));
        // Retries repeat an offset; no offset is sent before an earlier one succeeded.
        for (let i = 1; i < offsets.length; i++) expect(offsets[i]).toBeGreaterThanOrEqual(offsets[i - 1]!);
        expect(new Set(offsets).size).toBe(n / 2);
      }
    } finally {
      adapter.shutdown.trigger('test done');
      expect(await adapter.finished).toBe(0);
    }
  });

  it('a graceful stop commits what was delivered, however recently: the group resumes exactly after it', async () => {
    const topic = `kc-${randomUUID().slice(0, 8)}`;
    const group = `kc-${randomUUID().slice(0, 8)}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    // Requests, not events: a retried request (an earlier test may leave failing answers queued) counts again.
    const ofTopic = (from = 0): string[] =>
      sink.requests.slice(from).flatMap((r) => (r.event?.id.startsWith(`${topic}-`) ? [r.event.id] : []));
    const waitForDistinct = async (n: number): Promise<void> => {
      for (let i = 0; i < 600 && new Set(ofTopic()).size < n; i++) await new Promise((r) => setTimeout(r, 50));
      expect(new Set(ofTopic()).size).toBe(n);
    };
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 40 }, (_, i) => ({ partition: i % 2, value: JSON.stringify({ i }) })) });
    const first = await start(topic, { consumerGroup: group });
    try {
      await waitAdapterReady(first);
      await waitForDistinct(40);
      // Delivered moments before the stop: within the second in which commits are paced, so only the stop's own
      // commit can cover them.
      await producer.send({ topic, acks: -1, messages: Array.from({ length: 6 }, (_, i) => ({ partition: i % 2, value: JSON.stringify({ late: i }) })) });
      await waitForDistinct(46);
    } finally {
      first.shutdown.trigger('test: graceful stop');
      expect(await first.finished).toBe(0);
    }
    const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    for (const { partition, high } of ends) {
      expect(committed[0]?.partitions.find((p) => p.partition === partition)?.offset, `partition ${partition}`).toBe(high);
    }
    // A restart delivers only what is new.
    const before = sink.requests.length;
    await producer.send({ topic, acks: -1, messages: [{ partition: 0, value: '{"after":true}' }] });
    const second = await start(topic, { consumerGroup: group });
    try {
      await waitAdapterReady(second);
      await waitForDistinct(47);
      await new Promise((r) => setTimeout(r, 1000));
      expect(new Set(ofTopic(before))).toEqual(new Set([`${topic}-0-23`]));
    } finally {
      second.shutdown.trigger('test done');
      expect(await second.finished).toBe(0);
    }
  });
});
