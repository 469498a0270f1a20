/**
 * No scheduler runs in the local environment: each runner binds the unscheduled Pods it may take. The
 * subset of scheduling it honours is the part that lets several runners share one cluster safely:
 * `nodeName`, `nodeSelector`, required node affinity on labels, and NoSchedule/NoExecute taints. Pure.
 */
import type { V1NodeSelectorRequirement, V1Pod, V1Taint, V1Toleration } from '@kubernetes/client-node';

export interface NodeIdentity {
  name: string;
  labels: Record<string, string>;
  taints: V1Taint[];
}

export function isUnscheduled(pod: V1Pod): boolean {
  const phase = pod.status?.phase ?? 'Pending';
  return !pod.spec?.nodeName && !pod.metadata?.deletionTimestamp && phase === 'Pending';
}

function requirementMatches(req: V1NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const value = labels[req.key];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

function tolerates(tolerations: readonly V1Toleration[], taint: V1Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.key === undefined || t.key === '') return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

/** Why this node may not take the Pod, or undefined when it may. */
export function unschedulableReason(pod: V1Pod, node: NodeIdentity): string | undefined {
  const spec = pod.spec;
  if (!spec) return 'pod has no spec';
  for (const [key, value] of Object.entries(spec.nodeSelector ?? {})) {
    if (node.labels[key] !== value) return `node selector ${key}=${value} does not match`;
  }
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required && required.nodeSelectorTerms.length > 0) {
    const anyTerm = required.nodeSelectorTerms.some((term) => (term.matchExpressions ?? []).every((r) => requirementMatches(r, node.labels)));
    if (!anyTerm) return 'required node affinity does not match';
  }
  for (const taint of node.taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!tolerates(spec.tolerations ?? [], taint)) return `untolerated taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
  }
  return undefined;
}
