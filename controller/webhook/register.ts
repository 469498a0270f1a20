/** Create or replace the ValidatingWebhookConfiguration, so a restarted webhook's new CA is trusted. */
import type { JsonRequest } from '../../lib/kube/client.js';
import { NotFoundError } from '../../lib/kube/errors.js';
import type { ValidatingWebhookConfiguration } from './configuration.js';

/** The part of lib/kube's KubeClient this needs (a test can hand in the real one). */
export interface JsonClient {
  json<T>(req: JsonRequest): Promise<T>;
}

const BASE = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

export async function applyWebhookConfiguration(client: JsonClient, config: ValidatingWebhookConfiguration): Promise<void> {
  const path = `${BASE}/${encodeURIComponent(config.metadata.name)}`;
  let existing: ValidatingWebhookConfiguration | undefined;
  try {
    existing = await client.json<ValidatingWebhookConfiguration>({ method: 'GET', path });
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  if (!existing) {
    await client.json({ method: 'POST', path: BASE, body: config });
    return;
  }
  const resourceVersion = existing.metadata.resourceVersion;
  await client.json({
    method: 'PUT',
    path,
    body: { ...config, metadata: { ...config.metadata, ...(resourceVersion ? { resourceVersion } : {}) } },
  });
}

export async function deleteWebhookConfiguration(client: JsonClient, name: string): Promise<void> {
  try {
    await client.json({ method: 'DELETE', path: `${BASE}/${encodeURIComponent(name)}` });
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}
