/** The ValidatingWebhookConfiguration that points the apiserver at us (pure builder). */
import { KINDS } from '../../api/kinds.js';

export const WEBHOOK_CONFIGURATION_NAME = 'headwater-validation';
export const WEBHOOK_NAME = 'validation.headwater.dev';
export const WEBHOOK_PATH = '/validate';

export type WebhookTarget =
  /** Out of cluster (the local apiserver): the apiserver dials this URL. */
  | { url: string }
  /** In cluster: the webhook Service. */
  | { service: { namespace: string; name: string; port?: number } };

export interface ValidatingWebhookConfiguration {
  apiVersion: 'admissionregistration.k8s.io/v1';
  kind: 'ValidatingWebhookConfiguration';
  metadata: { name: string; labels: Record<string, string>; resourceVersion?: string };
  webhooks: {
    name: string;
    clientConfig: { url?: string; service?: { namespace: string; name: string; path: string; port: number }; caBundle: string };
    rules: { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[]; scope: string }[];
    failurePolicy: 'Fail' | 'Ignore';
    sideEffects: 'None';
    admissionReviewVersions: string[];
    timeoutSeconds: number;
    matchPolicy: 'Equivalent';
  }[];
}

export function webhookConfiguration(target: WebhookTarget, caPem: string, name = WEBHOOK_CONFIGURATION_NAME): ValidatingWebhookConfiguration {
  const clientConfig =
    'url' in target
      ? { url: target.url, caBundle: Buffer.from(caPem).toString('base64') }
      : {
          service: { namespace: target.service.namespace, name: target.service.name, path: WEBHOOK_PATH, port: target.service.port ?? 443 },
          caBundle: Buffer.from(caPem).toString('base64'),
        };
  const groups = [...new Set(KINDS.map((k) => k.group))];
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'headwater' } },
    webhooks: [
      {
        name: WEBHOOK_NAME,
        clientConfig,
        rules: groups.map((g) => ({
          apiGroups: [g],
          apiVersions: [...new Set(KINDS.filter((k) => k.group === g).map((k) => k.version))],
          operations: ['CREATE', 'UPDATE'],
          resources: KINDS.filter((k) => k.group === g).map((k) => k.plural),
          scope: '*',
        })),
        // An object the webhook could not judge must not slip in: fail closed.
        failurePolicy: 'Fail',
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        timeoutSeconds: 10,
        matchPolicy: 'Equivalent',
      },
    ],
  };
}
