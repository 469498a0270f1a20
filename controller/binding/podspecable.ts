/**
 * Where a workload keeps its pod template. Everything PodSpecable (Deployment, StatefulSet, DaemonSet, Job,
 * ReplicaSet and any custom resource following the duck) has it at spec.template; a CronJob one level down.
 */
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import type { KubeObject } from '../runtime/types.js';

export function podTemplatePath(apiVersion: string, kind: string): readonly string[] {
  return apiVersion.startsWith('batch/') && kind === 'CronJob'
    ? ['spec', 'jobTemplate', 'spec', 'template']
    : ['spec', 'template'];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function getPodTemplate(obj: KubeObject): V1PodTemplateSpec | undefined {
  let cursor: unknown = obj;
  for (const key of podTemplatePath(obj.apiVersion, obj.kind)) {
    if (!isRecord(cursor)) return undefined;
    cursor = cursor[key];
  }
  return isRecord(cursor) ? (cursor as V1PodTemplateSpec) : undefined;
}

/** A copy of `obj` with its pod template replaced. */
export function withPodTemplate(obj: KubeObject, template: V1PodTemplateSpec): KubeObject {
  const out = structuredClone(obj);
  const path = podTemplatePath(obj.apiVersion, obj.kind);
  let cursor: Record<string, unknown> = out;
  for (const key of path.slice(0, -1)) {
    const next = cursor[key];
    if (!isRecord(next)) {
      const created: Record<string, unknown> = {};
      cursor[key] = created;
      cursor = created;
    } else cursor = next;
  }
  cursor[path[path.length - 1] as string] = template;
  return out;
}
