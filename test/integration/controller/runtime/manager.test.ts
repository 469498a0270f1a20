/**
 * The manager against the real apiserver: reconciles through informers and the queue, writes nothing
 * on a steady resync, retries failures with backoff, serves health and metrics, and resumes after the
 * apiserver is killed and restarted.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Manager, startManager } from '../../../../controller/runtime/manager.js';
import { counterTotal } from '../../../../controller/runtime/metrics.js';
import { KubeClient } from '../../../../lib/kube/client.js';
import { collectionPath, objectPath } from '../../../../lib/kube/resource.js';
import {
  type ConfigMap,
  configMap,
  configMaps,
  createNamespace,
  deleteNamespace,
  eventually,
  loadTestKubeConfig,
  quietLog,
  restartApiserver,
  uniqueName,
} from './cluster.js';
import { type TestReconciler, childCopier } from './testreconciler.js';

describe('manager on the real apiserver', () => {
  const ns = uniqueName('hw-manager');
  const kubeConfig = loadTestKubeConfig();
  let client: KubeClient;
  let manager: Manager;
  let reconciler: TestReconciler;

  const createSource = (name: string, data: Record<string, string>) =>
    eventually(() =>
      client.json<ConfigMap>({ method: 'POST', path: collectionPath(configMaps, ns), body: configMap(ns, name, data, { 'hw-role': 'source' }) }),
    );
  const getChild = (name: string) => client.json<ConfigMap>({ method: 'GET', path: objectPath(configMaps, ns, `${name}-child`) });
  const callsFor = (name: string) => reconciler.calls.filter((k) => k.name === name).length;

  beforeAll(async () => {
    client = new KubeClient(kubeConfig);
    await createNamespace(client, ns);
    reconciler = childCopier(ns);
    manager = await startManager({
      kubeConfig,
      reconcilers: [reconciler],
      config: { adapterImage: 'headwater:test', systemNamespace: ns },
      log: quietLog,
      leaderElection: false,
      workers: 2,
      resyncMs: 300,
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      informerWatchdogMs: 10_000,
      queueBackoff: { policy: 'exponential', baseMs: 100, maxMs: 1000 },
    });
    await manager.waitForSync();
  });

  afterAll(async () => {
    await manager?.stop();
    if (client) await eventually(() => deleteNamespace(client, ns));
    client?.destroy();
  });

  it('creates the child for a new source and follows its changes', async () => {
    await createSource('s1', { greeting: 'hello' });
    const child = await vi.waitFor(() => getChild('s1'), { timeout: 30_000, interval: 200 });
    expect(child.data).toEqual({ greeting: 'hello' });
    expect(child.metadata.labels).toEqual({ 'hw-parent': 's1' });

    const source = await client.json<ConfigMap>({ method: 'GET', path: objectPath(configMaps, ns, 's1') });
    await client.json({ method: 'PUT', path: objectPath(configMaps, ns, 's1'), body: { ...source, data: { greeting: 'bye' } } });
    await vi.waitFor(async () => expect((await getChild('s1')).data).toEqual({ greeting: 'bye' }), { timeout: 30_000, interval: 200 });

    // A change made to the child behind the controller's back is undone (the child watch maps to the source).
    const drifted = await getChild('s1');
    await client.json({ method: 'PUT', path: objectPath(configMaps, ns, 's1-child'), body: { ...drifted, data: { greeting: 'tampered' } } });
    await vi.waitFor(async () => expect((await getChild('s1')).data).toEqual({ greeting: 'bye' }), { timeout: 30_000, interval: 200 });

    const events = await client.json<{ items: { reason: string; involvedObject: { name: string } }[] }>({
      method: 'GET',
      path: `/api/v1/namespaces/${ns}/events`,
    });
    const reasons = events.items.filter((e) => e.involvedObject.name === 's1').map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['ChildCreated', 'ChildUpdated']));
  });

  it('makes zero write requests while resyncing a steady cluster', async () => {
    await vi.waitFor(async () => expect((await getChild('s1')).data).toEqual({ greeting: 'bye' }), { timeout: 30_000 });
    // Let a few resyncs pass so the echoes of the last writes (their own watch events) are behind us.
    const settledCalls = callsFor('s1');
    await vi.waitFor(() => expect(callsFor('s1')).toBeGreaterThan(settledCalls + 2), { timeout: 30_000, interval: 100 });
    const writesBefore = await counterTotal(manager.metrics.apiWrites);
    const callsBefore = callsFor('s1');
    // Many resyncs later (resync every 300ms) …
    await vi.waitFor(() => expect(callsFor('s1')).toBeGreaterThanOrEqual(callsBefore + 10), { timeout: 60_000, interval: 100 });
    // … not a single write, Events included.
    expect(await counterTotal(manager.metrics.apiWrites)).toBe(writesBefore);
    expect(writesBefore).toBeGreaterThanOrEqual(2); // the create and the updates above were counted
  });

  it('retries a failing key with backoff and counts the errors by kind', async () => {
    reconciler.failFor.add('s-fail');
    await createSource('s-fail', { x: '1' });
    await vi.waitFor(async () => expect(await counterTotal(manager.metrics.reconcileErrors)).toBeGreaterThanOrEqual(3), {
      timeout: 30_000,
      interval: 100,
    });
    const errors = await manager.metrics.reconcileErrors.get();
    expect(errors.values.map((v) => v.labels.kind)).toEqual(['ConfigMap']);
    // The failure shows on the object, once however often it repeats (aggregated).
    const events = await vi.waitFor(
      async () => {
        const list = await client.json<{ items: { reason: string; message: string; count: number; involvedObject: { name: string } }[] }>({
          method: 'GET',
          path: `/api/v1/namespaces/${ns}/events`,
        });
        const failures = list.items.filter((e) => e.involvedObject.name === 's-fail' && e.reason === 'InternalError');
        if (failures.length === 0) throw new Error('no InternalError event yet');
        return failures;
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.message).toBe('told to fail for s-fail');
    reconciler.failFor.delete('s-fail');
    const child = await vi.waitFor(() => getChild('s-fail'), { timeout: 30_000, interval: 200 });
    expect(child.data).toEqual({ x: '1' });
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    const base = `http://127.0.0.1:${manager.healthPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('headwater_workqueue_depth');
    expect(metrics).toMatch(/headwater_reconcile_duration_seconds_count\{kind="ConfigMap"\} [1-9]/);
    expect(metrics).toMatch(/headwater_api_writes_total\{verb="create",kind="ConfigMap"\} [1-9]/);
    expect(metrics).toMatch(/headwater_reconcile_errors_total\{kind="ConfigMap"\} [1-9]/);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('resumes reconciling after the apiserver is killed and restarted', async () => {
    await restartApiserver();
    await createSource('s-after-restart', { y: '2' });
    const child = await vi.waitFor(() => getChild('s-after-restart'), { timeout: 120_000, interval: 500 });
    expect(child.data).toEqual({ y: '2' });
  });
});
