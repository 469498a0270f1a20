/**
 * The one multi-tenant cron adapter of the cluster (as Knative's mt-ping): it watches every CronSource of the
 * controller's namespaces and sends to each one's status.sinkUri, so it carries no K_SINK and no owner — it
 * outlives any one source and is scaled to zero when none is left. Pure.
 */
import type { KubeObject } from '../../../runtime/types.js';
import { buildAdapterDeployment } from '../../shared/adapter-deployment.js';

export const CRON_ADAPTER_NAME = 'headwater-cron-adapter';
export const CRON_ADAPTER_SERVICE_ACCOUNT = 'headwater-cron-adapter';

export function buildCronAdapter(opts: {
  namespace: string;
  image: string;
  sourceCount: number;
  /** The namespaces the controller reconciles (WATCH_NAMESPACES plus its own); undefined = all. */
  watchNamespaces?: readonly string[];
}): KubeObject {
  return buildAdapterDeployment({
    name: CRON_ADAPTER_NAME,
    namespace: opts.namespace,
    role: 'cron',
    image: opts.image,
    ownerKind: 'CronSource',
    ownerName: CRON_ADAPTER_NAME,
    replicas: opts.sourceCount > 0 ? 1 : 0,
    serviceAccountName: CRON_ADAPTER_SERVICE_ACCOUNT,
    needsApiToken: true,
    env: [
      { name: 'NAMESPACE', value: opts.namespace },
      { name: 'NAME', value: CRON_ADAPTER_NAME },
      // The adapter schedules exactly the CronSources this controller reconciles: a source outside them may be
      // another controller's, whose own cron adapter ticks it.
      ...(opts.watchNamespaces === undefined ? [] : [{ name: 'WATCH_NAMESPACES', value: opts.watchNamespaces.join(',') }]),
    ],
  });
}
