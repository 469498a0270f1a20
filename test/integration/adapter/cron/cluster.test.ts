/**
 * The cron adapter in cluster mode against the real local apiserver: it watches CronSources (here confined with
 * WATCH_NAMESPACES, as a controller confines it), schedules those whose status.sinkUri is set, and adding or
 * deleting one leaves the others ticking. The controller is not running here: the test writes status.sinkUri
 * itself, as the controller would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CronSourceKind } from '../../../../api/kinds.js';
import type { KubeClient } from '../../../../lib/kube/client.js';
import { collectionPath, objectPath } from '../../../../lib/kube/resource.js';
import { applyCrds, kubeClient, uniqueName } from '../../api/kube.js';
import { type AdapterProcess, startAdapter } from '../../../support/adapter-process.js';
import { testEnv } from '../../../support/env.js';
import { createNamespace, deleteNamespace } from '../../../support/namespaces.js';
import { startTestSink, type TestSink } from '../../../support/test-sink.js';

let client: KubeClient;
let namespace: string;
let adapter: AdapterProcess | undefined;
const sinks: TestSink[] = [];

async function createSource(name: string, sinkUrl: string, spec: Record<string, unknown> = {}, ns = namespace): Promise<void> {
  const namespace = ns;
  await client.json({
    method: 'POST',
    path: collectionPath(CronSourceKind.gvk, namespace),
    body: {
      apiVersion: 'sources.headwater.dev/v1alpha1',
      kind: 'CronSource',
      metadata: { name, namespace },
      spec: { schedule: '* * * * * *', data: `{"from":"${name}"}`, contentType: 'application/json', sink: { uri: sinkUrl }, ...spec },
    },
  });
  await client.json({
    method: 'PATCH',
    path: objectPath(CronSourceKind.gvk, namespace, name, 'status'),
    contentType: 'application/merge-patch+json',
    body: { status: { sinkUri: sinkUrl } },
  });
}

beforeAll(async () => {
  await applyCrds();
  client = kubeClient();
  namespace = uniqueName('hw-cron');
  await createNamespace(client, namespace);
});

const otherNamespaces: string[] = [];

afterAll(async () => {
  await adapter?.stop();
  await Promise.all(sinks.map((s) => s.close()));
  if (client) await Promise.all([namespace, ...otherNamespaces].map((ns) => deleteNamespace(client, ns).catch(() => undefined)));
});

describe('headwater-adapter cron (cluster mode)', () => {
  it('ticks every CronSource with a resolved sink; adding and deleting one leaves the others alone', async () => {
    const sinkA = await startTestSink();
    const sinkB = await startTestSink();
    sinks.push(sinkA, sinkB);
    await createSource('a', sinkA.url, { ceOverrides: { extensions: { team: 'alpha' } } });
    // a sink nobody can resolve (a controller running in the environment cannot either): no status.sinkUri,
    // so the adapter must leave it alone rather than guess from spec.sink
    await client.json({
      method: 'POST',
      path: collectionPath(CronSourceKind.gvk, namespace),
      body: {
        apiVersion: 'sources.headwater.dev/v1alpha1',
        kind: 'CronSource',
        metadata: { name: 'unresolved', namespace },
        spec: { schedule: '* * * * * *', sink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'does-not-exist' } } },
      },
    });

    // Confined to this file's namespace: other files running side by side (test/support/lanes.ts) have CronSources
    // with a resolved sink too, which an unconfined adapter would tick.
    adapter = startAdapter(['cron'], { KUBECONFIG: testEnv.kubeconfig(), WATCH_NAMESPACES: namespace });
    await adapter.waitForLog((l) => l.msg === 'ready', 60_000);
    const [first] = await sinkA.waitForRequests(1, 60_000);
    expect(first?.event?.type).toBe('dev.knative.sources.ping');
    expect(first?.event?.source).toBe(`/apis/v1/namespaces/${namespace}/cronsources/a`);
    expect(first?.event?.id).toBe(`${namespace}/a/${first?.event?.time}`);
    expect(first?.event?.data).toEqual({ from: 'a' });
    expect(first?.headers['ce-team']).toBe('alpha');

    await createSource('b', sinkB.url);
    await sinkB.waitForRequests(2, 60_000);
    await client.json({ method: 'DELETE', path: objectPath(CronSourceKind.gvk, namespace, 'b') });
    await adapter.waitForLog((l) => l.msg === 'cron source removed' && l.source === `${namespace}/b`, 60_000);
    const aSoFar = sinkA.requests.length;
    await sinkA.waitForRequests(aSoFar + 2, 60_000);

    const lifecycle = adapter.logs
      .filter((l) => l.source === `${namespace}/a` && typeof l.msg === 'string' && l.msg.startsWith('cron source'))
      .map((l) => l.msg);
    expect(lifecycle).toEqual(['cron source added']);
    expect(adapter.logs.some((l) => l.source === `${namespace}/unresolved` && l.msg === 'cron source added')).toBe(false);
    const health = await adapter.healthUrl();
    expect((await fetch(`${health}/readyz`)).status).toBe(200);
    expect(await adapter.stop()).toBe(0);
    adapter = undefined;
  });

  it('with WATCH_NAMESPACES it schedules only the CronSources of those namespaces', async () => {
    const watched = uniqueName('hw-cron-w');
    otherNamespaces.push(watched);
    await createNamespace(client, watched);
    const inWatched = await startTestSink();
    const elsewhere = await startTestSink();
    sinks.push(inWatched, elsewhere);
    await createSource('elsewhere', elsewhere.url); // in the test's first namespace, not watched
    await createSource('mine', inWatched.url, {}, watched);

    const confined = startAdapter(['cron'], { KUBECONFIG: testEnv.kubeconfig(), WATCH_NAMESPACES: watched });
    try {
      await confined.waitForLog((l) => l.msg === 'ready', 60_000);
      await inWatched.waitForRequests(2, 60_000);
      expect(inWatched.requests[0]?.event?.source).toBe(`/apis/v1/namespaces/${watched}/cronsources/mine`);
      // two ticks of the watched source went out; a source it could see would have ticked by now too
      expect(elsewhere.requests).toEqual([]);
      expect(confined.logs.some((l) => l.msg === 'cron source added' && l.source === `${namespace}/elsewhere`)).toBe(false);
    } finally {
      expect(await confined.stop()).toBe(0);
    }
  });
});
