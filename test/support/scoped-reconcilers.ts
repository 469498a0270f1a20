/**
 * The reconcilers of an in-process test controller, scoped the way a namespace-scoped controller would be:
 * the apiserver is shared by test files that run side by side (vitest.config.ts, test/support/lanes.ts) and
 * by other engineers' runs, so a test's controller must act only on what its own file made. Without this,
 * two controllers with different system namespaces (or adapter images) would rewrite each other's objects
 * and statuses forever.
 *
 * In scope: keys in `namespaces`, and cluster-scoped objects (ClusterEventBus) whose name is in
 * `clusterNames`. Reads through the lister see only in-scope namespaces; cluster-scoped reads are not
 * filtered (a source may name any ClusterEventBus). The reconcilers themselves run unchanged.
 */
import type { Lister, Reconciler } from '../../controller/runtime/types.js';

export interface ReconcileScope {
  namespaces: readonly string[];
  /** Names of cluster-scoped objects this file created and wants reconciled. */
  clusterNames?: readonly string[];
}

export function inScope(scope: ReconcileScope, key: { namespace?: string; name: string }): boolean {
  if (key.namespace === undefined) return (scope.clusterNames ?? []).includes(key.name);
  return scope.namespaces.includes(key.namespace);
}

export function scopeReconcilers(reconcilers: readonly Reconciler[], scope: ReconcileScope): Reconciler[] {
  const readable = (namespace: string | undefined): boolean => namespace === undefined || scope.namespaces.includes(namespace);
  return reconcilers.map((r) => ({
    ...r,
    reconcile: (key, ctx) => {
      if (!inScope(scope, key)) return Promise.resolve(undefined);
      const lister: Lister = {
        get: (gvk, k) => (readable(gvk.namespaced ? k.namespace : undefined) ? ctx.lister.get(gvk, k) : undefined),
        list: (gvk, namespace, selector) => ctx.lister.list(gvk, namespace, selector).filter((o) => readable(o.metadata.namespace)),
      };
      return r.reconcile(key, { ...ctx, lister });
    },
  }));
}
