/**
 * The Writer over the real API. Every request is counted in headwater_api_writes_total{verb,kind}
 * before it is sent (a failed write is still a write the API server had to answer), which is how the
 * "a steady resync writes nothing" property is measured.
 */
import type { Counter } from 'prom-client';
import type { KubeClient } from '../../lib/kube/client.js';
import { apiVersionOf, collectionPath, objectPath } from '../../lib/kube/resource.js';
import { ObjectShapeError } from './errors.js';
import type { GroupVersionKind, KubeObject, ObjectKey, Writer } from './types.js';

export type WriteVerb = 'create' | 'update' | 'update_status' | 'patch' | 'delete';

function requireNamespace(gvk: GroupVersionKind, namespace: string | undefined): string | undefined {
  if (gvk.namespaced && !namespace) {
    throw new ObjectShapeError('metadata.namespace', gvk.kind, `${gvk.kind} is namespaced: set the namespace of the object or key`);
  }
  return gvk.namespaced ? namespace : undefined;
}

function requireName(gvk: GroupVersionKind, obj: KubeObject): string {
  const name = obj.metadata.name;
  if (!name) throw new ObjectShapeError('metadata.name', gvk.kind, 'set metadata.name to the object to replace');
  return name;
}

/** Fill apiVersion/kind from the GVK so a reconciler's builder may leave them out. */
function withTypeMeta(gvk: GroupVersionKind, obj: KubeObject): KubeObject {
  return { ...obj, apiVersion: obj.apiVersion || apiVersionOf(gvk), kind: obj.kind || gvk.kind };
}

export class ApiWriter implements Writer {
  constructor(
    private readonly client: KubeClient,
    private readonly writes: Counter<'verb' | 'kind'>,
  ) {}

  private count(verb: WriteVerb, gvk: GroupVersionKind): void {
    this.writes.inc({ verb, kind: gvk.kind });
  }

  async create(gvk: GroupVersionKind, obj: KubeObject): Promise<KubeObject> {
    if (!obj.metadata.name && !obj.metadata.generateName) {
      throw new ObjectShapeError('metadata.name', gvk.kind, 'set metadata.name or metadata.generateName');
    }
    const ns = requireNamespace(gvk, obj.metadata.namespace);
    this.count('create', gvk);
    return this.client.json<KubeObject>({ method: 'POST', path: collectionPath(gvk, ns), body: withTypeMeta(gvk, obj) });
  }

  async update(gvk: GroupVersionKind, obj: KubeObject): Promise<KubeObject> {
    const ns = requireNamespace(gvk, obj.metadata.namespace);
    const name = requireName(gvk, obj);
    this.count('update', gvk);
    return this.client.json<KubeObject>({ method: 'PUT', path: objectPath(gvk, ns, name), body: withTypeMeta(gvk, obj) });
  }

  async updateStatus(gvk: GroupVersionKind, obj: KubeObject): Promise<KubeObject> {
    const ns = requireNamespace(gvk, obj.metadata.namespace);
    const name = requireName(gvk, obj);
    this.count('update_status', gvk);
    return this.client.json<KubeObject>({
      method: 'PUT',
      path: objectPath(gvk, ns, name, 'status'),
      body: withTypeMeta(gvk, obj),
    });
  }

  async patch(gvk: GroupVersionKind, key: ObjectKey, mergePatch: Record<string, unknown>): Promise<KubeObject> {
    const ns = requireNamespace(gvk, key.namespace);
    this.count('patch', gvk);
    return this.client.json<KubeObject>({
      method: 'PATCH',
      path: objectPath(gvk, ns, key.name),
      body: mergePatch,
      contentType: 'application/merge-patch+json',
    });
  }

  async delete(gvk: GroupVersionKind, key: ObjectKey): Promise<void> {
    const ns = requireNamespace(gvk, key.namespace);
    this.count('delete', gvk);
    // Background: the API server removes dependents (owner references) after answering.
    await this.client.json<unknown>({
      method: 'DELETE',
      path: objectPath(gvk, ns, key.name),
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
    });
  }
}
