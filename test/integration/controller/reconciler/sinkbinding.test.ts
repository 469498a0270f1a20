/**
 * SinkBinding against the real apiserver: every workload kind gets the env in all its containers, the env
 * follows the sink, a missing sink is reported, and deleting the binding removes exactly what it added.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../controller/runtime/types.js';
import { type EnvVar, type Harness, conditionOf, expectNoWritesWhileSteady, getOrUndefined, mergePatch, pathOf, service, startHarness, waitFor } from './harness.js';

const SOURCES = 'sources.headwater.dev/v1alpha1';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const podTemplate = (app: string) => ({
  metadata: { labels: { app } },
  spec: {
    initContainers: [{ name: 'init', image: 'busybox', command: ['true'] }],
    containers: [{ name: 'main', image: 'app', env: [{ name: 'A', value: '1' }] }],
    restartPolicy: undefined as string | undefined,
  },
});

interface WorkloadCase {
  kind: string;
  apiVersion: string;
  plural: string;
  spec: (app: string) => Record<string, unknown>;
  template: (obj: KubeObject | undefined) => { metadata?: { annotations?: Record<string, string> }; spec: { containers: { env?: EnvVar[] }[]; initContainers?: { env?: EnvVar[] }[] } } | undefined;
}

type Tpl = ReturnType<WorkloadCase['template']>;
const atTemplate = (obj: KubeObject | undefined): Tpl => (obj?.spec as { template?: Tpl } | undefined)?.template;

const workloads: WorkloadCase[] = [
  {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    plural: 'deployments',
    spec: (app) => ({ replicas: 1, selector: { matchLabels: { app } }, template: podTemplate(app) }),
    template: atTemplate,
  },
  {
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    plural: 'statefulsets',
    spec: (app) => ({ replicas: 1, serviceName: app, selector: { matchLabels: { app } }, template: podTemplate(app) }),
    template: atTemplate,
  },
  {
    kind: 'DaemonSet',
    apiVersion: 'apps/v1',
    plural: 'daemonsets',
    spec: (app) => ({ selector: { matchLabels: { app } }, template: podTemplate(app) }),
    template: atTemplate,
  },
  {
    kind: 'CronJob',
    apiVersion: 'batch/v1',
    plural: 'cronjobs',
    spec: (app) => ({ schedule: '0 0 1 1 *', jobTemplate: { spec: { template: { ...podTemplate(app), spec: { ...podTemplate(app).spec, restartPolicy: 'Never' } } } } }),
    template: (obj) => (obj?.spec as { jobTemplate?: { spec: { template: Tpl } } } | undefined)?.jobTemplate?.spec.template,
  },
];

function binding(name: string, subject: Record<string, unknown>, sink: string): KubeObject {
  return {
    apiVersion: SOURCES,
    kind: 'SinkBinding',
    metadata: { name, namespace: h.ns },
    spec: { subject, sink: { ref: { apiVersion: 'v1', kind: 'Service', name: sink } }, ceOverrides: { extensions: { via: 'binding' } } },
  };
}

const envNames = (env: EnvVar[] | undefined) => (env ?? []).map((e) => e.name);

describe.each(workloads)('SinkBinding on a $kind', (w) => {
  const app = `sb-${w.kind.toLowerCase()}`;
  const sink = `${app}-sink`;
  const workloadPath = () => pathOf(w.apiVersion, w.plural, h.ns, app);
  const bindingPath = () => pathOf(SOURCES, 'sinkbindings', h.ns, app);

  it('injects K_SINK and K_CE_OVERRIDES into every container and init container and turns Ready', async () => {
    await h.client.json({ method: 'POST', path: pathOf('v1', 'services', h.ns), body: service(h.ns, sink) });
    await h.client.json({ method: 'POST', path: pathOf(w.apiVersion, w.plural, h.ns), body: { apiVersion: w.apiVersion, kind: w.kind, metadata: { name: app, namespace: h.ns }, spec: w.spec(app) } });
    await h.client.json({ method: 'POST', path: pathOf(SOURCES, 'sinkbindings', h.ns), body: binding(app, { apiVersion: w.apiVersion, kind: w.kind, name: app }, sink) });
    const b = await waitFor('binding Ready', async () => {
      const o = await getOrUndefined(h.client, bindingPath());
      return conditionOf(o, 'Ready')?.status === 'True' ? o : undefined;
    });
    const uri = `http://${sink}.${h.ns}.svc.cluster.local`;
    expect((b.status as { sinkUri?: string }).sinkUri).toBe(uri);
    const tpl = w.template(await getOrUndefined(h.client, workloadPath()));
    for (const c of [...(tpl?.spec.initContainers ?? []), ...(tpl?.spec.containers ?? [])]) {
      expect(c.env).toContainEqual({ name: 'K_SINK', value: uri });
      expect(c.env).toContainEqual({ name: 'K_CE_OVERRIDES', value: '{"extensions":{"via":"binding"}}' });
    }
  });

  it('follows the sink when its address changes', async () => {
    await mergePatch(h.client, pathOf('v1', 'services', h.ns, sink), { spec: { ports: [{ port: 8080, targetPort: 8080 }] } });
    const want = `http://${sink}.${h.ns}.svc.cluster.local:8080`;
    await waitFor('K_SINK follows', async () => {
      const tpl = w.template(await getOrUndefined(h.client, workloadPath()));
      return tpl?.spec.containers[0]?.env?.find((e) => e.name === 'K_SINK')?.value === want ? true : undefined;
    });
  });

  it('reports SinkProvided=False when the sink is deleted', async () => {
    await h.client.json({ method: 'DELETE', path: pathOf('v1', 'services', h.ns, sink) });
    const b = await waitFor('SinkNotFound', async () => {
      const o = await getOrUndefined(h.client, bindingPath());
      return conditionOf(o, 'SinkProvided')?.reason === 'SinkNotFound' ? o : undefined;
    });
    expect(conditionOf(b, 'Ready')).toMatchObject({ status: 'False', reason: 'SinkNotFound' });
  });

  it('removes exactly what it added when the binding is deleted', async () => {
    await h.client.json({ method: 'DELETE', path: bindingPath() });
    await waitFor('binding gone (finalizer released)', async () => ((await getOrUndefined(h.client, bindingPath())) === undefined ? true : undefined));
    const tpl = w.template(await getOrUndefined(h.client, workloadPath()));
    expect(envNames(tpl?.spec.containers[0]?.env)).toEqual(['A']);
    expect(tpl?.spec.initContainers?.[0]?.env).toBeUndefined();
    expect(tpl?.metadata?.annotations?.['bindings.headwater.dev/injected']).toBeUndefined();
  });
});

describe('SinkBinding by label selector', () => {
  it('binds every match, unbinds one whose labels stop matching, and reports an existing Job it cannot change', async () => {
    await h.client.json({ method: 'POST', path: pathOf('v1', 'services', h.ns), body: service(h.ns, 'sel-sink') });
    for (const name of ['sel-a', 'sel-b']) {
      await h.client.json({
        method: 'POST',
        path: pathOf('apps/v1', 'deployments', h.ns),
        body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: h.ns, labels: { bind: 'yes' } }, spec: workloads[0]?.spec(name) },
      });
    }
    await h.client.json({
      method: 'POST',
      path: pathOf(SOURCES, 'sinkbindings', h.ns),
      body: binding('sel', { apiVersion: 'apps/v1', kind: 'Deployment', selector: { matchLabels: { bind: 'yes' } } }, 'sel-sink'),
    });
    const bound = (name: string) => async () => {
      const tpl = atTemplate(await getOrUndefined(h.client, pathOf('apps/v1', 'deployments', h.ns, name)));
      return envNames(tpl?.spec.containers[0]?.env).includes('K_SINK');
    };
    await waitFor('both bound', async () => ((await bound('sel-a')()) && (await bound('sel-b')()) ? true : undefined));
    await mergePatch(h.client, pathOf('apps/v1', 'deployments', h.ns, 'sel-b'), { metadata: { labels: { bind: 'no' } } });
    await waitFor('sel-b unbound', async () => ((await bound('sel-b')()) ? undefined : true));
    expect(await bound('sel-a')()).toBe(true);

    await h.client.json({
      method: 'POST',
      path: pathOf('batch/v1', 'jobs', h.ns),
      body: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job', namespace: h.ns }, spec: { template: { ...podTemplate('job'), spec: { ...podTemplate('job').spec, restartPolicy: 'Never' } } } },
    });
    await h.client.json({ method: 'POST', path: pathOf(SOURCES, 'sinkbindings', h.ns), body: binding('job', { apiVersion: 'batch/v1', kind: 'Job', name: 'job' }, 'sel-sink') });
    const jb = await waitFor('Job binding reports', async () => {
      const o = await getOrUndefined(h.client, pathOf(SOURCES, 'sinkbindings', h.ns, 'job'));
      return conditionOf(o, 'BindingAvailable')?.status === 'False' ? o : undefined;
    });
    expect(conditionOf(jb, 'BindingAvailable')?.reason).toBe('SubjectImmutable');
  });
});

describe('steady state', () => {
  it('a resync of a steady cluster makes zero write requests', async () => {
    await expectNoWritesWhileSteady(h);
    expect(h.ownWrites().length).toBeGreaterThan(0);
  });
});
