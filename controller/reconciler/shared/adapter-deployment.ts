/**
 * The receive-adapter Deployment every source and Trigger runs: one image, the role in args, the env
 * contract of docs/architecture.md, probes, a locked-down security context and bounded resources. Pure.
 */
import type { V1Deployment, V1EnvVar, V1OwnerReference } from '@kubernetes/client-node';
import type { KubeObject } from '../../runtime/types.js';

export type AdapterRole = 'cron' | 'kafka' | 'redisstream' | 'trigger';

export const ADAPTER_PORT = 8080;
export const ADAPTER_CONTAINER = 'adapter';
export const LABEL_APP = 'app.kubernetes.io/name';
export const LABEL_SOURCE = 'sources.headwater.dev/source';
export const LABEL_KIND = 'sources.headwater.dev/kind';
export const APP_ADAPTER = 'headwater-adapter';

export interface AdapterDeploymentInput {
  name: string;
  namespace: string;
  role: AdapterRole;
  image: string;
  /** The owning object's kind and name, for the selector labels. */
  ownerKind: string;
  ownerName: string;
  /** Set for per-object adapters (GC removes them with their owner); absent for the shared cron adapter. */
  owner?: KubeObject;
  replicas: number;
  env: V1EnvVar[];
  serviceAccountName?: string;
  /** Only the shared cron adapter talks to the apiserver; the others get no token mounted. */
  needsApiToken?: boolean;
}

export function ownerReferenceTo(owner: KubeObject): V1OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name as string,
    uid: owner.metadata.uid as string,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function adapterSelector(ownerKind: string, ownerName: string): Record<string, string> {
  return { [LABEL_APP]: APP_ADAPTER, [LABEL_KIND]: ownerKind, [LABEL_SOURCE]: ownerName };
}

export function buildAdapterDeployment(input: AdapterDeploymentInput): KubeObject {
  const selector = adapterSelector(input.ownerKind, input.ownerName);
  const labels = { ...selector, 'app.kubernetes.io/component': input.role, 'app.kubernetes.io/managed-by': 'headwater-controller' };
  const env: V1EnvVar[] = [...input.env, { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }];
  const probe = (path: string) => ({
    httpGet: { path, port: ADAPTER_PORT },
    periodSeconds: 10,
    failureThreshold: 3,
  });
  const deployment: V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels,
      ...(input.owner === undefined ? {} : { ownerReferences: [ownerReferenceTo(input.owner)] }),
    },
    spec: {
      replicas: input.replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          ...(input.serviceAccountName === undefined ? {} : { serviceAccountName: input.serviceAccountName }),
          automountServiceAccountToken: input.needsApiToken === true,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: ADAPTER_CONTAINER,
              image: input.image,
              args: [input.role],
              ports: [{ name: 'http', containerPort: ADAPTER_PORT, protocol: 'TCP' }],
              env,
              livenessProbe: probe('/healthz'),
              readinessProbe: probe('/readyz'),
              securityContext: {
                runAsNonRoot: true,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
              },
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '256Mi' } },
            },
          ],
        },
      },
    },
  };
  return deployment as KubeObject;
}
