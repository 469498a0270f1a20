import { describe, expect, it } from 'vitest';
import { BINDING_MARKER_ANNOTATION, applyBinding } from '../../../../controller/binding/apply.js';
import { SINKBINDING_FINALIZER, sinkBindingReconciler } from '../../../../controller/reconciler/sinkbinding/reconcile.js';
import { InvalidError } from '../../../../controller/runtime/errors.js';
import type { KubeObject } from '../../../../controller/runtime/types.js';
import { FakeKube } from '../../../support/fake-kube.js';
import { NS, condition, service, statusOf } from './fixtures.js';

const podTemplate = (env: { name: string; value: string }[] = []) => ({
  metadata: { labels: { app: 'x' } },
  spec: {
    initContainers: [{ name: 'init', image: 'i' }],
    containers: [{ name: 'main', image: 'm', ...(env.length ? { env } : {}) }],
  },
});

function workload(kind: string, name: string, labels: Record<string, string> = {}): KubeObject {
  const apiVersion = kind === 'Job' || kind === 'CronJob' ? 'batch/v1' : 'apps/v1';
  const spec =
    kind === 'CronJob'
      ? { schedule: '* * * * *', jobTemplate: { spec: { template: podTemplate() } } }
      : { selector: { matchLabels: { app: 'x' } }, template: podTemplate([{ name: 'A', value: '1' }]) };
  return { apiVersion, kind, metadata: { name, namespace: NS, labels }, spec };
}

function binding(subject: Record<string, unknown>, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'sources.headwater.dev/v1alpha1',
    kind: 'SinkBinding',
    metadata: { name: 'b', namespace: NS, generation: 1, finalizers: [SINKBINDING_FINALIZER], ...extra },
    spec: { subject, sink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'web' } }, ceOverrides: { extensions: { x: 'y' } } },
  };
}

type Env = { name: string; value?: string };
function envOf(obj: KubeObject | undefined, container = 0): Env[] {
  const spec = obj?.spec as { template?: { spec: { containers: { env?: Env[] }[] } }; jobTemplate?: { spec: { template: { spec: { containers: { env?: Env[] }[] } } } } };
  const tpl = spec?.template ?? spec?.jobTemplate?.spec.template;
  return tpl?.spec.containers[container]?.env ?? [];
}

const key = { namespace: NS, name: 'b' };
const run = (kube: FakeKube) => sinkBindingReconciler().reconcile(key, kube.context());

