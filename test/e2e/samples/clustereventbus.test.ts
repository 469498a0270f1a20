/**
 * samples/sources/clustereventbus.yaml end to end: the cluster-wide bus on Redis (password from the Secret
 * bus-redis-auth in the controller's namespace) turns Ready; a source in the controller's namespace publishes
 * through it to the Redis stream `headwater.<namespace>-<source>`; a source in any other namespace is told
 * why it cannot use a bus with credentials (a secretKeyRef cannot cross namespaces).
 * The bus is cluster-scoped, so it gets a name of this run's own instead of "shared".
 */
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../hack/demo/localize.js';
import { demoFiles, sampleFiles } from '../../../hack/demo/plan.js';
import { testEnv, uniqueName } from '../../support/env.js';
import { busDataAsJson, condition, eventingPath, type SampleStack, sourcesPath, startSampleStack, waitFor, waitReady } from './support.js';

let stack: SampleStack;
const busName = uniqueName('shared');
const redis = new Redis(testEnv.redisUrl(), { lazyConnect: true });
const kafka = new Kafka({ clientId: 'e2e-clustereventbus', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });
const producer = kafka.producer();

/** The bus-path KafkaSource of samples/demo/trigger-inputs.yaml, on this bus, in the given namespace. */
function ordersOnBus(namespace: string): KubeObject {
  const orders = stack.load(demoFiles.triggerInputs).find((o) => o.kind === 'KafkaSource') as KubeObject;
  return { ...orders, metadata: { ...orders.metadata, namespace }, spec: { ...(orders.spec as Record<string, unknown>), eventBus: busName, initialOffset: 'earliest' } };
}

beforeAll(async () => {
  stack = await startSampleStack('cbus', { clusterNames: [busName] });
  await redis.connect();
  await producer.connect();
  const [bus] = stack.load(sampleFiles.clustereventbus);
  const secrets = stack.load(demoFiles.secrets).filter((s) => s.metadata.namespace === stack.systemNamespace);
  await stack.apply([...secrets, { ...(bus as KubeObject), metadata: { ...(bus as KubeObject).metadata, name: busName } }]);
  await producer.send({ topic: stack.topic('orders'), messages: [{ key: 'k', value: JSON.stringify({ orderId: 'via-cluster-bus' }) }] });
  await stack.apply([ordersOnBus(stack.systemNamespace), ordersOnBus(stack.namespace)]);
}, 180_000);

afterAll(async () => {
  await producer.disconnect().catch(() => undefined);
  await redis.del(`headwater.${stack.systemNamespace}-orders`).catch(() => undefined);
  redis.disconnect();
  await stack?.kubectl.run(['delete', 'clustereventbus', busName, '--ignore-not-found']).catch(() => undefined);
  await stack?.stop();
}, 180_000);

describe('samples/sources/clustereventbus.yaml', () => {
  it('is Ready once Redis answered', async () => {
    const bus = await waitReady(stack, eventingPath(undefined, 'clustereventbuses', busName));
    expect(condition(bus, 'BackendReachable')?.status).toBe('True');
    expect(bus.status?.backend).toBe('redis');
  }, 150_000);

  it("serves a source in the controller's namespace: its events land on the bus' Redis stream", async () => {
    const src = await waitReady(stack, sourcesPath(stack.systemNamespace, 'kafkasources', 'orders'));
    expect(condition(src, 'EventBusReady')?.status).toBe('True');
    const key = `headwater.${stack.systemNamespace}-orders`;
    const entries = await waitFor(`an entry on the Redis stream ${key}`, async () => {
      const got = await redis.xrange(key, '-', '+');
      return got.length > 0 ? got : undefined;
    });
    const [, fields] = entries[0] as [string, string[]];
    expect(fields[0]).toBe('ce');
    const event = JSON.parse(fields[1] ?? '{}') as Record<string, unknown>;
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'dev.knative.kafka.event',
      source: `/apis/v1/namespaces/${stack.systemNamespace}/kafkasources/orders#${stack.topic('orders')}`,
    });
    expect(busDataAsJson(event)).toEqual({ orderId: 'via-cluster-bus' });
  }, 150_000);

  it('tells a source in another namespace why it cannot use a bus with credentials', async () => {
    const src = await waitFor('EventBusReady=False on the source outside the controller namespace', async () => {
      const o = await stack.get(sourcesPath(stack.namespace, 'kafkasources', 'orders'));
      return condition(o, 'EventBusReady')?.status === 'False' ? o : undefined;
    });
    expect(condition(src, 'EventBusReady')?.reason).toBe('EventBusCredentialsUnavailable');
    expect(condition(src, 'Ready')).toMatchObject({ status: 'False', reason: 'EventBusCredentialsUnavailable' });
    expect(condition(src, 'Ready')?.message).toMatch(/EventBus/);
  }, 120_000);
});
