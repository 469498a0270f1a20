import { describe, expect, it } from 'vitest';
import { redisStreamSourceReconciler } from '../../../../controller/reconciler/redisstreamsource/reconcile.js';
import type { KubeObject } from '../../../../controller/runtime/types.js';
import { FakeKube } from '../../../support/fake-kube.js';
import { NS, adapterEnv, adapterEnvVars, condition, readyBus, service, statusOf } from './fixtures.js';

function redisSource(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'sources.headwater.dev/v1alpha1',
    kind: 'RedisStreamSource',
    metadata: { name: 'rs', namespace: NS, uid: 'uid-rs', generation: 4 },
    spec: { address: 'redis:6379', stream: 'orders', ...spec },
  };
}

const key = { namespace: NS, name: 'rs' };

describe('RedisStreamSource reconciler', () => {
  it('runs one adapter with the group defaulted, the password by reference and the sink bound', async () => {
    const kube = new FakeKube([
      service('web'),
      redisSource({ sink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'web' }, CACerts: 'PEM' }, consumers: 4, password: { secretKeyRef: { name: 'redis', key: 'pw' } } }),
    ]);
    await redisStreamSourceReconciler().reconcile(key, kube.context());
    expect(kube.summary()).toEqual(['create Deployment ns/redisstreamsource-rs-uid-rs', 'updateStatus RedisStreamSource ns/rs']);
    const dep = kube.find('apps/v1', 'Deployment', NS, 'redisstreamsource-rs-uid-rs');
    expect((dep?.spec as { replicas?: number } | undefined)?.replicas).toBe(1);
    const env = adapterEnv(dep);
    expect(env.K_SINK).toBe('http://web.ns.svc.cluster.local');
    expect(env.K_CA_CERTS).toBe('PEM');
    expect(JSON.parse(env.K_SOURCE_CONFIG ?? '{}')).toMatchObject({ group: 'headwater-uid-rs', consumers: 4, stream: 'orders' });
    expect(adapterEnvVars(dep)).toContainEqual({ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis', key: 'pw' } } });
    const src = kube.find('sources.headwater.dev/v1alpha1', 'RedisStreamSource', NS, 'rs');
    expect(statusOf(src)).toMatchObject({ sinkUri: 'http://web.ns.svc.cluster.local', sinkCACerts: 'PEM', observedGeneration: 4 });
    expect(statusOf(src).ceAttributes).toEqual([{ type: 'dev.knative.sources.redisstream', source: '/apis/v1/namespaces/ns/redisstreamsources/rs#orders' }]);
    kube.clearRecords();
    await redisStreamSourceReconciler().reconcile(key, kube.context());
    expect(kube.writes()).toBe(0);
  });

  it('will not hand a ClusterEventBus secret to another namespace', async () => {
    const kube = new FakeKube([
      readyBus('ClusterEventBus', 'shared', { redis: { address: 'r:6379', password: { secretKeyRef: { name: 'bus', key: 'pw' } } } }),
      redisSource({ eventBus: 'shared' }),
    ]);
    await redisStreamSourceReconciler().reconcile(key, kube.context());
    expect(kube.summary()).toEqual(['updateStatus RedisStreamSource ns/rs']);
    const src = kube.find('sources.headwater.dev/v1alpha1', 'RedisStreamSource', NS, 'rs');
    expect(condition(src, 'EventBusReady')).toMatchObject({ status: 'False', reason: 'EventBusCredentialsUnavailable' });
    expect(condition(src, 'Ready')?.message).toMatch(/create an EventBus named shared in ns/);
  });

  it('passes a namespaced bus secret by reference', async () => {
    const kube = new FakeKube([readyBus('EventBus', 'b', { redis: { address: 'r:6379', password: { secretKeyRef: { name: 'bus', key: 'pw' } } } }), redisSource({ eventBus: 'b' })]);
    await redisStreamSourceReconciler().reconcile(key, kube.context());
    const dep = kube.find('apps/v1', 'Deployment', NS, 'redisstreamsource-rs-uid-rs');
    expect(adapterEnvVars(dep)).toContainEqual({ name: 'BUS_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'bus', key: 'pw' } } });
    expect(JSON.stringify(adapterEnvVars(dep))).not.toContain('"value":"pw"');
  });
});
