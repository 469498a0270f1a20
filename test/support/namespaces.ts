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
