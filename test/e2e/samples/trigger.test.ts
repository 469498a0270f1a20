/**
 * samples/sources/trigger.yaml end to end: on the EventBus "default" (samples/sources/eventbus.yaml), the
 * Trigger "orders-and-heartbeat" takes its two inputs — the CronSource heartbeat and the KafkaSource orders
 * on the bus path (samples/demo/trigger-inputs.yaml) — through its type filters and delivers to event-display
 * only the event that makes `heartbeat && orders` true. Heartbeats alone are consumed (acknowledged on the
 * bus, read from JetStream's consumer state) and held back; the first order after them is delivered.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerNameFor } from '../../../adapter/bus/nats.js';
import { durableName } from '../../../adapter/trigger/index.js';
import { demoFiles, sampleFiles } from '../../../hack/demo/plan.js';
import { testEnv } from '../../support/env.js';
import { condition, eventingPath, type SampleStack, sourcesPath, startSampleStack, waitFor, waitReady } from './support.js';

let stack: SampleStack;
let nc: NatsConnection;
const kafka = new Kafka({ clientId: 'e2e-trigger', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });
const producer = kafka.producer();
const stream = 'headwater-default';

beforeAll(async () => {
  stack = await startSampleStack('trigger');
  nc = await connect({ servers: testEnv.natsUrl() });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: ['orders', 'refunds'].map((t) => ({ topic: stack.topic(t) })), waitForLeaders: true });
  await admin.disconnect();
  await producer.connect();
  await stack.apply([...stack.load(sampleFiles.eventbus), ...stack.load(demoFiles.triggerInputs), ...stack.load(sampleFiles.trigger)]);
}, 180_000);

afterAll(async () => {
  await producer.disconnect().catch(() => undefined);
  await nc?.close();
  await stack?.stop();
}, 180_000);

describe('samples/sources/trigger.yaml', () => {
  it('is Ready with its bus, subscribers and dispatcher, and so are its inputs', async () => {
    const trigger = await waitReady(stack, eventingPath(stack.namespace, 'triggers', 'orders-and-heartbeat'));
    for (const type of ['EventBusReady', 'SubscribersResolved', 'Deployed']) expect(condition(trigger, type)?.status, type).toBe('True');
    for (const [plural, name] of [
      ['cronsources', 'heartbeat'],
      ['kafkasources', 'orders'],
    ] as const) {
      const src = await waitReady(stack, sourcesPath(stack.namespace, plural, name));
      expect(condition(src, 'EventBusReady')?.status, `${name} EventBusReady`).toBe('True');
    }
  }, 180_000);

  it('holds heartbeats back while no order came (the condition is heartbeat && orders)', async () => {
    const jsm = await jetstreamManager(nc);
    const consumer = consumerNameFor(durableName(stack.namespace, 'orders-and-heartbeat'), `${stack.namespace}-heartbeat`);
    // Settled: the dispatcher has taken and acknowledged at least two heartbeats and owes none.
    const info = await waitFor(`the dispatcher to acknowledge heartbeats (consumer ${consumer})`, async () => {
      const i = await jsm.consumers.info(stream, consumer);
      return i.ack_floor.stream_seq > 0 && i.delivered.consumer_seq >= 2 && i.num_ack_pending === 0 && i.num_pending === 0 ? i : undefined;
    });
    expect(info.delivered.consumer_seq).toBeGreaterThanOrEqual(2);
    // Each acknowledged heartbeat was decided before its ack: with no order yet, none was for event-display.
    expect(await stack.received()).toEqual([]);
  }, 150_000);

  it('delivers the order that completes the condition, unchanged, to event-display', async () => {
    const source = `/apis/v1/namespaces/${stack.namespace}/kafkasources/orders#${stack.topic('orders')}`;
    // The bus-path KafkaSource starts at the latest offset once its group has partitions, which may be after
    // Ready: produce an order a second until one arrives.
    let n = 0;
    const order = await waitFor('an order at event-display through the Trigger', async () => {
      n += 1;
      await producer.send({ topic: stack.topic('orders'), messages: [{ key: 'customer-9', value: JSON.stringify({ orderId: `o-${n}`, amount: 99 }) }] });
      return (await stack.received()).find((e) => e.attributes.source === source);
    });
    expect(order.attributes).toMatchObject({ type: 'dev.knative.kafka.event', source, key: 'customer-9' });
    expect(order.data).toMatchObject({ amount: 99 });
    expect(Number((order.data as { orderId: string }).orderId.slice(2))).toBeLessThanOrEqual(n);
    expect(order.path).toBe('/');
    // Whatever else arrived came through the same Trigger: only its two inputs' events pass the type filters.
    for (const e of await stack.received()) expect(['dev.knative.sources.ping', 'dev.knative.kafka.event']).toContain(e.attributes.type);
  }, 150_000);
});
