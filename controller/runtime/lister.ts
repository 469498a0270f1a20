/**
 * Reads from informer caches. Equality label selectors only, as the seam promises.
 * Every object handed out is a copy: a reconciler that edits what it read (to build the next status, say)
 * must not change the cache, or a failed write would look done and never be retried.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { GroupVersionKind, KubeObject, Lister, ObjectKey } from './types.js';

/** What the lister needs of an informer (ResilientInformer has it). */
export interface CacheReader {
  get(name: string, namespace?: string): KubernetesObject | undefined;
  list(namespace?: string): readonly KubernetesObject[];
}

export type InformerSource = (gvk: GroupVersionKind) => CacheReader;

export function matchesLabels(obj: KubernetesObject, selector: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const labels = obj.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** A copy; objects in an informer cache come from the API server, so apiVersion, kind and metadata are present. */
function asKubeObject(obj: KubernetesObject): KubeObject {
  return structuredClone(obj) as KubeObject;
}

export class CacheLister implements Lister {
  constructor(private readonly informerFor: InformerSource) {}

  get(gvk: GroupVersionKind, key: ObjectKey): KubeObject | undefined {
    const found = this.informerFor(gvk).get(key.name, key.namespace);
    return found ? asKubeObject(found) : undefined;
  }

  list(gvk: GroupVersionKind, namespace?: string, labelSelector?: Record<string, string>): KubeObject[] {
    return this.informerFor(gvk)
      .list(gvk.namespaced ? namespace : undefined)
      .filter((o) => matchesLabels(o, labelSelector))
      .map(asKubeObject);
  }
}
