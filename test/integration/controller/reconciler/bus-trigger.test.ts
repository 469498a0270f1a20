/**
 * EventBus, ClusterEventBus and Trigger against the real apiserver, with buses on the real NATS and Redis of
 * hack/env.sh: buses turn Ready after their backend answered; a source on the bus path gets the bus config;
 * a Trigger gets its dispatcher; deleting the bus turns both Ready=False (EventBusNotFound) and they recover.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../controller/runtime/types.js';
import { testEnv } from '../../../support/env.js';
import { type Harness, conditionOf, expectNoWritesWhileSteady, envValue, getOrUndefined, mergePatch, pathOf, service, startHarness, waitFor } from './harness.js';

const SOURCES = 'sources.headwater.dev/v1alpha1';
const EVENTING = 'eventing.headwater.dev/v1alpha1';
let h: Harness;
const clusterBus = `hw-cbus-${Date.now().toString(36)}`;

beforeAll(async () => {
  h = await startHarness({ clusterNames: [clusterBus] });
});
afterAll(async () => {
  await h?.client.json({ method: 'DELETE', path: pathOf(EVENTING, 'clustereventbuses', undefined, clusterBus) }).catch(() => {});
  await h?.stop();
});

const natsBus = (): KubeObject => ({ apiVersion: EVENTING, kind: 'EventBus', metadata: { name: 'bus', namespace: h.ns }, spec: { nats: { url: testEnv.natsUrl() } } });

describe('EventBus and ClusterEventBus', () => {
  it('turn Ready once the real backend answers, and report one that does not', async () => {
    await h.create(natsBus(), 'eventbuses');
    await h.create({ apiVersion: EVENTING, kind: 'EventBus', metadata: { name: 'dead', namespace: h.ns }, spec: { nats: { url: 'nats://127.0.0.1:1' } } }, 'eventbuses');
    await h.create({ apiVersion: EVENTING, kind: 'ClusterEventBus', metadata: { name: clusterBus }, spec: { redis: { address: testEnv.redisUrl() } } }, 'clustereventbuses');
    const bus = await h.waitForCondition(pathOf(EVENTING, 'eventbuses', h.ns, 'bus'), 'Ready', 'True');
    expect((bus.status as { backend?: string }).backend).toBe('nats');
    const cbus = await h.waitForCondition(pathOf(EVENTING, 'clustereventbuses', undefined, clusterBus), 'Ready', 'True');
    expect((cbus.status as { backend?: string }).backend).toBe('redis');
    const dead = await h.waitForCondition(pathOf(EVENTING, 'eventbuses', h.ns, 'dead'), 'Ready', 'False', 'BackendUnreachable');
    expect(conditionOf(dead, 'Ready')?.message).toContain('nats://127.0.0.1:1');
  });
});

describe('a source on the bus path', () => {
  const srcPath = () => pathOf(SOURCES, 'kafkasources', h.ns, 'onbus');

  it('gets K_EVENT_BUS_CONFIG with the {ns}-{source} topic and no K_SINK', async () => {
    await h.create(
      { apiVersion: SOURCES, kind: 'KafkaSource', metadata: { name: 'onbus', namespace: h.ns }, spec: { bootstrapServers: ['127.0.0.1:9092'], topics: ['t'], eventBus: 'bus' } },
      'kafkasources',
    );
    const src = await h.waitForCondition(srcPath(), 'Ready', 'True');
    expect(conditionOf(src, 'EventBusReady')?.status).toBe('True');
    const dep = await h.adapterDeployment('KafkaSource', 'onbus');
    expect(envValue(dep, 'K_SINK')).toBeUndefined();
    expect(JSON.parse(envValue(dep, 'K_EVENT_BUS_CONFIG') ?? '{}')).toMatchObject({ backend: 'nats', topic: `${h.ns}-onbus`, nats: { url: testEnv.natsUrl() } });
  });

  it('falls back to the ClusterEventBus of that name', async () => {
    await h.create(
      { apiVersion: SOURCES, kind: 'RedisStreamSource', metadata: { name: 'oncbus', namespace: h.ns }, spec: { address: '127.0.0.1:6379', stream: 's', eventBus: clusterBus } },
      'redisstreamsources',
    );
    await h.waitForCondition(pathOf(SOURCES, 'redisstreamsources', h.ns, 'oncbus'), 'Ready', 'True');
    const dep = await h.adapterDeployment('RedisStreamSource', 'oncbus');
    expect(JSON.parse(envValue(dep, 'K_EVENT_BUS_CONFIG') ?? '{}')).toMatchObject({ backend: 'redis', topic: `${h.ns}-oncbus` });
  });
});

describe('Trigger', () => {
  const trigPath = () => pathOf(EVENTING, 'triggers', h.ns, 'route');

  it('resolves bus, inputs and subscribers, runs its dispatcher and turns Ready', async () => {
    await h.create(service(h.ns, 'fn'), 'services');
    await h.create(service(h.ns, 'dlq'), 'services');
    await h.create(
      {
        apiVersion: EVENTING,
        kind: 'Trigger',
        metadata: { name: 'route', namespace: h.ns },
        spec: {
          eventBus: 'bus',
          inputs: { orders: { eventSource: { kind: 'KafkaSource', name: 'onbus' } } },
          subscribers: [{ condition: 'orders', sink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'fn' } }, deadLetterSink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'dlq' } } }],
        },
      },
      'triggers',
    );
    const t = await h.waitForCondition(trigPath(), 'Ready', 'True');
    for (const c of ['EventBusReady', 'SubscribersResolved', 'Deployed']) expect(conditionOf(t, c)?.status).toBe('True');
    const dep = await h.adapterDeployment('Trigger', 'route');
    expect(dep?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Trigger', name: 'route', controller: true });
    const config = JSON.parse(envValue(dep, 'K_TRIGGER_CONFIG') ?? '{}');
    expect(config.inputs).toEqual({ orders: { topic: `${h.ns}-onbus` } });
    expect(config.subscribers).toEqual([
      {
        condition: 'orders',
        sinkUri: `http://fn.${h.ns}.svc.cluster.local`,
        deadLetterSinkUri: `http://dlq.${h.ns}.svc.cluster.local`,
        // the CRD defaults an absent delivery, and the dispatcher gets it as stored
        delivery: { retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S', timeout: 'PT30S' },
      },
    ]);
    expect(config.bus).toMatchObject({ backend: 'nats' });
  });

  it("follows a subscriber's sink and reports it when it is gone", async () => {
    await mergePatch(h.client, pathOf('v1', 'services', h.ns, 'fn'), { spec: { ports: [{ port: 8081, targetPort: 8080 }] } });
    await waitFor('dispatcher follows the sink', async () => {
      const cfg = JSON.parse(envValue(await h.adapterDeployment('Trigger', 'route'), 'K_TRIGGER_CONFIG') ?? '{}') as { subscribers?: { sinkUri?: string }[] };
      return cfg.subscribers?.[0]?.sinkUri === `http://fn.${h.ns}.svc.cluster.local:8081` ? true : undefined;
    });
    await h.client.json({ method: 'DELETE', path: pathOf('v1', 'services', h.ns, 'fn') });
    const t = await h.waitForCondition(trigPath(), 'SubscribersResolved', 'False', 'SinkNotFound');
    expect(conditionOf(t, 'Ready')?.message).toContain('spec.subscribers[0].sink.ref');
    await h.create(service(h.ns, 'fn'), 'services');
    await h.waitForCondition(trigPath(), 'Ready', 'True');
  });

  it('deleting the bus turns the source and the Trigger Ready=False (EventBusNotFound); both recover when it returns', async () => {
    await h.client.json({ method: 'DELETE', path: pathOf(EVENTING, 'eventbuses', h.ns, 'bus') });
    await h.waitForCondition(pathOf(SOURCES, 'kafkasources', h.ns, 'onbus'), 'Ready', 'False', 'EventBusNotFound');
    await h.waitForCondition(trigPath(), 'Ready', 'False', 'EventBusNotFound');
    await h.create(natsBus(), 'eventbuses');
    await h.waitForCondition(pathOf(SOURCES, 'kafkasources', h.ns, 'onbus'), 'Ready', 'True');
    await h.waitForCondition(trigPath(), 'Ready', 'True');
  });

  it('takes its dispatcher along when deleted', async () => {
    const dep = await h.adapterDeployment('Trigger', 'route');
    expect(dep).toBeDefined();
    await h.client.json({ method: 'DELETE', path: trigPath() });
    await waitFor('dispatcher garbage-collected', async () =>
      (await getOrUndefined(h.client, pathOf('apps/v1', 'deployments', h.ns, dep?.metadata.name))) === undefined ? true : undefined,
    );
  });
});

describe('steady state', () => {
  it('a resync of a steady cluster makes zero write requests', async () => {
    await expectNoWritesWhileSteady(h);
    expect(h.ownWrites().length).toBeGreaterThan(0);
  });
});
