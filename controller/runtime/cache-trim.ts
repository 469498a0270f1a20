/**
 * What the informer caches keep of an object. `metadata.managedFields` (server-side apply bookkeeping: one
 * entry per field manager, each a tree of every field it set) is often the largest part of an object the
 * controller caches, and no reconciler reads it; controller-runtime users drop it with a cache transform for
 * the same reason. A write built from a trimmed copy is safe: the apiserver keeps the stored managedFields
 * when an update leaves the field out.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

/** Drops the fields no reconciler reads, in place (the object is the one the informer cache holds). */
export function trimForCache(obj: KubernetesObject): void {
  if (obj.metadata?.managedFields !== undefined) delete obj.metadata.managedFields;
}
