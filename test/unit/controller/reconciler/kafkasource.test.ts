import { describe, expect, it } from 'vitest';
import { StaleCacheError } from '../../../../controller/reconciler/shared/deployment.js';
import { AlreadyExistsError } from '../../../../controller/runtime/errors.js';
import { kafkaSourceReconciler } from '../../../../controller/reconciler/kafkasource/reconcile.js';
import type { KubeObject } from '../../../../controller/runtime/types.js';
import { FakeKube } from '../../../support/fake-kube.js';
import { NS, adapterEnv, adapterEnvVars, available, condition, kafkaSource, readyBus, service, statusOf } from './fixtures.js';

const DEP = 'kafkasource-src-uid-src';
const key = { namespace: NS, name: 'src' };
const sinkRef = { ref: { apiVersion: 'v1', kind: 'Service', name: 'web' } };

async function run(kube: FakeKube): Promise<void> {
  await kafkaSourceReconciler().reconcile(key, kube.context());
}

describe('KafkaSource reconciler', () => {
  const cases: {
    name: string;
    objects: KubeObject[];
    actions: string[];
    ready: { status: string; reason?: string };
    sinkUri?: string;
    env?: Record<string, string>;
    events?: string[];
  }[] = [
    {
      name: 'new source with a Service sink: creates the Deployment, Deployed Unknown until it is available',
      objects: [service('web', 8080), kafkaSource('src', { sink: sinkRef, ceOverrides: { extensions: { team: 'a' } } })],
      actions: ['create Deployment ns/kafkasource-src-uid-src', 'updateStatus KafkaSource ns/src'],
      ready: { status: 'Unknown', reason: 'DeploymentUnavailable' },
      sinkUri: 'http://web.ns.svc.cluster.local:8080',
      env: {
        K_SINK: 'http://web.ns.svc.cluster.local:8080',
        K_CE_OVERRIDES: '{"extensions":{"team":"a"}}',
        NAMESPACE: NS,
        NAME: 'src',
      },
      // The routine creation records no Event (the Deployment and the Deployed condition say it).
      events: [],
    },
    {
      name: 'missing sink: no Deployment, SinkProvided False SinkNotFound',
      objects: [kafkaSource('src', { sink: sinkRef })],
      actions: ['updateStatus KafkaSource ns/src'],
      ready: { status: 'False', reason: 'SinkNotFound' },
      events: ['Warning SinkNotFound'],
    },
    {
      name: 'dead-letter sink resolved into K_DELIVERY',
      objects: [
        service('web'),
        service('dls'),
        kafkaSource('src', { sink: sinkRef, delivery: { retry: 2, deadLetterSink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'dls' } } } }),
      ],
      actions: ['create Deployment ns/kafkasource-src-uid-src', 'updateStatus KafkaSource ns/src'],
      ready: { status: 'Unknown', reason: 'DeploymentUnavailable' },
      sinkUri: 'http://web.ns.svc.cluster.local',
      env: { K_DELIVERY: '{"deadLetterSinkUri":"http://dls.ns.svc.cluster.local","retry":2}' },
    },
    {
      name: 'dead-letter sink missing: SinkProvided False naming the field',
      objects: [service('web'), kafkaSource('src', { sink: sinkRef, delivery: { deadLetterSink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'gone' } } } })],
      actions: ['updateStatus KafkaSource ns/src'],
      ready: { status: 'False', reason: 'SinkNotFound' },
      events: ['Warning SinkNotFound'],
    },
    {
      name: 'bus path: EventBus config with the {ns}-{source} topic and no K_SINK',
      objects: [readyBus('EventBus', 'main', { nats: { url: 'nats://nats:4222' } }), kafkaSource('src', { eventBus: 'main' })],
      actions: ['create Deployment ns/kafkasource-src-uid-src', 'updateStatus KafkaSource ns/src'],
      ready: { status: 'Unknown', reason: 'DeploymentUnavailable' },
      env: { K_EVENT_BUS_CONFIG: '{"backend":"nats","nats":{"stream":"headwater-ns-main","url":"nats://nats:4222"},"topic":"ns-src"}' },
    },
    {
      name: 'bus path falls back to the ClusterEventBus of that name',
      objects: [readyBus('ClusterEventBus', 'main', { redis: { address: 'redis:6379' } }), kafkaSource('src', { eventBus: 'main' })],
      actions: ['create Deployment ns/kafkasource-src-uid-src', 'updateStatus KafkaSource ns/src'],
      ready: { status: 'Unknown', reason: 'DeploymentUnavailable' },
      env: { K_EVENT_BUS_CONFIG: '{"backend":"redis","redis":{"address":"redis:6379"},"topic":"ns-src"}' },
    },
    {
      name: 'bus missing: EventBusReady False EventBusNotFound',
      objects: [kafkaSource('src', { eventBus: 'main' })],
      actions: ['updateStatus KafkaSource ns/src'],
      ready: { status: 'False', reason: 'EventBusNotFound' },
      events: ['Warning EventBusNotFound'],
    },
    {
      name: 'bus not ready: EventBusReady False EventBusNotReady',
      objects: [readyBus('EventBus', 'main', { nats: { url: 'nats://n:4222' } }, false), kafkaSource('src', { eventBus: 'main' })],
      actions: ['updateStatus KafkaSource ns/src'],
      ready: { status: 'False', reason: 'EventBusNotReady' },
      events: ['Warning EventBusNotReady'],
    },
  ];

  it.each(cases)('$name', async (c) => {
    const kube = new FakeKube(c.objects);
    await run(kube);
    expect(kube.summary()).toEqual(c.actions);
    const src = kube.find('sources.headwater.dev/v1alpha1', 'KafkaSource', NS, 'src');
    expect(condition(src, 'Ready')).toMatchObject(c.ready);
    expect(statusOf(src).sinkUri).toBe(c.sinkUri);
    expect(statusOf(src).observedGeneration).toBe(1);
    if (c.env !== undefined) expect(adapterEnv(kube.find('apps/v1', 'Deployment', NS, DEP))).toMatchObject(c.env);
    if (c.events !== undefined) expect(kube.events.map((e) => `${e.type} ${e.reason}`)).toEqual(c.events);
    if (!c.ready.reason?.startsWith('Deployment')) expect(condition(src, 'Ready')?.message).toBeTruthy();
    // the adapter is never available in these cases: the Kafka facts its readiness vouches for are not observed yet
    for (const type of ['ConnectionEstablished', 'InitialOffsetsCommitted']) {
      expect(condition(src, type)).toMatchObject({ status: 'Unknown', reason: 'AdapterNotReady', severity: 'Info' });
      expect(condition(src, type)?.message).toMatch(/adapter Deployment is not available/);
    }
    // a second pass over the state the first one left makes no writes at all
    kube.clearRecords();
    await run(kube);
    expect(kube.summary()).toEqual([]);
    expect(kube.events).toEqual([]);
  });

  it('builds the adapter per the contract: owner, labels, probes, security, secrets by reference', async () => {
    const kube = new FakeKube([
      service('web'),
      kafkaSource('src', {
        sink: sinkRef,
        consumers: 3,
        net: { sasl: { enable: true, user: { secretKeyRef: { name: 'kafka-auth', key: 'user' } }, password: { secretKeyRef: { name: 'kafka-auth', key: 'pw' } } } },
      }),
    ]);
    await run(kube);
    const dep = kube.find('apps/v1', 'Deployment', NS, DEP) as KubeObject & { spec: Record<string, never> };
    expect(dep.metadata.ownerReferences).toEqual([
      { apiVersion: 'sources.headwater.dev/v1alpha1', kind: 'KafkaSource', name: 'src', uid: 'uid-src', controller: true, blockOwnerDeletion: true },
    ]);
    expect(dep.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'headwater-adapter',
      'sources.headwater.dev/source': 'src',
      'sources.headwater.dev/kind': 'KafkaSource',
    });
    const spec = dep.spec as unknown as {
      replicas: number;
      template: { spec: { containers: { image: string; args: string[]; livenessProbe: unknown; readinessProbe: unknown; securityContext: unknown; resources: unknown }[] } };
    };
    expect(spec.replicas).toBe(3);
    const c = spec.template.spec.containers[0];
    expect(c?.image).toBe('headwater:test');
    expect(c?.args).toEqual(['kafka']);
    expect(c?.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 8080 } });
    expect(c?.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 8080 } });
    expect(c?.securityContext).toEqual({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(c?.resources).toMatchObject({ requests: { cpu: '50m' }, limits: { memory: '256Mi' } });
    const vars = adapterEnvVars(dep);
    expect(vars).toContainEqual({ name: 'KAFKA_SASL_PASSWORD', valueFrom: { secretKeyRef: { name: 'kafka-auth', key: 'pw' } } });
    expect(vars).toContainEqual({ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
    const config = JSON.parse(adapterEnv(dep).K_SOURCE_CONFIG ?? '{}');
    expect(config.consumerGroup).toBe('knative-kafka-source-uid-src');
    expect(JSON.stringify(config)).not.toContain('"value"');
    const src = kube.find('sources.headwater.dev/v1alpha1', 'KafkaSource', NS, 'src');
    expect(statusOf(src).ceAttributes).toEqual([
      { type: 'dev.knative.kafka.event', source: '/apis/v1/namespaces/ns/kafkasources/src#t1' },
    ]);
  });

  it('propagates the Deployment Available condition to Deployed, with the Deployment message while unavailable', async () => {
    const kube = new FakeKube([service('web'), kafkaSource('src', { sink: sinkRef })]);
    await run(kube);
    const dep = kube.find('apps/v1', 'Deployment', NS, DEP) as KubeObject;
    kube.add(available(dep, 'False', 'Deployment does not have minimum availability.'));
    await run(kube);
    let src = kube.find('sources.headwater.dev/v1alpha1', 'KafkaSource', NS, 'src');
    expect(condition(src, 'Deployed')).toMatchObject({ status: 'False', reason: 'DeploymentUnavailable', message: 'Deployment does not have minimum availability.' });
    // informational: Ready carries Deployed's reason, not AdapterNotReady
    expect(condition(src, 'Ready')).toMatchObject({ status: 'False', reason: 'DeploymentUnavailable' });
    expect(condition(src, 'InitialOffsetsCommitted')).toMatchObject({ status: 'Unknown', reason: 'AdapterNotReady' });
    kube.add(available(dep, 'True'));
    kube.clearRecords();
    await run(kube);
    src = kube.find('sources.headwater.dev/v1alpha1', 'KafkaSource', NS, 'src');
    expect(condition(src, 'Ready')).toMatchObject({ status: 'True' });
    // the conditions turn True in the same status write as Deployed
    expect(kube.summary()).toEqual(['updateStatus KafkaSource ns/src']);
    expect(condition(src, 'ConnectionEstablished')).toMatchObject({ status: 'True', reason: 'AdapterReady', severity: 'Info' });
    expect(condition(src, 'ConnectionEstablished')?.message).toMatch(/joined group knative-kafka-source-uid-src/);
    expect(condition(src, 'InitialOffsetsCommitted')).toMatchObject({ status: 'True', reason: 'AdapterReady', severity: 'Info' });
    expect(condition(src, 'InitialOffsetsCommitted')?.message).toMatch(/readiness probe passes only then/);
    kube.clearRecords();
    await run(kube);
    expect(kube.summary()).toEqual([]);
    // the adapter going unavailable again (e.g. the broker is gone) takes them back to Unknown
    kube.add(available(dep, 'False', 'Deployment does not have minimum availability.'));
    await run(kube);
    src = kube.find('sources.headwater.dev/v1alpha1', 'KafkaSource', NS, 'src');
    expect(condition(src, 'ConnectionEstablished')).toMatchObject({ status: 'Unknown', reason: 'AdapterNotReady' });
  });

  it('a source whose Deployment cannot be written: the Kafka conditions stay Unknown, Ready carries the deploy error', async () => {
    const foreign: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: DEP, namespace: NS, ownerReferences: [{ apiVersion: 'x/v1', kind: 'Other', name: 'o', uid: 'other', controller: true }] },
      spec: {},
      status: { conditions: [{ type: 'Available', status: 'True' }] },
    } as KubeObject;
    const kube = new FakeKube([service('web'), kafkaSource('src', { sink: sinkRef }), foreign]);
    await expect(run(kube)).rejects.toThrow(/controlled by Other o/);
    const src = kube.find('sources.headwater.dev/v1alpha1', 'KafkaSource', NS, 'src');
    expect(condition(src, 'Ready')).toMatchObject({ status: 'False', reason: 'DeploymentNotOwned' });
    expect(condition(src, 'ConnectionEstablished')).toMatchObject({ status: 'Unknown', reason: 'AdapterNotReady' });
  });

  it('follows a sink that moves, and keeps the old Deployment when the sink disappears', async () => {
    const kube = new FakeKube([service('web'), kafkaSource('src', { sink: sinkRef })]);
    await run(kube);
    kube.add(service('web', 9090));
    kube.clearRecords();
    await run(kube);
    expect(kube.summary()).toEqual(['update Deployment ns/kafkasource-src-uid-src', 'updateStatus KafkaSource ns/src']);
    expect(adapterEnv(kube.find('apps/v1', 'Deployment', NS, DEP)).K_SINK).toBe('http://web.ns.svc.cluster.local:9090');
    kube.remove('v1', 'Service', NS, 'web');
    kube.clearRecords();
    await run(kube);
    expect(kube.summary()).toEqual(['updateStatus KafkaSource ns/src']);
    const src = kube.find('sources.headwater.dev/v1alpha1', 'KafkaSource', NS, 'src');
    expect(condition(src, 'SinkProvided')).toMatchObject({ status: 'False', reason: 'SinkNotFound' });
    expect(statusOf(src).sinkUri).toBeUndefined();
  });

  it('moving from sink to bus removes the bound env exactly and swaps the condition', async () => {
    const kube = new FakeKube([service('web'), readyBus('EventBus', 'main', { kafka: { bootstrapServers: ['k:9092'] } }), kafkaSource('src', { sink: sinkRef })]);
    await run(kube);
    const src = kube.find('sources.headwater.dev/v1alpha1', 'KafkaSource', NS, 'src') as KubeObject;
    kube.add({ ...src, spec: { bootstrapServers: ['kafka:9092'], topics: ['t1'], eventBus: 'main' }, metadata: { ...src.metadata, generation: 2 } });
    kube.clearRecords();
    await run(kube);
    expect(kube.summary()).toEqual(['update Deployment ns/kafkasource-src-uid-src', 'updateStatus KafkaSource ns/src']);
    const env = adapterEnv(kube.find('apps/v1', 'Deployment', NS, DEP));
    expect(env.K_SINK).toBeUndefined();
    expect(env.K_EVENT_BUS_CONFIG).toContain('"topic":"ns-src"');
    const after = kube.find('sources.headwater.dev/v1alpha1', 'KafkaSource', NS, 'src');
    expect(condition(after, 'SinkProvided')).toBeUndefined();
    expect(condition(after, 'EventBusReady')).toMatchObject({ status: 'True' });
    expect(statusOf(after).observedGeneration).toBe(2);
  });

  it('deletes a Deployment an older spec left behind (owned, under another name)', async () => {
    const stale: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'kafkasource-src-old',
        namespace: NS,
        labels: { 'app.kubernetes.io/name': 'headwater-adapter', 'sources.headwater.dev/kind': 'KafkaSource', 'sources.headwater.dev/source': 'src' },
        ownerReferences: [{ apiVersion: 'sources.headwater.dev/v1alpha1', kind: 'KafkaSource', name: 'src', uid: 'uid-src', controller: true }],
      },
      spec: {},
    };
    const kube = new FakeKube([service('web'), kafkaSource('src', { sink: sinkRef }), stale]);
    await run(kube);
    expect(kube.summary()).toContain('delete Deployment ns/kafkasource-src-old');
  });

  it('does nothing for a source that is gone or being deleted', async () => {
    const kube = new FakeKube([service('web'), kafkaSource('src', { sink: sinkRef }, { deletionTimestamp: new Date() })]);
    await run(kube);
    expect(kube.writes()).toBe(0);
    await kafkaSourceReconciler().reconcile({ namespace: NS, name: 'nope' }, kube.context());
    expect(kube.writes()).toBe(0);
  });

  it('refuses to take over a Deployment controlled by someone else', async () => {
    const foreign: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: DEP, namespace: NS, ownerReferences: [{ apiVersion: 'x/v1', kind: 'Other', name: 'o', uid: 'other', controller: true }] },
      spec: {},
    };
    const kube = new FakeKube([service('web'), kafkaSource('src', { sink: sinkRef }), foreign]);
    await expect(run(kube)).rejects.toThrow(/controlled by Other o/);
    const src = kube.find('sources.headwater.dev/v1alpha1', 'KafkaSource', NS, 'src');
    expect(condition(src, 'Deployed')).toMatchObject({ status: 'False', reason: 'DeploymentNotOwned' });
  });

  it('a cache that has not seen its own create yet is retried, not reported in status', async () => {
    const kube = new FakeKube([service('web'), kafkaSource('src', { sink: sinkRef })]);
    kube.failNext('create', 'Deployment', new AlreadyExistsError('AlreadyExists', 'exists', { method: 'POST', path: '/deployments', status: 409 }));
    await expect(run(kube)).rejects.toBeInstanceOf(StaleCacheError);
    expect(kube.summary()).toEqual(['create Deployment ns/kafkasource-src-uid-src']);
    expect(kube.events).toEqual([]);
  });
});
