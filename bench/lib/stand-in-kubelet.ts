/**
 * A stand-in for kube-controller-manager + kubelet, for the controller scale benchmark: every Deployment in the
 * namespace is marked available through its status subresource (one write each), as if its single Pod became
 * Ready at once. It watches (one stream, no repeated lists) so the harness adds as little apiserver load as it can.
 */
import pLimit from 'p-limit';
import type { KubeClient, StreamHandle } from '../../lib/kube/client.js';

interface DeploymentItem {
  metadata: { name: string; generation?: number };
}

export interface StandInKubelet {
  /** Status writes it made. */
  readonly writes: number;
  stop(): Promise<void>;
}

export async function startStandInKubelet(client: KubeClient, namespace: string): Promise<StandInKubelet> {
  let writes = 0;
  const marked = new Map<string, number>();
  const limit = pLimit(16);
  const inFlight = new Set<Promise<void>>();
  const mark = (d: DeploymentItem): void => {
    const generation = d.metadata.generation ?? 0;
    if (marked.get(d.metadata.name) === generation) return;
    marked.set(d.metadata.name, generation);
    const now = new Date().toISOString();
    const p = limit(async () => {
      await client.json({
        method: 'PATCH',
        path: `/apis/apps/v1/namespaces/${namespace}/deployments/${d.metadata.name}/status`,
        contentType: 'application/merge-patch+json',
        body: {
          status: {
            observedGeneration: generation,
            replicas: 1,
            updatedReplicas: 1,
            readyReplicas: 1,
            availableReplicas: 1,
            conditions: [
              { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'stand-in kubelet', lastUpdateTime: now, lastTransitionTime: now },
            ],
          },
        },
      });
      writes++;
    }).catch(() => {
      marked.delete(d.metadata.name); // seen again on its next change
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const handle: StreamHandle = await client.stream(`/apis/apps/v1/namespaces/${namespace}/deployments`, { watch: true }, (line) => {
    const e = JSON.parse(line) as { type: string; object: DeploymentItem };
    if (e.type === 'ADDED' || e.type === 'MODIFIED') mark(e.object);
  });
  handle.done.catch(() => undefined);
  return {
    get writes() {
      return writes;
    },
    stop: async () => {
      handle.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}