describe('SinkBinding reconciler', () => {
  it.each([
    ['Deployment', 'apps/v1'],
    ['StatefulSet', 'apps/v1'],
    ['DaemonSet', 'apps/v1'],
    ['CronJob', 'batch/v1'],
  ])('binds a %s by name, then a resync writes nothing', async (kind, apiVersion) => {
    const kube = new FakeKube([service('web'), workload(kind, 'w'), binding({ apiVersion, kind, name: 'w' })]);
    await run(kube);
    expect(kube.summary()).toEqual([`update ${kind} ns/w`, 'updateStatus SinkBinding ns/b']);
    const w = kube.find(apiVersion, kind, NS, 'w');
    expect(envOf(w)).toContainEqual({ name: 'K_SINK', value: 'http://web.ns.svc.cluster.local' });
    expect(envOf(w)).toContainEqual({ name: 'K_CE_OVERRIDES', value: '{"extensions":{"x":"y"}}' });
    const b = kube.find('sources.headwater.dev/v1alpha1', 'SinkBinding', NS, 'b');
    expect(condition(b, 'Ready')).toMatchObject({ status: 'True' });
    expect(statusOf(b).sinkUri).toBe('http://web.ns.svc.cluster.local');
    kube.clearRecords();
    await run(kube);
    expect(kube.writes()).toBe(0);
  });

  it('binds init containers too', async () => {
    const kube = new FakeKube([service('web'), workload('Deployment', 'w'), binding({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' })]);
    await run(kube);
    const w = kube.find('apps/v1', 'Deployment', NS, 'w') as KubeObject;
    const init = (w.spec as { template: { spec: { initContainers: { env?: Env[] }[] } } }).template.spec.initContainers[0];
    expect(init?.env).toContainEqual({ name: 'K_SINK', value: 'http://web.ns.svc.cluster.local' });
  });

  it('adds its finalizer first when missing', async () => {
    const kube = new FakeKube([service('web'), workload('Deployment', 'w'), binding({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' }, { finalizers: [] })]);
    await run(kube);
    expect(kube.summary()[0]).toBe('update SinkBinding ns/b');
    expect(kube.find('sources.headwater.dev/v1alpha1', 'SinkBinding', NS, 'b')?.metadata.finalizers).toEqual([SINKBINDING_FINALIZER]);
  });

  it('binds by label selector (matchLabels and matchExpressions) and unbinds one that stops matching', async () => {
    const kube = new FakeKube([
      service('web'),
      workload('Deployment', 'a', { tier: 'web', env: 'prod' }),
      workload('Deployment', 'b2', { tier: 'web', env: 'dev' }),
      workload('Deployment', 'c', { tier: 'db' }),
      binding({ apiVersion: 'apps/v1', kind: 'Deployment', selector: { matchLabels: { tier: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] } }),
    ]);
    await run(kube);
    expect(kube.summary()).toEqual(['update Deployment ns/a', 'update Deployment ns/b2', 'updateStatus SinkBinding ns/b']);
    const original = workload('Deployment', 'b2', { tier: 'web', env: 'dev' });
    const bound = kube.find('apps/v1', 'Deployment', NS, 'b2') as KubeObject;
    kube.add({ ...bound, metadata: { ...bound.metadata, labels: { tier: 'web', env: 'test' } } });
    kube.clearRecords();
    await run(kube);
    expect(kube.summary()).toEqual(['update Deployment ns/b2']);
    expect((kube.find('apps/v1', 'Deployment', NS, 'b2') as KubeObject).spec).toEqual(original.spec);
  });

  it('follows the sink when its URL changes', async () => {
    const kube = new FakeKube([service('web'), workload('Deployment', 'w'), binding({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' })]);
    await run(kube);
    kube.add(service('web', 8080));
    kube.clearRecords();
    await run(kube);
    expect(kube.summary()).toEqual(['update Deployment ns/w', 'updateStatus SinkBinding ns/b']);
    expect(envOf(kube.find('apps/v1', 'Deployment', NS, 'w'))).toContainEqual({ name: 'K_SINK', value: 'http://web.ns.svc.cluster.local:8080' });
    expect(envOf(kube.find('apps/v1', 'Deployment', NS, 'w')).filter((e) => e.name === 'K_SINK')).toHaveLength(1);
  });

  it('on deletion removes exactly what it added, then its finalizer', async () => {
    const kube = new FakeKube([service('web'), workload('Deployment', 'w'), binding({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' })]);
    await run(kube);
    await kube.writer.delete({ group: 'sources.headwater.dev', version: 'v1alpha1', kind: 'SinkBinding', plural: 'sinkbindings', namespaced: true }, key);
    kube.clearRecords();
    await run(kube);
    expect(kube.summary()).toEqual(['update Deployment ns/w', 'update SinkBinding ns/b']);
    expect((kube.find('apps/v1', 'Deployment', NS, 'w') as KubeObject).spec).toEqual(workload('Deployment', 'w').spec);
    expect(kube.find('sources.headwater.dev/v1alpha1', 'SinkBinding', NS, 'b')).toBeUndefined();
  });

  it('sink missing: SinkProvided False, subjects untouched', async () => {
    const kube = new FakeKube([workload('Deployment', 'w'), binding({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' })]);
    await run(kube);
    expect(kube.summary()).toEqual(['updateStatus SinkBinding ns/b']);
    const b = kube.find('sources.headwater.dev/v1alpha1', 'SinkBinding', NS, 'b');
    expect(condition(b, 'Ready')).toMatchObject({ status: 'False', reason: 'SinkNotFound' });
    expect(condition(b, 'Ready')?.message).toMatch(/spec.sink.ref: Service ns\/web/);
  });

  it('subject missing: BindingAvailable False SubjectMissing', async () => {
    const kube = new FakeKube([service('web'), binding({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nope' })]);
    await run(kube);
    const b = kube.find('sources.headwater.dev/v1alpha1', 'SinkBinding', NS, 'b');
    expect(condition(b, 'BindingAvailable')).toMatchObject({ status: 'False', reason: 'SubjectMissing' });
  });

  it('refuses a subject another binding already holds', async () => {
    const taken = workload('Deployment', 'w');
    const spec = taken.spec as { template: ReturnType<typeof podTemplate> };
    spec.template = applyBinding(spec.template, { sinkUri: 'http://other' }, 'SinkBinding ns/other') as ReturnType<typeof podTemplate>;
    const kube = new FakeKube([service('web'), taken, binding({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' })]);
    await run(kube);
    expect(kube.summary()).toEqual(['updateStatus SinkBinding ns/b']);
    expect(condition(kube.find('sources.headwater.dev/v1alpha1', 'SinkBinding', NS, 'b'), 'BindingAvailable')).toMatchObject({
      status: 'False',
      reason: 'SubjectAlreadyBound',
    });
  });

  it('a Job the apiserver will not change is reported, not retried', async () => {
    const kube = new FakeKube([service('web'), workload('Job', 'j'), binding({ apiVersion: 'batch/v1', kind: 'Job', name: 'j' })]);
    kube.failNext('update', 'Job', new InvalidError('Invalid', 'spec.template: field is immutable', { method: 'PUT', path: '/jobs/j', status: 422 }));
    const reconciler = sinkBindingReconciler();
    await reconciler.reconcile(key, kube.context());
    const b = kube.find('sources.headwater.dev/v1alpha1', 'SinkBinding', NS, 'b');
    expect(condition(b, 'BindingAvailable')).toMatchObject({ status: 'False', reason: 'SubjectImmutable' });
    // the refused change is not sent again on a resync of the same state
    kube.clearRecords();
    await reconciler.reconcile(key, kube.context());
    expect(kube.writes()).toBe(0);
  });

  it('binds a Job through spec.template when the apiserver accepts the change', async () => {
    const kube = new FakeKube([service('web'), workload('Job', 'j'), binding({ apiVersion: 'batch/v1', kind: 'Job', name: 'j' })]);
    await run(kube);
    expect(envOf(kube.find('batch/v1', 'Job', NS, 'j'))).toContainEqual({ name: 'K_SINK', value: 'http://web.ns.svc.cluster.local' });
    expect(kube.find('batch/v1', 'Job', NS, 'j')?.spec).toBeDefined();
    expect(JSON.stringify(kube.find('batch/v1', 'Job', NS, 'j'))).toContain(BINDING_MARKER_ANNOTATION);
  });

  it('releases the old subject when the binding moves to another kind', async () => {
    const kube = new FakeKube([service('web'), workload('Deployment', 'w'), workload('StatefulSet', 's'), binding({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' })]);
    await run(kube);
    const b = kube.find('sources.headwater.dev/v1alpha1', 'SinkBinding', NS, 'b') as KubeObject;
    kube.add({ ...b, spec: { ...(b.spec as object), subject: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 's' } } });
    kube.clearRecords();
    await run(kube);
    expect(kube.summary()).toEqual(['update StatefulSet ns/s', 'update Deployment ns/w']);
    expect((kube.find('apps/v1', 'Deployment', NS, 'w') as KubeObject).spec).toEqual(workload('Deployment', 'w').spec);
  });

  it('never binds a workload in another namespace', async () => {
    const other = { ...workload('Deployment', 'w'), metadata: { name: 'w', namespace: 'victim' } };
    const kube = new FakeKube([service('web'), other, binding({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'w', namespace: 'victim' })]);
    await run(kube);
    expect(kube.summary()).toEqual(['updateStatus SinkBinding ns/b']);
    expect(condition(kube.find('sources.headwater.dev/v1alpha1', 'SinkBinding', NS, 'b'), 'BindingAvailable')).toMatchObject({
      status: 'False',
      reason: 'SubjectNamespaceInvalid',
    });
  });
});

