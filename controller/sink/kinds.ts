import type { GroupVersionKind } from '../runtime/types.js';

/**
 * Plurals of the Addressable kinds a sink commonly points at. A Lister needs the plural, a KReference only
 * carries apiVersion and kind; for anything not listed we fall back to Kubernetes' default pluralisation
 * (the rule kubebuilder and `kubectl` use for CRDs without an explicit plural).
 */
const knownPlurals: Record<string, { plural: string; namespaced: boolean }> = {
  '/Service': { plural: 'services', namespaced: true },
  'serving.knative.dev/Service': { plural: 'services', namespaced: true },
  'eventing.knative.dev/Broker': { plural: 'brokers', namespaced: true },
  'messaging.knative.dev/Channel': { plural: 'channels', namespaced: true },
  'messaging.knative.dev/InMemoryChannel': { plural: 'inmemorychannels', namespaced: true },
};

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function defaultPlural(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** The GroupVersionKind a reference names, for Lister lookups. */
export function gvkOfReference(apiVersion: string, kind: string): GroupVersionKind {
  const { group, version } = splitApiVersion(apiVersion);
  const known = knownPlurals[`${group}/${kind}`];
  return {
    group,
    version,
    kind,
    plural: known?.plural ?? defaultPlural(kind),
    namespaced: known?.namespaced ?? true,
  };
}
