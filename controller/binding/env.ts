/** What a SinkBinding (or a source's own adapter) injects: the K_SINK family of the adapter env contract. */
import type { V1EnvVar } from '@kubernetes/client-node';

export interface BindingEnv {
  sinkUri: string;
  /** `{"extensions":{…}}`, serialised into K_CE_OVERRIDES when present. */
  ceOverrides?: { extensions?: Record<string, string> };
  /** PEM bundle for an HTTPS sink, into K_CA_CERTS. */
  caCerts?: string;
}

/** The env vars for a binding, in a fixed order so repeated applies produce identical pod templates. */
export function bindingEnvVars(env: BindingEnv): V1EnvVar[] {
  const vars: V1EnvVar[] = [{ name: 'K_SINK', value: env.sinkUri }];
  if (env.ceOverrides !== undefined) {
    // Sorted keys: the JSON must not change when only the map order of the spec changed.
    const extensions = Object.fromEntries(Object.entries(env.ceOverrides.extensions ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
    vars.push({ name: 'K_CE_OVERRIDES', value: JSON.stringify({ extensions }) });
  }
  if (env.caCerts !== undefined && env.caCerts !== '') vars.push({ name: 'K_CA_CERTS', value: env.caCerts });
  return vars;
}
