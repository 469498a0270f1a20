/**
 * Kinds a reconciler reads without declaring a watch: the manager starts an informer on first read and
 * re-runs the readers when such an object changes; a kind the server does not serve never holds back
 * readiness.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Manager, startManager } from '../../../../controller/runtime/manager.js';
import type { GroupVersionKind, KubeObject, Reconciler } from '../../../../controller/runtime/types.js';
import { KubeClient } from '../../../../lib/kube/client.js';
import { collectionPath, objectPath } from '../../../../lib/kube/resource.js';
import { type ConfigMap, configMap, configMaps, createNamespace, deleteNamespace, eventually, loadTestKubeConfig, quietLog, uniqueName } from './cluster.js';
import { configMapGvk } from './testreconciler.js';

const services: GroupVersionKind = { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true };
const unserved: GroupVersionKind = { group: 'widgets.example.invalid', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true };

describe('kinds read without a declared watch', () => {
  const ns = uniqueName('hw-lazy');
  const kubeConfig = loadTestKubeConfig();
  let client: KubeClient;
  let manager: Manager;
  const calls: string[] = [];

  // For every ConfigMap labelled hw-role=lookup: if the Service named in data.service exists, make `<name>-found`.
  const lookup: Reconciler = {
    gvk: configMapGvk,
    async reconcile(key, ctx) {
      if (key.namespace !== ns) return undefined;
      const cm = ctx.lister.get(configMapGvk, key) as (KubeObject & { data?: Record<string, string> }) | undefined;
      if (cm?.metadata.labels?.['hw-role'] !== 'lookup') return undefined;
      calls.push(key.name);
      ctx.lister.list(unserved, ns); // a kind nobody serves: must not block anything
      const svc = ctx.lister.get(services, { namespace: ns, name: cm.data?.service ?? '' });
      if (svc && !ctx.lister.get(configMapGvk, { namespace: ns, name: `${key.name}-found` })) {
        await ctx.writer.create(configMapGvk, configMap(ns, `${key.name}-found`, { uid: svc.metadata.uid ?? '' }) as KubeObject);
      }
      return undefined;
    },
  };

  beforeAll(async () => {
    client = new KubeClient(kubeConfig);
    await createNamespace(client, ns);
    manager = await startManager({
      kubeConfig,
      reconcilers: [lookup],
      config: { adapterImage: 'headwater:test', systemNamespace: ns },
      log: quietLog,
      leaderElection: false,
      resyncMs: 3_600_000, // no resync during the test: only the read tracking can bring the key back
      metricsPort: 0,
      metricsHost: '127.0.0.1',
    });
    await manager.waitForSync();
  });

  afterAll(async () => {
    await manager?.stop();
    if (client) await eventually(() => deleteNamespace(client, ns));
    client?.destroy();
  });

  it('re-runs a reconcile when the object it looked for appears', async () => {
    await client.json<ConfigMap>({
      method: 'POST',
      path: collectionPath(configMaps, ns),
      body: configMap(ns, 'finder', { service: 'svc-a' }, { 'hw-role': 'lookup' }),
    });
    await vi.waitFor(() => expect(calls).toContain('finder'), { timeout: 30_000, interval: 100 });
    // Not there yet.
    await expect(client.json({ method: 'GET', path: objectPath(configMaps, ns, 'finder-found') })).rejects.toThrow(/404/);

    const svc = await client.json<KubeObject>({
      method: 'POST',
      path: collectionPath(services, ns),
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc-a', namespace: ns }, spec: { ports: [{ port: 80 }] } },
    });
    const found = await vi.waitFor(() => client.json<ConfigMap>({ method: 'GET', path: objectPath(configMaps, ns, 'finder-found') }), {
      timeout: 30_000,
      interval: 200,
    });
    expect(found.data).toEqual({ uid: svc.metadata.uid });
  });

  it('stays ready although one kind it read is not served', async () => {
    expect(manager.informer(unserved).hasSynced()).toBe(false);
    expect(manager.hasSynced()).toBe(true);
    expect((await fetch(`http://127.0.0.1:${manager.healthPort}/readyz`)).status).toBe(200);
  });
});
