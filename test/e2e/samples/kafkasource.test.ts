/**
 * samples/sources/kafkasource.yaml end to end: the KafkaSource "orders" reads its two topics from the
 * earliest offset (a record produced before the source existed arrives too) and delivers each record's
 * exact bytes to event-display, with the key as an extension; its status is Ready with the resolved sink.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFiles } from '../../../hack/demo/plan.js';
import { testEnv } from '../../support/env.js';
import { condition, type SampleStack, sourcesPath, startSampleStack, waitForEvents, waitReady } from './support.js';

let stack: SampleStack;
const kafka = new Kafka({ clientId: 'e2e-kafkasource', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });
const producer = kafka.producer();

async function produce(topic: string, key: string, value: unknown): Promise<void> {
  await producer.send({ topic, messages: [{ key, value: JSON.stringify(value) }] });
}

beforeAll(async () => {
  stack = await startSampleStack('kafka');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: ['orders', 'refunds'].map((t) => ({ topic: stack.topic(t), numPartitions: 2 })), waitForLeaders: true });
  await admin.disconnect();
  await producer.connect();
  // Before the source exists: `initialOffset: earliest` must still deliver it.
  await produce(stack.topic('orders'), 'customer-1', { orderId: 'early', amount: 1 });
  await stack.apply(stack.load(sampleFiles.kafkasource));
}, 180_000);

afterAll(async () => {
  await producer.disconnect().catch(() => undefined);
  await stack?.stop();
}, 180_000);

describe('samples/sources/kafkasource.yaml', () => {
  it('is Ready, sends to event-display, and advertises one event type per topic', async () => {
    const o = await waitReady(stack, sourcesPath(stack.namespace, 'kafkasources', 'orders'));
    expect(o.status?.sinkUri).toBe(`http://event-display.${stack.namespace}.svc.cluster.local`);
    expect(condition(o, 'SinkProvided')?.status).toBe('True');
    expect(condition(o, 'Deployed')?.status).toBe('True');
    const base = `/apis/v1/namespaces/${stack.namespace}/kafkasources/orders`;
    expect(o.status?.ceAttributes).toEqual(
      expect.arrayContaining([
        { type: 'dev.knative.kafka.event', source: `${base}#${stack.topic('orders')}` },
        { type: 'dev.knative.kafka.event', source: `${base}#${stack.topic('refunds')}` },
      ]),
    );
  }, 150_000);

  it('delivers records of both topics, the one produced before it existed included', async () => {
    await produce(stack.topic('orders'), 'customer-2', { orderId: 'late', amount: 2 });
    await produce(stack.topic('refunds'), 'customer-3', { refundOf: 'early' });
    const base = `/apis/v1/namespaces/${stack.namespace}/kafkasources/orders`;
    const orders = await waitForEvents(stack, 'both orders at event-display', (e) => e.attributes.source === `${base}#${stack.topic('orders')}`, 2);
    const [refund] = await waitForEvents(stack, 'the refund at event-display', (e) => e.attributes.source === `${base}#${stack.topic('refunds')}`);

    expect(orders.map((e) => e.data)).toEqual(expect.arrayContaining([{ orderId: 'early', amount: 1 }, { orderId: 'late', amount: 2 }]));
    const early = orders.find((e) => (e.data as { orderId?: string }).orderId === 'early');
    expect(early?.attributes).toMatchObject({ type: 'dev.knative.kafka.event', key: 'customer-1', datacontenttype: 'application/json' });
    expect(String(early?.attributes.id)).toMatch(new RegExp(`^${stack.topic('orders')}-[01]-\\d+$`));
    expect(refund?.attributes).toMatchObject({ type: 'dev.knative.kafka.event', key: 'customer-3' });
    expect(refund?.data).toEqual({ refundOf: 'early' });
    // Nothing went to the sample's dead-letter sink: event-display answered every delivery.
    expect((await stack.received()).filter((e) => e.path === '/dead-letters')).toEqual([]);
  }, 150_000);
});
