/**
 * A stand-in for kube-controller-manager + kubelet, for the controller scale benchmark: every Deployment in the
 * namespace is marked available through its status subresource (one write each), as if its single Pod became
 * Ready at once. It polls instead of watching: one list per interval, which is also what keeps it cheap.
 */
import type { KubeClient } from '../../lib/kube/client.js';
import { sleep } from './proc.js';

interface DeploymentItem {
  metadata: { name: string; generation?: number };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] };
}

export interface StandInKubelet {
  /** Status writes it made. */
  readonly writes: number;
  stop(): Promise<void>;
}

export function startStandInKubelet(client: KubeClient, namespace: string, everyMs = 300): StandInKubelet {
  let stopped = false;
  let writes = 0;
  const marked = new Map<string, number>();
  const loop = (async () => {
    while (!stopped) {
      const list = await client
        .json<{ items: DeploymentItem[] }>({ method: 'GET', path: `/apis/apps/v1/namespaces/${namespace}/deployments` })
        .catch(() => ({ items: [] as DeploymentItem[] }));
      const todo = list.items.filter((d) => marked.get(d.metadata.name) !== (d.metadata.generation ?? 0));
      // Bounded parallelism: 16 status writes at a time.
      for (let i = 0; i < todo.length && !stopped; i += 16) {
        await Promise.all(
          todo.slice(i, i + 16).map(async (d) => {
            const now = new Date().toISOString();
            const generation = d.metadata.generation ?? 0;
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
            marked.set(d.metadata.name, generation);
          }),
        ).catch(() => undefined);
      }
      await sleep(everyMs);
    }
  })();
  return {
    get writes() {
      return writes;
    },
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
