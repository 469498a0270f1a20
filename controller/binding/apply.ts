/**
 * Put the binding env into every container and init container of a pod template, and take it out again.
 * A marker annotation on the template records exactly which variables apply() added and which existing
 * values it overwrote, so undo() restores the template to what it was — nothing more, nothing less.
 * Pure: templates in, new templates out.
 */
import type { V1Container, V1EnvVar, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { BindingEnv } from './env.js';
import { bindingEnvVars } from './env.js';
import { BindingConflictError, BindingMarkerError } from './errors.js';

export const BINDING_MARKER_ANNOTATION = 'bindings.headwater.dev/injected';

interface ContainerMarker {
  /** Names apply() appended (absent before). */
  added: string[];
  /** Variables apply() overwrote, with their previous definition. */
  replaced: V1EnvVar[];
  /** The container had no env list at all (so undo drops the list again rather than leave it empty). */
  envAbsent?: boolean;
}

interface Marker {
  /** Who applied: `SinkBinding ns/name` or `KafkaSource ns/name`. */
  by: string;
  containers: Record<string, ContainerMarker>;
  /** Whether apply() created metadata.annotations (so undo removes the empty map again). */
  createdAnnotations?: boolean;
  /** Whether apply() created metadata itself. */
  createdMetadata?: boolean;
}

function readMarker(template: V1PodTemplateSpec): Marker | undefined {
  const raw = template.metadata?.annotations?.[BINDING_MARKER_ANNOTATION];
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BindingMarkerError(BINDING_MARKER_ANNOTATION, 'is not JSON');
  }
  const m = parsed as Partial<Marker> | null;
  if (m === null || typeof m !== 'object' || typeof m.by !== 'string' || typeof m.containers !== 'object') {
    throw new BindingMarkerError(BINDING_MARKER_ANNOTATION, 'does not have the {by, containers} shape');
  }
  return m as Marker;
}

/** Who bound this template, if anyone. */
export function boundBy(template: V1PodTemplateSpec | undefined): string | undefined {
  if (template === undefined) return undefined;
  try {
    return readMarker(template)?.by;
  } catch {
    return undefined;
  }
}

function allContainers(template: V1PodTemplateSpec): V1Container[] {
  return [...(template.spec?.initContainers ?? []), ...(template.spec?.containers ?? [])];
}

/** Remove what apply() added and restore what it overwrote. A template without the marker comes back unchanged. */
export function undoBinding(template: V1PodTemplateSpec): V1PodTemplateSpec {
  const marker = readMarker(template);
  if (marker === undefined) return template;
  const out = structuredClone(template);
  for (const container of allContainers(out)) {
    const record = marker.containers[container.name];
    if (record === undefined) continue;
    let env = (container.env ?? []).filter((v) => !record.added.includes(v.name));
    env = env.map((v) => record.replaced.find((r) => r.name === v.name) ?? v);
    if (env.length === 0 && record.envAbsent === true) delete container.env;
    else container.env = env;
  }
  const annotations = out.metadata?.annotations;
  if (annotations !== undefined && out.metadata !== undefined) {
    delete annotations[BINDING_MARKER_ANNOTATION];
    if (marker.createdAnnotations === true && Object.keys(annotations).length === 0) delete out.metadata.annotations;
    if (marker.createdMetadata === true && Object.keys(out.metadata).length === 0) delete out.metadata;
  }
  return out;
}

/**
 * Bind `env` into every container. Idempotent: re-applying the same env to a bound template gives an equal
 * template, and a changed env (new sink URL, CA removed) replaces the old one exactly.
 * Throws BindingConflictError when another owner's binding is on the template.
 */
export function applyBinding(template: V1PodTemplateSpec, env: BindingEnv, by: string): V1PodTemplateSpec {
  const held = readMarker(template)?.by;
  if (held !== undefined && held !== by) throw new BindingConflictError(by, held);
  const out = structuredClone(undoBinding(template));
  const vars = bindingEnvVars(env);
  const marker: Marker = { by, containers: {} };
  for (const container of allContainers(out)) {
    const record: ContainerMarker = { added: [], replaced: [] };
    if (container.env === undefined) record.envAbsent = true;
    const current = container.env ?? [];
    for (const v of vars) {
      const at = current.findIndex((e) => e.name === v.name);
      if (at < 0) {
        current.push({ ...v });
        record.added.push(v.name);
      } else {
        record.replaced.push(current[at] as V1EnvVar);
        current[at] = { ...v };
      }
    }
    container.env = current;
    marker.containers[container.name] = record;
  }
  if (out.metadata === undefined) {
    out.metadata = {};
    marker.createdMetadata = true;
  }
  if (out.metadata.annotations === undefined) {
    out.metadata.annotations = {};
    marker.createdAnnotations = true;
  }
  out.metadata.annotations[BINDING_MARKER_ANNOTATION] = JSON.stringify(marker);
  return out;
}
