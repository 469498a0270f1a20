/**
 * The Writer's typed errors and merge patch, and the recorder's aggregation, against the real apiserver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConflictError, InvalidError, NotFoundError, ObjectShapeError } from '../../../../controller/runtime/errors.js';
import { counterTotal, createControllerMetrics } from '../../../../controller/runtime/metrics.js';
import { EventRecorder } from '../../../../controller/runtime/recorder.js';
import type { KubeObject } from '../../../../controller/runtime/types.js';
import { ApiWriter } from '../../../../controller/runtime/writer.js';
import { KubeClient } from '../../../../lib/kube/client.js';
import { configMap, createNamespace, deleteNamespace, eventually, loadTestKubeConfig, quietLog, uniqueName } from './cluster.js';
import { configMapGvk } from './testreconciler.js';

interface EventList {
  items: { metadata: { name: string }; reason: string; count: number; message: string; involvedObject: { name: string; uid: string } }[];
}

describe('ApiWriter and EventRecorder on the real apiserver', () => {
  const ns = uniqueName('hw-writer');
  let client: KubeClient;
  const metrics = createControllerMetrics();
  let writer: ApiWriter;

  beforeAll(async () => {
    client = new KubeClient(loadTestKubeConfig());
    writer = new ApiWriter(client, metrics.apiWrites);
    await createNamespace(client, ns);
  });

  afterAll(async () => {
    if (client) await eventually(() => deleteNamespace(client, ns));
    client?.destroy();
  });

  it('creates, merge-patches, updates and deletes, with typed errors', async () => {
    const created = await writer.create(configMapGvk, configMap(ns, 'w1', { a: '1' }) as KubeObject);
    expect(created.metadata.uid).toBeTruthy();
    await expect(writer.create(configMapGvk, configMap(ns, 'w1', { a: '1' }) as KubeObject)).rejects.toBeInstanceOf(AlreadyExistsError);

    const patched = await writer.patch(configMapGvk, { namespace: ns, name: 'w1' }, { data: { b: '2' }, metadata: { labels: { l: 'x' } } });
    expect(patched.data).toEqual({ a: '1', b: '2' }); // a merge patch keeps what it does not name
    expect(patched.metadata.labels).toEqual({ l: 'x' });

    // An update with the resourceVersion from before the patch loses.
    await expect(writer.update(configMapGvk, { ...created, data: { stale: 'yes' } })).rejects.toBeInstanceOf(ConflictError);
    const updated = await writer.update(configMapGvk, { ...patched, data: { c: '3' } });
    expect(updated.data).toEqual({ c: '3' });

    await expect(writer.create(configMapGvk, configMap(ns, 'Bad_Name', {}) as KubeObject)).rejects.toBeInstanceOf(InvalidError);
    await expect(writer.update(configMapGvk, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: ns } })).rejects.toBeInstanceOf(ObjectShapeError);
    await expect(writer.patch(configMapGvk, { name: 'w1' }, {})).rejects.toThrow(/metadata.namespace/);

    await writer.delete(configMapGvk, { namespace: ns, name: 'w1' });
    const gone = writer.delete(configMapGvk, { namespace: ns, name: 'w1' });
    await expect(gone).rejects.toBeInstanceOf(NotFoundError);
    await expect(gone).rejects.toMatchObject({ status: 404, context: { method: 'DELETE' } });

    const byVerb = await metrics.apiWrites.get();
    const count = (verb: string) => byVerb.values.find((v) => v.labels.verb === verb && v.labels.kind === 'ConfigMap')?.value ?? 0;
    // Failed writes count too: the apiserver had to answer them. Shape errors never left the process.
    expect([count('create'), count('patch'), count('update'), count('delete')]).toEqual([3, 1, 2, 2]);
  });

  it('aggregates identical events into one Event and bumps its count after the window', async () => {
    const target = await writer.create(configMapGvk, configMap(ns, 'ev-target', {}) as KubeObject);
    let now = new Date('2026-01-01T00:00:00Z');
    const recorder = new EventRecorder({ client, writes: metrics.apiWrites, log: quietLog, aggregateWindowMs: 60_000, now: () => now });
    const writesBefore = await counterTotal(metrics.apiWrites, (l) => l.kind === 'Event');
    for (let i = 0; i < 50; i++) recorder.event(target, 'Warning', 'HotLoop', 'same failure again');
    recorder.event(target, 'Normal', 'Other', 'a different event');
    await recorder.flush();
    expect(await counterTotal(metrics.apiWrites, (l) => l.kind === 'Event')).toBe(writesBefore + 2);

    now = new Date(now.getTime() + 61_000);
    recorder.event(target, 'Warning', 'HotLoop', 'same failure again');
    await recorder.flush();
    const events = await client.json<EventList>({ method: 'GET', path: `/api/v1/namespaces/${ns}/events` });
    const hot = events.items.filter((e) => e.involvedObject.uid === target.metadata.uid && e.reason === 'HotLoop');
    expect(hot).toHaveLength(1);
    expect(hot[0]?.count).toBe(51);
    expect(events.items.filter((e) => e.involvedObject.uid === target.metadata.uid && e.reason === 'Other')).toHaveLength(1);

    // The Event expired (TTL) or was deleted: the next repeat after the window starts a new one.
    await client.json({ method: 'DELETE', path: `/api/v1/namespaces/${ns}/events/${hot[0]?.metadata.name}` });
    now = new Date(now.getTime() + 61_000);
    recorder.event(target, 'Warning', 'HotLoop', 'same failure again');
    await recorder.flush();
    const after = await client.json<EventList>({ method: 'GET', path: `/api/v1/namespaces/${ns}/events` });
    const renewed = after.items.filter((e) => e.involvedObject.uid === target.metadata.uid && e.reason === 'HotLoop');
    expect(renewed).toHaveLength(1);
    expect(renewed[0]?.count).toBe(1);
  });
});
