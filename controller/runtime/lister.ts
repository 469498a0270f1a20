/**
 * Reads from informer caches. Equality label selectors only, as the seam promises.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResilientInformer } from '../../lib/kube/informer.js';
import type { GroupVersionKind, KubeObject, Lister, ObjectKey } from './types.js';

export type InformerSource = (gvk: GroupVersionKind) => ResilientInformer<KubernetesObject>;

export function matchesLabels(obj: KubernetesObject, selector: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const labels = obj.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Objects in an informer cache come from the API server, so apiVersion, kind and metadata are present. */
function asKubeObject(obj: KubernetesObject): KubeObject {
  return obj as KubeObject;
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
