/**
 * The resilient informer against the real apiserver: it sees adds, updates and deletes; it recovers
 * after the apiserver is killed and restarted; and its watchdog notices a stalled (SIGSTOPped) server.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeClient } from '../../../../lib/kube/client.js';
import { ResilientInformer } from '../../../../lib/kube/informer.js';
import { objectPath, collectionPath } from '../../../../lib/kube/resource.js';
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
  restartApiserver,
  uniqueName,
} from './cluster.js';

describe('ResilientInformer on the real apiserver', () => {
  const ns = uniqueName('hw-informer');
  let client: KubeClient;
  let informer: ResilientInformer<KubernetesObject>;
  const seen: { event: string; name: string; value?: string }[] = [];

  const create = (name: string, value: string) =>
    eventually(() => client.json<ConfigMap>({ method: 'POST', path: collectionPath(configMaps, ns), body: configMap(ns, name, { v: value }) }));
  const names = (event: string) => seen.filter((s) => s.event === event).map((s) => s.name);
  // The controller-manager adds kube-root-ca.crt to every namespace; look only at what the test made.
  const ours = () =>
    informer
      .list(ns)
      .map((o) => o.metadata?.name ?? '')
      .filter((n) => n !== 'kube-root-ca.crt')
      .sort();

  beforeAll(async () => {
    client = new KubeClient(loadTestKubeConfig());
    await createNamespace(client, ns);
    informer = new ResilientInformer({
      client,
      resource: configMaps,
      namespace: ns,
      log: quietLog,
      watchdogMs: 4000,
      listPageSize: 1, // every list takes several pages
      restartBackoff: { policy: 'exponential', baseMs: 200, maxMs: 2000 },
    });
    for (const event of ['add', 'update', 'delete'] as const) {
      informer.on(event, (o) => seen.push({ event, name: o.metadata?.name ?? '', value: (o as ConfigMap).data?.v }));
    }
    await create('before-start', '0');
    informer.start();
    await informer.waitForSync();
  });

  afterAll(async () => {
    informer?.stop();
    if (client) await eventually(() => deleteNamespace(client, ns));
    client?.destroy();
  });

  it('lists what exists, then sees adds, updates and deletes', async () => {
    expect(informer.hasSynced()).toBe(true);
    expect(names('add')).toContain('before-start');
    // Objects from a list get apiVersion/kind like watch events do.
    expect(informer.get('before-start', ns)).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { v: '0' } });

    await create('a', '1');
    await vi.waitFor(() => expect(informer.get('a', ns)).toBeDefined(), { timeout: 30_000, interval: 100 });
    expect(names('add')).toContain('a');

    const current = informer.get('a', ns) as ConfigMap;
    await client.json({ method: 'PUT', path: objectPath(configMaps, ns, 'a'), body: { ...current, data: { v: '2' } } });
    await vi.waitFor(() => expect(seen).toContainEqual({ event: 'update', name: 'a', value: '2' }), { timeout: 30_000, interval: 100 });

    await client.json({ method: 'DELETE', path: objectPath(configMaps, ns, 'a') });
    await vi.waitFor(() => expect(names('delete')).toContain('a'), { timeout: 30_000, interval: 100 });
    expect(informer.get('a', ns)).toBeUndefined();
    expect(ours()).toEqual(['before-start']);
  });

  it('recovers after the apiserver is killed and restarted, and sees later changes', async () => {
    const restarts = () => informer.stats.errorRestarts + informer.stats.watchdogRestarts;
    const restartsBefore = restarts();
    await restartApiserver();
    await create('after-restart', '3');
    await vi.waitFor(() => expect(informer.get('after-restart', ns)).toBeDefined(), { timeout: 120_000, interval: 200 });
    expect(names('add')).toContain('after-restart');
    // The watch broke and the informer had to restart it (after an error, or by its watchdog).
    expect(restarts()).toBeGreaterThan(restartsBefore);
  });

  it('restarts a silently stalled watch (SIGSTOP) and resumes after SIGCONT', async () => {
    const pid = apiserverPid();
    const watchdogBefore = informer.stats.watchdogRestarts;
    process.kill(pid, 'SIGSTOP');
    try {
      await vi.waitFor(() => expect(informer.stats.watchdogRestarts).toBeGreaterThan(watchdogBefore), { timeout: 60_000, interval: 200 });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await create('after-stall', '4');
    await vi.waitFor(() => expect(informer.get('after-stall', ns)).toBeDefined(), { timeout: 60_000, interval: 200 });
    // And the cache is whole: nothing lost, nothing duplicated.
    expect(ours()).toEqual(['after-restart', 'after-stall', 'before-start']);
  });
  it('re-lists after 410 Gone and reports what changed while it was away, deletes included', async () => {
    informer.stop();
    const expiredBefore = informer.stats.expired;
    const listsBefore = informer.stats.lists;
    // While it is away: one object appears, one goes. The restarted apiserver rebuilds its watch cache
    // from now, so the informer's old resourceVersion is too old to resume from.
    await create('while-away', '5');
    await client.json({ method: 'DELETE', path: objectPath(configMaps, ns, 'before-start') });
    await restartApiserver();
    informer.start();
    await vi.waitFor(() => expect(informer.get('while-away', ns)).toBeDefined(), { timeout: 60_000, interval: 200 });
    expect(informer.stats.expired).toBeGreaterThan(expiredBefore);
    expect(informer.stats.lists).toBeGreaterThan(listsBefore);
    expect(names('delete')).toContain('before-start');
    expect(ours()).toEqual(['after-restart', 'after-stall', 'while-away']);
  });
});
