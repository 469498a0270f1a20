/**
 * Builds a container's environment the way the kubelet does: `envFrom` first (in order, with prefix),
 * then `env` (later wins), `$(VAR)` references expanded against what is defined before, and
 * `valueFrom` resolved from the Pod itself (downward API), Secrets and ConfigMaps.
 */
import type { V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';
import { ContainerConfigError } from './errors.js';

/** Reads the data of Secrets and ConfigMaps (values already decoded); undefined when the object does not exist. */
export interface ConfigSource {
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

/** `$(NAME)` → value when NAME is defined, `$$(` → `$(`, anything else left as written (kubelet semantics). */
export function expandReferences(value: string, vars: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    if (name !== undefined && Object.hasOwn(vars, name)) return vars[name] as string;
    return match;
  });
}

const mapKeyPath = /^metadata\.(labels|annotations)\['([^']+)'\]$/;

/** The downward API's `fieldRef.fieldPath` for env. Pure. */
export function podFieldValue(pod: V1Pod, fieldPath: string, container: string): string {
  const mapped = mapKeyPath.exec(fieldPath);
  if (mapped) {
    const map = mapped[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[mapped[2] as string] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((p) => p.ip).join(',');
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    case 'status.hostIPs':
      return (pod.status?.hostIPs ?? []).map((p) => p.ip).join(',');
    default:
      throw new ContainerConfigError(container, `fieldRef ${fieldPath} is not supported by the local node runner`, { fieldPath });
  }
}

async function valueFrom(pod: V1Pod, container: string, v: V1EnvVar, source: ConfigSource): Promise<string | undefined> {
  const from = v.valueFrom;
  if (!from) return undefined;
  const namespace = pod.metadata?.namespace ?? 'default';
  if (from.fieldRef) return podFieldValue(pod, from.fieldRef.fieldPath, container);
  const ref = from.secretKeyRef ?? from.configMapKeyRef;
  if (ref) {
    const kind = from.secretKeyRef ? 'Secret' : 'ConfigMap';
    const data = from.secretKeyRef ? await source.secret(namespace, ref.name ?? '') : await source.configMap(namespace, ref.name ?? '');
    const value = data?.[ref.key];
    if (value !== undefined) return value;
    if (ref.optional) return undefined;
    const problem = data === undefined ? `${kind} "${ref.name}" not found` : `key "${ref.key}" not found in ${kind} "${ref.name}"`;
    throw new ContainerConfigError(container, `env ${v.name}: ${problem}`, { namespace, kind, name: ref.name, key: ref.key });
  }
  throw new ContainerConfigError(container, `env ${v.name}: resourceFieldRef is not supported by the local node runner`);
}

export async function resolveContainerEnv(pod: V1Pod, container: V1Container, source: ConfigSource): Promise<Record<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const ref = from.secretRef ?? from.configMapRef;
    if (!ref) continue;
    const kind = from.secretRef ? 'Secret' : 'ConfigMap';
    const data = from.secretRef ? await source.secret(namespace, ref.name ?? '') : await source.configMap(namespace, ref.name ?? '');
    if (data === undefined) {
      if (ref.optional) continue;
      throw new ContainerConfigError(container.name, `envFrom: ${kind} "${ref.name}" not found`, { namespace, kind, name: ref.name });
    }
    for (const [k, v] of Object.entries(data)) env[`${from.prefix ?? ''}${k}`] = v;
  }
  for (const v of container.env ?? []) {
    if (v.valueFrom) {
      const value = await valueFrom(pod, container.name, v, source);
      if (value !== undefined) env[v.name] = value;
    } else {
      env[v.name] = expandReferences(v.value ?? '', env);
    }
  }
  return env;
}
