/**
 * WATCH_NAMESPACES against the real apiserver: a manager confined to one namespace reconciles a KafkaSource
 * there and leaves one in another namespace alone (no status, no adapter Deployment, not even in its cache),
 * while cluster-scoped kinds are still watched cluster-wide. Its caches hold objects without managedFields.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClusterEventBusKind, KafkaSourceKind } from '../../../../api/index.js';
import { kafkaSourceReconciler } from '../../../../controller/reconciler/kafkasource/reconcile.js';
import { DeploymentGVK } from '../../../../controller/reconciler/shared/kinds.js';
import { type Manager, startManager } from '../../../../controller/runtime/manager.js';
import type { KubeObject } from '../../../../controller/runtime/types.js';
import { KubeClient } from '../../../../lib/kube/client.js';
import { collectionPath, objectPath } from '../../../../lib/kube/resource.js';
import { testEnv } from '../../../support/env.js';
import { createNamespace, deleteNamespace, eventually, loadTestKubeConfig, quietLog, repoRoot, uniqueName } from './cluster.js';

const execFileAsync = promisify(execFile);
const kafkaSources = KafkaSourceKind.gvk;

interface Listed {
  items: KubeObject[];
}

describe('manager with watchNamespaces', () => {
  const watched = uniqueName('hw-watched');
  const other = uniqueName('hw-unwatched');
  const sys = uniqueName('hw-wsys');
  const kubeConfig = loadTestKubeConfig();
  let client: KubeClient;
  let manager: Manager;

  const kafkaSource = (namespace: string, name: string): KubeObject => ({
    apiVersion: 'sources.headwater.dev/v1alpha1',
    kind: 'KafkaSource',
    metadata: { name, namespace },
    spec: { bootstrapServers: ['127.0.0.1:9092'], topics: ['t'], sink: { uri: 'http://sink.example/' } },
  });
  const getSource = (namespace: string, name: string) => client.json<KubeObject>({ method: 'GET', path: objectPath(kafkaSources, namespace, name) });
  const adapterDeployments = async (namespace: string) =>
    (
      await client.json<Listed>({
        method: 'GET',
        path: collectionPath(DeploymentGVK, namespace),
        query: { labelSelector: 'sources.headwater.dev/kind=KafkaSource' },
      })
    ).items;

  beforeAll(async () => {
    client = new KubeClient(kubeConfig);
    await execFileAsync(`${testEnv.kubeBin()}/kubectl`, ['apply', '--server-side', '--force-conflicts', '-k', 'crds/'], {
      cwd: repoRoot,
      env: { ...process.env, KUBECONFIG: testEnv.kubeconfig() },
    });
    for (const ns of [watched, other, sys]) await createNamespace(client, ns);
    manager = await startManager({
      kubeConfig,
      // Only the KafkaSource reconciler: it writes only to KafkaSources it is handed (the cluster is shared).
      reconcilers: [kafkaSourceReconciler()],
      config: { adapterImage: process.env.HEADWATER_ADAPTER_IMAGE ?? 'headwater/headwater:dev', systemNamespace: sys, watchNamespaces: [watched] },
      log: quietLog,
      leaderElection: false,
      workers: 2,
      resyncMs: 500,
    });
    await manager.waitForSync();
  });

  afterAll(async () => {
    await manager?.stop();
    if (client) for (const ns of [watched, other, sys]) await eventually(() => deleteNamespace(client, ns));
    client?.destroy();
  });

  it('reconciles a source in a watched namespace and leaves one in another namespace alone', async () => {
    // The unwatched one first, so the watched one's reconcile proves the controller has had its chance at both.
    await client.json({ method: 'POST', path: collectionPath(kafkaSources, other), body: kafkaSource(other, 'left-alone') });
    await client.json({ method: 'POST', path: collectionPath(kafkaSources, watched), body: kafkaSource(watched, 'reconciled') });

    const reconciled = await vi.waitFor(
      async () => {
        const s = await getSource(watched, 'reconciled');
        expect(s.status).toBeDefined();
        return s;
      },
      { timeout: 30_000, interval: 200 },
    );
    const status = reconciled.status as { observedGeneration?: number; sinkUri?: string; conditions?: { type: string; status: string }[] };
    expect(status.observedGeneration).toBe(1);
    expect(status.sinkUri).toBe('http://sink.example/');
    expect(status.conditions?.find((c) => c.type === 'SinkProvided')?.status).toBe('True');
    expect((await adapterDeployments(watched)).map((d) => d.metadata.labels?.['sources.headwater.dev/source'])).toEqual(['reconciled']);

    // Several resyncs (every 500 ms) later the other one is still untouched: never cached, never reconciled.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await getSource(other, 'left-alone')).status).toBeUndefined();
    expect(await adapterDeployments(other)).toEqual([]);
    expect(manager.lister.get(kafkaSources, { namespace: other, name: 'left-alone' })).toBeUndefined();
    expect(manager.lister.get(kafkaSources, { namespace: watched, name: 'reconciled' })).toBeDefined();
    const cachedNamespaces = new Set(manager.lister.list(kafkaSources).map((s) => s.metadata.namespace));
    expect([...cachedNamespaces].every((ns) => ns === watched || ns === sys)).toBe(true);
  });

  it('still watches cluster-scoped kinds cluster-wide', async () => {
    const name = uniqueName('hw-wbus');
    await client.json({
      method: 'POST',
      path: collectionPath(ClusterEventBusKind.gvk),
      body: { apiVersion: 'eventing.headwater.dev/v1alpha1', kind: 'ClusterEventBus', metadata: { name }, spec: { nats: { url: 'nats://127.0.0.1:4222' } } },
    });
    try {
      await vi.waitFor(() => expect(manager.lister.get(ClusterEventBusKind.gvk, { name })).toBeDefined(), { timeout: 30_000, interval: 200 });
    } finally {
      await client.json({ method: 'DELETE', path: objectPath(ClusterEventBusKind.gvk, undefined, name) }).catch(() => {});
    }
  });

  it('caches objects without managedFields (the apiserver still has them)', async () => {
    const [dep] = await adapterDeployments(watched);
    expect(dep?.metadata.managedFields?.length).toBeGreaterThan(0);
    const cached = manager.lister.get(DeploymentGVK, { namespace: watched, name: dep?.metadata.name as string });
    expect(cached?.metadata.name).toBe(dep?.metadata.name);
    expect(cached?.metadata.managedFields).toBeUndefined();
    expect(manager.lister.get(kafkaSources, { namespace: watched, name: 'reconciled' })?.metadata.managedFields).toBeUndefined();
  });
});
