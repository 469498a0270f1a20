/** Objects shared by the reconciler table tests. */
import type { KubeObject } from '../../../../controller/runtime/types.js';

export const NS = 'ns';

export function service(name: string, port = 80, namespace = NS): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: [{ port }] } };
}

export function kafkaSource(name: string, spec: Record<string, unknown>, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'sources.headwater.dev/v1alpha1',
    kind: 'KafkaSource',
    metadata: { name, namespace: NS, uid: `uid-${name}`, generation: 1, ...extra },
    spec: { bootstrapServers: ['kafka:9092'], topics: ['t1'], ...spec },
  };
}

export function available(dep: KubeObject, status: 'True' | 'False', message = 'Deployment has minimum availability.'): KubeObject {
  return { ...dep, status: { conditions: [{ type: 'Available', status, reason: status === 'True' ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', message }] } };
}

export function readyBus(kind: 'EventBus' | 'ClusterEventBus', name: string, spec: Record<string, unknown>, ready = true): KubeObject {
  return {
    apiVersion: 'eventing.headwater.dev/v1alpha1',
    kind,
    metadata: kind === 'EventBus' ? { name, namespace: NS } : { name },
    spec,
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', ...(ready ? {} : { reason: 'BackendUnreachable', message: 'connect ECONNREFUSED' }) }] },
  };
}

type EnvVar = { name: string; value?: string; valueFrom?: unknown };

export function adapterEnv(dep: KubeObject | undefined): Record<string, string> {
  const spec = dep?.spec as { template: { spec: { containers: { env?: EnvVar[] }[] } } } | undefined;
  const env = spec?.template.spec.containers[0]?.env ?? [];
  return Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
}

export function adapterEnvVars(dep: KubeObject | undefined): EnvVar[] {
  const spec = dep?.spec as { template: { spec: { containers: { env?: EnvVar[] }[] } } } | undefined;
  return spec?.template.spec.containers[0]?.env ?? [];
}

export function condition(obj: KubeObject | undefined, type: string): { status: string; reason?: string; message?: string } | undefined {
  const conditions = (obj?.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] } | undefined)
    ?.conditions;
  return conditions?.find((c) => c.type === type);
}

export interface StatusView {
  sinkUri?: string;
  sinkCACerts?: string;
  observedGeneration?: number;
  ceAttributes?: unknown;
  backend?: string;
}

export function statusOf(obj: KubeObject | undefined): StatusView {
  return (obj?.status ?? {}) as StatusView;
}
