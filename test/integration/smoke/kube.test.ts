/**
 * Smoke test of the local apiserver through @kubernetes/client-node: a CRD is accepted and established, a
 * custom object is created, and a watch started before the create sees it as ADDED. The controller-manager
 * is checked too: a Deployment gets its ReplicaSet and Pod, and deleting the Deployment garbage-collects both.
 */
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1CustomResourceDefinition,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig, runId, uniqueName } from '../../support/env.js';

const group = 'smoke.test.headwater.dev';
const plural = `smoke${runId}s`;
const crdName = `${plural}.${group}`;

function crd(): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crdName },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural, singular: `smoke${runId}`, kind: `Smoke${runId.toUpperCase()}`, listKind: `Smoke${runId.toUpperCase()}List` },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } },
            },
          },
        },
      ],
    },
  };
}

/** Polls `read` until `done` holds; the test's own timeout bounds the wait. */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

type SmokeObject = { metadata?: { name?: string }; spec?: { message?: string } };

/**
 * Starts a watch, retrying while the apiserver answers 429: right after a CRD is Established its watch cache
 * may still be initialising, and since Kubernetes 1.31 the apiserver then refuses watches with 429 and
 * Retry-After instead of blocking. Real informers must retry the same way.
 */
async function watchWhenReady(
  kc: KubeConfig,
  path: string,
  onEvent: (type: string, obj: SmokeObject) => void,
  onDone: (err: unknown) => void,
): Promise<AbortController> {
  for (;;) {
    let early: { code?: number } | undefined;
    let started = false;
    const controller = await new Watch(kc).watch(path, {}, onEvent, (err: unknown) => {
      if (!started) early = (err ?? {}) as { code?: number };
      else onDone(err);
    });
    started = true;
    if (early === undefined) return controller;
    const code = (early as { statusCode?: number }).statusCode ?? early.code;
    if (code !== 429) throw early;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('kube-apiserver smoke', () => {
  let kc: KubeConfig;
  let ext: ApiextensionsV1Api;
  let custom: CustomObjectsApi;
  const namespace = uniqueName('smoke');

  beforeAll(async () => {
    kc = loadKubeConfig();
    ext = kc.makeApiClient(ApiextensionsV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterAll(async () => {
    await ext.deleteCustomResourceDefinition({ name: crdName }).catch(() => undefined);
    await kc.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('accepts a CRD and a custom object, and a watch sees the object', async () => {
    await ext.createCustomResourceDefinition({ body: crd() });
    const established = await eventually(
      () => ext.readCustomResourceDefinition({ name: crdName }),
      (c) => (c.status?.conditions ?? []).some((x) => x.type === 'Established' && x.status === 'True'),
    );
    expect(established.spec.names.kind).toBe(`Smoke${runId.toUpperCase()}`);

    const name = uniqueName('hello');
    const seen: { type: string; name: string; message: string }[] = [];
    let sawIt: () => void = () => undefined;
    let watchFailed: (e: unknown) => void = () => undefined;
    const sawItPromise = new Promise<void>((resolve, reject) => {
      sawIt = resolve;
      watchFailed = reject;
    });
    const controller = await watchWhenReady(
      kc,
      `/apis/${group}/v1alpha1/namespaces/${namespace}/${plural}`,
      (type, obj) => {
        seen.push({ type, name: obj.metadata?.name ?? '', message: obj.spec?.message ?? '' });
        if (type === 'ADDED' && obj.metadata?.name === name) sawIt();
      },
      (err) => watchFailed(err ?? new Error('watch ended before the object was seen')),
    );
    try {
      const created = (await custom.createNamespacedCustomObject({
        group,
        version: 'v1alpha1',
        namespace,
        plural,
        body: { apiVersion: `${group}/v1alpha1`, kind: `Smoke${runId.toUpperCase()}`, metadata: { name }, spec: { message: 'hi' } },
      })) as { metadata: { uid: string } };
      expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      await sawItPromise;
      expect(seen).toContainEqual({ type: 'ADDED', name, message: 'hi' });
    } finally {
      controller.abort();
    }

    // The schema is enforced: spec.message is required.
    await expect(
      custom.createNamespacedCustomObject({
        group,
        version: 'v1alpha1',
        namespace,
        plural,
        body: { apiVersion: `${group}/v1alpha1`, kind: `Smoke${runId.toUpperCase()}`, metadata: { name: uniqueName('bad') }, spec: {} },
      }),
    ).rejects.toMatchObject({ code: 422 });
  });

  it('runs Deployment -> ReplicaSet -> Pod and garbage-collects them (kube-controller-manager)', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const name = uniqueName('web');
    const labels = { app: name };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'example.invalid/none:1' }] } },
        },
      },
    });
    const pods = await eventually(
      () => core.listNamespacedPod({ namespace, labelSelector: `app=${name}` }),
      (l) => l.items.length === 1,
    );
    const rsName = pods.items[0]?.metadata?.ownerReferences?.[0]?.name;
    expect(pods.items[0]?.metadata?.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
    const rs = await apps.readNamespacedReplicaSet({ namespace, name: rsName ?? '' });
    expect(rs.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name });

    await apps.deleteNamespacedDeployment({ namespace, name });
    const after = await eventually(
      async () => ({
        rs: (await apps.listNamespacedReplicaSet({ namespace, labelSelector: `app=${name}` })).items.length,
        pods: (await core.listNamespacedPod({ namespace, labelSelector: `app=${name}` })).items.length,
      }),
      (c) => c.rs === 0 && c.pods === 0,
    );
    expect(after).toEqual({ rs: 0, pods: 0 });
  });
});
