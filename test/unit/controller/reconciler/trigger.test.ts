import { describe, expect, it } from 'vitest';
import { triggerReconciler } from '../../../../controller/reconciler/trigger/reconcile.js';
import type { KubeObject } from '../../../../controller/runtime/types.js';
import { FakeKube } from '../../../support/fake-kube.js';
import { NS, adapterEnv, adapterEnvVars, available, condition, readyBus, service } from './fixtures.js';

function trigger(spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'eventing.headwater.dev/v1alpha1',
    kind: 'Trigger',
    metadata: { name: 't', namespace: NS, uid: 'uid-t', generation: 1 },
    spec: {
      eventBus: 'main',
      inputs: { a: { eventSource: { kind: 'CronSource', name: 'tick' } }, b: { eventSource: { kind: 'KafkaSource', name: 'orders', namespace: 'shop' }, event: 'created' } },
      filters: [{ exact: { type: 'dev.knative.sources.ping' } }],
      subscribers: [
        {
          condition: 'a && b',
          sink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'web' } },
          deadLetterSink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'dls' }, uri: '/dead' },
          delivery: { retry: 5 },
        },
        { topic: 'republished' },
      ],
      ...spec,
    },
  };
}

const DEP = 'trigger-t-uid-t';
const key = { namespace: NS, name: 't' };
const run = (kube: FakeKube) => triggerReconciler().reconcile(key, kube.context());
const natsBus = readyBus('EventBus', 'main', { nats: { url: 'nats://n:4222', token: { secretKeyRef: { name: 'nats', key: 'token' } } } });

describe('Trigger reconciler', () => {
  it('builds the dispatcher with inputs as topics and subscribers resolved, then writes nothing on resync', async () => {
    const kube = new FakeKube([service('web'), service('dls', 8080), natsBus, trigger()]);
    await run(kube);
    expect(kube.summary()).toEqual([`create Deployment ns/${DEP}`, 'updateStatus Trigger ns/t']);
    const dep = kube.find('apps/v1', 'Deployment', NS, DEP);
    const config = JSON.parse(adapterEnv(dep).K_TRIGGER_CONFIG ?? '{}');
    expect(config).toEqual({
      bus: { backend: 'nats', nats: { url: 'nats://n:4222', stream: 'headwater-ns-main' } },
      inputs: { a: { topic: 'ns-tick' }, b: { topic: 'shop-orders-created', event: 'created' } },
      filters: [{ exact: { type: 'dev.knative.sources.ping' } }],
      subscribers: [
        { condition: 'a && b', sinkUri: 'http://web.ns.svc.cluster.local', deadLetterSinkUri: 'http://dls.ns.svc.cluster.local:8080/dead', delivery: { retry: 5 } },
        { topic: 'republished' },
      ],
    });
    expect(adapterEnvVars(dep)).toContainEqual({ name: 'BUS_NATS_TOKEN', valueFrom: { secretKeyRef: { name: 'nats', key: 'token' } } });
    expect(((dep as KubeObject).spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec.containers[0]?.args).toEqual(['trigger']);
    const t = kube.find('eventing.headwater.dev/v1alpha1', 'Trigger', NS, 't');
    expect(condition(t, 'EventBusReady')).toMatchObject({ status: 'True' });
    expect(condition(t, 'SubscribersResolved')).toMatchObject({ status: 'True' });
    expect(condition(t, 'Ready')).toMatchObject({ status: 'Unknown', reason: 'DeploymentUnavailable' });
    kube.clearRecords();
    await run(kube);
    expect(kube.writes()).toBe(0);
  });

  it('is Ready once the dispatcher is available', async () => {
    const kube = new FakeKube([service('web'), service('dls'), natsBus, trigger()]);
    await run(kube);
    kube.add(available(kube.find('apps/v1', 'Deployment', NS, DEP) as KubeObject, 'True'));
    await run(kube);
    expect(condition(kube.find('eventing.headwater.dev/v1alpha1', 'Trigger', NS, 't'), 'Ready')).toMatchObject({ status: 'True' });
  });

  it.each([
    { name: 'bus missing', objects: [service('web'), service('dls')], cond: 'EventBusReady', reason: 'EventBusNotFound' },
    { name: 'subscriber sink missing', objects: [service('dls'), natsBus], cond: 'SubscribersResolved', reason: 'SinkNotFound', text: /spec.subscribers\[0\].sink.ref/ },
    { name: 'dead-letter sink missing', objects: [service('web'), natsBus], cond: 'SubscribersResolved', reason: 'SinkNotFound', text: /spec.subscribers\[0\].deadLetterSink.ref/ },
  ])('$name: $cond False $reason, no dispatcher', async ({ objects, cond, reason, text }) => {
    const kube = new FakeKube([...objects, trigger()]);
    await run(kube);
    expect(kube.summary()).toEqual(['updateStatus Trigger ns/t']);
    const t = kube.find('eventing.headwater.dev/v1alpha1', 'Trigger', NS, 't');
    expect(condition(t, cond)).toMatchObject({ status: 'False', reason });
    expect(condition(t, 'Ready')).toMatchObject({ status: 'False', reason });
    if (text !== undefined) expect(condition(t, 'Ready')?.message).toMatch(text);
  });

  it('turns Ready=False when its bus is deleted and recovers when it returns', async () => {
    const kube = new FakeKube([service('web'), service('dls'), natsBus, trigger()]);
    await run(kube);
    kube.remove('eventing.headwater.dev/v1alpha1', 'EventBus', NS, 'main');
    await run(kube);
    expect(condition(kube.find('eventing.headwater.dev/v1alpha1', 'Trigger', NS, 't'), 'Ready')).toMatchObject({ status: 'False', reason: 'EventBusNotFound' });
    // the bus watch maps a (deleted or returning) bus to its Triggers
    const watch = triggerReconciler().watches?.find((w) => w.gvk.kind === 'EventBus');
    expect(watch?.mapToPrimaries(natsBus, kube.lister)).toEqual([key]);
    kube.add(natsBus);
    await run(kube);
    expect(condition(kube.find('eventing.headwater.dev/v1alpha1', 'Trigger', NS, 't'), 'EventBusReady')).toMatchObject({ status: 'True' });
  });

  it('deletes a dispatcher an older spec left behind', async () => {
    const stale: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'trigger-t-old',
        namespace: NS,
        labels: { 'app.kubernetes.io/name': 'headwater-adapter', 'sources.headwater.dev/kind': 'Trigger', 'sources.headwater.dev/source': 't' },
        ownerReferences: [{ apiVersion: 'eventing.headwater.dev/v1alpha1', kind: 'Trigger', name: 't', uid: 'uid-t', controller: true }],
      },
      spec: {},
    };
    const kube = new FakeKube([service('web'), service('dls'), natsBus, trigger(), stale]);
    await run(kube);
    expect(kube.summary()).toEqual([`create Deployment ns/${DEP}`, 'delete Deployment ns/trigger-t-old', 'updateStatus Trigger ns/t']);
  });
});

