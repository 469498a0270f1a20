/**
 * A tiny reconciler for the machinery tests: for every ConfigMap labelled `hw-role=source` in its
 * namespace it keeps a child ConfigMap `<name>-child` with the same data (create when missing, update
 * when different, nothing otherwise), owned by the source. It counts its calls, can be told to fail
 * for a name, and emits an Event on every write.
 */
import type { GroupVersionKind, KubeObject, ObjectKey, ReconcileContext, Reconciler } from '../../../../controller/runtime/types.js';

export const configMapGvk: GroupVersionKind = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };

export interface TestReconciler extends Reconciler {
  calls: ObjectKey[];
  failFor: Set<string>;
}

function sameData(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}

export function childCopier(namespace: string): TestReconciler {
  const calls: ObjectKey[] = [];
  const failFor = new Set<string>();
  return {
    gvk: configMapGvk,
    calls,
    failFor,
    watches: [
      {
        gvk: configMapGvk,
        mapToPrimaries: (obj) => {
          const owner = obj.metadata.labels?.['hw-parent'];
          return owner && obj.metadata.namespace === namespace ? [{ namespace, name: owner }] : [];
        },
      },
    ],
    async reconcile(key: ObjectKey, ctx: ReconcileContext) {
      if (key.namespace !== namespace) return undefined;
      calls.push(key);
      const source = ctx.lister.get(configMapGvk, key);
      if (source?.metadata.labels?.['hw-role'] !== 'source') return undefined;
      if (failFor.has(key.name)) {
        ctx.recorder.event(source, 'Warning', 'ToldToFail', `told to fail for ${key.name}`);
        throw new Error(`told to fail for ${key.name}`);
      }
      const childKey = { namespace, name: `${key.name}-child` };
      const child = ctx.lister.get(configMapGvk, childKey);
      const data = (source as KubeObject & { data?: Record<string, string> }).data;
      if (!child) {
        await ctx.writer.create(configMapGvk, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            ...childKey,
            labels: { 'hw-parent': key.name },
            ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: key.name, uid: source.metadata.uid ?? '', controller: true }],
          },
          data,
        });
        ctx.recorder.event(source, 'Normal', 'ChildCreated', `created ConfigMap ${childKey.name}`);
        return undefined;
      }
      if (!sameData((child as KubeObject & { data?: unknown }).data, data)) {
        // On a stale cache this throws ConflictError; the queue retries with the fresh object.
        await ctx.writer.update(configMapGvk, { ...child, data });
        ctx.recorder.event(source, 'Normal', 'ChildUpdated', `updated ConfigMap ${childKey.name}`);
      }
      return undefined;
    },
  };
}
