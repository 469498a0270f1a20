/**
 * Where a kind lives in the API: enough to build every URL without a discovery round trip.
 * Structurally identical to controller/runtime's GroupVersionKind so either can be passed.
 */
export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export function apiVersionOf(r: Pick<ResourceType, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** A stable, readable id for maps and metric labels: `deployments.apps/v1`, `configmaps/v1`. */
export function resourceId(r: ResourceType): string {
  return r.group ? `${r.plural}.${r.group}/${r.version}` : `${r.plural}/${r.version}`;
}

function groupPrefix(r: ResourceType): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

/** The collection URL; a namespaced kind without a namespace means all namespaces. */
export function collectionPath(r: ResourceType, namespace?: string): string {
  if (r.namespaced && namespace) return `${groupPrefix(r)}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`;
  return `${groupPrefix(r)}/${r.plural}`;
}

export function objectPath(r: ResourceType, namespace: string | undefined, name: string, subresource?: string): string {
  const base = `${collectionPath(r, r.namespaced ? namespace : undefined)}/${encodeURIComponent(name)}`;
  return subresource ? `${base}/${subresource}` : base;
}
