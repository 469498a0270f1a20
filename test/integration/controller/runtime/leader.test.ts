/**
 * Two managers on one Lease: only the leader reconciles; stopping it hands the work over.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Manager, startManager } from '../../../../controller/runtime/manager.js';
import { KubeClient } from '../../../../lib/kube/client.js';
import { collectionPath, objectPath } from '../../../../lib/kube/resource.js';
import {
  type ConfigMap,
  apiserverPid,
  configMap,
  configMaps,
  createNamespace,
  deleteNamespace,
  eventually,
  loadTestKubeConfig,
  quietLog,
  uniqueName,
} from './cluster.js';
import { type TestReconciler, childCopier } from './testreconciler.js';

interface Lease {
  spec: { holderIdentity?: string | null; leaseTransitions?: number };
}

describe('leader election between two managers', () => {
  const ns = uniqueName('hw-leader');
  const kubeConfig = loadTestKubeConfig();
  let client: KubeClient;
  const replicas: { id: string; manager: Manager; reconciler: TestReconciler }[] = [];

  const createSource = (name: string) =>
    eventually(() =>
      client.json<ConfigMap>({ method: 'POST', path: collectionPath(configMaps, ns), body: configMap(ns, name, { n: name }, { 'hw-role': 'source' }) }),
    );
  const getChild = (name: string) => client.json<ConfigMap>({ method: 'GET', path: objectPath(configMaps, ns, `${name}-child`) });
  const lease = () => client.json<Lease>({ method: 'GET', path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/headwater-controller` });

  beforeAll(async () => {
    client = new KubeClient(kubeConfig);
    await createNamespace(client, ns);
    for (const id of ['replica-a', 'replica-b']) {
      const reconciler = childCopier(ns);
      const manager = await startManager({
        kubeConfig,
        reconcilers: [reconciler],
        config: { adapterImage: 'headwater:test', systemNamespace: ns },
        log: quietLog.child({ replica: id }),
        workers: 2,
        resyncMs: 500,
        // Short timings keep the test quick; the rules are the same as with 15s/10s/2s.
        leaderElection: { identity: id, leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 400 },
      });
      replicas.push({ id, manager, reconciler });
    }
  });

  afterAll(async () => {
    for (const r of replicas) await r.manager.stop();
    if (client) await eventually(() => deleteNamespace(client, ns));
    client?.destroy();
  });

  it('lets exactly one replica reconcile', async () => {
    await vi.waitFor(() => expect(replicas.filter((r) => r.manager.isLeader())).toHaveLength(1), { timeout: 30_000, interval: 100 });
    const leader = replicas.find((r) => r.manager.isLeader());
    const standby = replicas.find((r) => !r.manager.isLeader());
    if (!leader || !standby) throw new Error('expected one leader and one standby');
    expect((await lease()).spec.holderIdentity).toBe(leader.id);

    await createSource('first');
    const child = await vi.waitFor(() => getChild('first'), { timeout: 30_000, interval: 200 });
    expect(child.data).toEqual({ n: 'first' });
    // Several resyncs later the standby has still not reconciled anything, though its caches are warm.
    const callsBefore = leader.reconciler.calls.length;
    await vi.waitFor(() => expect(leader.reconciler.calls.length).toBeGreaterThan(callsBefore + 4), { timeout: 30_000, interval: 100 });
    expect(standby.reconciler.calls).toHaveLength(0);
    expect(standby.manager.hasSynced()).toBe(true);
    expect(standby.manager.lister.get({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true }, { namespace: ns, name: 'first' })).toBeDefined();
    expect(replicas.filter((r) => r.manager.isLeader())).toHaveLength(1);
  });

  it('hands over when the leader stops', async () => {
    const leader = replicas.find((r) => r.manager.isLeader());
    const standby = replicas.find((r) => !r.manager.isLeader());
    if (!leader || !standby) throw new Error('expected one leader and one standby');
    await leader.manager.stop();
    expect(leader.manager.isLeader()).toBe(false);
    await vi.waitFor(() => expect(standby.manager.isLeader()).toBe(true), { timeout: 30_000, interval: 100 });
    expect((await lease()).spec.holderIdentity).toBe(standby.id);

    const leaderCallsAfterStop = leader.reconciler.calls.length;
    await createSource('second');
    const child = await vi.waitFor(() => getChild('second'), { timeout: 30_000, interval: 200 });
    expect(child.data).toEqual({ n: 'second' });
    expect(standby.reconciler.calls.some((k) => k.name === 'second')).toBe(true);
    expect(leader.reconciler.calls.length).toBe(leaderCallsAfterStop);
  });
});

describe('a leader that loses its Lease', () => {
  const ns = uniqueName('hw-lost');
  const kubeConfig = loadTestKubeConfig();
  let client: KubeClient;
  let manager: Manager;
  const reconciler = childCopier(ns);
  let lost = 0;

  beforeAll(async () => {
    client = new KubeClient(kubeConfig);
    await createNamespace(client, ns);
    manager = await startManager({
      kubeConfig,
      reconcilers: [reconciler],
      config: { adapterImage: 'headwater:test', systemNamespace: ns },
      log: quietLog,
      resyncMs: 300,
      leaderElection: { identity: 'victim', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 400 },
      onLeadershipLost: () => {
        lost++;
      },
    });
  });

  afterAll(async () => {
    await manager?.stop();
    if (client) await eventually(() => deleteNamespace(client, ns));
    client?.destroy();
  });

  it('stops its workers and reports the loss when another holder takes the Lease', async () => {
    await vi.waitFor(() => expect(manager.isLeader()).toBe(true), { timeout: 30_000, interval: 100 });
    await client.json({ method: 'POST', path: collectionPath(configMaps, ns), body: configMap(ns, 'before', { n: '1' }, { 'hw-role': 'source' }) });
    await vi.waitFor(() => client.json({ method: 'GET', path: objectPath(configMaps, ns, 'before-child') }), { timeout: 30_000, interval: 200 });

    // Someone else takes the Lease over (as a replica would after a network partition healed).
    const path = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/headwater-controller`;
    // The leader renews every 400ms, so our read-modify-write may meet a Conflict: read again and retry.
    await eventually(async () => {
      const lease = await client.json<Lease & { metadata: Record<string, unknown> }>({ method: 'GET', path });
      const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
      await client.json({ method: 'PUT', path, body: { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder', renewTime: now, leaseDurationSeconds: 3600 } } });
    }, 30_000);

    await vi.waitFor(() => expect(lost).toBe(1), { timeout: 30_000, interval: 100 });
    expect(manager.isLeader()).toBe(false);
    const callsAfterLoss = reconciler.calls.length;
    await client.json({ method: 'POST', path: collectionPath(configMaps, ns), body: configMap(ns, 'after', { n: '2' }, { 'hw-role': 'source' }) });
    // Resyncs run every 300ms for a leader; a standby's informer sees the new source but nothing reconciles it.
    await vi.waitFor(() => expect(manager.lister.get(reconciler.gvk, { namespace: ns, name: 'after' })).toBeDefined(), { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(reconciler.calls.length).toBe(callsAfterLoss);
    await expect(client.json({ method: 'GET', path: objectPath(configMaps, ns, 'after-child') })).rejects.toThrow(/404/);
    expect((await client.json<Lease>({ method: 'GET', path })).spec.holderIdentity).toBe('intruder');
  });
});

describe('a leader cut off from the apiserver', () => {
  const ns = uniqueName('hw-cutoff');
  const kubeConfig = loadTestKubeConfig();
  let client: KubeClient;
  let manager: Manager;
  let lost = 0;

  beforeAll(async () => {
    client = new KubeClient(kubeConfig);
    await createNamespace(client, ns);
    manager = await startManager({
      kubeConfig,
      reconcilers: [childCopier(ns)],
      config: { adapterImage: 'headwater:test', systemNamespace: ns },
      log: quietLog,
      leaderElection: { identity: 'cut-off', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 400 },
      onLeadershipLost: () => {
        lost++;
      },
    });
  });

  afterAll(async () => {
    await manager?.stop();
    if (client) await eventually(() => deleteNamespace(client, ns));
    client?.destroy();
  });

  it('steps down when it cannot renew within the deadline, and competes again afterwards', async () => {
    await vi.waitFor(() => expect(manager.isLeader()).toBe(true), { timeout: 30_000, interval: 100 });
    const pid = apiserverPid();
    process.kill(pid, 'SIGSTOP');
    try {
      // Renewals hang; after the renew deadline the leader must give up on its own (before the lease could expire for others).
      await vi.waitFor(() => expect(lost).toBe(1), { timeout: 30_000, interval: 100 });
      expect(manager.isLeader()).toBe(false);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // In-process managers go back to competing (main exits instead); the Lease is still ours, so we get it back.
    await vi.waitFor(() => expect(manager.isLeader()).toBe(true), { timeout: 60_000, interval: 200 });
  });
});
