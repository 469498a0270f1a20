import { describe, expect, it } from 'vitest';
import { cronSourceReconciler } from '../../../../controller/reconciler/cronsource/reconcile.js';
import type { KubeObject } from '../../../../controller/runtime/types.js';
import { FakeKube } from '../../../support/fake-kube.js';
import { NS, adapterEnv, available, condition, service, statusOf } from './fixtures.js';

function cron(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'sources.headwater.dev/v1alpha1',
    kind: 'CronSource',
    metadata: { name, namespace: NS, uid: `uid-${name}`, generation: 1 },
    spec: { schedule: '* * * * *', ...spec },
  };
}

const sinkRef = { ref: { apiVersion: 'v1', kind: 'Service', name: 'web' } };
const SYS = 'headwater-system';
const replicas = (kube: FakeKube) => (kube.find('apps/v1', 'Deployment', SYS, 'headwater-cron-adapter')?.spec as { replicas?: number } | undefined)?.replicas;

describe('CronSource reconciler', () => {
  it('creates the one shared adapter, resolves the sink into status, and writes nothing on resync', async () => {
    const kube = new FakeKube([service('web'), cron('a', { sink: sinkRef })]);
    await cronSourceReconciler().reconcile({ namespace: NS, name: 'a' }, kube.context());
    expect(kube.summary()).toEqual(['create Deployment headwater-system/headwater-cron-adapter', 'updateStatus CronSource ns/a']);
    const dep = kube.find('apps/v1', 'Deployment', SYS, 'headwater-cron-adapter') as KubeObject;
    const pod = (dep.spec as { template: { spec: { serviceAccountName: string; containers: { args: string[] }[] } } }).template.spec;
    expect(pod.serviceAccountName).toBe('headwater-cron-adapter');
    expect(pod.containers[0]?.args).toEqual(['cron']);
    expect(adapterEnv(dep).K_SINK).toBeUndefined();
    expect(dep.metadata.ownerReferences).toBeUndefined();
    expect(replicas(kube)).toBe(1);
    const src = kube.find('sources.headwater.dev/v1alpha1', 'CronSource', NS, 'a');
    expect(statusOf(src).sinkUri).toBe('http://web.ns.svc.cluster.local');
    expect(statusOf(src).ceAttributes).toEqual([{ type: 'dev.knative.sources.ping', source: '/apis/v1/namespaces/ns/cronsources/a' }]);
    expect(condition(src, 'Deployed')).toMatchObject({ status: 'Unknown', reason: 'DeploymentUnavailable' });
    kube.clearRecords();
    await cronSourceReconciler().reconcile({ namespace: NS, name: 'a' }, kube.context());
    expect(kube.writes()).toBe(0);
  });

  it('a controller confined by WATCH_NAMESPACES confines its cron adapter to the same namespaces (and its own)', async () => {
    const kube = new FakeKube([service('web'), cron('a', { sink: sinkRef })]);
    await cronSourceReconciler().reconcile({ namespace: NS, name: 'a' }, kube.context({ watchNamespaces: ['team-b', NS] }));
    const dep = kube.find('apps/v1', 'Deployment', SYS, 'headwater-cron-adapter') as KubeObject;
    expect(adapterEnv(dep).WATCH_NAMESPACES).toBe(`${SYS},${NS},team-b`);
    // unconfined: no variable, the adapter watches every namespace
    const all = new FakeKube([service('web'), cron('a', { sink: sinkRef })]);
    await cronSourceReconciler().reconcile({ namespace: NS, name: 'a' }, all.context());
    expect(adapterEnv(all.find('apps/v1', 'Deployment', SYS, 'headwater-cron-adapter') as KubeObject).WATCH_NAMESPACES).toBeUndefined();
  });

  it("reflects the shared Deployment's availability in every source", async () => {
    const kube = new FakeKube([service('web'), cron('a', { sink: sinkRef }), cron('b', { sink: sinkRef })]);
    const r = cronSourceReconciler();
    await r.reconcile({ namespace: NS, name: 'a' }, kube.context());
    kube.add(available(kube.find('apps/v1', 'Deployment', SYS, 'headwater-cron-adapter') as KubeObject, 'True'));
    await r.reconcile({ namespace: NS, name: 'a' }, kube.context());
    await r.reconcile({ namespace: NS, name: 'b' }, kube.context());
    for (const n of ['a', 'b']) {
      expect(condition(kube.find('sources.headwater.dev/v1alpha1', 'CronSource', NS, n), 'Ready')).toMatchObject({ status: 'True' });
    }
    // the Deployment watch maps the shared adapter to every CronSource
    const watch = r.watches?.find((w) => w.gvk.kind === 'Deployment');
    const dep = kube.find('apps/v1', 'Deployment', SYS, 'headwater-cron-adapter') as KubeObject;
    expect(watch?.mapToPrimaries(dep, kube.lister)).toEqual([
      { namespace: NS, name: 'a' },
      { namespace: NS, name: 'b' },
    ]);
  });

  it('scales the shared adapter to zero when the last CronSource is gone', async () => {
    const kube = new FakeKube([service('web'), cron('a', { sink: sinkRef })]);
    const r = cronSourceReconciler();
    await r.reconcile({ namespace: NS, name: 'a' }, kube.context());
    kube.remove('sources.headwater.dev/v1alpha1', 'CronSource', NS, 'a');
    kube.clearRecords();
    await r.reconcile({ namespace: NS, name: 'a' }, kube.context());
    expect(kube.summary()).toEqual(['update Deployment headwater-system/headwater-cron-adapter']);
    expect(replicas(kube)).toBe(0);
  });

  it('sink missing: SinkProvided False and no sinkUri for the adapter to send to', async () => {
    const kube = new FakeKube([cron('a', { sink: sinkRef })]);
    await cronSourceReconciler().reconcile({ namespace: NS, name: 'a' }, kube.context());
    const src = kube.find('sources.headwater.dev/v1alpha1', 'CronSource', NS, 'a');
    expect(condition(src, 'SinkProvided')).toMatchObject({ status: 'False', reason: 'SinkNotFound' });
    expect(statusOf(src).sinkUri).toBeUndefined();
    expect(kube.events.map((e) => e.reason)).toEqual(['SinkNotFound']);
  });
});
