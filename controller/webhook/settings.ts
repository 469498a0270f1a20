/** How the webhook registers itself, from the controller's environment. */
import { ConfigError } from '../../lib/errors.js';
import type { WebhookTarget } from './configuration.js';

export interface WebhookSettings {
  /** Names on the serving certificate. */
  hosts: string[];
  /** Where the apiserver should call us; undefined: do not register (someone else manages the configuration). */
  target: WebhookTarget | undefined;
}

/**
 * - `WEBHOOK_URL` (e.g. `https://127.0.0.1:8443/validate`): register with a URL, for an apiserver outside the cluster;
 * - else in a pod (`KUBERNETES_SERVICE_HOST`): register the Service `WEBHOOK_SERVICE` (default `headwater-webhook`)
 *   in `SYSTEM_NAMESPACE` (default `headwater-system`);
 * - `WEBHOOK_REGISTER=false` turns registration off.
 */
export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  const namespace = env.SYSTEM_NAMESPACE || 'headwater-system';
  const service = env.WEBHOOK_SERVICE || 'headwater-webhook';
  const hosts = [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`, 'localhost', '127.0.0.1'];
  const register = env.WEBHOOK_REGISTER ?? 'true';
  if (register !== 'true' && register !== 'false') {
    throw new ConfigError('WEBHOOK_REGISTER', `"${register}" is not a boolean`, 'Set it to true or false');
  }
  if (register === 'false') return { hosts, target: undefined };
  if (env.WEBHOOK_URL) {
    let url: URL;
    try {
      url = new URL(env.WEBHOOK_URL);
    } catch {
      throw new ConfigError('WEBHOOK_URL', `"${env.WEBHOOK_URL}" is not a URL`, 'Set it to https://HOST:PORT/validate');
    }
    if (url.protocol !== 'https:') {
      throw new ConfigError('WEBHOOK_URL', 'the apiserver calls webhooks over HTTPS only', 'Use an https:// URL');
    }
    return { hosts: [url.hostname, ...hosts.filter((h) => h !== url.hostname)], target: { url: env.WEBHOOK_URL } };
  }
  if (env.KUBERNETES_SERVICE_HOST) return { hosts, target: { service: { namespace, name: service, port: 443 } } };
  return { hosts, target: undefined };
}
