/**
 * One place that decides where the cluster is: KUBECONFIG when set (local runs, tests), the pod's
 * service account when running in a cluster, else ~/.kube/config.
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../errors.js';

export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  const path = env.KUBECONFIG;
  if (path) {
    // KUBECONFIG may list several files; client-node merges them. Check the first so a typo fails loudly.
    const first = path.split(':')[0] ?? '';
    if (first && !existsSync(first)) {
      throw new ConfigError('KUBECONFIG', `file ${first} does not exist`, 'Point KUBECONFIG at a readable kubeconfig file or unset it in a pod');
    }
    kc.loadFromDefault();
  } else if (env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
  } else {
    kc.loadFromDefault();
  }
  if (!kc.getCurrentCluster()) {
    throw new ConfigError(
      'KUBECONFIG',
      'no current cluster in the kubeconfig',
      'Set KUBECONFIG to a kubeconfig with a current-context (for the local environment: eval "$(bash hack/env.sh env)")',
    );
  }
  return kc;
}
