/** Create or replace the ValidatingWebhookConfiguration, so a restarted webhook's new CA is trusted. */
import type { JsonRequest } from '../../lib/kube/client.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../lib/kube/errors.js';
import { mergeCaBundle } from './ca-bundle.js';
import type { ValidatingWebhookConfiguration } from './configuration.js';

/** The part of lib/kube's KubeClient this needs (a test can hand in the real one). */
export interface JsonClient {
  json<T>(req: JsonRequest): Promise<T>;
}

const BASE = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

/**
 * Creates the configuration, or replaces it keeping the CAs other replicas put into its caBundle (see
 * ca-bundle.ts). Replicas starting together race on the read-modify-write; resourceVersion turns a lost
 * race into a Conflict, and we read again.
 */
export async function applyWebhookConfiguration(
  client: JsonClient,
  config: ValidatingWebhookConfiguration,
  now: () => Date = () => new Date(),
): Promise<ValidatingWebhookConfiguration> {
  const path = `${BASE}/${encodeURIComponent(config.metadata.name)}`;
  for (let attempt = 1; ; attempt++) {
    let existing: ValidatingWebhookConfiguration | undefined;
    try {
      existing = await client.json<ValidatingWebhookConfiguration>({ method: 'GET', path });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    try {
      if (!existing) return await client.json<ValidatingWebhookConfiguration>({ method: 'POST', path: BASE, body: config });
      const body = withMergedBundles(config, existing, now());
      return await client.json<ValidatingWebhookConfiguration>({ method: 'PUT', path, body });
    } catch (err) {
      const raced = err instanceof ConflictError || err instanceof AlreadyExistsError;
      if (!raced || attempt >= 5) throw err;
    }
  }
}

function withMergedBundles(
  config: ValidatingWebhookConfiguration,
  existing: ValidatingWebhookConfiguration,
  now: Date,
): ValidatingWebhookConfiguration {
  const decode = (b64: string | undefined): string => (b64 ? Buffer.from(b64, 'base64').toString('utf8') : '');
  return {
    ...config,
    metadata: {
      ...config.metadata,
      ...(existing.metadata.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
    },
    webhooks: config.webhooks.map((hook) => {
      const old = existing.webhooks?.find((w) => w.name === hook.name);
      const merged = mergeCaBundle(decode(old?.clientConfig.caBundle), decode(hook.clientConfig.caBundle), now);
      return { ...hook, clientConfig: { ...hook.clientConfig, caBundle: Buffer.from(merged).toString('base64') } };
    }),
  };
}

export async function deleteWebhookConfiguration(client: JsonClient, name: string): Promise<void> {
  try {
    await client.json({ method: 'DELETE', path: `${BASE}/${encodeURIComponent(name)}` });
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}
