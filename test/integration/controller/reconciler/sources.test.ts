/**
 * CronSource, KafkaSource and RedisStreamSource against the real apiserver and kube-controller-manager:
 * apply → Ready with the right sinkUri and a Deployment carrying the right env; the sink changes and the
 * source follows; the sink goes and SinkProvided turns False; the source goes and so do its children;
 * and a steady cluster costs the controller zero writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../controller/runtime/types.js';
import {
  ADAPTER_IMAGE,
  type Harness,
  conditionOf,
  containerEnv,
  expectNoWritesWhileSteady,
  envValue,
  getOrUndefined,
  mergePatch,
  pathOf,
  service,
  startHarness,
  waitFor,
} from './harness.js';

const SOURCES = 'sources.headwater.dev/v1alpha1';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const sinkTo = (name: string) => ({ ref: { apiVersion: 'v1', kind: 'Service', name } });

describe.each([
  {
    kind: 'KafkaSource',
    plural: 'kafkasources',
    role: 'kafka',
    spec: () => ({ bootstrapServers: ['127.0.0.1:9092'], topics: ['orders'] }),
  },
  {
    kind: 'RedisStreamSource',
    plural: 'redisstreamsources',
    role: 'redisstream',
    spec: () => ({ address: '127.0.0.1:6379', stream: 'orders' }),
  },
])('$kind against the real cluster', ({ kind, plural, role, spec }) => {
  const name = `${role}-src`;
  const sinkName = `${role}-sink`;
  const srcPath = () => pathOf(SOURCES, plural, h.ns, name);

  it('reaches Ready with the sinkUri and an adapter Deployment carrying the env contract', async () => {
    await h.create(service(h.ns, sinkName), 'services');
    await h.create(
      { apiVersion: SOURCES, kind, metadata: { name, namespace: h.ns }, spec: { ...spec(), sink: sinkTo(sinkName), ceOverrides: { extensions: { team: 'a' } } } },
      plural,
    );
    const ready = await h.waitForCondition(srcPath(), 'Ready', 'True');
    const status = ready.status as { sinkUri?: string; observedGeneration?: number; ceAttributes?: unknown[] };
    expect(status.sinkUri).toBe(`http://${sinkName}.${h.ns}.svc.cluster.local`);
    expect(status.observedGeneration).toBe(ready.metadata.generation);
    expect(status.ceAttributes?.length).toBeGreaterThan(0);
    expect(conditionOf(ready, 'Deployed')?.status).toBe('True');
    const dep = await h.adapterDeployment(kind, name);
    expect(dep?.metadata.ownerReferences?.[0]).toMatchObject({ kind, name, controller: true });
    expect(envValue(dep, 'K_SINK')).toBe(status.sinkUri);
    expect(envValue(dep, 'K_CE_OVERRIDES')).toBe('{"extensions":{"team":"a"}}');
    expect(envValue(dep, 'NAMESPACE')).toBe(h.ns);
    expect(envValue(dep, 'NAME')).toBe(name);
    expect(JSON.parse(envValue(dep, 'K_SOURCE_CONFIG') ?? '{}')).toMatchObject(spec());
    const pod = ((dep as KubeObject).spec as { template: { spec: { containers: { image: string; args: string[] }[] } } }).template.spec;
    expect(pod.containers[0]).toMatchObject({ image: ADAPTER_IMAGE, args: [role] });
    // the adapter's pods became Ready through the stand-in kubelet (pod names cut the Deployment's name at 58 chars)
    const podPrefix = `${h.ns}/${(dep?.metadata.name ?? '').slice(0, 40)}`;
    expect([...h.kubelet.readied].some((p) => p.startsWith(podPrefix))).toBe(true);
  });

  it('follows the sink when its address changes', async () => {
    await mergePatch(h.client, pathOf('v1', 'services', h.ns, sinkName), { spec: { ports: [{ port: 8080, targetPort: 8080 }] } });
    const want = `http://${sinkName}.${h.ns}.svc.cluster.local:8080`;
    await waitFor('sinkUri follows the Service port', async () => {
      const src = await getOrUndefined(h.client, srcPath());
      return (src?.status as { sinkUri?: string } | undefined)?.sinkUri === want ? src : undefined;
    });
    const dep = await waitFor('K_SINK follows', async () => {
      const d = await h.adapterDeployment(kind, name);
      return envValue(d, 'K_SINK') === want ? d : undefined;
    });
    expect(containerEnv(dep).filter((e) => e.name === 'K_SINK')).toHaveLength(1);
  });

  it('marks SinkProvided=False (SinkNotFound) when the sink is deleted', async () => {
    await h.client.json({ method: 'DELETE', path: pathOf('v1', 'services', h.ns, sinkName) });
    const src = await h.waitForCondition(srcPath(), 'SinkProvided', 'False', 'SinkNotFound');
    expect(conditionOf(src, 'Ready')).toMatchObject({ status: 'False', reason: 'SinkNotFound' });
    expect(conditionOf(src, 'Ready')?.message).toContain(`spec.sink.ref: Service ${h.ns}/${sinkName}`);
  });

  it('takes its Deployment along when the source is deleted', async () => {
    const dep = await h.adapterDeployment(kind, name);
    expect(dep).toBeDefined();
    await h.client.json({ method: 'DELETE', path: srcPath() });
    await waitFor('adapter Deployment garbage-collected', async () =>
      (await getOrUndefined(h.client, pathOf('apps/v1', 'deployments', h.ns, dep?.metadata.name))) === undefined ? true : undefined,
    );
  });
});

describe('CronSource against the real cluster', () => {
  const cronPath = () => pathOf(SOURCES, 'cronsources', h.ns, 'tick');
  const shared = () => pathOf('apps/v1', 'deployments', h.sysNs, 'headwater-cron-adapter');

  it('reaches Ready through the shared adapter, follows a new sink, reports a missing one, and scales the adapter to zero when gone', async () => {
    await h.create(service(h.ns, 'cron-a'), 'services');
    await h.create(service(h.ns, 'cron-b', 9000), 'services');
    await h.create({ apiVersion: SOURCES, kind: 'CronSource', metadata: { name: 'tick', namespace: h.ns }, spec: { schedule: '* * * * *', sink: sinkTo('cron-a') } }, 'cronsources');
    const ready = await h.waitForCondition(cronPath(), 'Ready', 'True');
    expect((ready.status as { sinkUri?: string }).sinkUri).toBe(`http://cron-a.${h.ns}.svc.cluster.local`);
    const adapter = await getOrUndefined(h.client, shared());
    expect((adapter?.spec as { replicas?: number } | undefined)?.replicas).toBe(1);
    expect(envValue(adapter, 'K_SINK')).toBeUndefined();

    await mergePatch(h.client, cronPath(), { spec: { sink: sinkTo('cron-b') } });
    await waitFor('sinkUri follows the spec', async () => {
      const src = await getOrUndefined(h.client, cronPath());
      return (src?.status as { sinkUri?: string } | undefined)?.sinkUri === `http://cron-b.${h.ns}.svc.cluster.local:9000` ? src : undefined;
    });

    await h.client.json({ method: 'DELETE', path: pathOf('v1', 'services', h.ns, 'cron-b') });
    await h.waitForCondition(cronPath(), 'SinkProvided', 'False', 'SinkNotFound');

    await h.client.json({ method: 'DELETE', path: cronPath() });
    await waitFor('shared cron adapter scaled to zero', async () => {
      const d = await getOrUndefined(h.client, shared());
      return (d?.spec as { replicas?: number } | undefined)?.replicas === 0 ? d : undefined;
    });
  });
});

describe('steady state', () => {
  it('a resync of a steady cluster makes zero write requests', async () => {
    await h.create(service(h.ns, 'steady'), 'services');
    await h.create(
      { apiVersion: SOURCES, kind: 'KafkaSource', metadata: { name: 'steady', namespace: h.ns }, spec: { bootstrapServers: ['127.0.0.1:9092'], topics: ['t'], sink: sinkTo('steady') } },
      'kafkasources',
    );
    await h.create({ apiVersion: SOURCES, kind: 'CronSource', metadata: { name: 'steady', namespace: h.ns }, spec: { schedule: '* * * * *', sink: sinkTo('steady') } }, 'cronsources');
    await h.waitForCondition(pathOf(SOURCES, 'kafkasources', h.ns, 'steady'), 'Ready', 'True');
    await h.waitForCondition(pathOf(SOURCES, 'cronsources', h.ns, 'steady'), 'Ready', 'True');
    await expectNoWritesWhileSteady(h);
    expect(h.ownWrites().length).toBeGreaterThan(0);
  });
});
