/**
 * Test namespaces on the shared apiserver, through our own KubeClient. Deleting one that is already gone is not
 * an error: cleanup runs after failures too, and more than one hook may try.
 */
import type { KubeClient } from '../../lib/kube/client.js';
import { NotFoundError } from '../../lib/kube/errors.js';

export async function createNamespace(client: KubeClient, name: string): Promise<void> {
  await client.json({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
}

export async function deleteNamespace(client: KubeClient, name: string): Promise<void> {
  try {
    await client.json({ method: 'DELETE', path: `/api/v1/namespaces/${name}` });
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}

/** Waits up to `timeoutMs` until `probe` is true, polling every 200 ms; false when it never was. */
async function until(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}

/**
 * Ends a test's namespaces without waiting for the namespace controller, which takes 5–20 s per namespace
 * (it re-checks remaining content with a delay). What needs the test's own processes is done here, while they
 * still run: the namespaces are marked for deletion first (nothing new can be created in them), then their
 * pods are deleted with no grace period (no kubelet or node runner has to confirm a stop: they are about to
 * stop themselves), and their SinkBindings are deleted and awaited, because the test's controller releases
 * their finalizer. The rest (Deployments, ReplicaSets, Services, sources) the kube-controller-manager removes
 * in the background. Returns false when SinkBindings were still there after `timeoutMs`.
 */
export async function releaseNamespaces(client: KubeClient, names: readonly string[], timeoutMs = 60_000): Promise<boolean> {
  await Promise.all(names.map((n) => deleteNamespace(client, n)));
  const bindings = (n: string): string => `/apis/sources.headwater.dev/v1alpha1/namespaces/${n}/sinkbindings`;
  await Promise.all(
    names.flatMap((n) => [
      ignoreNotFound(
        client.json({ method: 'DELETE', path: `/api/v1/namespaces/${n}/pods`, body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 } }),
      ),
      ignoreNotFound(client.json({ method: 'DELETE', path: bindings(n) })),
    ]),
  );
  return until(async () => {
    for (const n of names) {
      try {
        const list = await client.json<{ items: unknown[] }>({ method: 'GET', path: bindings(n) });
        if (list.items.length > 0) return false;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    return true;
  }, timeoutMs);
}
